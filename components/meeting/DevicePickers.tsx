'use client';
import { useTranslations } from 'use-intl';
import { canPickSpeaker, type DeviceChoice, type DeviceLists } from '@/lib/client/use-devices';
import styles from './meeting.module.css';

export interface DevicePickersProps {
  lists: DeviceLists;
  choice: DeviceChoice;
  onChange: (choice: DeviceChoice) => void;
}

/** Camera, microphone and speaker selects; shared by the pre-join page and the settings dialog. */
export function DevicePickers({ lists, choice, onChange }: DevicePickersProps) {
  const t = useTranslations('pickers');
  const speakers = canPickSpeaker() && lists.speakers.length > 0;
  return (
    <div className={styles.pickers}>
      <Picker
        label={t('camera')}
        devices={lists.cameras}
        value={choice.cameraId}
        onChange={(cameraId) => onChange({ ...choice, cameraId })}
        testId="pick-camera"
      />
      <Picker
        label={t('mic')}
        devices={lists.mics}
        value={choice.micId}
        onChange={(micId) => onChange({ ...choice, micId })}
        testId="pick-mic"
      />
      {speakers && (
        <Picker
          label={t('speaker')}
          devices={lists.speakers}
          value={choice.speakerId}
          onChange={(speakerId) => onChange({ ...choice, speakerId })}
          testId="pick-speaker"
        />
      )}
    </div>
  );
}

function Picker({
  label,
  devices,
  value,
  onChange,
  testId,
}: {
  label: string;
  devices: MediaDeviceInfo[];
  value: string | null;
  onChange: (id: string | null) => void;
  testId: string;
}) {
  const t = useTranslations('pickers');
  // A remembered device that is gone shows as the default rather than a blank select.
  const current = value && devices.some((d) => d.deviceId === value) ? value : '';
  return (
    <label className={styles.field}>
      {label}
      <select
        value={current}
        onChange={(e) => onChange(e.target.value || null)}
        data-testid={testId}
        disabled={devices.length === 0}
      >
        <option value="">{t('default')}</option>
        {devices
          .filter((d) => d.deviceId !== 'default')
          .map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {d.label || t('numbered', { label, n: i + 1 })}
            </option>
          ))}
      </select>
    </label>
  );
}
