/** toggle-media: a participant's own mic, camera and screen flags, broadcast to everyone. */
import { ConveneError } from '../../lib/protocol';
import { roomChannel, type IoSocket, type SignalingDeps } from './context';
import { handle } from './handler';
import { requireMembership } from './presence';

export function registerMediaState(socket: IoSocket, deps: SignalingDeps): void {
  handle(socket, deps, 'toggle-media', { bucket: 'control' }, async ({ kind, enabled }) => {
    const m = requireMembership(socket);
    // With a live producer for this kind, the toggle drives the producer and the
    // flag follows the SFU's events (so a host-locked mic stays off).
    const producer = await deps.media?.ownProducer(m.roomCode, m.participantId, kind);
    if (producer) {
      const media = await deps.media!.room(m.roomCode);
      if (enabled && !(await deps.rooms.get(m.roomCode).mayPublish(m.participantId, producer.source))) {
        throw new ConveneError('FORBIDDEN', `The host does not allow you to turn on ${producer.source}`);
      }
      await (enabled ? media.resumeProducer(m.participantId, producer.producerId) : media.pauseProducer(m.participantId, producer.producerId));
      return {};
    }
    // No producer: the flag alone is the media state, and it obeys the room's permissions too.
    const source = ({ audio: 'mic', video: 'camera', screen: 'screen' } as const)[kind];
    if (enabled && !(await deps.rooms.get(m.roomCode).mayPublish(m.participantId, source))) {
      throw new ConveneError('FORBIDDEN', `The host does not allow you to turn on ${source}`);
    }
    const changed = await deps.rooms.get(m.roomCode).setMedia(m.participantId, kind, enabled);
    if (changed) deps.io.to(roomChannel(m.roomCode)).emit('media-toggled', { participantId: m.participantId, kind, enabled });
    return {};
  });
}
