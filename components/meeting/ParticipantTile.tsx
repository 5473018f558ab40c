'use client';
import { AudioLines, Pin, PinOff, Signal, SignalLow, SignalMedium, Sparkles } from 'lucide-react';
import { useEffect, useId, useRef } from 'react';
import { useTranslations } from 'use-intl';
import { formatLoss, type LinkQuality } from '@/lib/client/network-quality';
import { TrackVideo } from './TrackVideo';
import { useTileActions } from './tile-actions';
import styles from './meeting.module.css';
import own from './tile.module.css';

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

  const t = useTranslations('tile');
  const label = isSelf ? t('you', { name }) : name;
  const showVideo = videoTrack && !videoOff;
  const actions = useTileActions();
  const pinned = actions?.pinnedId === participantId;
  const spotlit = actions?.spotlightId === participantId;
  const quality = actions?.quality(participantId, isSelf) ?? null;
  return (
    <figure
      ref={ref}
      className={styles.tile}
      data-testid={`tile-${participantId}`}
      data-speaking={speaking ? '' : undefined}
      data-pinned={pinned ? '' : undefined}
      data-spotlight={spotlit ? '' : undefined}
      // Focusable, so the filmstrip and grid can be walked with Tab; "speaking" is in the name, not only in the ring's colour.
      tabIndex={0}
      aria-label={speaking ? t('speaking', { label }) : label}
    >
      {(pinned || spotlit) && (
        <div className={own.marks}>
          {spotlit && (
            <span className={own.mark} data-testid="spotlight-mark">
              <Sparkles size={14} aria-hidden="true" /> {t('spotlight')}
            </span>
          )}
          {pinned && (
            <span className={own.mark} data-testid="pinned-mark">
              <Pin size={14} aria-hidden="true" /> {t('pinned')}
            </span>
          )}
        </div>
      )}
      {actions && (
        <div className={own.actions}>
          <button
            type="button"
            className={own.action}
            aria-pressed={pinned}
            aria-label={pinned ? t('unpinFor', { label }) : t('pinFor', { label })}
            title={pinned ? t('unpin') : t('pin')}
            data-testid="pin-button"
            onClick={() => actions.onPin(pinned ? null : participantId)}
          >
            {pinned ? <PinOff size={18} aria-hidden="true" /> : <Pin size={18} aria-hidden="true" />}
          </button>
          {actions.canSpotlight && (
            <button
              type="button"
              className={own.action}
              aria-pressed={spotlit}
              aria-label={spotlit ? t('unspotlightFor', { label }) : t('spotlightFor', { label })}
              title={spotlit ? t('unspotlight') : t('spotlightAll')}
              data-testid="spotlight-button"
              onClick={() => actions.onSpotlight(spotlit ? null : participantId)}
            >
              <Sparkles size={18} aria-hidden="true" />
            </button>
          )}
        </div>
      )}
      {showVideo ? (
        <TrackVideo
          track={videoTrack}
          mirrored={isSelf}
          label={t('camera', { label })}
          testId={isSelf ? 'local-video' : 'remote-video'}
        />
      ) : (
        <div className={styles.avatar} aria-hidden="true">
          {initials(name)}
        </div>
      )}
      <figcaption className={styles.caption}>
        {handRaised && (
          <span role="img" aria-label={t('handRaised')}>
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
          <span className={styles.badge} role="img" data-testid="muted-icon" aria-label={t('micOff')}>
            {t('micOffBadge')}
          </span>
        )}
        {quality && <QualityIndicator quality={quality} />}
      </figcaption>
    </figure>
  );
}

const ICONS = { good: Signal, fair: SignalMedium, poor: SignalLow } as const;

/** Bars coloured by level; hover or focus shows the figures (screen readers get them as its name). */
function QualityIndicator({ quality }: { quality: LinkQuality }) {
  const id = useId();
  const t = useTranslations('network');
  const args = { level: t(quality.level), loss: formatLoss(quality.lossPct) };
  const text = quality.rttMs === null ? t('unmeasured', args) : t('measured', { ...args, rtt: quality.rttMs });
  const Icon = ICONS[quality.level];
  return (
    <span
      className={own.quality}
      data-level={quality.level}
      data-testid="network-quality"
      role="img"
      aria-label={text}
      aria-describedby={id}
      tabIndex={0}
    >
      <Icon size={16} aria-hidden="true" />
      <span role="tooltip" id={id} className={own.tooltip}>
        {text}
      </span>
    </span>
  );
}
