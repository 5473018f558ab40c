import styles from './meeting.module.css';

/** A full-page outcome: left, removed, waiting. */
export function StatusPage({ title, detail, action }: { title: string; detail?: string; action?: { label: string; onClick: () => void } }) {
  return (
    <main className={styles.prejoin} data-testid="status-page">
      <h1>{title}</h1>
      {detail && <p>{detail}</p>}
      {action && <button type="button" onClick={action.onClick}>{action.label}</button>}
    </main>
  );
}
