'use client';
import type { NoticePrefs } from '@/lib/client/use-notices';
import states from './states.module.css';

/** The two notice switches in the settings dialog. */
export function NoticeSettings({ prefs, onChange }: { prefs: NoticePrefs; onChange: (prefs: NoticePrefs) => void }) {
  return (
    <fieldset className={states.settingsGroup}>
      <legend>Notifications</legend>
      <label className={states.check}>
        <input
          type="checkbox"
          checked={prefs.popups}
          onChange={(e) => onChange({ ...prefs, popups: e.target.checked })}
          data-testid="setting-popups"
        />
        Show pop-up notifications (hands, messages, knocks, role changes)
      </label>
      <label className={states.check}>
        <input
          type="checkbox"
          checked={prefs.announce}
          onChange={(e) => onChange({ ...prefs, announce: e.target.checked })}
          data-testid="setting-announce"
        />
        Announce joins, leaves, hands and messages to screen readers
      </label>
    </fieldset>
  );
}
