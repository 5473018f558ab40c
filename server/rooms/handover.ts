/**
 * Who holds the host role, as pure functions over the store's records. Only
 * the creator and the co-hosts the creator named have lasting powers; nobody
 * else becomes host by arriving, and a host by handover keeps the role for
 * one session, until the creator comes back.
 */
import { isModerator, type Role } from '../../lib/permissions';
import type { MeetingRecord, MeetingSettings, ParticipantRecord } from '../store/types';
import { isTrusted, standing } from './admission';
import { byJoinOrder } from './snapshots';

type Lasting = Pick<MeetingRecord, 'creator' | 'cohosts'>;

/**
 * The role someone gets on joining: the creator is host; a co-host the creator
 * named is co-host, or host while nobody holds that role; anyone else is a
 * participant, even the first into an empty meeting.
 */
export function roleOnJoin(meeting: Lasting, key: string, present: ParticipantRecord[]): Role {
  if (key === meeting.creator) return 'host';
  if (!meeting.cohosts.includes(key)) return 'participant';
  return present.some((p) => p.role === 'host') ? 'cohost' : 'host';
}

/** What a participant's role returns to when the creator is back: co-host for lasting powers, else participant. */
export function lastingRole(meeting: Lasting, p: ParticipantRecord): Role {
  return isTrusted(meeting, p.identity) ? 'cohost' : 'participant';
}

/**
 * Who becomes host when the host is gone: a present co-host, those with
 * lasting powers first, earliest-joined first. Never a plain participant:
 * with no co-host present the meeting goes on with nobody moderating.
 */
export function chooseSuccessor(meeting: Lasting, rest: ParticipantRecord[]): ParticipantRecord | undefined {
  return rest
    .filter((p) => p.role === 'cohost')
    .sort((a, b) => standing(meeting, b.identity) - standing(meeting, a.identity) || byJoinOrder(a, b))[0];
}

export const hasModerator = (participants: ParticipantRecord[]) => participants.some((p) => isModerator(p.role));

const SETTINGS = ['locked', 'waitingRoom', 'banShield', 'permissions', 'maxScreenShares', 'audience'] as const;

/** The live settings, to compare and to save as lasting. */
export function settingsOf(meeting: MeetingRecord): MeetingSettings {
  const { locked, waitingRoom, banShield, permissions, maxScreenShares, audience } = meeting;
  return {
    locked,
    waitingRoom,
    banShield,
    permissions: { ...permissions },
    maxScreenShares,
    ...(audience && { audience: { ...audience } }),
  };
}

/**
 * Applies a moderator's change. Someone with lasting powers changes the lasting
 * settings too; anyone else (a host by handover, a co-host they named) only
 * this session's.
 */
export function changeSettings(meeting: MeetingRecord, actorKey: string, patch: Partial<MeetingSettings>): void {
  Object.assign(meeting, patch);
  if (isTrusted(meeting, actorKey)) meeting.lasting = { ...meeting.lasting, ...structuredClone(patch) };
}

/** Puts the live settings back to the lasting ones; returns whether anything changed. */
export function revertSettings(meeting: MeetingRecord): boolean {
  const live = settingsOf(meeting);
  const changed = SETTINGS.some((k) => JSON.stringify(live[k] ?? null) !== JSON.stringify(meeting.lasting[k] ?? null));
  if (changed) {
    Object.assign(meeting, structuredClone(meeting.lasting));
    // Lasting settings from before the audience have none: the session's audience goes with it.
    if (!meeting.lasting.audience) delete meeting.audience;
  }
  return changed;
}
