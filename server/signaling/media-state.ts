/** toggle-media: a participant's own mic, camera and screen flags, broadcast to everyone. */
import { roomChannel, type IoSocket, type SignalingDeps } from './context';
import { handle } from './handler';
import { requireMembership } from './presence';

export function registerMediaState(socket: IoSocket, deps: SignalingDeps): void {
  handle(socket, deps, 'toggle-media', { bucket: 'control' }, async ({ kind, enabled }) => {
    const m = requireMembership(socket);
    const changed = await deps.rooms.get(m.roomCode).setMedia(m.participantId, kind, enabled);
    if (changed) deps.io.to(roomChannel(m.roomCode)).emit('media-toggled', { participantId: m.participantId, kind, enabled });
    return {};
  });
}
