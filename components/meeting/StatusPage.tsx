import Link from 'next/link';
import styles from './meeting.module.css';

export interface StatusAction {
  label: string;
  onClick: () => void;
}

/** A full-page outcome: waiting, left, removed, banned, locked, ended. */
export function StatusPage({
  title,
  detail,
  action,
  link,
  busy,
}: {
  title: string;
  detail?: string;
  action?: StatusAction;
  /** A plain link onward (usable from server components, which cannot pass onClick). */
  link?: { href: string; label: string };
  busy?: boolean;
}) {
  return (
    <main className={styles.prejoin} data-testid="status-page" aria-busy={busy || undefined}>
      <h1>{title}</h1>
      {detail && <p>{detail}</p>}
      {action && (
        <button type="button" onClick={action.onClick}>
          {action.label}
        </button>
      )}
      {link && <Link href={link.href}>{link.label}</Link>}
    </main>
  );
}
