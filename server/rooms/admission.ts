/** Who gets straight in and who waits: one rule for Room.join and the pre-join's "Ask to join". */
import type { MeetingRecord } from '../store/types';

type Who = { key: string; kind: 'user' | 'guest' };

/** The creator and remembered co-hosts pass the lock and the waiting room. */
export function isTrusted(meeting: Pick<MeetingRecord, 'creator' | 'cohosts'>, key: string): boolean {
  return key === meeting.creator || meeting.cohosts.includes(key);
}

/** Whether the waiting room holds this person (null: someone not yet identified, i.e. a guest). */
export function mustKnock(
  meeting: Pick<MeetingRecord, 'creator' | 'cohosts' | 'waitingRoom'>,
  who: Who | null,
): boolean {
  if (who && isTrusted(meeting, who.key)) return false;
  return meeting.waitingRoom === 'everyone' || (meeting.waitingRoom === 'guests' && who?.kind !== 'user');
}
