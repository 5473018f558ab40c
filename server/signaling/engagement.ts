/** Raised hands and reactions: open to everyone in the meeting. */
import { roomChannel, type IoSocket, type SignalingDeps } from './context';
import { handle } from './handler';
import { requireMembership } from './presence';

export function registerEngagement(socket: IoSocket, deps: SignalingDeps): void {
  handle(socket, deps, 'raise-hand', { bucket: 'control' }, async ({ raised }) => {
    const m = requireMembership(socket);
    const raisedAt = await deps.rooms.get(m.roomCode).setHand(m.participantId, raised);
    // undefined: no change, nothing to announce. Clients order hands by raisedAt.
    if (raisedAt !== undefined) deps.io.to(roomChannel(m.roomCode)).emit('hand-raised', { participantId: m.participantId, raisedAt });
    return {};
  });

  handle(socket, deps, 'react', { bucket: 'react' }, async ({ emoji }) => {
    const m = requireMembership(socket);
    deps.io.to(roomChannel(m.roomCode)).emit('reaction', { participantId: m.participantId, emoji });
    return {};
  });
}
