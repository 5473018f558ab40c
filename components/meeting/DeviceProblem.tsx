'use client';
import { useTranslations } from 'use-intl';
import type { DeviceFailure } from '@/lib/client/use-devices';
import styles from './states.module.css';

type Device = 'camera' | 'mic';

/** The message keys of each failure: what went wrong, and what the person can do about it. */
const EXPLAIN = {
  denied: { title: 'deniedTitle', fix: 'deniedFix' },
  missing: { title: 'missingTitle', fix: 'missingFix' },
  'in-use': { title: 'inUseTitle', fix: 'inUseFix' },
  other: { title: 'otherTitle', fix: 'otherFix' },
} as const satisfies Record<DeviceFailure, { title: string; fix: string }>;

/** One device that failed on the pre-join: why, how to fix it, a retry, and that joining still works. */
export function DeviceProblem({
  device,
  failure,
  onRetry,
}: {
  device: Device;
  failure: DeviceFailure;
  onRetry: () => void;
}) {
  const t = useTranslations('deviceProblem');
  const tc = useTranslations('common');
  const { title, fix } = EXPLAIN[failure];
  return (
    <div className={styles.problem} role="alert" data-testid={`device-problem-${device}`} data-failure={failure}>
      <p className={styles.problemTitle}>{t(title, { device })}</p>
      <p>{t(fix, { device })}</p>
      <p>{t('stillJoin', { device })}</p>
      <button type="button" className="secondary" onClick={onRetry}>
        {tc('tryAgain')}
      </button>
    </div>
  );
}

/** The short line shown inside the preview when the camera gave no picture. */
export function PreviewMessage({
  camera,
  failure,
  waitedLong,
}: {
  camera: boolean;
  failure: DeviceFailure | null;
  waitedLong: boolean;
}) {
  const t = useTranslations('prejoin');
  const tp = useTranslations('deviceProblem');
  if (!camera) return t('cameraOff');
  if (failure) return tp(EXPLAIN[failure].title, { device: 'camera' });
  return waitedLong ? t('waitingCamera') : t('startingCamera');
}
