/**
 * The spotlight lives in the meeting record (so every store and every node
 * sees one value); Room sets it, and anything that takes someone off the stage
 * ends it with this.
 */
import type { MeetingRecord } from '../store/types';

/** Ends the spotlight when its participant leaves the stage; true when it did (save the meeting). */
export function clearSpotlight(meeting: MeetingRecord, participantId: string): boolean {
  if (meeting.spotlight !== participantId) return false;
  meeting.spotlight = null;
  return true;
}
