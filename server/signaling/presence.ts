/**
 * join-room, leave-room and disconnects: who is in a meeting, and the
 * reconnect grace that keeps a participant's identity across a network blip.
 */
import { ConveneError, type RoomJoined, type RoomJoinedAck } from '../../lib/protocol';
import { normalizeDisplayName } from '../../lib/text';
import type { JoinResult, LeaveResult, RoleChange } from '../rooms/Room';
import { isAudience, isModerator } from '../../lib/permissions';
import { audienceChanged, seatChannel } from './audience';
import type { ResumeClaim } from '../rooms/Room';
import {
  abandonKnock,
  announceKnock,
  announceLobbyChange,
  briefModerator,
  deliverAdmissions,
  enterLobby,
  leaveLobbyChannels,
} from './lobby';
import { participantInfo } from '../rooms/snapshots';
import { resumeTokenParticipant } from '../auth/identity';
import { knownToMeeting } from './code-guard';
import { joinMedia } from './join-media';
import type { types as ms } from 'mediasoup';
import {
  audienceChannel,
  moderatorChannel,
  participantChannel,
  roomChannel,
  stageChannel,
  type IoSocket,
  type SignalingDeps,
} from './context';
import type { EventHandlers } from './handler';
import { recordingEnded } from './recording';

export class GraceTimers {
  readonly #timers = new Map<string, NodeJS.Timeout>();

  set(key: string, ms: number, fn: () => void): void {
    this.clear(key);
    const t = setTimeout(() => {
      this.#timers.delete(key);
      fn();
    }, ms);
    t.unref();
    this.#timers.set(key, t);
  }

  clear(key: string): void {
    const t = this.#timers.get(key);
    if (t) clearTimeout(t);
    this.#timers.delete(key);
  }

  clearAll(): void {
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
  }
}

export function announceRoleChanges(deps: SignalingDeps, code: string, changes: RoleChange[]): void {
  for (const change of changes) {
    deps.io.to(roomChannel(code)).emit('role-changed', change);
    // Channel membership follows the role, on whichever process the socket lives.
    const sockets = deps.io.in(participantChannel(code, change.participantId));
    if (isModerator(change.role)) {
      sockets.socketsJoin(moderatorChannel(code));
      void briefModerator(deps, code, change.participantId).catch(() => undefined);
    } else {
      sockets.socketsLeave(moderatorChannel(code));
    }
    deps.log.info({ room: code, participant: change.participantId, role: change.role }, 'role changed');
  }
}

/** Tells the others someone left, once, hands over the host role if needed, and tells the knockers what changed. */
export function announceLeave(deps: SignalingDeps, grace: GraceTimers, code: string, result: LeaveResult): void {
  // An audience member leaves without a broadcast: the stage's count follows.
  if (isAudience(result.removed.role)) audienceChanged(deps, code);
  else
    deps.io
      .to(roomChannel(code))
      .except(participantChannel(code, result.removed.id))
      .emit('user-left', { participantId: result.removed.id, reason: result.reason });
  announceRoleChanges(deps, code, result.roleChanges);
  announceLobbyChange(deps, code, result.lobby);
  deliverAdmissions(deps, code, result.lobby, (s) => completeAdmission(deps, s, grace));
  deps.log.info({ room: code, participant: result.removed.id, reason: result.reason }, 'participant left');
  if (result.empty) deps.rooms.release(code);
  deps.limits.releaseMediaSlot(code, result.removed.id);
  // The last moderator (or the last anyone) left: the recording stops before the media closes.
  void recordingEnded(deps, code, result.recordingStopped, result.empty ? 'meeting-ended' : 'no-moderator')
    .then(() => deps.media?.for(code).participantGone(result.removed.id, result.empty))
    .catch((err: unknown) => deps.log.error({ err, room: code }, 'closing media failed'));
}

