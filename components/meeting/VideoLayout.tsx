'use client';
import { useCallback, useEffect, useState } from 'react';
import { useTranslations } from 'use-intl';
import { gridShape, paginate, tilesPerPage, type LayoutMode } from '@/lib/client/layout';
import type { MediaSnapshot } from '@/lib/client/media-types';
import type { ParticipantInfo } from '@/lib/protocol';
import { ParticipantTile } from './ParticipantTile';
import styles from './meeting.module.css';

export interface VideoLayoutProps {
  /** 'filmstrip' while a screen is on stage. */
  mode: LayoutMode | 'filmstrip';
  participants: ParticipantInfo[];
  selfId: string | null;
  /** Who the speaker view puts on its stage. */
  featuredId: string | null;
  activeSpeaker: string | null;
  media: MediaSnapshot;
  onVideoVisible: (consumerId: string, visible: boolean) => void;
  onVideoWidth: (consumerId: string, width: number) => void;
}

const GAP = 12;

/**
 * The size of whichever element the callback ref is on now. Each layout
 * renders its own root, so the observer must follow the element: observing a
 * ref object once kept measuring the filmstrip after a share stopped, and the
 * grid stayed at the filmstrip's size.
 */
function useSize(): [(el: HTMLElement | null) => void, { width: number; height: number }] {
  const [el, setEl] = useState<HTMLElement | null>(null);
  const [size, setSize] = useState({ width: 0, height: 0 });
  useEffect(() => {
    if (!el) return;
    const ro = new ResizeObserver(
      ([e]) => e && setSize({ width: Math.floor(e.contentRect.width), height: Math.floor(e.contentRect.height) }),
    );
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  return [setEl, size];
}

/**
 * The tiles in one of three arrangements: an adaptive grid (up to 25 a page,
 * Prev/Next beyond), the speaker view (active speaker large, the rest in a
 * filmstrip), or a filmstrip under a screen share. Video of people on other
 * pages is paused at the SFU, not just hidden.
 */
export function VideoLayout(p: VideoLayoutProps) {
  const [areaRef, area] = useSize();
  const t = useTranslations('layout');
  const [page, setPage] = useState(0);

  const perPage = tilesPerPage(area.width, area.height - 40, GAP);
  const paged = paginate(p.participants, page, perPage);
  const featured = p.participants.find((x) => x.participantId === p.featuredId) ?? null;

  const shown = p.mode === 'grid' ? paged.items : p.participants;
  const shownIds = new Set(shown.map((x) => x.participantId));

  // Tiles that are not rendered cannot report themselves hidden: do it for them.
  const { media, onVideoVisible } = p;
  const hiddenKey = Object.entries(media.remote)
    .filter(([pid, s]) => s.camera && !shownIds.has(pid))
    .map(([, s]) => s.camera!.consumerId)
    .join(',');
  useEffect(() => {
    for (const id of hiddenKey.split(',').filter(Boolean)) onVideoVisible(id, false);
  }, [hiddenKey, onVideoVisible]);

  const tile = (person: ParticipantInfo) => (
    <Tile
      key={person.participantId}
      person={person}
      isSelf={person.participantId === p.selfId}
      speaking={person.participantId === p.activeSpeaker}
      media={media}
      onVisible={onVideoVisible}
      onWidth={p.onVideoWidth}
    />
  );

  if (p.mode === 'filmstrip') {
    return (
      <section ref={areaRef} className={styles.filmstrip} aria-label={t('videos')} data-layout="filmstrip">
        {p.participants.map((x) => tile(x))}
      </section>
    );
  }

  if (p.mode === 'speaker' && featured) {
    const others = p.participants.filter((x) => x !== featured);
    return (
      <div ref={areaRef} className={styles.speakerView} data-layout="speaker">
        <section className={styles.speakerStage} aria-label={t('activeSpeaker')}>
          {tile(featured)}
        </section>
        {others.length > 0 && (
          <section className={styles.filmstrip} aria-label={t('videos')}>
            {others.map((x) => tile(x))}
          </section>
        )}
      </div>
    );
  }

  const shape = gridShape(paged.items.length, area.width, area.height - (paged.pages > 1 ? 40 : 0), GAP);
  return (
    <div ref={areaRef} className={styles.gridArea} data-layout="grid">
      <section
        className={styles.grid}
        aria-label={t('videos')}
        style={area.width > 0 ? { gridTemplateColumns: `repeat(${shape.cols}, ${shape.tileWidth}px)` } : undefined}
      >
        {paged.items.map((x) => tile(x))}
      </section>
      {paged.pages > 1 && (
        <nav className={styles.pager} aria-label={t('pages')}>
          <button
            type="button"
            className={`secondary ${styles.small}`}
            disabled={paged.page === 0}
            onClick={() => setPage(paged.page - 1)}
          >
            {t('prev')}
          </button>
          <span aria-live="polite">{t('page', { page: paged.page + 1, pages: paged.pages })}</span>
          <button
            type="button"
            className={`secondary ${styles.small}`}
            disabled={paged.page === paged.pages - 1}
            onClick={() => setPage(paged.page + 1)}
          >
            {t('next')}
          </button>
        </nav>
      )}
    </div>
  );
}

function Tile({
  person,
  isSelf,
  speaking,
  media,
  onVisible,
  onWidth,
}: {
  person: ParticipantInfo;
  isSelf: boolean;
  speaking: boolean;
  media: MediaSnapshot;
  onVisible: VideoLayoutProps['onVideoVisible'];
  onWidth: VideoLayoutProps['onVideoWidth'];
}) {
  const remote = isSelf ? undefined : media.remote[person.participantId];
  const camera = isSelf ? media.local.camera : remote?.camera;
  const consumerId = remote?.camera?.consumerId;
  const visible = useCallback((v: boolean) => consumerId && onVisible(consumerId, v), [consumerId, onVisible]);
  const width = useCallback((w: number) => consumerId && onWidth(consumerId, w), [consumerId, onWidth]);
  const videoOff = isSelf ? Boolean(media.local.camera?.paused) : Boolean(remote?.camera?.producerPaused);
  const micMuted = isSelf ? !media.local.mic || media.local.mic.paused : !person.media.audio;
  return (
    <ParticipantTile
      participantId={person.participantId}
      name={person.displayName}
      isSelf={isSelf}
      videoTrack={camera?.track ?? null}
      videoOff={videoOff}
      micMuted={micMuted}
      // A muted mic is never "speaking", whatever the last audio level said.
      speaking={speaking && !micMuted}
      handRaised={person.handRaisedAt !== null}
      {...(consumerId && { onVisibilityChange: visible, onWidthChange: width })}
    />
  );
}
