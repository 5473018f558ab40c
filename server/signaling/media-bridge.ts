/**
 * Connects each room's SFU media to its signaling: forwards RoomMedia events
 * to the right clients, keeps the participants' media flags following the real
 * producers, and closes a participant's media when they are gone for good.
 */
import { FLAG_OF_SOURCE, type MediaKind, type ProducerEvent } from '../../lib/protocol';
import type { RoomRegistry } from '../rooms/RoomRegistry';
import type { MediaSourceName, RoomMedia, Sfu } from '../sfu';
import { participantChannel, roomChannel, type IoServer } from './context';
import type { Logger } from 'pino';

export class MediaBridge {
  readonly #wired = new WeakSet<RoomMedia>();

  constructor(
    readonly sfu: Sfu,
    private readonly io: IoServer,
    private readonly rooms: RoomRegistry,
    private readonly log: Logger,
  ) {
    sfu.onRoomMediaReset((code) => {
      log.warn({ room: code }, 'room media reset; clients re-establish media');
      io.to(roomChannel(code)).emit('media-reset', {});
    });
  }

  /** The room's media, with its events wired to signaling (once per RoomMedia). */
  async room(code: string): Promise<RoomMedia> {
    const media = await this.sfu.room(code);
    if (!this.#wired.has(media)) {
      this.#wired.add(media);
      this.#wire(code, media);
    }
    return media;
  }

  /** Producers already in the room, for a joiner; never creates the room's router. */
  async producers(code: string): Promise<ProducerEvent[]> {
    const media = await this.sfu.existingRoom(code)?.catch(() => undefined);
    return media
      ? media
          .producers()
          .map(({ participantId, producerId, source, paused }) => ({ participantId, producerId, source, paused }))
      : [];
  }

  /** The participant's live producer behind a media flag (mic for audio, camera for video, screen for screen). */
  async ownProducer(
    code: string,
    participantId: string,
    kind: MediaKind,
  ): Promise<{ producerId: string; source: MediaSourceName } | null> {
    const media = await this.sfu.existingRoom(code)?.catch(() => undefined);
    const p = media?.producers().find((x) => x.participantId === participantId && FLAG_OF_SOURCE[x.source] === kind);
    return p ? { producerId: p.producerId, source: p.source } : null;
  }

  /** The meeting ended: close the room's router and everything on it. */
  endRoom(code: string): Promise<void> {
    return this.sfu.closeRoom(code);
  }

  /** A participant left, was kicked or timed out: close all their media; close the router if nobody is left. */
  async participantGone(code: string, participantId: string, roomEmpty: boolean): Promise<void> {
    const media = await this.sfu.existingRoom(code)?.catch(() => undefined);
    media?.closeParticipant(participantId);
    if (roomEmpty) await this.sfu.closeRoom(code);
  }

  #wire(code: string, media: RoomMedia): void {
    const everyone = () => this.io.to(roomChannel(code));
    const flag = (participantId: string, source: MediaSourceName, enabled: boolean) => {
      const kind = FLAG_OF_SOURCE[source];
      if (!kind) return;
      void this.rooms
        .get(code)
        .setMedia(participantId, kind, enabled)
        .then((changed) => changed && everyone().emit('media-toggled', { participantId, kind, enabled }))
        .catch((err: unknown) => this.log.debug({ err, room: code }, 'media flag not updated (participant gone)'));
    };
    media.on('new-producer', ({ participantId, producerId, source, paused }) => {
      everyone()
        .except(participantChannel(code, participantId))
        .emit('new-producer', { participantId, producerId, source, paused });
      flag(participantId, source, !paused);
    });
    media.on('producer-paused', ({ participantId, producerId, source, by }) => {
      everyone().emit('producer-paused', { participantId, producerId, source, by });
      flag(participantId, source, false);
    });
    media.on('producer-resumed', ({ participantId, producerId, source }) => {
      everyone().emit('producer-resumed', { participantId, producerId, source });
      flag(participantId, source, true);
    });
    media.on('producer-closed', ({ participantId, producerId, source, reason }) => {
      everyone().emit('producer-closed', { participantId, producerId, source });
      // A replaced producer is followed by its successor's new-producer; leave the flag alone.
      if (reason !== 'replaced' && reason !== 'participant-left') flag(participantId, source, false);
    });
    media.on('consumer-closed', ({ participantId, consumerId, producerId }) => {
      this.io.to(participantChannel(code, participantId)).emit('consumer-closed', { consumerId, producerId });
    });
    media.on('active-speaker', ({ participantId }) => everyone().emit('active-speaker', { participantId }));
  }
}
