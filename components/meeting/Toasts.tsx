import type { Reaction, Toast } from '@/lib/client/room-state';
import type { Notice } from '@/lib/client/use-notices';
import styles from './meeting.module.css';
import states from './states.module.css';

/**
 * Short notices from the room (joins, leaves, role changes, host mutes, refusals).
 * With pop-ups muted only alerts, the answers to our own actions, still show.
 * Screen readers hear these through the Announcer, not from here.
 */
export function Toasts({ toasts, popups = true }: { toasts: Toast[]; popups?: boolean }) {
  const shown = popups ? toasts : toasts.filter((t) => t.kind === 'alert');
  return (
    <ol className={styles.toasts} data-testid="toasts">
      {shown.map((t) => (
        <li key={t.id} className={styles.toast}>
          {t.text}
        </li>
      ))}
    </ol>
  );
}

/** Pop-ups worth acting on (a hand, a message, a knock), each with a button to the panel that shows it. */
export function Notices({
  notices,
  onOpen,
  onDismiss,
}: {
  notices: Notice[];
  onOpen: (panel: 'chat' | 'people') => void;
  onDismiss: (id: number) => void;
}) {
  if (notices.length === 0) return null;
  return (
    <ul className={states.notices} aria-label="Notifications" data-testid="notices">
      {notices.map((n) => (
        <li key={n.id} className={states.notice} data-testid="notice">
          <span>{n.text}</span>
          {n.open && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                onDismiss(n.id);
                onOpen(n.open!);
              }}
            >
              {n.open === 'chat' ? 'Open chat' : 'Show people'}
            </button>
          )}
        </li>
      ))}
    </ul>
  );
}

/**
 * The screen readers' log of joins, leaves, hands, messages and knocks
 * (polite: read when the reader is idle). Always in the page, so readers
 * register it before anything is added to it.
 */
export function Announcer({ messages }: { messages: Array<{ id: number; text: string }> }) {
  return (
    <div role="log" aria-live="polite" aria-label="Meeting activity" className={states.srOnly} data-testid="announcer">
      {messages.map((m) => (
        <p key={m.id}>{m.text}</p>
      ))}
    </div>
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
