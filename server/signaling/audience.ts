/**
 * The audience on the signaling side. An audience member's socket is in the
 * meeting's room channel (it hears the stage: chat, producers, who is on
 * stage) and in its audience channel, never in the stage channel. Nobody
 * hears of one audience member arriving or leaving: the stage gets a count,
 * coalesced, and hosts and co-hosts page through the audience on demand.
 */
import { isAudience, type Role } from '../../lib/permissions';
import { participantInfo, roomInfo } from '../rooms/snapshots';
import type { MediaSourceName } from '../sfu';
import {
  audienceChannel,
  moderatorChannel,
  participantChannel,
  roomChannel,
  stageChannel,
  type IoServer,
  type IoSocket,
  type SignalingDeps,
} from './context';
import type { EventContext, EventHandlers } from './handler';
import { requireMembership } from './presence';

/** At most one `audience-updated` per meeting per this interval (per node): 5,000 joins are a handful of broadcasts. */
export const AUDIENCE_COUNT_EVERY_MS = 500;

// Kept per io server, so test servers in one process do not share timers, and
// the signaling deps need no new member.
const pendingCounts = new WeakMap<IoServer, Map<string, NodeJS.Timeout>>();

/** The audience of `code` changed: the stage hears the new count once the interval is over. */
export function audienceChanged(deps: SignalingDeps, code: string): void {
  let timers = pendingCounts.get(deps.io);
  if (!timers) pendingCounts.set(deps.io, (timers = new Map<string, NodeJS.Timeout>()));
  if (timers.has(code)) return;
  const pending = timers;
  const timer = setTimeout(() => {
    pending.delete(code);
    void deps.rooms
      .get(code)
      .audience.count()
      .then((count) => deps.io.to(stageChannel(code)).emit('audience-updated', { count }))
      .catch((err: unknown) => deps.log.debug({ err, room: code }, 'audience count not sent'));
  }, AUDIENCE_COUNT_EVERY_MS);
  timer.unref();
  timers.set(code, timer);
}

/** The channel a participant's seat puts their socket in, besides the room's and their own. */
export const seatChannel = (code: string, role: Role) =>
  isAudience(role) ? audienceChannel(code) : stageChannel(code);

/** Where a raised (or lowered) hand is announced: a stage hand to everyone, an audience hand to hosts and co-hosts (and its owner). */
export const handChannels = (code: string, participantId: string, audience: boolean) =>
  audience ? [moderatorChannel(code), participantChannel(code, participantId)] : roomChannel(code);

/** Whether this socket sits in its meeting's audience now (promote and demote move it between channels). */
export function inAudience(socket: IoSocket, code: string): boolean {
  return socket.rooms.has(audienceChannel(code));
}

const SOURCES: MediaSourceName[] = ['mic', 'camera', 'screen'];

function acting({ socket, deps }: EventContext) {
  const m = requireMembership(socket);
  return { roomCode: m.roomCode, actor: m.participantId, room: deps.rooms.get(m.roomCode) };
}

const audit = (deps: SignalingDeps, code: string, actor: string, action: string, target?: string) =>
  deps.log.info({ room: code, actor, target, action }, 'host action');

export const audienceHandlers = {
  'set-audience': {
    bucket: 'control',
    act: async (c, { mode, stageLimit }) => {
      const { roomCode, actor, room } = acting(c);
      const meeting = await room.setAudience(actor, mode, stageLimit);
      c.deps.io.to(roomChannel(roomCode)).emit('room-updated', { room: roomInfo(meeting) });
      audit(c.deps, roomCode, actor, `set-audience:${mode}`);
      return {};
    },
  },

  'get-audience': {
    bucket: 'control',
    act: async (c, query) => {
      const { actor, room } = acting(c);
      return room.audience.page(actor, query);
    },
  },

  promote: {
    bucket: 'control',
    act: async (c, { participantId }) => {
      const { deps } = c;
      const { roomCode, actor, room } = acting(c);
      const promoted = await room.audience.promote(actor, participantId);
      if (promoted) {
        const target = participantChannel(roomCode, participantId);
        deps.io.in(target).socketsLeave(audienceChannel(roomCode));
        deps.io.in(target).socketsJoin(stageChannel(roomCode));
        // Their hand went down with the promotion: hosts drop it from the audience's hands.
        deps.io.to(moderatorChannel(roomCode)).emit('hand-raised', { participantId, raisedAt: null });
        deps.io
          .to(roomChannel(roomCode))
          .except(target)
          .emit('user-joined', { participant: participantInfo(promoted) });
        deps.io.to(target).emit('role-changed', { participantId, role: promoted.role });
        audienceChanged(deps, roomCode);
      }
      audit(deps, roomCode, actor, 'promote', participantId);
      return {};
    },
  },

  demote: {
    bucket: 'control',
    act: async (c, { participantId }) => {
      const { deps } = c;
      const { roomCode, actor, room } = acting(c);
      const demoted = await room.audience.demote(actor, participantId);
      if (demoted) {
        const target = participantChannel(roomCode, participantId);
        deps.io.in(target).socketsLeave([stageChannel(roomCode), moderatorChannel(roomCode)]);
        deps.io.in(target).socketsJoin(audienceChannel(roomCode));
        // Already refused any new produce (their record is the audience's); what they send now stops.
        const media = deps.media?.for(roomCode);
        if (media) for (const source of SOURCES) await media.closeSource(participantId, source);
        deps.io.to(roomChannel(roomCode)).except(target).emit('user-left', { participantId, reason: 'audience' });
        deps.io.to(target).emit('role-changed', { participantId, role: demoted.role });
        audienceChanged(deps, roomCode);
      }
      audit(deps, roomCode, actor, 'demote', participantId);
      return {};
    },
  },
} satisfies EventHandlers;
