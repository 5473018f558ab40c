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
  busy,
}: {
  title: string;
  detail?: string;
  action?: StatusAction;
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
    </main>
  );
}
