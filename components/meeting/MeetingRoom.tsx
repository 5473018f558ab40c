'use client';
import { LayoutGrid, SquareUserRound } from 'lucide-react';
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import { useTranslations } from 'use-intl';
import type { LayoutMode } from '@/lib/client/layout';
import { featuredParticipant } from '@/lib/client/featured';
import { TileActionsContext, type TileActions } from './tile-actions';
import type { MediaSnapshot } from '@/lib/client/media-types';
import type { ParticipantInfo } from '@/lib/protocol';
import type { SidePanel } from './ControlBar';
import { PresentingCard, ScreenStage } from './ScreenStage';
import { SideSheet } from './SideSheet';
import { MediaNoticeText } from './Toasts';
import { TrackAudio } from './TrackVideo';
import { VideoLayout } from './VideoLayout';
import styles from './meeting.module.css';

export interface MeetingRoomProps {
  roomCode: string;
  /** The meeting's title, if the host gave it one (else the code is the heading). */
  title: string | null;
  selfId: string | null;
  participants: ParticipantInfo[];
  media: MediaSnapshot;
  activeSpeaker: string | null;
  /** Who I pinned and who a host spotlit: either is shown large (lib/client/featured.ts). */
  pinnedId?: string | null;
  spotlightId?: string | null;
  /** Pin, spotlight and network quality on each tile. */
  tileActions?: TileActions;
  layout: LayoutMode;
  onLayout: (layout: LayoutMode) => void;
  /** Audio output device for remote audio (setSinkId), null = default. */
  speakerId: string | null;
  reconnecting: boolean;
  /** The open side panel, or null: closed by default, one at a time. */
  aside: { panel: SidePanel; title: string; content: ReactNode } | null;
  onClosePanel: () => void;
  onStopSharing: () => void;
  /** The control bar. */
  controls: ReactNode;
  /** Toasts, reactions and prompts, floating over the room. */
  overlay: ReactNode;
  /** Shown in the header for everyone: the recording indicator and, for hosts, its problems. */
  status?: ReactNode;
  onVideoVisible: (consumerId: string, visible: boolean) => void;
  onVideoWidth: (consumerId: string, width: number) => void;
}

/** The meeting: a screen stage with a filmstrip when someone presents, else the grid or speaker view; a side panel and the controls. */
export function MeetingRoom(p: MeetingRoomProps) {
  const { media, selfId } = p;
  const t = useTranslations('layout');
  const localScreen = media.local.screen;
  const remoteScreen = useMemo(() => {
    for (const [participantId, sources] of Object.entries(media.remote))
      if (sources.screen) return { participantId, track: sources.screen.track };
    return null;
  }, [media.remote]);
  const nameOf = (id: string) => p.participants.find((x) => x.participantId === id)?.displayName ?? t('someone');
  const audio = Object.values(media.remote)
    .flatMap((s) => [s.mic, s['screen-audio']])
    .filter((r) => r !== undefined);
  const presenting = Boolean(remoteScreen || localScreen);

  // The speaker view keeps showing the last *other* person who spoke while we talk.
  const lastSpeaker = useRef<string | null>(null);
  if (p.activeSpeaker && p.activeSpeaker !== selfId) lastSpeaker.current = p.activeSpeaker;
  if (lastSpeaker.current && !p.participants.some((x) => x.participantId === lastSpeaker.current))
    lastSpeaker.current = null;
  const speaker =
    lastSpeaker.current ?? p.participants.find((x) => x.participantId !== selfId)?.participantId ?? selfId;
  const featured = featuredParticipant({
    pinned: p.pinnedId ?? null,
    spotlight: p.spotlightId ?? null,
    speaker,
    present: p.participants.map((x) => x.participantId),
    layout: p.layout,
  });

  // Focus lands in the meeting when it opens (the pre-join's button is gone), so keyboard and screen reader users start here.
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), []);

  // When a panel closes, focus goes back to the button that opened it (or to More options on phones, where it lives).
  const openPanel = p.aside?.panel ?? null;
  const lastPanel = useRef<SidePanel | null>(null);
  useEffect(() => {
    const closed = lastPanel.current;
    lastPanel.current = openPanel;
    if (!closed || openPanel) return;
    const opener =
      document.querySelector<HTMLElement>(`[data-panel-opener="${closed}"]`) ??
      document.querySelector<HTMLElement>('[data-testid="more-options"]');
    opener?.focus();
  }, [openPanel]);

  return (
    <div className={styles.room}>
      <header className={styles.header}>
        <h1 ref={heading} tabIndex={-1} className={styles.title}>
          {p.title ?? p.roomCode}
        </h1>
        {p.status}
        {!presenting && (
          <div className={styles.layoutSwitch} role="group" aria-label={t('switch')}>
            {(['grid', 'speaker'] as const).map((mode) => (
              <button
                key={mode}
                type="button"
                className={styles.layoutButton}
                aria-pressed={p.layout === mode}
                aria-label={t(mode)}
                title={t(mode)}
                onClick={() => p.onLayout(mode)}
                data-testid={`layout-${mode}`}
              >
                {mode === 'grid' ? (
                  <LayoutGrid size={18} aria-hidden="true" />
                ) : (
                  <SquareUserRound size={18} aria-hidden="true" />
                )}
              </button>
            ))}
          </div>
        )}
        {p.reconnecting && (
          <span role="status" className={styles.banner} data-testid="reconnecting">
            {t('reconnecting')}
          </span>
        )}
        {media.status === 'recovering' && (
          <span role="status" className={styles.banner}>
            {t('restoring')}
          </span>
        )}
        {media.notice && (
          <span role="alert" key={media.notice.at} className={styles.notice}>
            <MediaNoticeText notice={media.notice} />
          </span>
        )}
      </header>
      <div className={styles.body}>
        <main className={styles.main}>
          {remoteScreen && (
            <ScreenStage
              track={remoteScreen.track}
              presenterId={remoteScreen.participantId}
              presenterName={nameOf(remoteScreen.participantId)}
            />
          )}
          {!remoteScreen && localScreen && selfId && <PresentingCard presenterId={selfId} onStop={p.onStopSharing} />}
          <TileActionsContext.Provider value={p.tileActions ?? null}>
            <VideoLayout
              mode={presenting ? 'filmstrip' : featured ? 'speaker' : p.layout}
              participants={p.participants}
              selfId={selfId}
              featuredId={featured?.participantId ?? null}
              activeSpeaker={p.activeSpeaker}
              media={media}
              onVideoVisible={p.onVideoVisible}
              onVideoWidth={p.onVideoWidth}
            />
          </TileActionsContext.Provider>
        </main>
        {p.aside && (
          <SideSheet panel={p.aside.panel} title={p.aside.title} onClose={p.onClosePanel}>
            {p.aside.content}
          </SideSheet>
        )}
      </div>
      {p.overlay}
      {audio.map((a) => (
        <TrackAudio key={a.consumerId} track={a.track} sinkId={p.speakerId} />
      ))}
      {p.controls}
    </div>
  );
}
