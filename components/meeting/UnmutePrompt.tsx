'use client';
import { MicOff } from 'lucide-react';
import { useTranslations } from 'use-intl';
import styles from './meeting.module.css';
import states from './states.module.css';

/** A host asked us to unmute: only we can, so we get a choice rather than being unmuted. */
export function UnmutePrompt({ by, onAnswer }: { by: string; onAnswer: (unmute: boolean) => void }) {
  const t = useTranslations('unmute');
  return (
    <div className={styles.prompt} role="alertdialog" aria-label={t('request')} data-testid="unmute-request">
      <span>{t('asks', { name: by })}</span>
      <button type="button" onClick={() => onAnswer(true)}>
        {t('unmute')}
      </button>
      <button type="button" className="secondary" onClick={() => onAnswer(false)}>
        {t('notNow')}
      </button>
    </div>
  );
}

/** Talking while muted: a hint and a one-click unmute (the level is measured locally, nothing is sent). */
export function MutedHint({ onUnmute }: { onUnmute: () => void }) {
  const t = useTranslations('unmute');
  return (
    <div className={states.mutedHint} role="status" data-testid="muted-hint">
      <MicOff size={18} aria-hidden="true" />
      <span>{t('muted')}</span>
      <button type="button" className="secondary" onClick={onUnmute}>
        {t('unmute')}
      </button>
    </div>
  );
}
