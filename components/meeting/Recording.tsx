'use client';
/**
 * Recording in the meeting UI: the moderators' Start/Stop control, the
 * indicator everyone sees while a meeting is recorded, the line on the
 * pre-join page, and the recorder's problems for hosts. Presentational: the
 * state comes from room-state.ts, the actions from use-meeting's `send`.
 */
import { useTranslations } from 'use-intl';
import type { RecordingProblem, RecordingState } from '@/lib/protocol';
import styles from './recording.module.css';

/** Shown to everyone, for as long as the meeting is being recorded. */
export function RecordingIndicator({ recording }: { recording: RecordingState }) {
  const t = useTranslations('recording');
  if (!recording.active) return null;
  return (
    <span role="status" className={styles.indicator} data-testid="recording-indicator">
      <span className={styles.dot} aria-hidden="true" />
      {t('indicator')}
    </span>
  );
}

export interface RecordingControlProps {
  recording: RecordingState;
  /** The server can record (ffmpeg installed); the control is hidden otherwise. */
  available: boolean;
  /** Hosts and co-hosts only. */
  moderator: boolean;
  onStart: () => void;
  onStop: () => void;
}

/** The moderators' button in the control bar. */
export function RecordingControl(p: RecordingControlProps) {
  const t = useTranslations('recording');
  if (!p.moderator || (!p.available && !p.recording.active)) return null;
  return p.recording.active ? (
    <button type="button" className="secondary" onClick={p.onStop} data-testid="stop-recording">
      {t('stop')}
    </button>
  ) : (
    <button type="button" className={styles.start} onClick={p.onStart} data-testid="start-recording">
      {t('start')}
    </button>
  );
}

/** The pre-join page's warning, so nobody walks into a recording unaware. */
export function RecordingNotice({ active }: { active: boolean }) {
  const t = useTranslations('recording');
  if (!active) return null;
  return (
    <p className={styles.notice} data-testid="recording-notice">
      <span className={styles.dot} aria-hidden="true" />
      {t('notice')}
    </p>
  );
}

const PROBLEM_KEYS = {
  'compose-failed': 'composeFailed',
  'disk-full': 'diskFull',
  moved: 'moved',
  'moved-cannot-record': 'movedCannotRecord',
} as const;

/** For hosts and co-hosts: what went wrong with the recorder (the meeting itself goes on). */
export function RecordingError({ problem, onDismiss }: { problem: RecordingProblem | null; onDismiss: () => void }) {
  const t = useTranslations('recording');
  if (!problem) return null;
  const text =
    problem.kind === 'track-restarted'
      ? t('trackRestarted', { name: problem.displayName || t('someone'), source: problem.source })
      : t(PROBLEM_KEYS[problem.kind]);
  return (
    <span role="alert" className={styles.error} data-testid="recording-error">
      {text}
      <button type="button" className="secondary" onClick={onDismiss} aria-label={t('dismiss')}>
        ×
      </button>
    </span>
  );
}
