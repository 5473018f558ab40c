/**
 * Who gets straight in and who waits: one rule for Room.join and the
 * pre-join's "Ask to join", and the ban shield that makes new guests knock.
 */
import type { LobbyRecord, MeetingRecord } from '../store/types';

type Who = { key: string; kind: 'user' | 'guest' };

/** The creator and the co-hosts the creator named: they pass the lock and the waiting room, in every session. */
export function isTrusted(meeting: Pick<MeetingRecord, 'creator' | 'cohosts'>, key: string): boolean {
  return key === meeting.creator || meeting.cohosts.includes(key);
}

/**
 * Lasting standing: the creator 2, a co-host the creator named 1, anyone else
 * 0. Nobody may aim a host action at someone of higher standing, so a host by
 * handover cannot remove, ban or demote the creator or the creator's co-hosts.
 */
export function standing(meeting: Pick<MeetingRecord, 'creator' | 'cohosts'>, key: string): number {
  if (key === meeting.creator) return 2;
  return meeting.cohosts.includes(key) ? 1 : 0;
}

/**
 * The ban shield: once anyone is banned, a guest identity this meeting has not
 * let in before must knock, so a banned guest with fresh cookies cannot walk
 * back in. Signed-in users are banned by account and are not held by it.
 */
export function shieldHolds(
  meeting: Pick<MeetingRecord, 'banShield' | 'bans' | 'knownGuests'>,
  who: Who | null,
): boolean {
  if (!meeting.banShield || meeting.bans.length === 0 || who?.kind === 'user') return false;
  return !who || !meeting.knownGuests.includes(who.key);
}

/** Whether the waiting room holds this person (null: someone not yet identified, i.e. a new guest). */
export function mustKnock(
  meeting: Pick<MeetingRecord, 'creator' | 'cohosts' | 'waitingRoom' | 'banShield' | 'bans' | 'knownGuests'>,
  who: Who | null,
): boolean {
  if (who && isTrusted(meeting, who.key)) return false;
  if (shieldHolds(meeting, who)) return true;
  return meeting.waitingRoom === 'everyone' || (meeting.waitingRoom === 'guests' && who?.kind !== 'user');
}

/**
 * Remembers guest identities the meeting let in, so the shield does not hold
 * them when they come back. Only kept once there are bans; the newest
 * `4 × capacity` are kept, and an older one forgotten simply knocks again.
 */
export function rememberGuests(meeting: MeetingRecord, keys: string[]): boolean {
  if (meeting.bans.length === 0) return false;
  const fresh = keys.filter((k) => k.startsWith('guest:') && !meeting.knownGuests.includes(k));
  if (!fresh.length) return false;
  meeting.knownGuests = [...meeting.knownGuests, ...fresh].slice(-4 * meeting.capacity);
  return true;
}

/** Marks admitted every knock that the meeting's settings no longer hold (the waiting room or shield went off). */
export function releaseKnocks(meeting: MeetingRecord): LobbyRecord[] {
  const released = meeting.lobby.filter(
    (e) => !e.admitted && !mustKnock(meeting, { key: e.identity, kind: e.isGuest ? 'guest' : 'user' }),
  );
  for (const e of released) e.admitted = true;
  return released;
}
