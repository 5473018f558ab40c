/**
 * Connects each room's SFU media to its signaling: forwards RoomMedia events
 * to the right clients, keeps the participants' media flags following the real
 * producers, and closes a participant's media when they are gone for good.
 * Signaling reaches a room's media through `for(code)`, which runs on the
 * room's owner node: with several nodes, the router lives there.
 */
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { ConveneError, FLAG_OF_SOURCE, type MediaKind, type RecordingProblem } from '../../lib/protocol';
import { methodsOf, remoteHandle, type Async } from '../cluster/handles';
import type { Placement } from '../cluster/placement';
import type { RoomRegistry } from '../rooms/RoomRegistry';
import type { IceServer, MediaSourceName, ProducerInfo, RoomMedia, Sfu } from '../sfu';
import { Recorder, type RecorderOptions } from '../recording/recorder';
import { randomId } from '../random-id';
import { recordingState } from '../rooms/snapshots';
import type { LiveRecording } from '../store/types';
import { moderatorChannel, participantChannel, roomChannel, type IoServer } from './context';

/** One room's media on this node (its owner). Every method is async so that a remote handle looks the same. */
export class LocalMedia {
  constructor(
    private readonly bridge: MediaBridge,
    private readonly code: string,
  ) {}

  #room(): Promise<RoomMedia> {
    return this.bridge.room(this.code);
  }

  #existing(): Promise<RoomMedia | undefined> {
    return this.bridge.sfu.existingRoom(this.code)?.catch(() => undefined) ?? Promise.resolve(undefined);
  }

  async capabilities(): Promise<{ rtpCapabilities: ms.RtpCapabilities; iceServers: IceServer[] }> {
    return { rtpCapabilities: (await this.#room()).rtpCapabilities, iceServers: this.bridge.sfu.iceServers };
  }

  async createWebRtcTransport(...a: Parameters<RoomMedia['createWebRtcTransport']>) {
    return (await this.#room()).createWebRtcTransport(...a);
  }

  async connectTransport(...a: Parameters<RoomMedia['connectTransport']>) {
    return (await this.#room()).connectTransport(...a);
  }

  async produce(...a: Parameters<RoomMedia['produce']>) {
    return (await this.#room()).produce(...a);
  }

  async consume(...a: Parameters<RoomMedia['consume']>) {
    return (await this.#room()).consume(...a);
  }

  async resumeConsumer(...a: Parameters<RoomMedia['resumeConsumer']>) {
    return (await this.#room()).resumeConsumer(...a);
  }

  async pauseConsumer(...a: Parameters<RoomMedia['pauseConsumer']>) {
    return (await this.#room()).pauseConsumer(...a);
  }

  async setConsumerLayers(...a: Parameters<RoomMedia['setConsumerLayers']>) {
    return (await this.#room()).setConsumerLayers(...a);
  }

  async pauseProducer(...a: Parameters<RoomMedia['pauseProducer']>) {
    return (await this.#room()).pauseProducer(...a);
  }

  async resumeProducer(...a: Parameters<RoomMedia['resumeProducer']>) {
    return (await this.#room()).resumeProducer(...a);
  }

  async closeProducer(...a: Parameters<RoomMedia['closeProducer']>) {
    return (await this.#room()).closeProducer(...a);
  }

  async restartIce(...a: Parameters<RoomMedia['restartIce']>) {
    return (await this.#room()).restartIce(...a);
  }

  /** Host enforcement: pause the target's producer for `source`; false when there is none. */
  async hostPause(participantId: string, source: MediaSourceName): Promise<boolean> {
    return (await this.#existing())?.hostPause(participantId, source) ?? false;
  }

  /** Host enforcement: close the target's producers for `source`; false when there were none. */
  async closeSource(participantId: string, source: MediaSourceName): Promise<boolean> {
    return (await this.#existing())?.closeSource(participantId, source) ?? false;
  }

  /** Producers already in the room, for a joiner; never creates the room's router. */
  async producers(): Promise<ProducerInfo[]> {
    return (await this.#existing())?.producers() ?? [];
  }

  /** The participant's live producer behind a media flag (mic for audio, camera for video, screen for screen). */
  async ownProducer(
    participantId: string,
    kind: MediaKind,
  ): Promise<{ producerId: string; source: MediaSourceName } | null> {
    const p = (await this.producers()).find(
      (x) => x.participantId === participantId && FLAG_OF_SOURCE[x.source] === kind,
    );
    return p ? { producerId: p.producerId, source: p.source } : null;
  }

  /** A participant left, was kicked or timed out: close all their media; close the router if nobody is left. */
  async participantGone(participantId: string, roomEmpty: boolean): Promise<void> {
    if (roomEmpty) await this.stopRecording();
    (await this.#existing())?.closeParticipant(participantId);
    if (roomEmpty) await this.bridge.sfu.closeRoom(this.code);
  }

  /** A node carrying some of this room's receivers is gone (its worker died there): they set up again. */
  async legLost(node: string): Promise<void> {
    (await this.#existing())?.remoteLost(node);
  }

  /** The meeting ended: stop any recording, then close the room's router and everything on it. */
  async end(): Promise<void> {
    await this.stopRecording();
    return this.bridge.sfu.closeRoom(this.code);
  }

  /** Records every producer of the room, and every later one, on this node (server/recording). */
  async startRecording(recording: LiveRecording): Promise<void> {
    const { recorder } = this.bridge;
    if (!recorder) throw new ConveneError('MEDIA_UNAVAILABLE', 'Recording is not available on this server');
    const nameOf = async (id: string) => (await this.bridge.rooms.get(this.code).participant(id))?.displayName ?? '';
    await recorder.start(this.code, recording, await this.#room(), nameOf);
  }

  /** Stops recording here, if this node records the room; composing goes on in the background. */
  async stopRecording(): Promise<void> {
    await this.bridge.recorder?.stop(this.code);
  }
}

export type MediaHandle = Async<LocalMedia>;
/** What a remote node may ask of a room's media. */
export const MEDIA_OPS = methodsOf(LocalMedia.prototype);

export class MediaBridge {
  readonly #wired = new WeakSet<RoomMedia>();
  #placement: Placement | null = null;
  /** Null without recording options (tests and benches that do not record). */
  readonly recorder: Recorder | null;

  constructor(
    readonly sfu: Sfu,
    private readonly io: IoServer,
    readonly rooms: RoomRegistry,
    private readonly log: Logger,
    recording: RecorderOptions | null = null,
  ) {
    this.recorder = recording && new Recorder(recording, { problem: (...a) => this.#recordingProblem(...a) });
    sfu.onRoomMediaReset((code) => {
      log.warn({ room: code }, 'room media reset; clients re-establish media');
      void this.announceReset(code);
    });
  }

  /**
   * Everyone in the room sets media up again (a new router here: its worker
   * died, or the room moved to this node). The producers are gone, so every
   * media flag is off until its owner produces again.
   */
  async announceReset(code: string): Promise<void> {
    this.io.to(roomChannel(code)).emit('media-reset', {});
    const cleared = await this.rooms
      .get(code)
      .clearMedia()
      .catch((err: unknown) => {
        this.log.warn({ err, room: code }, 'media flags not cleared after a reset');
        return [];
      });
    for (const { participantId, kind } of cleared)
      this.io.to(roomChannel(code)).emit('media-toggled', { participantId, kind, enabled: false });
    await this.#recordingGoesOn(code).catch((err: unknown) =>
      this.log.error({ err, room: code }, 'the recording did not go on after a media reset'),
    );
  }

  /**
   * A running recording survives its room moving here from another node:
   * what the old node captured stays there (composed if it lived to stop),
   * and a new recording starts here, taking every producer as it comes back. Everyone hears the new `recording-state`; hosts are told why the
   * recording is now two files. If it cannot start here, it stops, and everyone hears that.
   */
  async #recordingGoesOn(code: string): Promise<void> {
    const room = this.rooms.get(code);
    const old = await room.recording();
    // Recorded here: the session keeps the room's RoomMedia, whose new router's producers it takes as they come.
    if (!old || this.recorder?.session(code)?.recording.id === old.id) return;
    await this.recorder?.interrupted(code, old.id);
    const next = await room.recordingRestarted(old.id, randomId(12));
    if (!next) return;
    try {
      await this.local(code).startRecording(next);
    } catch (err) {
      this.log.error({ err, room: code }, 'recording could not go on after a media reset');
      this.#recordingProblem(
        code,
        next.id,
        'The recording stopped: the meeting moved to a server that cannot record',
        true,
        { kind: 'moved-cannot-record' },
      );
      return;
    }
    this.io.to(roomChannel(code)).emit('recording-state', recordingState(next));
    this.io.to(moderatorChannel(code)).emit('recording-error', {
      message: 'The meeting moved to another server; the recording goes on there, in a new file from here',
      stopped: false,
      problem: { kind: 'moved' },
    });
    this.log.info({ room: code, recording: next.id, previous: old.id }, 'recording goes on after a media reset');
  }

  /** Whether this node can record (ffmpeg installed): the control is hidden otherwise. */
  get recordingAvailable(): boolean {
    return this.recorder?.availability.available ?? false;
  }

  /**
   * The recorder hit a problem: hosts and co-hosts are told; when it had to
   * stop, the room's state follows and everyone sees the recording end.
   */
  #recordingProblem(code: string, id: string, message: string, stopped: boolean, problem: RecordingProblem): void {
    this.io.to(moderatorChannel(code)).emit('recording-error', { message, stopped, problem });
    if (!stopped) return;
    void this.rooms
      .get(code)
      .recordingFailed(id)
      .then(
        (r) => r && this.io.to(roomChannel(code)).emit('recording-state', { ...recordingState(null), reason: 'error' }),
      )
      .catch((err: unknown) => this.log.warn({ err, room: code }, 'recording state not cleared'));
  }

  /** With several nodes: media calls for a room go to its owner. */
  route(placement: Placement): void {
    this.#placement = placement;
  }

  /** The room's media, wherever the room is owned. */
  for(code: string): MediaHandle {
    const placement = this.#placement;
    if (!placement) return this.local(code);
    return remoteHandle<MediaHandle>((op, args) => placement.call(code, op, args), 'media');
  }

  /** The room's media on this node, which must own the room. */
  local(code: string): LocalMedia {
    return new LocalMedia(this, code);
  }

  /** The room's RoomMedia on this node, with its events wired to signaling (once per RoomMedia). */
  async room(code: string): Promise<RoomMedia> {
    const media = await this.sfu.room(code);
    if (!this.#wired.has(media)) {
      this.#wired.add(media);
      this.#wire(code, media);
    }
    return media;
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
    // A worker carrying only receive transports died: just its receivers set up their receive side again.
    media.on('receive-reset', ({ participantId }) => {
      const producers = media
        .producers()
        .filter((p) => p.participantId !== participantId)
        .map((p) => ({ participantId: p.participantId, producerId: p.producerId, source: p.source, paused: p.paused }));
      this.io.to(participantChannel(code, participantId)).emit('receive-reset', { producers });
    });
  }
}
