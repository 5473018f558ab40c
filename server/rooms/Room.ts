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
  RoomInfo,
  RoomJoined,
  AudienceMode,
  RoomPermissions,
  WaitingRoomMode,
} from '../../lib/protocol';
import { can, canPublish, canTarget, isAudience, isModerator, type HostAction, type Role } from '../../lib/permissions';
import type { Identity } from '../auth/identity';
import type {
  BanRecord,
  LiveRecording,
  LobbyRecord,
  MeetingRecord,
  MeetingSettings,
  ParticipantRecord,
  RoomStore,
} from '../store/types';
import { isTrusted, mustKnock, releaseKnocks, rememberGuests, standing } from './admission';
import { changeSettings, chooseSuccessor, hasModerator, lastingRole, revertSettings, roleOnJoin } from './handover';
import { lobbyChange, waitingIds, type LobbyChange } from './queue';
import { WaitingRoom, type WaitResult } from './waiting-room';
import { byJoinOrder, participantInfo, recordingState, roomInfo } from './snapshots';
import { RoomChat } from './chat';
import { RoomAudience, joinsAudience } from './audience';
import { randomId } from '../random-id';
import { clearSpotlight } from './spotlight';

export interface RoomDeps {
  store: RoomStore;
  log: Logger;
  meetingTtlMs: number;
  reconnectGraceMs: number;
  /** Most knocks waiting at once in one meeting (WAITING_ROOM_CAP). */
  waitingRoomCap: number;
  chatHistory: number;
  chatHistoryBytes: number;
  /** Most audience members per meeting (AUDIENCE_CAPACITY). */
  audienceCapacity: number;
}

export interface RoleChange {
  participantId: string;
  role: Role;
}

export interface JoinResult {
  kind: 'joined';
  participant: ParticipantRecord;
  /** Everything the joiner needs except its resume token, which signaling adds. */
  state: Omit<RoomJoined, 'self' | 'recordingAvailable'> & { self: Omit<RoomJoined['self'], 'resumeToken'> };
  resumed: boolean;
  roleChanges: RoleChange[];
  /** Participants whose grace ran out while no process was watching (e.g. their server died). */
  reaped: ParticipantRecord[];
  /** The creator came back and the settings returned to what the creator left: tell everyone. */
  roomUpdated: RoomInfo | null;
  /** Knocks the returned settings let in, or knockers to tell that a moderator is here now. */
  lobby: LobbyChange | null;
}

export interface LeaveResult {
  removed: ParticipantRecord;
  reason: LeaveReason;
  roleChanges: RoleChange[];
  empty: boolean;
  /** Knockers to tell that nobody can let them in now, or knocks released as the session ended. */
  lobby: LobbyChange | null;
  /** The recording this leave stopped: the last moderator (or the last anyone) left. */
  recordingStopped?: LiveRecording;
}

/**
 * A resume that signaling checked (the token verifies for this participant and
 * nonce, and its old socket is gone); Room checks it again under the lock.
 */
export interface ResumeClaim {
  participantId: string;
  nonce: string;
  /** The socket the participant was bound to when the token was checked. */
  socketId: string;
}

/** A settings change: the meeting after it, and the knocks it let in. */
export interface SettingsResult {
  meeting: MeetingRecord;
  lobby: LobbyChange | null;
}

const newParticipantId = () => randomId(9);
const newNonce = () => randomId(12);

export class Room {
  /** Sending, history pages, deleting and pinning (server/rooms/chat.ts). */
  readonly chat: RoomChat;
  /** Knocks, admissions and denials (server/rooms/waiting-room.ts). */
  readonly waitingRoom: WaitingRoom;
  /** Paging, promoting and demoting (server/rooms/audience.ts). */
  readonly audience: RoomAudience;

  constructor(
    readonly code: string,
    private readonly deps: RoomDeps,
  ) {
    this.chat = new RoomChat(code, deps, this);
    this.waitingRoom = new WaitingRoom(code, deps, {
      locked: (fn) => this.#locked(fn),
      moderate: (actorId, action, fn) => this.#moderate(actorId, action, fn),
    });
    this.audience = new RoomAudience(code, deps, {
      locked: (fn) => this.#locked(fn),
      moderate: (actorId, action, fn) => this.#moderate(actorId, action, () => fn()),
      aim: (actorId, action, targetId) => this.#aim(actorId, action, targetId),
      saveMeeting: (meeting) => this.#saveMeeting(meeting),
    });
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
    const p = await this.#find(participantId);
    if (!p) throw new ConveneError('NOT_IN_ROOM', 'You are not in this meeting');
    return p;
  }

