/**
 * Host controls. Every one is decided by Room (its assertCan over the one
 * permission table, on the server's own records) and enforced here and in the
 * SFU; the target's client is told, never trusted.
 */
import type { BanRecord } from '../store/types';
import type { MeetingRecord } from '../store/types';
import { roomInfo } from '../rooms/snapshots';
import { knockChannel, lobbyChannel, moderatorChannel, participantChannel, roomChannel, type IoSocket, type SignalingDeps } from './context';
import { handle } from './handler';
import { announceLobby, deliverAdmissions } from './lobby';
import { announceLeave, announceRoleChanges, completeAdmission, requireMembership, type GraceTimers } from './presence';

const banInfo = (bans: BanRecord[]) => bans.map(({ identityId, displayName, isGuest, bannedAt }) => ({ identityId, displayName, isGuest, bannedAt }));

export function registerHostControls(socket: IoSocket, deps: SignalingDeps, grace: GraceTimers): void {
  const { io, rooms, log } = deps;
  const ctx = () => {
    const m = requireMembership(socket);
    return { ...m, room: rooms.get(m.roomCode) };
  };
  const audit = (code: string, actor: string, action: string, target?: string) => log.info({ room: code, actor, target, action }, 'host action');
  const roomUpdated = (code: string, meeting: MeetingRecord) => io.to(roomChannel(code)).emit('room-updated', { room: roomInfo(meeting) });
  const admitNow = (s: IoSocket) => completeAdmission(deps, s, grace);

  handle(socket, deps, 'kick-participant', { bucket: 'control' }, async ({ participantId, reason, ban }) => {
    const { roomCode, participantId: actor, room } = ctx();
    const result = await room.kickOrBan(actor, participantId, ban === true);
    const target = participantChannel(roomCode, participantId);
    // The target hears why first, then the server closes its socket. Both go
    // through the adapter, so this holds when the target is on another process.
    io.to(target).emit('force-disconnect', { reason: reason?.trim() || (ban ? 'You were removed from the meeting and cannot rejoin' : 'You were removed from the meeting') });
    io.in(target).disconnectSockets(true);
    announceLeave(deps, roomCode, result);
    if (ban) io.to(moderatorChannel(roomCode)).emit('bans-updated', { bans: banInfo(result.bans) });
    audit(roomCode, actor, ban ? 'ban' : 'kick', participantId);
    return {};
  });

  handle(socket, deps, 'unban', { bucket: 'control' }, async ({ identityId }) => {
    const { roomCode, participantId: actor, room } = ctx();
    const bans = await room.unban(actor, identityId);
    io.to(moderatorChannel(roomCode)).emit('bans-updated', { bans: banInfo(bans) });
    audit(roomCode, actor, 'unban', identityId);
    return {};
  });

  handle(socket, deps, 'get-bans', { bucket: 'control' }, async () => {
    const { participantId: actor, room } = ctx();
    return { bans: banInfo(await room.bans(actor)) };
  });

  handle(socket, deps, 'set-waiting-room', { bucket: 'control' }, async ({ mode }) => {
    const { roomCode, participantId: actor, room } = ctx();
    const { meeting, admitted } = await room.setWaitingRoom(actor, mode);
    roomUpdated(roomCode, meeting);
    deliverAdmissions(deps, roomCode, admitted, admitNow);
    announceLobby(deps, roomCode, meeting.lobby);
    audit(roomCode, actor, `set-waiting-room:${mode}`);
    return {};
  });

  handle(socket, deps, 'admit', { bucket: 'control' }, async ({ participantId }) => {
    const { roomCode, participantId: actor, room } = ctx();
    const { admitted, lobby } = await room.admit(actor, participantId);
    deliverAdmissions(deps, roomCode, admitted, admitNow);
    announceLobby(deps, roomCode, lobby);
    audit(roomCode, actor, 'admit', participantId);
    return {};
  });

  handle(socket, deps, 'admit-all', { bucket: 'control' }, async () => {
    const { roomCode, participantId: actor, room } = ctx();
    const { admitted, lobby } = await room.admit(actor, 'all');
    deliverAdmissions(deps, roomCode, admitted, admitNow);
    announceLobby(deps, roomCode, lobby);
    audit(roomCode, actor, 'admit-all');
    return { admitted: admitted.length };
  });

  handle(socket, deps, 'deny', { bucket: 'control' }, async ({ participantId }) => {
    const { roomCode, participantId: actor, room } = ctx();
    const { lobby } = await room.deny(actor, participantId);
    const knock = knockChannel(roomCode, participantId);
    io.to(knock).emit('join-error', { code: 'DENIED', message: 'The host did not let you in' });
    io.in(knock).socketsLeave([knock, lobbyChannel(roomCode)]);
    announceLobby(deps, roomCode, lobby);
    audit(roomCode, actor, 'deny', participantId);
    return {};
  });

  handle(socket, deps, 'lock-room', { bucket: 'control' }, async ({ locked }) => {
    const { roomCode, participantId: actor, room } = ctx();
    roomUpdated(roomCode, await room.setLocked(actor, locked));
    audit(roomCode, actor, locked ? 'lock' : 'unlock');
    return {};
  });

  handle(socket, deps, 'set-permissions', { bucket: 'control' }, async (patch) => {
    const { roomCode, participantId: actor, room } = ctx();
    roomUpdated(roomCode, await room.setPermissions(actor, patch));
    audit(roomCode, actor, 'set-permissions');
    return {};
  });

  handle(socket, deps, 'set-role', { bucket: 'control' }, async ({ participantId, role }) => {
    const { roomCode, participantId: actor, room } = ctx();
    announceRoleChanges(deps, roomCode, await room.setRole(actor, participantId, role));
    audit(roomCode, actor, `set-role:${role}`, participantId);
    return {};
  });

  handle(socket, deps, 'transfer-host', { bucket: 'control' }, async ({ participantId }) => {
    const { roomCode, participantId: actor, room } = ctx();
    announceRoleChanges(deps, roomCode, await room.transferHost(actor, participantId));
    audit(roomCode, actor, 'transfer-host', participantId);
    return {};
  });

  handle(socket, deps, 'end-meeting', { bucket: 'control' }, async () => {
    const { roomCode, participantId: actor, room } = ctx();
    const ended = await room.end(actor);
    const everyone = [roomChannel(roomCode), lobbyChannel(roomCode)];
    io.to(everyone).emit('meeting-ended', { by: actor });
    io.in(everyone).except(participantChannel(roomCode, actor)).disconnectSockets(true);
    // The host's own socket closes once its ack is on the wire.
    setImmediate(() => socket.disconnect(true));
    for (const p of ended.participants) grace.clear(`${roomCode}:${p.id}`);
    rooms.release(roomCode);
    await deps.media?.endRoom(roomCode);
    audit(roomCode, actor, 'end-meeting');
    return {};
  });

  handle(socket, deps, 'lower-hand', { bucket: 'control' }, async ({ participantId }) => {
    const { roomCode, participantId: actor, room } = ctx();
    if (await room.lowerHand(actor, participantId)) io.to(roomChannel(roomCode)).emit('hand-raised', { participantId, raisedAt: null });
    audit(roomCode, actor, 'lower-hand', participantId);
    return {};
  });
}
