'use client';
/**
 * Devices for the pre-join page and the settings dialog: the lists of mics,
 * cameras and speakers, the remembered choice, a live preview stream and a
 * mic level meter. Framework glue only; nothing here talks to the server.
 */
import { useEffect, useState } from 'react';
import { useTranslations } from 'use-intl';
import { DEFAULT_CONSTRAINTS } from './media-types';

export interface DeviceChoice {
  micId: string | null;
  cameraId: string | null;
  speakerId: string | null;
}

export interface DeviceLists {
  mics: MediaDeviceInfo[];
  cameras: MediaDeviceInfo[];
  speakers: MediaDeviceInfo[];
}

const CHOICE_KEY = 'convene:devices';
const NO_CHOICE: DeviceChoice = { micId: null, cameraId: null, speakerId: null };
const EMPTY: DeviceLists = { mics: [], cameras: [], speakers: [] };

export function loadDeviceChoice(): DeviceChoice {
  try {
    return { ...NO_CHOICE, ...(JSON.parse(localStorage.getItem(CHOICE_KEY) ?? '{}') as Partial<DeviceChoice>) };
  } catch {
    return NO_CHOICE;
  }
}

export function saveDeviceChoice(choice: DeviceChoice): void {
  localStorage.setItem(CHOICE_KEY, JSON.stringify(choice));
}

/** Whether the browser lets a page pick the audio output (Chromium yes, Safari/Firefox partly). */
export function canPickSpeaker(): boolean {
  return typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;
}

/**
 * The devices the browser offers. Labels are empty until the page was granted
 * a device once, so callers pass `refreshKey` (e.g. the preview stream) to re-list.
 */
export function useDeviceLists(refreshKey?: unknown): DeviceLists {
  const [lists, setLists] = useState<DeviceLists>(EMPTY);
  useEffect(() => {
    // Absent outside secure contexts (plain http on a LAN address), whatever lib.dom says.
    const md = navigator.mediaDevices as MediaDevices | undefined;
    if (!md?.enumerateDevices) return;
    let live = true;
    const refresh = () =>
      void md.enumerateDevices().then(
        (all) => {
          if (!live) return;
          const real = all.filter((d) => d.deviceId);
          setLists({
            mics: real.filter((d) => d.kind === 'audioinput'),
            cameras: real.filter((d) => d.kind === 'videoinput'),
            speakers: real.filter((d) => d.kind === 'audiooutput'),
          });
        },
        () => undefined,
      );
    refresh();
    md.addEventListener('devicechange', refresh);
    return () => {
      live = false;
      md.removeEventListener('devicechange', refresh);
    };
  }, [refreshKey]);
  return lists;
}

/** Capture constraints for one source on the chosen device (null = the browser's default). */
export function constraintsFor(kind: 'mic' | 'camera', deviceId: string | null): MediaTrackConstraints {
  const base = kind === 'mic' ? DEFAULT_CONSTRAINTS.mic : DEFAULT_CONSTRAINTS.camera;
  return deviceId ? { ...base, deviceId: { exact: deviceId } } : base;
}

/** Why a device could not be opened: denied by the user or browser, missing, busy elsewhere, or something else. */
export type DeviceFailure = 'denied' | 'missing' | 'inUse' | 'failed';

/** getUserMedia's DOMException names, as a DeviceFailure. */
export function deviceFailure(err: unknown): DeviceFailure {
  const name = (err as { name?: string } | null)?.name;
  if (name === 'NotAllowedError' || name === 'SecurityError') return 'denied';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'missing';
  if (name === 'NotReadableError' || name === 'AbortError') return 'inUse';
  return 'failed';
}

export interface PreviewTrack {
  track: MediaStreamTrack | null;
  /** Why the device did not open, in the page's language; null while it works or is off. */
  error: string | null;
  failure: DeviceFailure | null;
}

/**
 * A live track from one device while `enabled` (the camera light is off when it is not).
 * Re-captures when the device changes; stops the track on change and unmount.
 */
