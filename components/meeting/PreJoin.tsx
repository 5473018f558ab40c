'use client';
import { RecordingNotice } from './Recording';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslations } from 'use-intl';
import { LIMITS } from '@/lib/text';
import {
  useAudioLevel,
  useDeviceLists,
  usePreviewTrack,
  type DeviceChoice,
  type RoomSummaryState,
} from '@/lib/client/use-devices';
import { DeviceProblem, PreviewMessage } from './DeviceProblem';
import { DevicePickers } from './DevicePickers';
import { TrackVideo } from './TrackVideo';
import styles from './meeting.module.css';

/** What the person chose before joining; carried into the meeting. */
export interface JoinSetup {
  mic: boolean;
  camera: boolean;
  devices: DeviceChoice;
}

export interface PreJoinProps {
  roomCode: string;
  summary: RoomSummaryState;
  /** The name to start with: the signed-in name, or the last one used here. */
  defaultName?: string;
  initialSetup: JoinSetup;
  /** Whether this person will knock (waiting room) rather than walk in. */
  askToJoin?: boolean;
  busy: boolean;
  error: string | null;
  onJoin: (displayName: string, setup: JoinSetup) => void;
}

export function PreJoin({
  roomCode,
  summary,
  defaultName = '',
  initialSetup,
  askToJoin,
  busy,
  error,
  onJoin,
}: PreJoinProps) {
  const t = useTranslations('prejoin');
  const tc = useTranslations('controls');
  const [name, setName] = useState(defaultName);
  const [mic, setMic] = useState(initialSetup.mic);
  const [camera, setCamera] = useState(initialSetup.camera);
  const [devices, setDevices] = useState(initialSetup.devices);
  // The remembered name arrives after hydration; don't overwrite what was typed.
  useEffect(() => setName((n) => n || defaultName), [defaultName]);
  useEffect(() => setDevices(initialSetup.devices), [initialSetup.devices]);

  // "Try again" asks the browser afresh for that one device.
  const [cameraAttempt, setCameraAttempt] = useState(0);
  const [micAttempt, setMicAttempt] = useState(0);
  const video = usePreviewTrack('camera', camera, devices.cameraId, cameraAttempt);
  const audio = usePreviewTrack('mic', mic, devices.micId, micAttempt);
  const level = useAudioLevel(audio.track);
  // Re-list once a device was granted: only then do the labels show.
  const lists = useDeviceLists(`${Boolean(video.track)}${Boolean(audio.track)}`);
  // A permission prompt left unanswered: say what the wait is for.
  const [waitedLong, setWaitedLong] = useState(false);
  const starting = camera && !video.track && !video.failure;
  useEffect(() => {
    setWaitedLong(false);
    if (!starting) return;
    const t = setTimeout(() => setWaitedLong(true), 3_000);
    return () => clearTimeout(t);
  }, [starting, cameraAttempt]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // A device that failed joins switched off: the meeting starts with what works.
    if (name.trim()) onJoin(name.trim(), { mic: mic && !audio.failure, camera: camera && !video.failure, devices });
  };
  const cameraFailed = Boolean(camera && video.failure);
  const micFailed = Boolean(mic && audio.failure);
  const headcount =
    summary.status === 'found'
      ? t('headcount', { count: summary.participantCount })
      : summary.status === 'loading'
        ? t('checking')
        : '';
  return (
    <main className={styles.prejoinWide} data-testid="prejoin">
      <section className={styles.previewColumn} aria-label={t('region')}>
        <div className={styles.preview}>
          {video.track ? (
            <TrackVideo track={video.track} mirrored label={t('preview')} testId="preview-video" />
          ) : (
            <p className={styles.previewOff} data-testid="preview-status">
              <PreviewMessage camera={camera} failure={video.failure} waitedLong={waitedLong} />
            </p>
          )}
          <div className={styles.previewToggles}>
            <button
              type="button"
              className={mic ? 'secondary' : styles.off}
              aria-pressed={!mic}
              onClick={() => setMic((v) => !v)}
              data-testid="prejoin-mic"
            >
              {mic ? tc('micOff') : tc('micOn')}
            </button>
            <button
              type="button"
              className={camera ? 'secondary' : styles.off}
              aria-pressed={!camera}
              onClick={() => setCamera((v) => !v)}
              data-testid="prejoin-camera"
            >
              {camera ? tc('cameraOff') : tc('cameraOn')}
            </button>
          </div>
        </div>
        <div
          className={styles.level}
          role="meter"
          aria-label={t('micLevel')}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(level * 100)}
          data-testid="mic-level"
        >
          <span style={{ transform: `scaleX(${level})` }} />
        </div>
        {camera && video.failure && (
          <DeviceProblem device="camera" failure={video.failure} onRetry={() => setCameraAttempt((n) => n + 1)} />
        )}
        {mic && audio.failure && (
          <DeviceProblem device="mic" failure={audio.failure} onRetry={() => setMicAttempt((n) => n + 1)} />
        )}
        <DevicePickers lists={lists} choice={devices} onChange={setDevices} />
      </section>
      <section className={styles.joinColumn} aria-labelledby="prejoin-heading">
        <h1 id="prejoin-heading">{summary.title ?? t('ready')}</h1>
        <p className={styles.code}>{roomCode}</p>
        <p data-testid="headcount" aria-live="polite">
          {headcount}
        </p>
        <RecordingNotice active={summary.status === 'found' && summary.recording} />
        <form onSubmit={submit} className={styles.form}>
          <label htmlFor="display-name">{t('yourName')}</label>
          <input
            id="display-name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={LIMITS.displayName}
            autoComplete="name"
            required
            autoFocus
          />
          <button type="submit" disabled={busy || !name.trim()}>
            {busy ? t('joining') : askToJoin ? t('askToJoin') : t('joinNow')}
          </button>
          {(cameraFailed || micFailed) && (
            <p className={styles.code} data-testid="join-without">
              {t('joinWithout', { devices: cameraFailed && micFailed ? 'both' : cameraFailed ? 'camera' : 'mic' })}
            </p>
          )}
        </form>
        {error && (
          <p role="alert" className={styles.error}>
            {error}
          </p>
        )}
      </section>
    </main>
  );
}