export const presenceHandlers = {
  'join-room': {
    bucket: 'join',
    onError: (socket, error) => socket.emit('join-error', error),
    act: async ({ socket, deps, grace }, payload) => {
      const { rooms, limits } = deps;
      if (deps.lifecycle.draining)
        throw new ConveneError('SHUTTING_DOWN', 'This server is restarting; try again in a moment');
      if (socket.data.membership || socket.data.joining)
        throw new ConveneError('JOIN_FAILED', 'This connection is already in a meeting; leave it first');
      const displayName = normalizeDisplayName(payload.displayName);
      if (!displayName)
        throw new ConveneError('INVALID_NAME', 'Display names are 1–64 characters, at least one of them visible');
      const code = payload.roomCode;
      if (socket.data.tokenRoom && socket.data.tokenRoom !== code)
        throw new ConveneError('FORBIDDEN', 'This join token is for another meeting');

      socket.data.joining = true;
      try {
        // Its IP's joins take turns (queued, not refused). A socket gone by its turn, or a
        // server draining, spends no turn: the next in line goes at once.
        const go = () => socket.connected && !deps.lifecycle.draining;
        if (!(await limits.joinTurn(socket.data.ip, go))) throw gaveUpWaiting(deps);
        await limits.assertCodeLookupAllowed(socket.data.ip, () =>
          knownToMeeting(deps, socket.data.identity, code, payload.resumeToken),
        );
        await abandonKnock(deps, socket);
        const resume = payload.resumeToken ? await resumeClaim(deps, socket, code, payload.resumeToken) : null;
        const result = await rooms
          .get(code)
          .join({ identity: socket.data.identity, displayName, socketId: socket.id, node: deps.nodeId, resume })
          .catch(async (err: unknown) => {
            if (err instanceof ConveneError && err.code === 'ROOM_NOT_FOUND') {
              // A guessed code must leave nothing behind on this process.
              rooms.release(code);
              await limits.recordUnknownCode(socket.data.ip);
            }
            throw err;
          });
        if (result.kind === 'joined') return await finishJoin(deps, socket, grace, code, result, payload.media);
        // Past its IP's knock budget, the knock is withdrawn before anyone hears of it.
        await limits.consumeKnock(socket.data.ip).catch(async (err: unknown) => {
          await rooms.get(code).leaveLobby(result.entry.id, socket.id);
          throw err;
        });
        await enterLobby(socket, code, result.entry.id, displayName);
        announceKnock(deps, code, result.entry);
        deps.log.info({ room: code, knock: result.entry.id, guest: result.entry.isGuest }, 'knocking');
        return { pending: true as const, position: result.position, noModerator: result.noModerator };
      } finally {
        socket.data.joining = false;
      }
    },
  },

  'leave-room': {
    bucket: 'control',
    act: async ({ socket, deps, grace }) => {
      if (socket.data.knock && !socket.data.membership) {
        await abandonKnock(deps, socket);
        return {};
      }
      const m = requireMembership(socket);
      socket.data.membership = null;
      await socket.leave(roomChannel(m.roomCode));
      await socket.leave(participantChannel(m.roomCode, m.participantId));
      await socket.leave(stageChannel(m.roomCode));
      await socket.leave(audienceChannel(m.roomCode));
      const result = await deps.rooms.get(m.roomCode).leave(m.participantId, 'left', socket.id);
      if (result) announceLeave(deps, grace, m.roomCode, result);
      return {};
    },
  },
} satisfies EventHandlers;

/** Why a join that waited its turn did not go ahead (read after the wait, not before it). */
function gaveUpWaiting(deps: SignalingDeps): ConveneError {
  return deps.lifecycle.draining
    ? new ConveneError('SHUTTING_DOWN', 'This server is restarting; try again in a moment')
    : new ConveneError('JOIN_FAILED', 'Disconnected while waiting to join');
}

