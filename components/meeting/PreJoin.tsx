'use client';
import { RecordingNotice } from './Recording';
import { useEffect, useState, type FormEvent } from 'react';
import { LIMITS } from '@/lib/text';
import {
  useAudioLevel,
  useDeviceLists,
  usePreviewTrack,
  type DeviceChoice,
  type RoomSummaryState,
} from '@/lib/client/use-devices';
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

function headcount(summary: RoomSummaryState): string {
  if (summary.status !== 'found') return summary.status === 'loading' ? 'Checking the meeting…' : '';
  const n = summary.participantCount;
  return n === 0 ? 'No one else is here' : n === 1 ? '1 person is in this meeting' : `${n} people are in this meeting`;
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
  const [name, setName] = useState(defaultName);
  const [mic, setMic] = useState(initialSetup.mic);
  const [camera, setCamera] = useState(initialSetup.camera);
  const [devices, setDevices] = useState(initialSetup.devices);
  // The remembered name arrives after hydration; don't overwrite what was typed.
  useEffect(() => setName((n) => n || defaultName), [defaultName]);
  useEffect(() => setDevices(initialSetup.devices), [initialSetup.devices]);

  const video = usePreviewTrack('camera', camera, devices.cameraId);
  const audio = usePreviewTrack('mic', mic, devices.micId);
  const level = useAudioLevel(audio.track);
  // Re-list once a device was granted: only then do the labels show.
  const lists = useDeviceLists(`${Boolean(video.track)}${Boolean(audio.track)}`);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) onJoin(name.trim(), { mic, camera, devices });
  };
  const deviceError = video.error ?? audio.error;
  return (
    <main className={styles.prejoinWide} data-testid="prejoin">
      <section className={styles.previewColumn} aria-label="Your camera and microphone">
        <div className={styles.preview}>
          {video.track ? (
            <TrackVideo track={video.track} mirrored label="Your camera preview" testId="preview-video" />
          ) : (
            <p className={styles.previewOff}>{camera ? 'Starting camera…' : 'Camera is off'}</p>
          )}
          <div className={styles.previewToggles}>
            <button
              type="button"
              className={mic ? 'secondary' : styles.off}
              aria-pressed={!mic}
              onClick={() => setMic((v) => !v)}
              data-testid="prejoin-mic"
            >
              {mic ? 'Turn off microphone' : 'Turn on microphone'}
            </button>
            <button
              type="button"
              className={camera ? 'secondary' : styles.off}
              aria-pressed={!camera}
              onClick={() => setCamera((v) => !v)}
              data-testid="prejoin-camera"
            >
              {camera ? 'Turn off camera' : 'Turn on camera'}
            </button>
          </div>
        </div>
        <div
          className={styles.level}
          role="meter"
          aria-label="Microphone level"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(level * 100)}
          data-testid="mic-level"
        >
          <span style={{ transform: `scaleX(${level})` }} />
        </div>
        {deviceError && (
          <p role="alert" className={styles.error}>
            {deviceError}
          </p>
        )}
        <DevicePickers lists={lists} choice={devices} onChange={setDevices} />
      </section>
      <section className={styles.joinColumn} aria-labelledby="prejoin-heading">
        <h1 id="prejoin-heading">{summary.title ?? 'Ready to join?'}</h1>
        <p className={styles.code}>{roomCode}</p>
        <p data-testid="headcount" aria-live="polite">
          {headcount(summary)}
        </p>
        <RecordingNotice active={summary.status === 'found' && summary.recording} />
        <form onSubmit={submit} className={styles.form}>
          <label htmlFor="display-name">Your name</label>
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
            {busy ? 'Joining…' : askToJoin ? 'Ask to join' : 'Join now'}
          </button>
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
