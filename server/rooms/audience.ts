/**
 * A room's audience: who joins it instead of the stage, paging through it,
 * and moving people between it and the stage. Audience records live in the
 * store's own audience collection (role 'audience'), so joins, leaves and
 * broadcasts on the stage never walk them. Room owns one of these; every
 * change goes through Room's lock and its one permission gate.
 */
import { ConveneError, type AudiencePage } from '../../lib/protocol';
import { isAudience, isModerator, type HostAction, type Role } from '../../lib/permissions';
import type { AudienceQuery, MeetingRecord, ParticipantRecord, RoomStore } from '../store/types';
import { audienceMemberInfo, audienceOf } from './snapshots';
import { clearSpotlight } from './spotlight';

export interface AudienceDeps {
  store: RoomStore;
  /** Most audience members in one meeting (AUDIENCE_CAPACITY). */
  audienceCapacity: number;
}

/** What RoomAudience borrows from Room: its lock, its permission gate, and saving the meeting. */
export interface AudienceHooks {
  locked<T>(fn: () => Promise<T>): Promise<T>;
  moderate<T>(actorId: string, action: HostAction, fn: () => Promise<T>): Promise<T>;
  aim(
    actorId: string,
    action: HostAction,
    targetId: string,
  ): Promise<{ actor: ParticipantRecord; target: ParticipantRecord; meeting: MeetingRecord }>;
  saveMeeting(meeting: MeetingRecord): Promise<void>;
}

/** Promoted identities remembered per meeting (for `invited` mode rejoins); older ones simply rejoin the audience. */
const SPEAKERS_KEPT = 1_000;

/**
 * Whether someone joining now goes to the audience: never a moderator (nor
 * anyone when the meeting has no audience); in `invited` mode whoever was not
 * promoted this session; in `overflow` mode whoever arrives once the stage
 * holds `stageLimit`; in both, anyone past the stage's capacity.
 */
export function joinsAudience(meeting: MeetingRecord, identityKey: string, role: Role, stageCount: number): boolean {
  const { mode, stageLimit } = audienceOf(meeting);
  if (mode === 'off' || isModerator(role)) return false;
  if (stageCount >= meeting.capacity) return true;
  if (mode === 'invited') return !(meeting.speakers ?? []).includes(identityKey);
  return stageCount >= stageLimit;
}

export class RoomAudience {
  constructor(
    private readonly code: string,
    private readonly deps: AudienceDeps,
    private readonly hooks: AudienceHooks,
  ) {}

  /** How many are in the audience now (read without the lock: a count for display). */
  count(): Promise<number> {
    return this.deps.store.countAudience(this.code);
  }

  /** Throws ROOM_FULL when the audience holds AUDIENCE_CAPACITY. Call under the lock. */
  async assertRoom(): Promise<void> {
    if ((await this.deps.store.countAudience(this.code)) >= this.deps.audienceCapacity)
      throw new ConveneError('ROOM_FULL', 'The audience of this meeting is full');
  }

  /** One page for a host or co-host, in id order. */
  page(actorId: string, query: AudienceQuery): Promise<AudiencePage> {
    return this.hooks.moderate(actorId, 'view-audience', async () => {
      const { store } = this.deps;
      const [members, count] = await Promise.all([
        store.pageAudience(this.code, query),
        store.countAudience(this.code),
      ]);
      const last = members[members.length - 1];
      return {
        members: members.map(audienceMemberInfo),
        count,
        next: members.length === query.limit && last ? last.id : null,
      };
    });
  }

  /**
   * Brings an audience member onto the stage as a participant (their hand
   * goes down: they were heard). Null when they are on the stage already.
   */
  promote(actorId: string, targetId: string): Promise<ParticipantRecord | null> {
    return this.hooks.locked(async () => {
      const { target, meeting } = await this.hooks.aim(actorId, 'promote', targetId);
      if (!isAudience(target.role)) return null;
      const { store } = this.deps;
      if ((await store.countParticipants(this.code)) >= meeting.capacity)
        throw new ConveneError('ROOM_FULL', 'The stage is full');
      const promoted: ParticipantRecord = { ...target, role: 'participant', handRaisedAt: null };
      await store.removeAudience(this.code, target.id);
      await store.putParticipant(this.code, promoted);
      const speakers = (meeting.speakers ?? []).filter((k) => k !== target.identity);
      meeting.speakers = [...speakers, target.identity].slice(-SPEAKERS_KEPT);
      await this.hooks.saveMeeting(meeting);
      return promoted;
    });
  }

  /**
   * Sends a stage member to the audience. Their record moves first, so any
   * produce after this is refused; the caller then closes their producers.
   * Null when they are in the audience already.
   */
  demote(actorId: string, targetId: string): Promise<ParticipantRecord | null> {
    return this.hooks.locked(async () => {
      const { target, meeting } = await this.hooks.aim(actorId, 'demote', targetId);
      if (isAudience(target.role)) return null;
      await this.assertRoom();
      const { store } = this.deps;
      const demoted: ParticipantRecord = {
        ...target,
        role: 'audience',
        media: { audio: false, video: false, screen: false },
        handRaisedAt: null,
      };
      await store.removeParticipant(this.code, target.id);
      await store.putAudience(this.code, demoted);
      // Off the stage: no longer spotlit (everyone hears user-left, which ends it for them).
      let changed = clearSpotlight(meeting, target.id);
      if (meeting.speakers?.includes(target.identity)) {
        meeting.speakers = meeting.speakers.filter((k) => k !== target.identity);
        changed = true;
      }
      if (changed) await this.hooks.saveMeeting(meeting);
      return demoted;
    });
  }
}
