'use client';
/**
 * Devices for the pre-join page and the settings dialog: the lists of mics,
 * cameras and speakers, the remembered choice, a live preview stream and a
 * mic level meter. Framework glue only; nothing here talks to the server.
 */
import { useEffect, useState } from 'react';
import { DEFAULT_CONSTRAINTS, deviceFailure, type DeviceFailure } from './media-types';

export { deviceFailure, type DeviceFailure };

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

export interface PreviewTrack {
  track: MediaStreamTrack | null;
  /** Set when the device would not start; cleared by a retry or by turning it off. */
  failure: DeviceFailure | null;
}

/**
 * A live track from one device while `enabled` (the camera light is off when it is not).
 * Re-captures when the device changes or `attempt` grows ("Try again"); stops the track on change and unmount.
 */
export function usePreviewTrack(
  kind: 'mic' | 'camera',
  enabled: boolean,
  deviceId: string | null,
  attempt = 0,
): PreviewTrack {
  const [state, setState] = useState<PreviewTrack>({ track: null, failure: null });
  useEffect(() => {
    setState({ track: null, failure: null });
    if (!enabled) return;
    let live = true;
    let track: MediaStreamTrack | null = null;
    const request =
      kind === 'mic' ? { audio: constraintsFor('mic', deviceId) } : { video: constraintsFor('camera', deviceId) };
    // Absent outside secure contexts: the same as having no such device.
    const md = navigator.mediaDevices as MediaDevices | undefined;
    if (!md?.getUserMedia) {
      setState({ track: null, failure: 'missing' });
      return;
    }
    md.getUserMedia(request).then(
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
  }, [kind, enabled, deviceId, attempt]);
  return state;
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
  /** This browser's identity is banned from the meeting (the server says so for the asker only). */
  banned: boolean;
  /** The meeting is being recorded: the pre-join page says so. */
  recording: boolean;
}

/** GET /api/rooms/:code, refreshed every few seconds so the headcount stays current on the pre-join page. */
export function useRoomSummary(roomCode: string, refreshMs = 5_000): RoomSummaryState {
  const [state, setState] = useState<RoomSummaryState>({
    status: 'loading',
    title: null,
    participantCount: 0,
    locked: false,
    askToJoin: false,
    banned: false,
    recording: false,
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
          banned?: boolean;
          recording?: boolean;
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
            banned: Boolean(body.banned),
            recording: Boolean(body.recording),
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
