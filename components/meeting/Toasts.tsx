import type { Reaction, Toast } from '@/lib/client/room-state';
import styles from './meeting.module.css';

/** Short notices (joins, leaves, role changes, host mutes), read out politely by screen readers. */
export function Toasts({ toasts }: { toasts: Toast[] }) {
  return (
    <ol className={styles.toasts} role="status" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <li key={t.id} className={styles.toast}>
          {t.text}
        </li>
      ))}
    </ol>
  );
}

/** Reactions float up for a few seconds with the sender's name. */
export function Reactions({ reactions, nameOf }: { reactions: Reaction[]; nameOf: (id: string) => string }) {
  return (
    <ol className={styles.reactions} aria-label="Reactions" data-testid="reactions">
      {reactions.map((r) => (
        <li key={r.id} className={styles.reaction}>
          <span className={styles.reactionEmoji}>{r.emoji}</span> {nameOf(r.participantId)}
        </li>
      ))}
    </ol>
  );
}
