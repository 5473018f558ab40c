/** Host controls. Every one is decided by Room.assertCan on the server's own record of roles. */
import { participantChannel, type IoSocket, type SignalingDeps } from './context';
import { handle } from './handler';
import { announceLeave, requireMembership } from './presence';

export function registerHostControls(socket: IoSocket, deps: SignalingDeps): void {
  handle(socket, deps, 'kick-participant', { bucket: 'control' }, async ({ participantId, reason }) => {
    const m = requireMembership(socket);
    const result = await deps.rooms.get(m.roomCode).kick(m.participantId, participantId);
    const target = participantChannel(m.roomCode, participantId);
    // The target hears why first, then the server closes its socket. Both go
    // through the adapter, so this holds when the target is on another process.
    deps.io.to(target).emit('force-disconnect', { reason: reason?.trim() || 'You were removed from the meeting' });
    deps.io.in(target).disconnectSockets(true);
    announceLeave(deps, m.roomCode, result);
    deps.log.info({ room: m.roomCode, actor: m.participantId, target: participantId, action: 'kick' }, 'host action');
    return {};
  });
}
