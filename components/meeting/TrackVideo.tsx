'use client';
import { useEffect, useRef, type RefObject } from 'react';
import styles from './meeting.module.css';

export interface TrackVideoProps {
  track: MediaStreamTrack;
  /** Mirror our own camera, as people expect from a mirror. */
  mirrored?: boolean;
  /** 'contain' for screens (nothing cropped), 'cover' for faces. */
  fit?: 'cover' | 'contain';
  label: string;
  testId?: string;
}

/** Plays `track` in the element while both exist. */
function usePlayTrack(ref: RefObject<HTMLMediaElement | null>, track: MediaStreamTrack): void {
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.srcObject = new MediaStream([track]);
    // Autoplay of muted video (and of audio after the user clicked Join) is allowed; a rejected play() only means the element went away.
    el.play().catch(() => undefined);
    return () => {
      el.srcObject = null;
    };
  }, [ref, track]);
}

/** A muted, autoplaying <video> showing one track. */
export function TrackVideo({ track, mirrored = false, fit = 'cover', label, testId }: TrackVideoProps) {
  const ref = useRef<HTMLVideoElement>(null);
  usePlayTrack(ref, track);
  return (
    <video
      ref={ref}
      className={styles.video}
      style={{ objectFit: fit, transform: mirrored ? 'scaleX(-1)' : undefined }}
      autoPlay
      playsInline
      muted
      aria-label={label}
      data-testid={testId}
    />
  );
}

/** Plays one remote audio track; renders nothing visible. */
export function TrackAudio({ track, sinkId = null }: { track: MediaStreamTrack; sinkId?: string | null }) {
  const ref = useRef<HTMLAudioElement>(null);
  useEffect(() => {
    // Where supported (Chromium, not every browser): the speaker picked in the pre-join page or settings.
    const el = ref.current as
      (Omit<HTMLAudioElement, 'setSinkId'> & { setSinkId?: (id: string) => Promise<void> }) | null;
    el?.setSinkId?.(sinkId ?? '').catch(() => undefined);
  }, [sinkId]);
  usePlayTrack(ref, track);
  return <audio ref={ref} autoPlay data-testid="remote-audio" />;
}
