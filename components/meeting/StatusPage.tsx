'use client';
import Link from 'next/link';
import { useTranslations } from 'use-intl';
import { Ban, CalendarX, DoorClosed, Hourglass, Lock, LogOut, SearchX, ShieldX, UserX, Users } from 'lucide-react';
import { NewMeetingButton } from './NewMeetingButton';
import styles from './states.module.css';

export interface StatusAction {
  label: string;
  onClick: () => void;
}

/** Which outcome a page shows: picks its icon (the words come from the caller). */
export type StatusKind =
  'waiting' | 'left' | 'removed' | 'banned' | 'ended' | 'not-found' | 'full' | 'locked' | 'declined' | 'error';

const ICONS = {
  waiting: Hourglass,
  left: LogOut,
  removed: UserX,
  banned: Ban,
  ended: CalendarX,
  'not-found': SearchX,
  full: Users,
  locked: Lock,
  declined: DoorClosed,
  error: ShieldX,
} as const;

/**
 * A full-page outcome (waiting, left, removed, banned, ended, unknown code,
 * full, locked, declined): a title, one sentence, and a way on. A client
 * component (its own words come from the messages); server pages pass it
 * words they translated themselves.
 */
export function StatusPage({
  kind,
  title,
  detail,
  action,
  home = true,
  newMeeting = false,
  busy,
}: {
  kind: StatusKind;
  title: string;
  detail?: string;
  /** The main next step here ("Rejoin", "Ask to join again", "Cancel"). */
  action?: StatusAction;
  /** A "Return to home" link (on by default). */
  home?: boolean;
  /** A "Start a new meeting" button. */
  newMeeting?: boolean;
  busy?: boolean;
}) {
  const t = useTranslations('status');
  const Icon = ICONS[kind];
  return (
    <main className={styles.status} data-testid="status-page" data-kind={kind} aria-busy={busy || undefined}>
      <Icon className={styles.statusIcon} aria-hidden="true" size={40} strokeWidth={1.75} />
      <h1>{title}</h1>
      {detail && <p>{detail}</p>}
      <div className={styles.statusActions}>
        {action && (
          <button type="button" onClick={action.onClick}>
            {action.label}
          </button>
        )}
        {newMeeting && <NewMeetingButton secondary={Boolean(action)} />}
        {home && (
          <Link href="/" className={styles.homeLink}>
            {t('returnHome')}
          </Link>
        )}
      </div>
    </main>
  );
}