export function usePreviewTrack(kind: 'mic' | 'camera', enabled: boolean, deviceId: string | null): PreviewTrack {
  const t = useTranslations('devices');
  const [state, setState] = useState<{ track: MediaStreamTrack | null; failure: DeviceFailure | null }>({
    track: null,
    failure: null,
  });
  useEffect(() => {
    if (!enabled) {
      setState({ track: null, failure: null });
      return;
    }
    let live = true;
    let track: MediaStreamTrack | null = null;
    const request =
      kind === 'mic' ? { audio: constraintsFor('mic', deviceId) } : { video: constraintsFor('camera', deviceId) };
    navigator.mediaDevices.getUserMedia(request).then(
      (stream) => {
        track = stream.getTracks()[0] ?? null;
        if (live) setState({ track, failure: null });
        else track?.stop();
      },
      (err: unknown) => {
        if (live) setState({ track: null, failure: deviceFailure(err) });
      },
    );
    return () => {
      live = false;
      track?.stop();
    };
  }, [kind, enabled, deviceId]);
  // Worded at render, so a change of language re-words a failure already shown.
  return { ...state, error: state.failure && t(state.failure, { device: kind }) };
}

/** The loudness of an audio track, 0..1, updated every animation frame (WebAudio AnalyserNode). */
export function useAudioLevel(track: MediaStreamTrack | null): number {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    if (!track) {
      setLevel(0);
      return;
    }
    const ctx = new AudioContext();
    const source = ctx.createMediaStreamSource(new MediaStream([track]));
    const analyser = ctx.createAnalyser();
    analyser.fftSize = 512;
    source.connect(analyser);
    const samples = new Float32Array(analyser.fftSize);
    let frame = 0;
    const tick = () => {
      analyser.getFloatTimeDomainData(samples);
      let sum = 0;
      for (const v of samples) sum += v * v;
      // RMS to a meter-friendly scale: speech sits around 0.05–0.2 RMS.
      setLevel(Math.min(1, Math.sqrt(sum / samples.length) * 4));
      frame = requestAnimationFrame(tick);
    };
    // A context made without a user gesture may start suspended; the join click resumes it anyway.
    void ctx.resume().catch(() => undefined);
    tick();
    return () => {
      cancelAnimationFrame(frame);
      source.disconnect();
      void ctx.close();
    };
  }, [track]);
  return level;
}

export interface RoomSummaryState {
  status: 'loading' | 'found' | 'not-found' | 'error';
  title: string | null;
  participantCount: number;
  locked: boolean;
  /** The waiting room would hold this browser's person: the button says "Ask to join". */
  askToJoin: boolean;
}

/** GET /api/rooms/:code, refreshed every few seconds so the headcount stays current on the pre-join page. */
export function useRoomSummary(roomCode: string, refreshMs = 5_000): RoomSummaryState {
  const [state, setState] = useState<RoomSummaryState>({
    status: 'loading',
    title: null,
    participantCount: 0,
    locked: false,
    askToJoin: false,
  });
  useEffect(() => {
    let live = true;
    const load = async () => {
      try {
        const res = await fetch(`/api/rooms/${encodeURIComponent(roomCode)}`, { cache: 'no-store' });
        const body = (await res.json()) as {
          ok: boolean;
          exists?: boolean;
          title?: string | null;
          participantCount?: number;
          locked?: boolean;
          askToJoin?: boolean;
          error?: { code: string };
        };
        if (!live) return;
        if (body.ok && body.exists !== false)
          setState({
            status: 'found',
            title: body.title ?? null,
            participantCount: body.participantCount ?? 0,
            locked: Boolean(body.locked),
            askToJoin: Boolean(body.askToJoin),
          });
        else
          setState((s) => ({
            ...s,
            status: body.error?.code === 'ROOM_NOT_FOUND' || body.exists === false ? 'not-found' : 'error',
          }));
      } catch {
        if (live) setState((s) => ({ ...s, status: 'error' }));
      }
    };
    void load();
    const timer = setInterval(() => void load(), refreshMs);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [roomCode, refreshMs]);
  return state;
}