/** A socket went away: leave its waiting room, and keep its seat for the reconnect grace. */
export function socketGone(deps: SignalingDeps, grace: GraceTimers, socket: IoSocket): void {
  const { rooms, config } = deps;
  if (socket.data.knock)
    void deps.lifecycle
      .track(abandonKnock(deps, socket))
      .catch((err: unknown) => deps.log.error({ err }, 'leaving the waiting room failed'));
  const m = socket.data.membership;
  if (!m) return;
  socket.data.membership = null;
  const room = rooms.get(m.roomCode);
  if (config.reconnectGraceMs <= 0) {
    void deps.lifecycle
      .track(
        room
          .leave(m.participantId, 'disconnected', socket.id)
          .then((left) => left && announceLeave(deps, grace, m.roomCode, left)),
      )
      .catch((err: unknown) => deps.log.error({ err, room: m.roomCode }, 'leave on disconnect failed'));
    return;
  }
  void deps.lifecycle
    .track(room.suspend(m.participantId, socket.id))
    .then((until) => {
      if (until !== null) armGrace(deps, grace, m.roomCode, m.participantId, socket.id, until);
    })
    .catch((err: unknown) => deps.log.error({ err, room: m.roomCode }, 'suspend on disconnect failed'));
}

/**
 * Removes the participant when its grace ends (`until`), unless it came back
 * on another socket by then. Armed where the socket dropped and, with several
 * nodes, again by a room's new owner, since the node that armed it may be gone;
 * a second expiry of the same seat finds nothing to remove.
 */
export function armGrace(
  deps: SignalingDeps,
  grace: GraceTimers,
  code: string,
  participantId: string,
  socketId: string,
  until: number,
): void {
  grace.set(`${code}:${participantId}`, Math.max(0, until - Date.now()) + 5, () => {
    void deps.lifecycle
      .track(
        deps.rooms
          .get(code)
          .expire(participantId, socketId)
          .then((left) => left && announceLeave(deps, grace, code, left)),
      )
      .catch((err: unknown) => deps.log.error({ err, room: code }, 'grace expiry failed'));
  });
}

/**
 * What a resume token may take back: a participant of this room whose token
 * verifies (this identity, this one-use nonce) and whose socket is gone, i.e.
 * one in the grace period, or one whose process died before it could suspend
 * it. A connection without cookie or token has no identity of its own, so the
 * server-signed token lends it the participant's, for that participant only:
 * the socket's own identity is left as it was, for any later join.
 * The token of a participant still connected is refused, so a stolen token
 * cannot take over a live seat; nobody else hears of the attempt.
 */
async function resumeClaim(
  deps: SignalingDeps,
  socket: IoSocket,
  code: string,
  token: string,
): Promise<ResumeClaim | null> {
  const participantId = resumeTokenParticipant(token);
  const record = participantId ? await deps.rooms.get(code).participant(participantId) : null;
  if (!record || !deps.identity.verifyResumeToken(token, code, record)) return null;
  const me = socket.data.identity;
  if (me.key !== record.identity && !me.ephemeral) return null;
  if (record.graceUntil === null && (await stillConnected(deps, record.node, record.socketId)))
    throw new ConveneError('JOIN_FAILED', 'That participant is still connected');
  return { participantId: record.id, nonce: record.resumeNonce, socketId: record.socketId };
}

/**
 * Whether a socket is still open: looked up here when it is this node's, not
 * at all when its node is dead, and across nodes (the adapter asks every node,
 * which needs Redis) only otherwise.
 */
async function stillConnected(deps: SignalingDeps, node: string, socketId: string): Promise<boolean> {
  if (node === deps.nodeId) return deps.io.of('/').sockets.has(socketId);
  if (!deps.isNodeAlive(node)) return false;
  return (await deps.io.in(socketId).fetchSockets()).length > 0;
}

