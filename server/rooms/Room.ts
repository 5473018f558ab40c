/**
 * The one owner of a room's state. Only these methods change participants,
 * roles and media flags; each runs under the room's lock (across processes
 * with Redis) and returns what changed, so the caller announces it exactly once.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ConveneError } from '../../lib/protocol';
import type { ChatMessage, LeaveReason, MediaKind, MediaSourceName, RoomJoined } from '../../lib/protocol';
import { can, canPublish, canTarget, type HostAction, type Role } from '../../lib/permissions';
import type { Identity } from '../auth/identity';
import type { MeetingRecord, ParticipantRecord, RoomStore } from '../store/types';
import { chooseSuccessor } from './handover';
import { byJoinOrder, participantInfo, roomInfo, visibleChat } from './snapshots';

export interface RoomDeps {
  store: RoomStore;
  log: Logger;
  meetingTtlMs: number;
  reconnectGraceMs: number;
  chatHistory: number;
}

export interface RoleChange {
  participantId: string;
  role: Role;
}

export interface JoinResult {
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

export interface LeaveResult {
  removed: ParticipantRecord;
  reason: LeaveReason;
  roleChanges: RoleChange[];
  empty: boolean;
}

const newParticipantId = () => randomBytes(9).toString('base64url');

export class Room {
  constructor(
    readonly code: string,
    private readonly deps: RoomDeps,
  ) {}

  #locked<T>(fn: () => Promise<T>): Promise<T> {
    return this.deps.store.withRoomLock(this.code, fn);
  }

  async #meeting(): Promise<MeetingRecord> {
    const meeting = await this.deps.store.getMeeting(this.code);
    if (!meeting) throw new ConveneError('ROOM_NOT_FOUND', 'No meeting has this code');
    return meeting;
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
      throw new ConveneError('FORBIDDEN', `A ${actor.role} may not ${action} a ${target.role}${target.id === actor.id ? ' (yourself)' : ''}`);
    }
  }

  join(input: { identity: Identity; displayName: string; socketId: string; resumeParticipantId: string | null }): Promise<JoinResult> {
    return this.#locked(async () => {
      const { store } = this.deps;
      const meeting = await this.#meeting();
      const now = Date.now();
      let participants = await store.listParticipants(this.code);

      const reaped: ParticipantRecord[] = [];
      const roleChanges: RoleChange[] = [];
      for (const p of participants) {
        if (p.graceUntil !== null && p.graceUntil + 1_000 < now && (await store.removeParticipant(this.code, p.id))) reaped.push(p);
      }
      if (reaped.length) {
        participants = participants.filter((p) => !reaped.includes(p));
        if (reaped.some((p) => p.role === 'host')) roleChanges.push(...(await this.#handOver(participants)));
      }

      const previous = input.resumeParticipantId ? participants.find((p) => p.id === input.resumeParticipantId) : undefined;
      let participant: ParticipantRecord;
      let replacedSocketId: string | null = null;
      if (previous && previous.identity === input.identity.key) {
        replacedSocketId = previous.graceUntil === null && previous.socketId !== input.socketId ? previous.socketId : null;
        participant = { ...previous, socketId: input.socketId, graceUntil: null };
      } else {
        if (meeting.locked && input.identity.key !== meeting.creator) throw new ConveneError('ROOM_LOCKED', 'This meeting is locked');
        if (participants.length >= meeting.capacity) throw new ConveneError('ROOM_FULL', 'This meeting is full');
        const isCreator = input.identity.key === meeting.creator;
        const currentHost = participants.find((p) => p.role === 'host');
        let role: Role = 'participant';
        if (isCreator || !currentHost) role = 'host';
        if (isCreator && currentHost) {
          // The creator takes the host role back; whoever held it stays a co-host.
          currentHost.role = 'cohost';
          await store.putParticipant(this.code, currentHost);
          roleChanges.push({ participantId: currentHost.id, role: 'cohost' });
        }
        participant = {
          id: newParticipantId(),
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
      const chat = await store.recentChat(this.code, this.deps.chatHistory);
      const everyone = participants.map((p) => (p.id === participant.id ? participant : p)).sort(byJoinOrder);

      return {
        participant,
        resumed: Boolean(previous && participant.id === previous.id),
        replacedSocketId,
        roleChanges,
        reaped,
        state: {
          roomCode: this.code,
          self: { participantId: participant.id, displayName: participant.displayName, role: participant.role },
          participants: everyone.map(participantInfo),
          chat: visibleChat(chat, participant.id),
          room: roomInfo(meeting),
          resumed: Boolean(previous && participant.id === previous.id),
        },
      };
    });
  }

  /**
   * Removes a participant. With `socketId`, only if still bound to that socket:
   * a stale disconnect must not remove someone who already resumed elsewhere.
   */
  leave(participantId: string, reason: LeaveReason, socketId?: string): Promise<LeaveResult | null> {
    return this.#locked(() => this.#remove(participantId, reason, (p) => socketId === undefined || p.socketId === socketId));
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
      this.#remove(participantId, 'disconnected', (p) => p.socketId === socketId && p.graceUntil !== null && p.graceUntil <= Date.now()),
    );
  }

  async #remove(participantId: string, reason: LeaveReason, when: (p: ParticipantRecord) => boolean): Promise<LeaveResult | null> {
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

  kick(actorId: string, targetId: string): Promise<LeaveResult> {
    return this.#locked(async () => {
      const actor = await this.#member(actorId);
      const target = await this.deps.store.getParticipant(this.code, targetId);
      if (!target) throw new ConveneError('NOT_FOUND', 'No such participant in this meeting');
      this.assertCan(actor, 'kick', target);
      const result = await this.#remove(targetId, 'kicked', () => true);
      if (!result) throw new ConveneError('NOT_FOUND', 'No such participant in this meeting');
      return result;
    });
  }

  /** Validates sender and recipient, then appends to history. Chat needs no room lock: the append is atomic. */
  async addChat(fromId: string, text: string, to: string | undefined): Promise<ChatMessage> {
    const { store } = this.deps;
    const from = await this.#member(fromId);
    if (to !== undefined && (to === fromId || !(await store.getParticipant(this.code, to)))) {
      throw new ConveneError('NOT_FOUND', 'The recipient is not in this meeting');
    }
    const message: ChatMessage = { id: randomUUID(), from: { participantId: from.id, displayName: from.displayName }, text, sentAt: Date.now() };
    if (to !== undefined) message.to = to;
    await store.appendChat(this.code, message, this.deps.chatHistory);
    return message;
  }

  /** Whether the participant may send (or resume) a source under the room's current permissions. */
  async mayPublish(participantId: string, source: MediaSourceName): Promise<boolean> {
    const [p, meeting] = await Promise.all([this.#member(participantId), this.#meeting()]);
    return canPublish(p.role, meeting.permissions, source);
  }

  participant(participantId: string): Promise<ParticipantRecord | null> {
    return this.deps.store.getParticipant(this.code, participantId);
  }
}
