'use client';
import styles from './meeting.module.css';

/** A host asked us to unmute: only we can, so we get a choice rather than being unmuted. */
export function UnmutePrompt({ by, onAnswer }: { by: string; onAnswer: (unmute: boolean) => void }) {
  return (
    <div className={styles.prompt} role="alertdialog" aria-label="Request to unmute" data-testid="unmute-request">
      <span>{by} asks you to unmute</span>
      <button type="button" onClick={() => onAnswer(true)}>
        Unmute
      </button>
      <button type="button" className="secondary" onClick={() => onAnswer(false)}>
        Not now
      </button>
    </div>
  );
}
