'use client';
import { WifiOff } from 'lucide-react';
import { useTranslations } from 'use-intl';
import styles from './tile.module.css';

/** Shown while my own connection has stayed poor for a few seconds (lib/client/network-quality.ts). */
export function UnstableBanner() {
  const t = useTranslations('network');
  return (
    <div role="status" className={styles.banner} data-testid="unstable-connection">
      <WifiOff size={16} aria-hidden="true" /> {t('unstable')}
    </div>
  );
}
