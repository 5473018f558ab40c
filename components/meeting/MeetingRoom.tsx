'use client';
import { useCallback, useMemo, type ReactNode } from 'react';
import type { MediaSnapshot } from '@/lib/client/media-types';
import type { ParticipantInfo } from '@/lib/protocol';
import { ParticipantTile } from './ParticipantTile';
import { ScreenStage } from './ScreenStage';
import { TrackAudio } from './TrackVideo';
import styles from './meeting.module.css';

export interface MeetingRoomProps {
  roomCode: string;
  selfId: string | null;
  participants: ParticipantInfo[];
  media: MediaSnapshot;
  reconnecting: boolean;
  /** The side panel (people, chat), or null when closed. */
  aside: ReactNode;
  /** The control bar. */
  controls: ReactNode;
  /** Toasts and reactions, floating over the room. */
  overlay: ReactNode;
  onCopyLink: () => void;
  linkCopied: boolean;
  onVideoVisible: (consumerId: string, visible: boolean) => void;
  onVideoWidth: (consumerId: string, width: number) => void;
}

/** The meeting: a screen stage when someone presents, a grid of tiles, a side panel and the controls. */
export function MeetingRoom(p: MeetingRoomProps) {
  const { media, selfId } = p;
  const localScreen = media.local.screen;
  const remoteScreen = useMemo(() => {
    for (const [participantId, sources] of Object.entries(media.remote)) if (sources.screen) return { participantId, track: sources.screen.track };
    return null;
  }, [media.remote]);
  const nameOf = (id: string) => p.participants.find((x) => x.participantId === id)?.displayName ?? 'Someone';
  const audio = Object.values(media.remote).flatMap((s) => [s.mic, s['screen-audio']]).filter((r) => r !== undefined);

  return (
    <div className={styles.room}>
      <header className={styles.header}>
        <span className={styles.code}>{p.roomCode}</span>
        <button type="button" className={`secondary ${styles.small}`} onClick={p.onCopyLink}>{p.linkCopied ? 'Link copied' : 'Copy link'}</button>
        {p.reconnecting && <span role="status" className={styles.banner} data-testid="reconnecting">Reconnecting…</span>}
        {media.status === 'recovering' && <span role="status" className={styles.banner}>Restoring media…</span>}
        {media.notice && <span role="alert" key={media.notice.at} className={styles.notice}>{media.notice.message}</span>}
      </header>
      <div className={styles.body}>
        <div className={styles.main}>
          {remoteScreen && (
            <ScreenStage track={remoteScreen.track} presenterId={remoteScreen.participantId} presenterName={nameOf(remoteScreen.participantId)} isSelf={false} />
          )}
          {!remoteScreen && localScreen && selfId && <ScreenStage track={localScreen.track} presenterId={selfId} presenterName={nameOf(selfId)} isSelf />}
          <section className={remoteScreen || localScreen ? styles.filmstrip : styles.grid} aria-label="Participants' video">
            {p.participants.map((person) => (
              <Tile key={person.participantId} person={person} isSelf={person.participantId === selfId} media={media} onVisible={p.onVideoVisible} onWidth={p.onVideoWidth} />
            ))}
          </section>
        </div>
        {p.aside && <aside className={styles.people} aria-label="Side panel">{p.aside}</aside>}
      </div>
      {p.overlay}
      {audio.map((a) => <TrackAudio key={a.consumerId} track={a.track} />)}
      {p.controls}
    </div>
  );
}

function Tile({ person, isSelf, media, onVisible, onWidth }: {
  person: ParticipantInfo;
  isSelf: boolean;
  media: MediaSnapshot;
  onVisible: MeetingRoomProps['onVideoVisible'];
  onWidth: MeetingRoomProps['onVideoWidth'];
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
      handRaised={person.handRaisedAt !== null}
      {...(consumerId && { onVisibilityChange: visible, onWidthChange: width })}
    />
  );
}
