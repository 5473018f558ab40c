/**
 * Who may still look up a meeting after their IP used up its unknown-code
 * budget. Someone the meeting already knows is not guessing codes: its creator
 * and remembered co-hosts (by their signed identity), and a participant in
 * the reconnect grace period presenting their resume token. Everyone else,
 * for any code, existing or not, stays refused with the same answer.
 */
import { resumeTokenParticipant, type Identity, type IdentityService } from '../auth/identity';
import { isTrusted } from '../rooms/admission';
import type { RoomStore } from '../store/types';

export async function knownToMeeting(
  deps: { store: RoomStore; identity: IdentityService },
  who: Identity | null,
  code: string,
  resumeToken?: string,
): Promise<boolean> {
  const participantId = resumeToken ? resumeTokenParticipant(resumeToken) : null;
  // Both reads happen whether or not the meeting exists, so the time this takes
  // does not tell a refused stranger which codes are real.
  const [meeting, record] = await Promise.all([
    deps.store.getMeeting(code),
    participantId ? deps.store.getParticipant(code, participantId) : null,
  ]);
  if (!meeting) return false;
  if (who && isTrusted(meeting, who.key)) return true;
  return Boolean(
    resumeToken && record && record.graceUntil !== null && deps.identity.verifyResumeToken(resumeToken, code, record),
  );
}
