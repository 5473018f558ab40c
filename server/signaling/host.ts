/**
 * Host controls. Every one is decided by Room (its assertCan over the one
 * permission table, on the server's own records) and enforced here and in the
 * SFU; the target's client is told, never trusted.
 */
import type { BanRecord } from '../store/types';
import type { MeetingRecord } from '../store/types';
import { roomInfo } from '../rooms/snapshots';
import { DEFAULT_KICK_REASONS } from '../../lib/protocol';
import {
  knockChannel,
  lobbyChannel,
  moderatorChannel,
  participantChannel,
  roomChannel,
  type IoSocket,
  type SignalingDeps,
} from './context';
import type { EventContext, EventHandlers } from './handler';
import { announceLobbyChange, deliverAdmissions } from './lobby';
import { handChannels } from './audience';
import type { LobbyChange } from '../rooms/queue';
import { announceLeave, announceRoleChanges, completeAdmission, requireMembership } from './presence';
import { recordingEnded } from './recording';

const banInfo = (bans: BanRecord[]) =>
  bans.map(({ identityId, displayName, isGuest, bannedAt }) => ({ identityId, displayName, isGuest, bannedAt }));

/** The acting member: the room is asked whether they may, on its own records. */
function acting({ socket, deps }: EventContext) {
  const m = requireMembership(socket);
  return { roomCode: m.roomCode, actor: m.participantId, room: deps.rooms.get(m.roomCode) };
}

const audit = (deps: SignalingDeps, code: string, actor: string, action: string, target?: string) =>
  deps.log.info({ room: code, actor, target, action }, 'host action');
const roomUpdated = (deps: SignalingDeps, code: string, meeting: MeetingRecord) =>
  deps.io.to(roomChannel(code)).emit('room-updated', { room: roomInfo(meeting) });
/** Hosts hear which knocks left the queue, knockers their new places, and the admitted are let in. */
const lobbyChanged = (c: EventContext, code: string, change: LobbyChange | null) => {
  announceLobbyChange(c.deps, code, change);
  deliverAdmissions(c.deps, code, change, (s: IoSocket) => completeAdmission(c.deps, s, c.grace));
};