  /** A participant on the stage or in the audience (the stage is asked first: it is small). */
  async #find(participantId: string): Promise<ParticipantRecord | null> {
    const { store } = this.deps;
    return (await store.getParticipant(this.code, participantId)) ?? store.getAudience(this.code, participantId);
  }

  /** Writes a record back to the collection its role belongs to. */
  #put(p: ParticipantRecord): Promise<void> {
    const { store } = this.deps;
    return isAudience(p.role) ? store.putAudience(this.code, p) : store.putParticipant(this.code, p);
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
    /** The node holding the socket. */
    node: string;
    resume: ResumeClaim | null;
    /** Set when finishing a knock that a host admitted. */
    admittedKnockId?: string;
  }): Promise<JoinResult | WaitResult> {
    return this.#locked(async () => {
      const { store } = this.deps;
      const meeting = await this.#meeting();
      const now = Date.now();
      let participants = await store.listParticipants(this.code);
      const moderatedBefore = hasModerator(participants);
      const waitingBefore = waitingIds(meeting.lobby);

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

      const resumeId = input.resume?.participantId;
      const previous =
        resumeId !== undefined
          ? (participants.find((p) => p.id === resumeId) ?? (await store.getAudience(this.code, resumeId)))
          : null;
      let participant: ParticipantRecord;
      let released: LobbyRecord[] = [];
      let roomUpdated: RoomInfo | null = null;
      if (previous) {
        // Checked again under the lock: a token is good once, and only for a seat nobody holds.
        if (previous.resumeNonce !== input.resume!.nonce || previous.socketId !== input.resume!.socketId)
          throw new ConveneError('JOIN_FAILED', 'This resume token was already used');
        participant = {
          ...previous,
          socketId: input.socketId,
          node: input.node,
          graceUntil: null,
          resumeNonce: newNonce(),
        };
      } else {
        const key = input.identity.key;
        if (meeting.bans.some((b) => b.identity === key))
          throw new ConveneError('BANNED', 'You were removed from this meeting and cannot rejoin');
        const admitted = meeting.lobby.find(
          (e) => e.id === input.admittedKnockId && e.admitted && e.socketId === input.socketId,
        );
        if (admitted) {
          meeting.lobby = meeting.lobby.filter((e) => e !== admitted);
          await this.#saveMeeting(meeting);
        } else {
          if (meeting.locked && !isTrusted(meeting, key))
            throw new ConveneError('ROOM_LOCKED', 'This meeting is locked');
          if (mustKnock(meeting, input.identity)) return this.waitingRoom.knock(meeting, input, participants);
        }
        const lasting = roleOnJoin(meeting, key, participants);
        const role: Role = joinsAudience(meeting, key, lasting, participants.length) ? 'audience' : lasting;
        if (isAudience(role)) await this.audience.assertRoom();
        else if (participants.length >= meeting.capacity) throw new ConveneError('ROOM_FULL', 'This meeting is full');
        let changed = rememberGuests(meeting, [key]);
        if (key === meeting.creator) {
          // The creator is back: roles and settings return to what the creator left.
          for (const p of participants) {
            const want = lastingRole(meeting, p);
            if (p.role === want) continue;
            p.role = want;
            await store.putParticipant(this.code, p);
            roleChanges.push({ participantId: p.id, role: want });
          }
          if (revertSettings(meeting)) {
            released = releaseKnocks(meeting);
            roomUpdated = roomInfo(meeting);
            changed = true;
          }
        }
        if (changed) await this.#saveMeeting(meeting);
        participant = {
          id: admitted?.id ?? newParticipantId(),
          identity: key,
          isGuest: input.identity.kind === 'guest',
          displayName: input.displayName,
          role,
          joinedAt: now,
          media: { audio: false, video: false, screen: false },
          handRaisedAt: null,
          socketId: input.socketId,
          node: input.node,
          graceUntil: null,
          resumeNonce: newNonce(),
        };
        if (!isAudience(role)) participants.push(participant);
      }
      await this.#put(participant);
      await store.touchMeeting(this.code, this.deps.meetingTtlMs);
      const chat = await this.chat.forJoiner(participant.id);
      // The stage; an audience member is not on it, and the audience is only counted.
      const everyone = participants.map((p) => (p.id === participant.id ? participant : p)).sort(byJoinOrder);
      const audienceCount = await store.countAudience(this.code);
      const moderated = hasModerator(everyone);
      const presence = { noModerator: !moderated, flipped: moderated !== moderatedBefore };

      const resumed = Boolean(previous);
      return {
        kind: 'joined',
        participant,
        resumed,
        roleChanges,
        reaped,
        roomUpdated,
        lobby: lobbyChange(waitingBefore, meeting.lobby, released, 'admitted', presence),
        state: {
          roomCode: this.code,
          self: { participantId: participant.id, displayName: participant.displayName, role: participant.role },
          participants: everyone.map(participantInfo),
          audienceCount,
          ...chat,
          room: roomInfo(meeting),
          spotlight: meeting.spotlight ?? null,
          recording: recordingState(meeting.recording),
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
      const p = await this.#find(participantId);
      if (!p || p.socketId !== socketId) return null;
      p.graceUntil = Date.now() + this.deps.reconnectGraceMs;
      await this.#put(p);
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
    const current = await this.#find(participantId);
    if (!current || !when(current)) return null;
    // An audience member's leave touches neither the stage nor its roles.
    const audience = isAudience(current.role);
    const removed = audience
      ? await store.removeAudience(this.code, participantId)
      : await store.removeParticipant(this.code, participantId);
    if (!removed) return null;
    const rest = audience ? [] : await store.listParticipants(this.code);
    const roleChanges = removed.role === 'host' ? await this.#handOver(rest) : [];
    await store.touchMeeting(this.code, this.deps.meetingTtlMs);
    const stageEmpty = audience ? (await store.countParticipants(this.code)) === 0 : rest.length === 0;
    // The session lasts while anyone watches, even with nobody on the stage.
    const empty = stageEmpty && (await store.countAudience(this.code)) === 0;
    // The last moderator left: knockers learn nobody can let them in. The last
    // anyone left: the session is over, and a host by handover's settings go with it.
    const flipped = isModerator(removed.role) && !hasModerator(rest);
    // Read on every leave: the one leaving may be the spotlit participant.
    const meeting = await store.getMeeting(this.code);
    if (!meeting) return { removed, reason, roleChanges, empty, lobby: null };
    const waitingBefore = waitingIds(meeting.lobby);
    let released: LobbyRecord[] = [];
    // Everyone hears user-left, which ends the spotlight on their screens too.
    let changed = clearSpotlight(meeting, removed.id);
    if (!flipped && !empty) {
      if (changed) await this.#saveMeeting(meeting);
      return { removed, reason, roleChanges, empty, lobby: null };
    }
    if (empty && meeting.speakers?.length) {
      // Invitations to the stage last one session.
      meeting.speakers = [];
      changed = true;
    }
    if (empty && revertSettings(meeting)) {
      released = releaseKnocks(meeting);
      changed = true;
    }
    // Nobody left who could stop it: a recording never runs on unattended.
    const recordingStopped = meeting.recording ?? undefined;
    if (recordingStopped) {
      meeting.recording = null;
      changed = true;
    }
    if (changed) await this.#saveMeeting(meeting);
    const presence = { noModerator: !hasModerator(rest), flipped };
    return {
      removed,
      reason,
      roleChanges,
      empty,
      lobby: lobbyChange(waitingBefore, meeting.lobby, released, 'admitted', presence),
      ...(recordingStopped && { recordingStopped }),
    };
  }

  /** The host is gone: a present co-host takes over, or nobody (see handover.ts). */
  async #handOver(rest: ParticipantRecord[]): Promise<RoleChange[]> {
    if (rest.some((p) => p.role === 'host')) return [];
    const meeting = await this.deps.store.getMeeting(this.code);
    const successor = meeting && chooseSuccessor(meeting, rest);
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
      await this.#put(p);
      return true;
    });
  }

  /**
   * The room's media was reset (its router moved or its worker died): every
   * producer is gone, so every flag is off until its owner produces again.
   * Returns the flags that were on.
   */
  clearMedia(): Promise<Array<{ participantId: string; kind: MediaKind }>> {
    return this.#locked(async () => {
      const cleared: Array<{ participantId: string; kind: MediaKind }> = [];
      for (const p of await this.deps.store.listParticipants(this.code)) {
        const on = (Object.keys(p.media) as MediaKind[]).filter((kind) => p.media[kind]);
        if (!on.length) continue;
        for (const kind of on) {
          p.media[kind] = false;
          cleared.push({ participantId: p.id, kind });
        }
        await this.deps.store.putParticipant(this.code, p);
      }
      return cleared;
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

  /**
   * Everyone still listed (in grace or not; the audience too, paged out of the
   * store), and the knocks waiting: what a new owner rebuilds from.
   */
  async roster(): Promise<{ participants: ParticipantRecord[]; lobby: LobbyRecord[] }> {
    const { store } = this.deps;
    const [participants, meeting] = await Promise.all([store.listParticipants(this.code), store.getMeeting(this.code)]);
    for (let after: string | undefined, page: ParticipantRecord[]; ; after = page[page.length - 1]!.id) {
      page = await store.pageAudience(this.code, { after, limit: 1_000 });
      participants.push(...page);
      if (page.length < 1_000) break;
    }
    return { participants, lobby: meeting?.lobby ?? [] };
  }

  /** On the stage or in the audience. */
  participant(participantId: string): Promise<ParticipantRecord | null> {
    return this.#find(participantId);
  }

  /** A knocker gave up (cancelled or disconnected): drop them from the queue. */
  leaveLobby(knockId: string, socketId: string): Promise<LobbyChange | null> {
    return this.waitingRoom.leave(knockId, socketId);
  }

  // ---- Room settings ----

  /**
   * Changes settings for the session, and for good when the actor has lasting
   * powers. Knocks the new settings no longer hold are let in (turning the
   * waiting room off admits everyone waiting, as in Zoom and Meet; the ban
   * shield still holds new guests).
   */
  #changeSettings(
    actorId: string,
    action: HostAction,
    patch: (meeting: MeetingRecord) => Partial<MeetingSettings>,
  ): Promise<SettingsResult> {
    return this.#moderate(actorId, action, async (actor, meeting) => {
      const before = waitingIds(meeting.lobby);
      changeSettings(meeting, actor.identity, patch(meeting));
      const released = releaseKnocks(meeting);
      await this.#saveMeeting(meeting);
      const presence = { noModerator: false, flipped: false };
      return { meeting, lobby: lobbyChange(before, meeting.lobby, released, 'admitted', presence) };
    });
  }

  setWaitingRoom(actorId: string, mode: WaitingRoomMode): Promise<SettingsResult> {
    return this.#changeSettings(actorId, 'set-waiting-room', () => ({ waitingRoom: mode }));
  }

  setBanShield(actorId: string, enabled: boolean): Promise<SettingsResult> {
    return this.#changeSettings(actorId, 'set-ban-shield', () => ({ banShield: enabled }));
  }

  async setLocked(actorId: string, locked: boolean): Promise<MeetingRecord> {
    return (await this.#changeSettings(actorId, 'lock-room', () => ({ locked }))).meeting;
  }

  /** Who joins the audience from now on; people already in the meeting stay where they are. */
  async setAudience(actorId: string, mode: AudienceMode, stageLimit: number | undefined): Promise<MeetingRecord> {
    const result = await this.#changeSettings(actorId, 'set-audience', (meeting) => ({
      audience: {
        mode,
        stageLimit: Math.min(stageLimit ?? meeting.audience?.stageLimit ?? meeting.capacity, meeting.capacity),
      },
    }));
    return result.meeting;
  }

  async setPermissions(
    actorId: string,
    patch: Partial<RoomPermissions> & { maxScreenShares?: number },
  ): Promise<MeetingRecord> {
    const { maxScreenShares, ...permissions } = patch;
    const result = await this.#changeSettings(actorId, 'set-permissions', (meeting) => ({
      permissions: { ...meeting.permissions, ...permissions },
      ...(maxScreenShares !== undefined && { maxScreenShares }),
    }));
    return result.meeting;
  }

  // ---- Acting on one participant ----

  /** Checks that the actor may aim `action` at the target, and returns both records. Changes nothing. */
  authorize(
    actorId: string,
    action: HostAction,
    targetId: string,
  ): Promise<{ actor: ParticipantRecord; target: ParticipantRecord }> {
    return this.#locked(async () => {
      const { actor, target } = await this.#aim(actorId, action, targetId);
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
      const { target, meeting } = await this.#aim(actorId, ban ? 'ban' : 'kick', targetId);
      if (ban && !meeting.bans.some((b) => b.identity === target.identity)) {
        meeting.bans.push({
          identity: target.identity,
          identityId: identityId(target.identity),
          displayName: target.displayName,
          isGuest: target.isGuest,
          bannedAt: Date.now(),
        });
        // The guests here now are not new: the ban shield does not hold them when they come back.
        const present = await this.deps.store.listParticipants(this.code);
        rememberGuests(
          meeting,
          present.filter((p) => p.id !== target.id).map((p) => p.identity),
        );
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

  /**
   * Who would become host if the host left now: the choice #handOver would make
   * on the same records, so the host's "Leave" can name them. Null: nobody.
   */
  successor(actorId: string): Promise<ParticipantRecord | null> {
    return this.#moderate(actorId, 'transfer-host', async (actor, meeting) => {
      const rest = (await this.deps.store.listParticipants(this.code)).filter((p) => p.id !== actor.id);
      if (rest.some((p) => p.role === 'host')) return null;
      return chooseSuccessor(meeting, rest) ?? null;
    });
  }

  setRole(actorId: string, targetId: string, role: 'cohost' | 'participant'): Promise<RoleChange[]> {
    return this.#locked(async () => {
      const { actor, target, meeting } = await this.#aim(actorId, 'set-role', targetId);
      if (target.role === role) return [];
      target.role = role;
      await this.deps.store.putParticipant(this.code, target);
      // Only the creator's appointments last beyond this session.
      if (actor.identity === meeting.creator && target.identity !== meeting.creator) {
        meeting.cohosts = meeting.cohosts.filter((k) => k !== target.identity);
        if (role === 'cohost') meeting.cohosts.push(target.identity);
        await this.#saveMeeting(meeting);
      }
      return [{ participantId: target.id, role }];
    });
  }

  /**
   * The host hands the role over and stays on as a co-host for this session.
   * The new host holds it until the session ends or the creator comes back.
   */
  transferHost(actorId: string, targetId: string): Promise<RoleChange[]> {
    return this.#locked(async () => {
      const { actor, target } = await this.#aim(actorId, 'transfer-host', targetId);
      actor.role = 'cohost';
      target.role = 'host';
      await this.deps.store.putParticipant(this.code, actor);
      await this.deps.store.putParticipant(this.code, target);
      return [
        { participantId: target.id, role: 'host' },
        { participantId: actor.id, role: 'cohost' },
      ];
    });
  }

  /** Ends the meeting for everyone: live state and chat go; the link stays valid for a later meeting. */
  end(actorId: string): Promise<{
    participants: ParticipantRecord[];
    lobby: LobbyRecord[];
    recordingStopped: LiveRecording | null;
  }> {
    return this.#moderate(actorId, 'end-meeting', async (_actor, meeting) => {
      const participants = await this.deps.store.listParticipants(this.code);
      const lobby = meeting.lobby;
      const recordingStopped = meeting.recording ?? null;
      meeting.recording = null;
      await this.deps.store.clearLiveState(this.code);
      meeting.lobby = [];
      meeting.speakers = [];
      meeting.spotlight = null;
      // The next session starts from the lasting settings, unlocked.
      revertSettings(meeting);
      meeting.locked = meeting.lasting.locked = false;
      await this.#saveMeeting(meeting);
      return { participants, lobby, recordingStopped };
    });
  }

  // ---- Spotlight ----

  /**
   * Spotlights someone on the stage for everyone (any of them, the actor and
   * the host included: it shows, it does nothing to them), or ends it with null.
   * False when nothing changed, so nothing is announced.
   */
  setSpotlight(actorId: string, targetId: string | null): Promise<boolean> {
    return this.#moderate(actorId, 'spotlight', async (_actor, meeting) => {
      if ((meeting.spotlight ?? null) === targetId) return false;
      if (targetId !== null && !(await this.deps.store.getParticipant(this.code, targetId)))
        throw new ConveneError('NOT_FOUND', 'No such participant on the stage');
      meeting.spotlight = targetId;
      await this.#saveMeeting(meeting);
      return true;
    });
  }

  // ---- Recording ----

  /**
   * A host or co-host starts recording `id`. The
   * caller then starts the recorder, and calls recordingFailed(id) if it cannot.
   * Already recording: the running recording, unchanged (`started` false).
   */
  startRecording(actorId: string, id: string): Promise<{ recording: LiveRecording; started: boolean }> {
    return this.#moderate(actorId, 'start-recording', async (actor, meeting) => {
      if (meeting.recording) return { recording: meeting.recording, started: false };
      meeting.recording = { id, startedAt: Date.now(), by: actor.id, byName: actor.displayName };
      await this.#saveMeeting(meeting);
      return { recording: meeting.recording, started: true };
    });
  }

  /** A host or co-host stops the recording; null when none was running. */
  stopRecording(actorId: string): Promise<LiveRecording | null> {
    return this.#moderate(actorId, 'stop-recording', (_actor, meeting) => this.#clearRecording(meeting, null));
  }

  /** The recorder itself stopped recording `id` (disk full, or it could not go on); null if it was not running. */
  recordingFailed(id: string): Promise<LiveRecording | null> {
    return this.#locked(async () => this.#clearRecording(await this.#meeting(), id));
  }

  /**
   * The room's media started over (moved to another node, or its worker
   * died), so the recorder of `id` has stopped: the recording goes on as a
   * new one, `nextId`, by the same person, from now. Null if `id` is no
   * longer the running recording.
   */
  recordingRestarted(id: string, nextId: string): Promise<LiveRecording | null> {
    return this.#locked(async () => {
      const meeting = await this.#meeting();
      if (meeting.recording?.id !== id) return null;
      meeting.recording = { ...meeting.recording, id: nextId, startedAt: Date.now() };
      await this.#saveMeeting(meeting);
      return meeting.recording;
    });
  }

  /** The recording running now, if any. */
  async recording(): Promise<LiveRecording | null> {
    return (await this.deps.store.getMeeting(this.code))?.recording ?? null;
  }

  async #clearRecording(meeting: MeetingRecord, id: string | null): Promise<LiveRecording | null> {
    const current = meeting.recording ?? null;
    if (!current || (id !== null && current.id !== id)) return null;
    meeting.recording = null;
    await this.#saveMeeting(meeting);
    return current;
  }

  // ---- Hands ----

  setHand(participantId: string, raised: boolean): Promise<number | null | undefined> {
    return this.#locked(async () => {
      const p = await this.#member(participantId);
      if (raised === (p.handRaisedAt !== null)) return undefined;
      p.handRaisedAt = raised ? Date.now() : null;
      await this.#put(p);
      return p.handRaisedAt;
    });
  }

  /** Where the lowered hand was (its announcement goes there), or false when it was not raised. */
  lowerHand(actorId: string, targetId: string): Promise<false | 'stage' | 'audience'> {
    return this.#locked(async () => {
      const { target } = await this.#aim(actorId, 'lower-hand', targetId);
      if (target.handRaisedAt === null) return false;
      target.handRaisedAt = null;
      await this.#put(target);
      return isAudience(target.role) ? 'audience' : 'stage';
    });
  }

  /**
   * Loads actor, target and meeting for an action aimed at one participant,
   * after the permission check. Call under the lock.
   */
  async #aim(
    actorId: string,
    action: HostAction,
    targetId: string,
  ): Promise<{ actor: ParticipantRecord; target: ParticipantRecord; meeting: MeetingRecord }> {
    const actor = await this.#member(actorId);
    const target = await this.#find(targetId);
    if (!target) throw new ConveneError('NOT_FOUND', 'No such participant in this meeting');
    this.assertCan(actor, action, target);
    // Roles are for the stage: someone in the audience is promoted first.
    if (isAudience(target.role) && (action === 'set-role' || action === 'transfer-host'))
      throw new ConveneError('FORBIDDEN', `Bring them onto the stage before you ${action}`);
    const meeting = await this.#meeting();
    // Handing the host role up is fine; acting against higher lasting standing is not.
    if (action !== 'transfer-host' && standing(meeting, target.identity) > standing(meeting, actor.identity))
      throw new ConveneError(
        'FORBIDDEN',
        "Only the meeting's creator may do that to the creator or a co-host they named",
      );
    return { actor, target, meeting };
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

/** Hosts see this instead of raw identity keys. */
export function identityId(identityKey: string): string {
  return createHash('sha256').update(identityKey).digest('base64url').slice(0, 16);
}
