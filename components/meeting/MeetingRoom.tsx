'use client';
import { useMemo, useRef, type ReactNode } from 'react';
import type { LayoutMode } from '@/lib/client/layout';
import type { MediaSnapshot } from '@/lib/client/media-types';
import type { ParticipantInfo } from '@/lib/protocol';
import { ScreenStage } from './ScreenStage';
import { TrackAudio } from './TrackVideo';
import { VideoLayout } from './VideoLayout';
import styles from './meeting.module.css';

export interface MeetingRoomProps {
  roomCode: string;
  selfId: string | null;
  participants: ParticipantInfo[];
  media: MediaSnapshot;
  activeSpeaker: string | null;
  layout: LayoutMode;
  onLayout: (layout: LayoutMode) => void;
  /** Audio output device for remote audio (setSinkId), null = default. */
  speakerId: string | null;
  reconnecting: boolean;
  /** The side panel (people, chat), or null when closed. */
  aside: ReactNode;
  /** The control bar. */
  controls: ReactNode;
  /** Toasts, reactions and prompts, floating over the room. */
  overlay: ReactNode;
  onCopyLink: () => void;
  /** Shown in the header for everyone: the recording indicator and, for hosts, its problems. */
  status?: ReactNode;
  linkCopied: boolean;
  onVideoVisible: (consumerId: string, visible: boolean) => void;
  onVideoWidth: (consumerId: string, width: number) => void;
}

/** The meeting: a screen stage with a filmstrip when someone presents, else the grid or speaker view; a side panel and the controls. */
export function MeetingRoom(p: MeetingRoomProps) {
  const { media, selfId } = p;
  const localScreen = media.local.screen;
  const remoteScreen = useMemo(() => {
    for (const [participantId, sources] of Object.entries(media.remote))
      if (sources.screen) return { participantId, track: sources.screen.track };
    return null;
  }, [media.remote]);
  const nameOf = (id: string) => p.participants.find((x) => x.participantId === id)?.displayName ?? 'Someone';
  const audio = Object.values(media.remote)
    .flatMap((s) => [s.mic, s['screen-audio']])
    .filter((r) => r !== undefined);
  const presenting = Boolean(remoteScreen || localScreen);

  // The speaker view keeps showing the last *other* person who spoke while we talk.
  const lastSpeaker = useRef<string | null>(null);
  if (p.activeSpeaker && p.activeSpeaker !== selfId) lastSpeaker.current = p.activeSpeaker;
  if (lastSpeaker.current && !p.participants.some((x) => x.participantId === lastSpeaker.current))
    lastSpeaker.current = null;
  const featured =
    lastSpeaker.current ?? p.participants.find((x) => x.participantId !== selfId)?.participantId ?? selfId;

  return (
    <div className={styles.room}>
      <header className={styles.header}>
        <span className={styles.code}>{p.roomCode}</span>
        {p.status}
        <button type="button" className={`secondary ${styles.small}`} onClick={p.onCopyLink}>
          {p.linkCopied ? 'Link copied' : 'Copy link'}
        </button>
        {!presenting && (
          <div className={styles.layoutSwitch} role="group" aria-label="Layout">
            {(['grid', 'speaker'] as const).map((mode) => (
              <button
                key={mode}
                type="button"
                className={`secondary ${styles.small}`}
                aria-pressed={p.layout === mode}
                onClick={() => p.onLayout(mode)}
                data-testid={`layout-${mode}`}
              >
                {mode === 'grid' ? 'Grid' : 'Speaker'}
              </button>
            ))}
          </div>
        )}
        {p.reconnecting && (
          <span role="status" className={styles.banner} data-testid="reconnecting">
            Reconnecting…
          </span>
        )}
        {media.status === 'recovering' && (
          <span role="status" className={styles.banner}>
            Restoring media…
          </span>
        )}
        {media.notice && (
          <span role="alert" key={media.notice.at} className={styles.notice}>
            {media.notice.message}
          </span>
        )}
      </header>
      <div className={styles.body}>
        <div className={styles.main}>
          {remoteScreen && (
            <ScreenStage
              track={remoteScreen.track}
              presenterId={remoteScreen.participantId}
              presenterName={nameOf(remoteScreen.participantId)}
              isSelf={false}
            />
          )}
          {!remoteScreen && localScreen && selfId && (
            <ScreenStage track={localScreen.track} presenterId={selfId} presenterName={nameOf(selfId)} isSelf />
          )}
          <VideoLayout
            mode={presenting ? 'filmstrip' : p.layout}
            participants={p.participants}
            selfId={selfId}
            featuredId={featured}
            activeSpeaker={p.activeSpeaker}
            media={media}
            onVideoVisible={p.onVideoVisible}
            onVideoWidth={p.onVideoWidth}
          />
        </div>
        {p.aside && (
          <aside className={styles.people} aria-label="Side panel">
            {p.aside}
          </aside>
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
