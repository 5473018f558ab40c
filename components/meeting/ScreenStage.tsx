'use client';
import { MonitorUp } from 'lucide-react';
import { useTranslations } from 'use-intl';
import { TrackVideo } from './TrackVideo';
import styles from './meeting.module.css';

export interface ScreenStageProps {
  track: MediaStreamTrack;
  presenterId: string;
  presenterName: string;
}

/** The big area for someone else's screen share. */
export function ScreenStage({ track, presenterId, presenterName }: ScreenStageProps) {
  const t = useTranslations('presenting');
  const caption = t('caption', { name: presenterName });
  return (
    <section className={styles.stage} aria-label={caption} data-testid="screen-stage" data-presenter={presenterId}>
      <TrackVideo track={track} fit="contain" label={t('screen', { name: presenterName })} testId="screen-video" />
      <p className={styles.stageCaption}>{caption}</p>
    </section>
  );
}

/**
 * The presenter's own stage: a card, not their screen mirrored back full size
 * (a hall of mirrors, and a second decode of what they already see).
 */
export function PresentingCard({ presenterId, onStop }: { presenterId: string; onStop: () => void }) {
  const t = useTranslations('presenting');
  return (
    <section
      className={`${styles.stage} ${styles.presentingCard}`}
      aria-labelledby="presenting-heading"
      data-testid="local-screen-stage"
      data-presenter={presenterId}
    >
      <MonitorUp size={40} aria-hidden="true" />
      <h2 id="presenting-heading">{t('you')}</h2>
      <p>{t('everyoneSees')}</p>
      <button type="button" className={styles.stopPresenting} onClick={onStop}>
        {t('stop')}
      </button>
    </section>
  );
}
