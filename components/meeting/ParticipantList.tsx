import type { ParticipantInfo } from '@/lib/protocol';
import styles from './meeting.module.css';

export function ParticipantList({ participants, selfId }: { participants: ParticipantInfo[]; selfId: string | null }) {
  return (
    <aside className={styles.people} aria-labelledby="people-heading">
      <h2 id="people-heading">People ({participants.length})</h2>
      <ul data-testid="participant-list">
        {participants.map((p) => (
          <li key={p.participantId} data-testid={`participant-${p.participantId}`}>
            <span>{p.participantId === selfId ? `${p.displayName} (you)` : p.displayName}</span>
            {p.role !== 'participant' && <span className={styles.role}>{p.role === 'host' ? 'Host' : 'Co-host'}</span>}
          </li>
        ))}
      </ul>
    </aside>
  );
}
