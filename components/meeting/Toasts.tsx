'use client';
import { useTranslations } from 'use-intl';
import type { MediaNotice } from '@/lib/client/media-types';
import type { Reaction, Toast } from '@/lib/client/room-state';
import { useToastText } from '@/lib/client/toast-text';
import type { Notice } from '@/lib/client/use-notices';
import styles from './meeting.module.css';
import states from './states.module.css';

/**
 * Short notices from the room (joins, leaves, role changes, host mutes, refusals).
 * With pop-ups muted only alerts, the answers to our own actions, still show.
 * Screen readers hear these through the Announcer, not from here.
 */
export function Toasts({ toasts, popups = true }: { toasts: Toast[]; popups?: boolean }) {
  const text = useToastText();
  const shown = popups ? toasts : toasts.filter((t) => t.kind === 'alert');
  return (
    <ol className={styles.toasts} data-testid="toasts">
      {shown.map((t) => (
        <li key={t.id} className={styles.toast}>
          {text(t.message)}
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
  const t = useTranslations('notices');
  if (notices.length === 0) return null;
  return (
    <ul className={states.notices} aria-label={t('list')} data-testid="notices">
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
              {n.open === 'chat' ? t('openChat') : t('showPeople')}
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
  const t = useTranslations('notices');
  return (
    <div role="log" aria-live="polite" aria-label={t('activity')} className={states.srOnly} data-testid="announcer">
      {messages.map((m) => (
        <p key={m.id}>{m.text}</p>
      ))}
    </div>
  );
}

/** Reactions float up for a few seconds with the sender's name. */
export function Reactions({ reactions, nameOf }: { reactions: Reaction[]; nameOf: (id: string) => string }) {
  const t = useTranslations('notices');
  return (
    <ol className={styles.reactions} aria-label={t('reactions')} data-testid="reactions">
      {reactions.map((r) => (
        <li key={r.id} className={styles.reaction}>
          <span className={styles.reactionEmoji}>{r.emoji}</span> {nameOf(r.participantId)}
        </li>
      ))}
    </ol>
  );
}

const DEVICE_WORDS = { denied: 'denied', missing: 'missing', 'in-use': 'inUse', other: 'failed' } as const;

/** A media notice (a device that failed, a refused request) in the reader's language; the English `message` is for logs. */
export function MediaNoticeText({ notice }: { notice: MediaNotice }) {
  const td = useTranslations('devices');
  const te = useTranslations('errors');
  if (notice.code !== 'DEVICE_UNAVAILABLE') return te(notice.code);
  return td(DEVICE_WORDS[notice.failure ?? 'other'], { device: notice.source ?? 'camera' });
}
