'use client';
import { useTranslations } from 'use-intl';
import type { NoticePrefs } from '@/lib/client/use-notices';
import states from './states.module.css';

/** The two notice switches in the settings dialog. */
export function NoticeSettings({ prefs, onChange }: { prefs: NoticePrefs; onChange: (prefs: NoticePrefs) => void }) {
  const t = useTranslations('notices');
  return (
    <fieldset className={states.settingsGroup}>
      <legend>{t('settings')}</legend>
      <label className={states.check}>
        <input
          type="checkbox"
          checked={prefs.popups}
          onChange={(e) => onChange({ ...prefs, popups: e.target.checked })}
          data-testid="setting-popups"
        />
        {t('popups')}
      </label>
      <label className={states.check}>
        <input
          type="checkbox"
          checked={prefs.announce}
          onChange={(e) => onChange({ ...prefs, announce: e.target.checked })}
          data-testid="setting-announce"
        />
        {t('announce')}
      </label>
    </fieldset>
  );
}
