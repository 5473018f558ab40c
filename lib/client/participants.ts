/** Keeping the participant list in step with signaling events; pure, so UI and tests share it. */
import type { MediaKind, ParticipantInfo } from '../protocol';
import type { Role } from '../permissions';

export type ParticipantEvent =
  | { type: 'joined'; participant: ParticipantInfo }
  | { type: 'left'; participantId: string }
  | { type: 'media'; participantId: string; kind: MediaKind; enabled: boolean }
  | { type: 'role'; participantId: string; role: Role };

/** The list after one event, in join order; unchanged (same array) when the event changes nothing. */
export function applyParticipantEvent(list: ParticipantInfo[], e: ParticipantEvent): ParticipantInfo[] {
  switch (e.type) {
    case 'joined':
      return [...list.filter((p) => p.participantId !== e.participant.participantId), e.participant].sort(
        (a, b) => a.joinedAt - b.joinedAt,
      );
    case 'left':
      return list.some((p) => p.participantId === e.participantId)
        ? list.filter((p) => p.participantId !== e.participantId)
        : list;
    case 'media':
      return list.map((p) =>
        p.participantId === e.participantId ? { ...p, media: { ...p.media, [e.kind]: e.enabled } } : p,
      );
    case 'role':
      return list.map((p) => (p.participantId === e.participantId ? { ...p, role: e.role } : p));
  }
}