/** The joiner is in: bind the socket, tell it everything, tell the others. */
async function finishJoin(
  deps: SignalingDeps,
  socket: IoSocket,
  grace: GraceTimers,
  code: string,
  result: JoinResult,
  /** `join-room.media`: set up the joiner's media with the join (not on a resume: it kept its own). */
  wanted?: { rtpCapabilities?: Record<string, unknown> },
): Promise<RoomJoinedAck> {
  const { io, rooms, identity } = deps;
  const p = result.participant;
  if (!socket.connected) {
    // The socket went away while we were joining: undo, as if it had left.
    const left = await rooms.get(code).leave(p.id, 'disconnected', socket.id);
    if (left && !result.resumed) announceLeave(deps, grace, code, left);
    throw new ConveneError('JOIN_FAILED', 'Disconnected during join');
  }
  grace.clear(`${code}:${p.id}`);
  await leaveLobbyChannels(socket);
  socket.data.membership = { roomCode: code, participantId: p.id };
  await socket.join([
    roomChannel(code),
    participantChannel(code, p.id),
    seatChannel(code, p.role),
    ...(isModerator(p.role) ? [moderatorChannel(code)] : []),
  ]);

  const joined: RoomJoined = {
    ...result.state,
    recordingAvailable: deps.media?.recordingAvailable ?? false,
    self: { ...result.state.self, resumeToken: identity.resumeToken(code, p) },
  };
  if (deps.media) {
    // The router comes with the join, so the client loads its device without another round trip.
    const media = deps.media.for(code);
    const [producers, router] = await Promise.all([media.producers(), media.capabilities()]);
    joined.producers = producers.map(({ participantId, producerId, source, paused }) => ({
      participantId,
      producerId,
      source,
      paused,
    }));
    joined.router = router;
    if (wanted && !result.resumed) {
      const rtpCapabilities = wanted.rtpCapabilities as ms.RtpCapabilities | undefined;
      const who = { roomCode: code, participantId: p.id, role: p.role };
      joined.media = await joinMedia(deps, socket, media, who, joined.producers, rtpCapabilities);
    }
  }
  socket.emit('room-joined', joined);
  // An audience member arrives without a broadcast: the stage's count follows.
  if (!result.resumed && isAudience(p.role)) audienceChanged(deps, code);
  else if (!result.resumed) socket.to(roomChannel(code)).emit('user-joined', { participant: participantInfo(p) });
  for (const gone of result.reaped)
    io.to(roomChannel(code)).emit('user-left', { participantId: gone.id, reason: 'disconnected' });
  announceRoleChanges(deps, code, result.roleChanges);
  if (result.roomUpdated) io.to(roomChannel(code)).emit('room-updated', { room: result.roomUpdated });
  announceLobbyChange(deps, code, result.lobby);
  deliverAdmissions(deps, code, result.lobby, (s) => completeAdmission(deps, s, grace));
  if (isModerator(p.role)) await briefModerator(deps, code, p.id);
  deps.log.info(
    { room: code, participant: p.id, role: p.role, resumed: result.resumed, guest: p.isGuest },
    'participant joined',
  );
  // The chat, the router and the media went out once, in room-joined; the ack repeats only the rest.
  const { chat: _chat, chatHasMore: _chatHasMore, pinned: _pinned, router: _router, media: _media, ...ack } = joined;
  return ack;
}

/** A host admitted this socket's knock: join it now, announcing success or failure to the knocker. */
export async function completeAdmission(deps: SignalingDeps, socket: IoSocket, grace: GraceTimers): Promise<void> {
  const k = socket.data.knock;
  if (!k || socket.data.membership) return;
  try {
    const result = await deps.rooms.get(k.roomCode).join({
      identity: socket.data.identity,
      displayName: k.displayName,
      socketId: socket.id,
      node: deps.nodeId,
      resume: null,
      admittedKnockId: k.knockId,
    });
    if (result.kind === 'joined') await finishJoin(deps, socket, grace, k.roomCode, result);
  } catch (err) {
    await abandonKnock(deps, socket).catch(() => undefined);
    const error =
      err instanceof ConveneError
        ? { code: err.code, message: err.message }
        : { code: 'JOIN_FAILED' as const, message: 'Could not join after admission' };
    socket.emit('join-error', error);
  }
}

export function requireMembership(socket: IoSocket): { roomCode: string; participantId: string } {
  const m = socket.data.membership;
  if (!m) throw new ConveneError('NOT_IN_ROOM', 'Join a meeting first');
  return m;
}
