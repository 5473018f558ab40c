/**
 * The one owner of a room's state. Only these methods change participants,
 * roles and media flags; each runs under the room's lock (across processes
 * with Redis) and returns what changed, so the caller announces it exactly once.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { ConveneError } from '../../lib/protocol';
import type {
  LeaveReason,
  MediaKind,
  MediaSourceName,
  RoomJoined,
  RoomPermissions,
  WaitingRoomMode,
} from '../../lib/protocol';
import { can, canPublish, canTarget, type HostAction, type Role } from '../../lib/permissions';
import type { Identity } from '../auth/identity';
import type { BanRecord, LobbyRecord, MeetingRecord, ParticipantRecord, RoomStore } from '../store/types';
import { isTrusted, mustKnock } from './admission';
import { chooseSuccessor } from './handover';
import { byJoinOrder, participantInfo, roomInfo } from './snapshots';
import { RoomChat } from './chat';
import { randomId } from '../random-id';

export interface RoomDeps {
  store: RoomStore;
  log: Logger;
  meetingTtlMs: number;
  reconnectGraceMs: number;
  chatHistory: number;
  chatHistoryBytes: number;
}

export interface RoleChange {
  participantId: string;
  role: Role;
}

export interface JoinResult {
  kind: 'joined';
  participant: ParticipantRecord;
  /** Everything the joiner needs except its resume token, which signaling adds. */
  state: Omit<RoomJoined, 'self'> & { self: Omit<RoomJoined['self'], 'resumeToken'> };
  resumed: boolean;
  /** The socket this participant was bound to before a resume, to be closed quietly. */
  replacedSocketId: string | null;
  roleChanges: RoleChange[];
  /** Participants whose grace ran out while no process was watching (e.g. their server died). */
  reaped: ParticipantRecord[];
}

/** The waiting room applies: the knocker waits for a host or co-host. */
export interface WaitResult {
  kind: 'waiting';
  entry: LobbyRecord;
  position: number;
  lobby: LobbyRecord[];
}

export interface LeaveResult {
  removed: ParticipantRecord;
  reason: LeaveReason;
  roleChanges: RoleChange[];
  empty: boolean;
}

const newParticipantId = () => randomId(9);

export class Room {
  /** Sending, history pages, deleting and pinning (server/rooms/chat.ts). */
  readonly chat: RoomChat;

