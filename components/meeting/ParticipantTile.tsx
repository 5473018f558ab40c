'use client';
import { AudioLines } from 'lucide-react';
import { useEffect, useRef } from 'react';
import { TrackVideo } from './TrackVideo';
import styles from './meeting.module.css';

export interface ParticipantTileProps {
  participantId: string;
  name: string;
  isSelf: boolean;
  /** The camera track, if there is one; shown unless `videoOff`. */
  videoTrack: MediaStreamTrack | null;
  videoOff: boolean;
  micMuted: boolean;
  handRaised?: boolean;
  /** The active speaker: a ring around the tile. */
  speaking?: boolean;
  /** Reports whether the tile is on screen (hidden video is paused at the SFU). */
  onVisibilityChange?: (visible: boolean) => void;
  /** Reports the tile's width in CSS pixels (picks the simulcast layer). */
  onWidthChange?: (width: number) => void;
}

export function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts.at(-1)?.[0] ?? '') : '')).toUpperCase() || '?';
}

export function ParticipantTile(props: ParticipantTileProps) {
  const {
    participantId,
    name,
    isSelf,
    videoTrack,
    videoOff,
    micMuted,
    handRaised,
    speaking,
    onVisibilityChange,
    onWidthChange,
  } = props;
  const ref = useRef<HTMLElement>(null);

  useEffect(() => {
    const el = ref.current;
    if (!el || !onVisibilityChange) return;
    const io = new IntersectionObserver(([entry]) => entry && onVisibilityChange(entry.isIntersecting));
    io.observe(el);
    return () => io.disconnect();
  }, [onVisibilityChange]);

  useEffect(() => {
    const el = ref.current;
    if (!el || !onWidthChange) return;
    const ro = new ResizeObserver(([entry]) => entry && onWidthChange(entry.contentRect.width));
    ro.observe(el);
    return () => ro.disconnect();
  }, [onWidthChange]);

  const label = isSelf ? `${name} (you)` : name;
  const showVideo = videoTrack && !videoOff;
  return (
    <figure
      ref={ref}
      className={styles.tile}
      data-testid={`tile-${participantId}`}
      data-speaking={speaking ? '' : undefined}
      // Focusable, so the filmstrip and grid can be walked with Tab; "speaking" is in the name, not only in the ring's colour.
      tabIndex={0}
      aria-label={speaking ? `${label}, speaking` : label}
    >
      {showVideo ? (
        <TrackVideo
          track={videoTrack}
          mirrored={isSelf}
          label={`${label}'s camera`}
          testId={isSelf ? 'local-video' : 'remote-video'}
        />
      ) : (
        <div className={styles.avatar} aria-hidden="true">
          {initials(name)}
        </div>
      )}
      <figcaption className={styles.caption}>
        {handRaised && (
          <span role="img" aria-label="Hand raised">
            ✋
          </span>
        )}
        {speaking && (
          <span className={styles.speakingIcon} data-testid="speaking-icon" aria-hidden="true">
            <AudioLines size={16} />
          </span>
        )}
        <span className={styles.name}>{label}</span>
        {micMuted && (
          <span className={styles.badge} role="img" data-testid="muted-icon" aria-label="Microphone off">
            mic off
          </span>
        )}
      </figcaption>
    </figure>
  );
}
