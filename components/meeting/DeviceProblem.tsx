'use client';
import type { DeviceFailure } from '@/lib/client/use-devices';
import styles from './states.module.css';

type Device = 'camera' | 'mic';

const NOUN: Record<Device, string> = { camera: 'camera', mic: 'microphone' };
const Noun: Record<Device, string> = { camera: 'Camera', mic: 'Microphone' };

/** What went wrong, in the person's words, and what they can do about it. */
function explain(device: Device, failure: DeviceFailure): { title: string; fix: string } {
  const noun = NOUN[device];
  switch (failure) {
    case 'denied':
      return {
        title: `${Noun[device]} blocked`,
        fix: `Your browser is not letting this page use your ${noun}. Select the ${noun} or lock icon in the address bar, allow the ${noun}, then select Try again.`,
      };
    case 'missing':
      return {
        title: `No ${noun} found`,
        fix: `Connect a ${noun}, or choose another one below, then select Try again.`,
      };
    case 'in-use':
      return {
        title: `${Noun[device]} is in use`,
        fix: `Another app or browser tab is using your ${noun}. Close it, then select Try again.`,
      };
    case 'other':
      return { title: `${Noun[device]} didn't start`, fix: `Something stopped your ${noun}. Select Try again.` };
  }
}

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
  const { title, fix } = explain(device, failure);
  return (
    <div className={styles.problem} role="alert" data-testid={`device-problem-${device}`} data-failure={failure}>
      <p className={styles.problemTitle}>{title}</p>
      <p>{fix}</p>
      <p>You can still join: your {NOUN[device]} will be off.</p>
      <button type="button" className="secondary" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}

/** The short line shown inside the preview when the camera gave no picture. */
export function previewMessage(camera: boolean, failure: DeviceFailure | null, waitedLong: boolean): string {
  if (!camera) return 'Camera is off';
  if (failure) return explain('camera', failure).title;
  return waitedLong ? 'Waiting for your browser to allow the camera…' : 'Starting camera…';
}
