'use client';
import { MicOff } from 'lucide-react';
import styles from './meeting.module.css';
import states from './states.module.css';

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

/** Talking while muted: a hint and a one-click unmute (the level is measured locally, nothing is sent). */
export function MutedHint({ onUnmute }: { onUnmute: () => void }) {
  return (
    <div className={states.mutedHint} role="status" data-testid="muted-hint">
      <MicOff size={18} aria-hidden="true" />
      <span>You&apos;re muted</span>
      <button type="button" className="secondary" onClick={onUnmute}>
        Unmute
      </button>
    </div>
  );
}