export const hostHandlers = {
  'kick-participant': {
    bucket: 'control',
    act: async (c, { participantId, reason, ban }) => {
      const { deps, grace } = c;
      const { roomCode, actor, room } = acting(c);
      const result = await room.kickOrBan(actor, participantId, ban === true);
      const target = participantChannel(roomCode, participantId);
      // The target hears why first, then the server closes its socket. Both go
      // through the adapter, so this holds when the target is on another process.
      deps.io.to(target).emit('force-disconnect', {
        reason: reason?.trim() || (ban ? DEFAULT_KICK_REASONS.banned : DEFAULT_KICK_REASONS.kicked),
      });
      deps.io.in(target).disconnectSockets(true);
      announceLeave(deps, grace, roomCode, result);
      if (ban) deps.io.to(moderatorChannel(roomCode)).emit('bans-updated', { bans: banInfo(result.bans) });
      audit(deps, roomCode, actor, ban ? 'ban' : 'kick', participantId);
      return {};
    },
  },

  unban: {
    bucket: 'control',
    act: async (c, { identityId }) => {
      const { roomCode, actor, room } = acting(c);
      const bans = await room.unban(actor, identityId);
      c.deps.io.to(moderatorChannel(roomCode)).emit('bans-updated', { bans: banInfo(bans) });
      audit(c.deps, roomCode, actor, 'unban', identityId);
      return {};
    },
  },

  'get-bans': {
    bucket: 'control',
    act: async (c) => {
      const { actor, room } = acting(c);
      return { bans: banInfo(await room.bans(actor)) };
    },
  },

  'set-waiting-room': {
    bucket: 'control',
    act: async (c, { mode }) => {
      const { roomCode, actor, room } = acting(c);
      const { meeting, lobby } = await room.setWaitingRoom(actor, mode);
      roomUpdated(c.deps, roomCode, meeting);
      lobbyChanged(c, roomCode, lobby);
      audit(c.deps, roomCode, actor, `set-waiting-room:${mode}`);
      return {};
    },
  },

  'set-ban-shield': {
    bucket: 'control',
    act: async (c, { enabled }) => {
      const { roomCode, actor, room } = acting(c);
      const { meeting, lobby } = await room.setBanShield(actor, enabled);
      roomUpdated(c.deps, roomCode, meeting);
      lobbyChanged(c, roomCode, lobby);
      audit(c.deps, roomCode, actor, `set-ban-shield:${enabled ? 'on' : 'off'}`);
      return {};
    },
  },

  admit: {
    bucket: 'control',
    act: async (c, { participantId }) => {
      const { roomCode, actor, room } = acting(c);
      lobbyChanged(c, roomCode, await room.waitingRoom.admit(actor, participantId));
      audit(c.deps, roomCode, actor, 'admit', participantId);
      return {};
    },
  },

  'admit-all': {
    bucket: 'control',
    act: async (c) => {
      const { roomCode, actor, room } = acting(c);
      const change = await room.waitingRoom.admit(actor, null);
      lobbyChanged(c, roomCode, change);
      audit(c.deps, roomCode, actor, 'admit-all');
      return { admitted: change?.removed.length ?? 0 };
    },
  },

  deny: {
    bucket: 'control',
    act: async (c, { participantId }) => {
      const { roomCode, actor, room } = acting(c);
      const change = await room.waitingRoom.deny(actor, participantId);
      const knock = knockChannel(roomCode, participantId);
      c.deps.io.to(knock).emit('join-error', { code: 'DENIED', message: 'The host did not let you in' });
      c.deps.io.in(knock).socketsLeave([knock, lobbyChannel(roomCode)]);
      lobbyChanged(c, roomCode, change);
      audit(c.deps, roomCode, actor, 'deny', participantId);
      return {};
    },
  },

  'lock-room': {
    bucket: 'control',
    act: async (c, { locked }) => {
      const { roomCode, actor, room } = acting(c);
      roomUpdated(c.deps, roomCode, await room.setLocked(actor, locked));
      audit(c.deps, roomCode, actor, locked ? 'lock' : 'unlock');
      return {};
    },
  },

  'set-permissions': {
    bucket: 'control',
    act: async (c, patch) => {
      const { roomCode, actor, room } = acting(c);
      roomUpdated(c.deps, roomCode, await room.setPermissions(actor, patch));
      audit(c.deps, roomCode, actor, 'set-permissions');
      return {};
    },
  },

  'set-role': {
    bucket: 'control',
    act: async (c, { participantId, role }) => {
      const { roomCode, actor, room } = acting(c);
      announceRoleChanges(c.deps, roomCode, await room.setRole(actor, participantId, role));
      audit(c.deps, roomCode, actor, `set-role:${role}`, participantId);
      return {};
    },
  },

  'transfer-host': {
    bucket: 'control',
    act: async (c, { participantId }) => {
      const { roomCode, actor, room } = acting(c);
      announceRoleChanges(c.deps, roomCode, await room.transferHost(actor, participantId));
      audit(c.deps, roomCode, actor, 'transfer-host', participantId);
      return {};
    },
  },

  // Host only (the transfer-host power): which co-host the server would hand the role to on leaving.
  'get-successor': {
    bucket: 'control',
    act: async (c) => {
      const { actor, room } = acting(c);
      const next = await room.successor(actor);
      return { successor: next && { participantId: next.id, displayName: next.displayName } };
    },
  },

  'end-meeting': {
    bucket: 'control',
    act: async (c) => {
      const { socket, deps, grace } = c;
      const { roomCode, actor, room } = acting(c);
      const ended = await room.end(actor);
      // Everyone hears the recording stopped (synchronously) before the meeting ends for them.
      const recordingStopped = recordingEnded(deps, roomCode, ended.recordingStopped, 'meeting-ended');
      const everyone = [roomChannel(roomCode), lobbyChannel(roomCode)];
      deps.io.to(everyone).emit('meeting-ended', { by: actor });
      deps.io.in(everyone).except(participantChannel(roomCode, actor)).disconnectSockets(true);
      // The host's own socket closes once its ack is on the wire.
      setImmediate(() => socket.disconnect(true));
      for (const p of ended.participants) grace.clear(`${roomCode}:${p.id}`);
      deps.rooms.release(roomCode);
      if (ended.recordingStopped)
        // The recorder closes its segments first (seconds, perhaps): the ack does not wait for it.
        void deps.lifecycle
          .track(recordingStopped.then(() => deps.media?.for(roomCode).end()))
          .catch((err: unknown) => deps.log.error({ err, room: roomCode }, 'closing media failed'));
      else await deps.media?.for(roomCode).end();
      audit(deps, roomCode, actor, 'end-meeting');
      return {};
    },
  },

  'set-spotlight': {
    bucket: 'control',
    act: async (c, { participantId }) => {
      const { roomCode, actor, room } = acting(c);
      if (await room.setSpotlight(actor, participantId))
        c.deps.io.to(roomChannel(roomCode)).emit('spotlight-changed', { participantId, by: actor });
      audit(c.deps, roomCode, actor, participantId ? 'spotlight' : 'end-spotlight', participantId ?? undefined);
      return {};
    },
  },

  'lower-hand': {
    bucket: 'control',
    act: async (c, { participantId }) => {
      const { roomCode, actor, room } = acting(c);
      const lowered = await room.lowerHand(actor, participantId);
      if (lowered)
        c.deps.io
          .to(handChannels(roomCode, participantId, lowered === 'audience'))
          .emit('hand-raised', { participantId, raisedAt: null });
      audit(c.deps, roomCode, actor, 'lower-hand', participantId);
      return {};
    },
  },
} satisfies EventHandlers;