  constructor(
    readonly code: string,
    private readonly deps: RoomDeps,
  ) {
    this.chat = new RoomChat(code, deps, this);
  }

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.store.withRoomLock(this.code, fn);
  }

  async #meeting(): Promise<MeetingRecord> {
    const meeting = await this.deps.store.getMeeting(this.code);
    if (!meeting) throw new ConveneError('ROOM_NOT_FOUND', 'No meeting has this code');
    return meeting;
  }

  #saveMeeting(meeting: MeetingRecord): Promise<void> {
    return this.deps.store.saveMeeting(meeting, this.deps.meetingTtlMs);
  }

  async #member(participantId: string): Promise<ParticipantRecord> {
    const p = await this.deps.store.getParticipant(this.code, participantId);
    if (!p) throw new ConveneError('NOT_IN_ROOM', 'You are not in this meeting');
    return p;
  }

  /** The single permission gate: role from the server's record, table from lib/permissions. */
  assertCan(actor: ParticipantRecord, action: HostAction, target?: ParticipantRecord): void {
    if (!can(actor.role, action)) throw new ConveneError('FORBIDDEN', `A ${actor.role} may not ${action}`);
    if (target && (target.id === actor.id || !canTarget(actor.role, target.role))) {
      throw new ConveneError(
        'FORBIDDEN',
        `A ${actor.role} may not ${action} a ${target.role}${target.id === actor.id ? ' (yourself)' : ''}`,
      );
    }
  }

  join(input: {
    identity: Identity;
    displayName: string;
    socketId: string;
    resumeParticipantId: string | null;
    /** Set when finishing a knock that a host admitted. */
    admittedKnockId?: string;
  }): Promise<JoinResult | WaitResult> {
    return this.#locked(async () => {
      const { store } = this.deps;
      const meeting = await this.#meeting();
      const now = Date.now();
      let participants = await store.listParticipants(this.code);

      const reaped: ParticipantRecord[] = [];
      const roleChanges: RoleChange[] = [];
      for (const p of participants) {
        if (p.graceUntil !== null && p.graceUntil + 1_000 < now && (await store.removeParticipant(this.code, p.id)))
          reaped.push(p);
      }
      if (reaped.length) {
        participants = participants.filter((p) => !reaped.includes(p));
        if (reaped.some((p) => p.role === 'host')) roleChanges.push(...(await this.#handOver(participants)));
      }

      const previous = input.resumeParticipantId
        ? participants.find((p) => p.id === input.resumeParticipantId)
        : undefined;
      let participant: ParticipantRecord;
      let replacedSocketId: string | null = null;
      if (previous && previous.identity === input.identity.key) {
        replacedSocketId =
          previous.graceUntil === null && previous.socketId !== input.socketId ? previous.socketId : null;
        participant = { ...previous, socketId: input.socketId, graceUntil: null };
      } else {
        const key = input.identity.key;
        if (meeting.bans.some((b) => b.identity === key))
          throw new ConveneError('BANNED', 'You were removed from this meeting and cannot rejoin');
        const isCreator = key === meeting.creator;
        const trusted = isTrusted(meeting, key);
        const admitted = meeting.lobby.find(
          (e) => e.id === input.admittedKnockId && e.admitted && e.socketId === input.socketId,
        );
        if (admitted) {
          meeting.lobby = meeting.lobby.filter((e) => e !== admitted);
          await this.#saveMeeting(meeting);
        } else {
          if (meeting.locked && !trusted) throw new ConveneError('ROOM_LOCKED', 'This meeting is locked');
          if (mustKnock(meeting, input.identity)) return this.#knock(meeting, input);
        }
        if (participants.length >= meeting.capacity) throw new ConveneError('ROOM_FULL', 'This meeting is full');
        const currentHost = participants.find((p) => p.role === 'host');
        let role: Role = meeting.cohosts.includes(key) ? 'cohost' : 'participant';
        if (isCreator || !currentHost) role = 'host';
        if (isCreator && currentHost) {
          // The creator takes the host role back; whoever held it stays a co-host.
          currentHost.role = 'cohost';
          await store.putParticipant(this.code, currentHost);
          roleChanges.push({ participantId: currentHost.id, role: 'cohost' });
        }
        participant = {
          id: admitted?.id ?? newParticipantId(),
          identity: input.identity.key,
          isGuest: input.identity.kind === 'guest',
          displayName: input.displayName,
          role,
          joinedAt: now,
          media: { audio: false, video: false, screen: false },
          handRaisedAt: null,
          socketId: input.socketId,
          graceUntil: null,
        };
        participants.push(participant);
      }
      await store.putParticipant(this.code, participant);
      await store.touchMeeting(this.code, this.deps.meetingTtlMs);
      const chat = await this.chat.forJoiner(participant.id);
      const everyone = participants.map((p) => (p.id === participant.id ? participant : p)).sort(byJoinOrder);

      const resumed = Boolean(previous && participant.id === previous.id);
      return {
        kind: 'joined',
        participant,
        resumed,
        replacedSocketId,
        roleChanges,
        reaped,
        state: {
          roomCode: this.code,
          self: { participantId: participant.id, displayName: participant.displayName, role: participant.role },
          participants: everyone.map(participantInfo),
          ...chat,
          room: roomInfo(meeting),
          resumed,
        },
      };
    });
  }

  /**
   * Removes a participant. With `socketId`, only if still bound to that socket:
   * a stale disconnect must not remove someone who already resumed elsewhere.
   */
  leave(participantId: string, reason: LeaveReason, socketId?: string): Promise<LeaveResult | null> {
    return this.#locked(() =>
      this.#remove(participantId, reason, (p) => socketId === undefined || p.socketId === socketId),
    );
  }

  /** The socket dropped: keep the participant (same id, role, media) for the grace period. */
  suspend(participantId: string, socketId: string): Promise<number | null> {
    return this.#locked(async () => {
      const p = await this.deps.store.getParticipant(this.code, participantId);
      if (!p || p.socketId !== socketId) return null;
      p.graceUntil = Date.now() + this.deps.reconnectGraceMs;
      await this.deps.store.putParticipant(this.code, p);
      return p.graceUntil;
    });
  }

  /** The grace period ended: remove the participant unless they came back. */
  expire(participantId: string, socketId: string): Promise<LeaveResult | null> {
    return this.#locked(() =>
      this.#remove(
        participantId,
        'disconnected',
        (p) => p.socketId === socketId && p.graceUntil !== null && p.graceUntil <= Date.now(),
      ),
    );
  }

  async #remove(
    participantId: string,
    reason: LeaveReason,
    when: (p: ParticipantRecord) => boolean,
  ): Promise<LeaveResult | null> {
    const { store } = this.deps;
    const current = await store.getParticipant(this.code, participantId);
    if (!current || !when(current)) return null;
    const removed = await store.removeParticipant(this.code, participantId);
    if (!removed) return null;
    const rest = await store.listParticipants(this.code);
    const roleChanges = removed.role === 'host' ? await this.#handOver(rest) : [];
    await store.touchMeeting(this.code, this.deps.meetingTtlMs);
    return { removed, reason, roleChanges, empty: rest.length === 0 };
  }

  async #handOver(rest: ParticipantRecord[]): Promise<RoleChange[]> {
    if (rest.some((p) => p.role === 'host')) return [];
    const successor = chooseSuccessor(rest);
    if (!successor) return [];
    successor.role = 'host';
    await this.deps.store.putParticipant(this.code, successor);
    return [{ participantId: successor.id, role: 'host' }];
  }

  /** Returns true when the flag changed (so a no-op toggle broadcasts nothing). */
  setMedia(participantId: string, kind: MediaKind, enabled: boolean): Promise<boolean> {
    return this.#locked(async () => {
      const p = await this.#member(participantId);
      if (p.media[kind] === enabled) return false;
      p.media[kind] = enabled;
      await this.deps.store.putParticipant(this.code, p);
      return true;
    });
  }

  /** Refuses (FORBIDDEN) to let a participant send or resume a source the room's permissions forbid. */
  async assertMayPublish(participantId: string, source: MediaSourceName): Promise<void> {
    if (!(await this.publishPolicy(participantId, source)).allowed)
      throw new ConveneError('FORBIDDEN', `The host does not allow you to turn on ${source}`);
  }

  /** What the SFU needs to decide a produce: permission, and how many may share at once here. */
  async publishPolicy(
    participantId: string,
    source: MediaSourceName,
  ): Promise<{ allowed: boolean; maxScreenShares: number }> {
    const [p, meeting] = await Promise.all([this.#member(participantId), this.#meeting()]);
    return { allowed: canPublish(p.role, meeting.permissions, source), maxScreenShares: meeting.maxScreenShares };
  }

  participant(participantId: string): Promise<ParticipantRecord | null> {
    return this.deps.store.getParticipant(this.code, participantId);
  }

  // ---- Waiting room ----

  async #knock(
    meeting: MeetingRecord,
    input: { identity: Identity; displayName: string; socketId: string },
  ): Promise<WaitResult> {
    let entry = meeting.lobby.find((e) => e.socketId === input.socketId);
    if (!entry) {
      entry = {
        id: newParticipantId(),
        identity: input.identity.key,
        isGuest: input.identity.kind === 'guest',
        displayName: input.displayName,
        socketId: input.socketId,
        knockedAt: Date.now(),
        admitted: false,
      };
      meeting.lobby.push(entry);
      await this.#saveMeeting(meeting);
    }
    return { kind: 'waiting', entry, position: waitingPosition(meeting.lobby, entry.id), lobby: meeting.lobby };
  }

  /** A knocker gave up (cancelled or disconnected): drop them from the queue. */
  leaveLobby(knockId: string, socketId: string): Promise<LobbyRecord[] | null> {
    return this.#locked(async () => {
      const meeting = await this.#meeting();
      const before = meeting.lobby.length;
      meeting.lobby = meeting.lobby.filter((e) => !(e.id === knockId && e.socketId === socketId));
      if (meeting.lobby.length === before) return null;
      await this.#saveMeeting(meeting);
      return meeting.lobby;
    });
  }

  /** Marks knocks admitted (one, or everyone waiting when `knockId` is null); each knocker's own server then finishes its join. */
  admit(actorId: string, knockId: string | null): Promise<{ admitted: LobbyRecord[]; lobby: LobbyRecord[] }> {
    return this.#moderate(actorId, 'admit', async (_actor, meeting) => {
      const chosen = meeting.lobby.filter((e) => !e.admitted && (knockId === null || e.id === knockId));
      if (knockId !== null && chosen.length === 0)
        throw new ConveneError('NOT_FOUND', 'Nobody with that id is waiting');
      for (const e of chosen) e.admitted = true;
      await this.#saveMeeting(meeting);
      return { admitted: chosen, lobby: meeting.lobby };
    });
  }

  deny(actorId: string, knockId: string): Promise<{ denied: LobbyRecord; lobby: LobbyRecord[] }> {
    return this.#moderate(actorId, 'deny', async (_actor, meeting) => {
      const denied = meeting.lobby.find((e) => e.id === knockId && !e.admitted);
      if (!denied) throw new ConveneError('NOT_FOUND', 'Nobody with that id is waiting');
      meeting.lobby = meeting.lobby.filter((e) => e !== denied);
      await this.#saveMeeting(meeting);
      return { denied, lobby: meeting.lobby };
    });
  }

  async lobby(): Promise<LobbyRecord[]> {
    return (await this.#meeting()).lobby;
  }

  // ---- Room settings ----

  /** Turning the waiting room off admits everyone waiting, as in Zoom and Meet. */
  setWaitingRoom(actorId: string, mode: WaitingRoomMode): Promise<{ meeting: MeetingRecord; admitted: LobbyRecord[] }> {
    return this.#moderate(actorId, 'set-waiting-room', async (_actor, meeting) => {
      meeting.waitingRoom = mode;
      const admitted = mode === 'off' ? meeting.lobby.filter((e) => !e.admitted) : [];
      for (const e of admitted) e.admitted = true;
      await this.#saveMeeting(meeting);
      return { meeting, admitted };
    });
  }

  setLocked(actorId: string, locked: boolean): Promise<MeetingRecord> {
    return this.#moderate(actorId, 'lock-room', async (_actor, meeting) => {
      meeting.locked = locked;
      await this.#saveMeeting(meeting);
      return meeting;
    });
  }

  setPermissions(
    actorId: string,
    patch: Partial<RoomPermissions> & { maxScreenShares?: number },
  ): Promise<MeetingRecord> {
    return this.#moderate(actorId, 'set-permissions', async (_actor, meeting) => {
      const { maxScreenShares, ...permissions } = patch;
      meeting.permissions = { ...meeting.permissions, ...permissions };
      if (maxScreenShares !== undefined) meeting.maxScreenShares = maxScreenShares;
      await this.#saveMeeting(meeting);
      return meeting;
    });
  }

  // ---- Acting on one participant ----

  /** Checks that the actor may aim `action` at the target, and returns both records. Changes nothing. */
  authorize(
    actorId: string,
    action: HostAction,
    targetId: string,
  ): Promise<{ actor: ParticipantRecord; target: ParticipantRecord }> {
    return this.#locked(async () => {
      const actor = await this.#member(actorId);
      const target = await this.deps.store.getParticipant(this.code, targetId);
      if (!target) throw new ConveneError('NOT_FOUND', 'No such participant in this meeting');
      this.assertCan(actor, action, target);
      return { actor, target };
    });
  }

  /** Whom mute-all reaches: everyone but hosts and co-hosts. */
  muteAllTargets(actorId: string): Promise<ParticipantRecord[]> {
    return this.#moderate(actorId, 'mute-all', async () =>
      (await this.deps.store.listParticipants(this.code)).filter((p) => p.role === 'participant'),
    );
  }

  kickOrBan(actorId: string, targetId: string, ban: boolean): Promise<LeaveResult & { bans: BanRecord[] }> {
    return this.#locked(async () => {
      const actor = await this.#member(actorId);
      const target = await this.deps.store.getParticipant(this.code, targetId);
      if (!target) throw new ConveneError('NOT_FOUND', 'No such participant in this meeting');
      this.assertCan(actor, ban ? 'ban' : 'kick', target);
      const meeting = await this.#meeting();
      if (ban && !meeting.bans.some((b) => b.identity === target.identity)) {
        meeting.bans.push({
          identity: target.identity,
          identityId: identityId(target.identity),
          displayName: target.displayName,
          isGuest: target.isGuest,
          bannedAt: Date.now(),
        });
        await this.#saveMeeting(meeting);
      }
      const result = await this.#remove(targetId, 'kicked', () => true);
      if (!result) throw new ConveneError('NOT_FOUND', 'No such participant in this meeting');
      return { ...result, bans: meeting.bans };
    });
  }

  unban(actorId: string, bannedId: string): Promise<BanRecord[]> {
    return this.#moderate(actorId, 'unban', async (_actor, meeting) => {
      const before = meeting.bans.length;
      meeting.bans = meeting.bans.filter((b) => b.identityId !== bannedId);
      if (meeting.bans.length === before) throw new ConveneError('NOT_FOUND', 'That identity is not banned');
      await this.#saveMeeting(meeting);
      return meeting.bans;
    });
  }

  bans(actorId: string): Promise<BanRecord[]> {
    return this.#moderate(actorId, 'view-bans', async (_actor, meeting) => meeting.bans);
  }

  setRole(actorId: string, targetId: string, role: 'cohost' | 'participant'): Promise<RoleChange[]> {
    return this.#locked(async () => {
      const actor = await this.#member(actorId);
      const target = await this.deps.store.getParticipant(this.code, targetId);
      if (!target) throw new ConveneError('NOT_FOUND', 'No such participant in this meeting');
      this.assertCan(actor, 'set-role', target);
      if (target.role === role) return [];
      target.role = role;
      await this.deps.store.putParticipant(this.code, target);
      const meeting = await this.#meeting();
      meeting.cohosts = meeting.cohosts.filter((k) => k !== target.identity);
      if (role === 'cohost') meeting.cohosts.push(target.identity);
      await this.#saveMeeting(meeting);
      return [{ participantId: target.id, role }];
    });
  }

  /** The host hands the role over and stays on as a co-host. */
  transferHost(actorId: string, targetId: string): Promise<RoleChange[]> {
    return this.#locked(async () => {
      const actor = await this.#member(actorId);
      const target = await this.deps.store.getParticipant(this.code, targetId);
      if (!target) throw new ConveneError('NOT_FOUND', 'No such participant in this meeting');
      this.assertCan(actor, 'transfer-host', target);
      actor.role = 'cohost';
      target.role = 'host';
      await this.deps.store.putParticipant(this.code, actor);
      await this.deps.store.putParticipant(this.code, target);
      const meeting = await this.#meeting();
      if (!meeting.cohosts.includes(actor.identity)) meeting.cohosts.push(actor.identity);
      await this.#saveMeeting(meeting);
      return [
        { participantId: target.id, role: 'host' },
        { participantId: actor.id, role: 'cohost' },
      ];
    });
  }

  /** Ends the meeting for everyone: live state and chat go; the link stays valid for a later meeting. */
  end(actorId: string): Promise<{ participants: ParticipantRecord[]; lobby: LobbyRecord[] }> {
    return this.#moderate(actorId, 'end-meeting', async (_actor, meeting) => {
      const participants = await this.deps.store.listParticipants(this.code);
      const lobby = meeting.lobby;
      await this.deps.store.clearLiveState(this.code);
      meeting.lobby = [];
      meeting.locked = false;
      await this.#saveMeeting(meeting);
      return { participants, lobby };
    });
  }

  // ---- Hands ----

  setHand(participantId: string, raised: boolean): Promise<number | null | undefined> {
    return this.#locked(async () => {
      const p = await this.#member(participantId);
      if (raised === (p.handRaisedAt !== null)) return undefined;
      p.handRaisedAt = raised ? Date.now() : null;
      await this.deps.store.putParticipant(this.code, p);
      return p.handRaisedAt;
    });
  }

  lowerHand(actorId: string, targetId: string): Promise<boolean> {
    return this.#locked(async () => {
      const actor = await this.#member(actorId);
      const target = await this.deps.store.getParticipant(this.code, targetId);
      if (!target) throw new ConveneError('NOT_FOUND', 'No such participant in this meeting');
      this.assertCan(actor, 'lower-hand', target);
      if (target.handRaisedAt === null) return false;
      target.handRaisedAt = null;
      await this.deps.store.putParticipant(this.code, target);
      return true;
    });
  }

  /** Runs a room-wide host action under the lock after the one permission check. */
  #moderate<T>(
    actorId: string,
    action: HostAction,
    fn: (actor: ParticipantRecord, meeting: MeetingRecord) => Promise<T>,
  ): Promise<T> {
    return this.#locked(async () => {
      const actor = await this.#member(actorId);
      this.assertCan(actor, action);
      return fn(actor, await this.#meeting());
    });
  }
}

/** 1-based place in the queue among those still waiting; 0 when not waiting. */
export function waitingPosition(lobby: LobbyRecord[], id: string): number {
  return lobby.filter((e) => !e.admitted).findIndex((e) => e.id === id) + 1;
}

/** Hosts see this instead of raw identity keys. */
export function identityId(identityKey: string): string {
  return createHash('sha256').update(identityKey).digest('base64url').slice(0, 16);
}
