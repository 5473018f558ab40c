/**
 * A room's waiting room: the queue of knocks in the meeting record, capped
 * per meeting. Room owns one of these and lends it its lock and its one
 * permission gate; every change is returned as a LobbyChange (queue.ts) for
 * signaling to announce as deltas.
 */
import { ConveneError } from '../../lib/protocol';
import type { HostAction } from '../../lib/permissions';
import type { Identity } from '../auth/identity';
import { randomId } from '../random-id';
import type { LobbyRecord, MeetingRecord, ParticipantRecord, RoomStore } from '../store/types';
import { hasModerator } from './handover';
import { lobbyChange, waitingIds, waitingPosition, type LobbyChange } from './queue';

export interface WaitingRoomDeps {
  store: RoomStore;
  meetingTtlMs: number;
  /** Most knocks waiting at once in one meeting (WAITING_ROOM_CAP). */
  waitingRoomCap: number;
}

/** What Room lends its waiting room: its lock, and a moderator action run under it after the permission check. */
export interface RoomAccess {
  locked<T>(fn: () => Promise<T>): Promise<T>;
  moderate<T>(
    actorId: string,
    action: HostAction,
    fn: (actor: ParticipantRecord, meeting: MeetingRecord) => Promise<T>,
  ): Promise<T>;
}

/** The waiting room applies: the knocker waits for a host or co-host. */
export interface WaitResult {
  kind: 'waiting';
  entry: LobbyRecord;
  position: number;
  /** Nobody is here who could let the knocker in. */
  noModerator: boolean;
}

const NO_CHANGE = { noModerator: false, flipped: false };

export class WaitingRoom {
  constructor(
    private readonly code: string,
    private readonly deps: WaitingRoomDeps,
    private readonly room: RoomAccess,
  ) {}

  #save(meeting: MeetingRecord): Promise<void> {
    return this.deps.store.saveMeeting(meeting, this.deps.meetingTtlMs);
  }

  async #meeting(): Promise<MeetingRecord> {
    const meeting = await this.deps.store.getMeeting(this.code);
    if (!meeting) throw new ConveneError('ROOM_NOT_FOUND', 'No meeting has this code');
    return meeting;
  }

  /** Queues a knock (Room.join calls this under the room's lock). A full queue refuses before anything changes. */
  async knock(
    meeting: MeetingRecord,
    input: { identity: Identity; displayName: string; socketId: string; node: string },
    participants: ParticipantRecord[],
  ): Promise<WaitResult> {
    let entry = meeting.lobby.find((e) => e.socketId === input.socketId);
    if (!entry) {
      if (waitingIds(meeting.lobby).length >= this.deps.waitingRoomCap)
        throw new ConveneError('ROOM_FULL', 'The waiting room of this meeting is full; try again later');
      entry = {
        id: randomId(9),
        identity: input.identity.key,
        isGuest: input.identity.kind === 'guest',
        displayName: input.displayName,
        socketId: input.socketId,
        node: input.node,
        knockedAt: Date.now(),
        admitted: false,
      };
      meeting.lobby.push(entry);
      await this.#save(meeting);
    }
    const position = waitingPosition(meeting.lobby, entry.id);
    return { kind: 'waiting', entry, position, noModerator: !hasModerator(participants) };
  }

  /** A knocker gave up (cancelled or disconnected): drop them from the queue. */
  leave(knockId: string, socketId: string): Promise<LobbyChange | null> {
    return this.room.locked(async () => {
      const meeting = await this.#meeting();
      const gone = meeting.lobby.find((e) => e.id === knockId && e.socketId === socketId);
      if (!gone) return null;
      const before = waitingIds(meeting.lobby);
      meeting.lobby = meeting.lobby.filter((e) => e !== gone);
      await this.#save(meeting);
      // An admitted knock already left the queue as far as anyone was told.
      if (gone.admitted) return null;
      const noModerator = !hasModerator(await this.deps.store.listParticipants(this.code));
      return lobbyChange(before, meeting.lobby, [gone], 'left', { noModerator, flipped: false });
    });
  }

  /** Marks knocks admitted (one, or everyone waiting when `knockId` is null); each knocker's own server then finishes its join. */
  admit(actorId: string, knockId: string | null): Promise<LobbyChange | null> {
    return this.room.moderate(actorId, 'admit', async (_actor, meeting) => {
      const before = waitingIds(meeting.lobby);
      const chosen = meeting.lobby.filter((e) => !e.admitted && (knockId === null || e.id === knockId));
      if (knockId !== null && chosen.length === 0)
        throw new ConveneError('NOT_FOUND', 'Nobody with that id is waiting');
      if (!chosen.length) return null;
      for (const e of chosen) e.admitted = true;
      await this.#save(meeting);
      return lobbyChange(before, meeting.lobby, chosen, 'admitted', NO_CHANGE);
    });
  }

  deny(actorId: string, knockId: string): Promise<LobbyChange | null> {
    return this.room.moderate(actorId, 'deny', async (_actor, meeting) => {
      const before = waitingIds(meeting.lobby);
      const denied = meeting.lobby.find((e) => e.id === knockId && !e.admitted);
      if (!denied) throw new ConveneError('NOT_FOUND', 'Nobody with that id is waiting');
      meeting.lobby = meeting.lobby.filter((e) => e !== denied);
      await this.#save(meeting);
      return lobbyChange(before, meeting.lobby, [denied], 'denied', NO_CHANGE);
    });
  }

  /** The queue as stored (admitted knocks included until their join finishes). */
  async queue(): Promise<LobbyRecord[]> {
    return (await this.#meeting()).lobby;
  }
}
