'use client';
import { TrackVideo } from './TrackVideo';
import styles from './meeting.module.css';

export interface ScreenStageProps {
  track: MediaStreamTrack;
  presenterId: string;
  presenterName: string;
  isSelf: boolean;
}

/** The big area for a screen share. Our own share is shown too, so the presenter sees what others see. */
export function ScreenStage({ track, presenterId, presenterName, isSelf }: ScreenStageProps) {
  const caption = isSelf ? 'You are presenting' : `${presenterName} is presenting`;
  return (
    <section
      className={styles.stage}
      aria-label={caption}
      data-testid={isSelf ? 'local-screen-stage' : 'screen-stage'}
      data-presenter={presenterId}
    >
      <TrackVideo
        track={track}
        fit="contain"
        label={`${presenterName}'s screen`}
        testId={isSelf ? 'local-screen-video' : 'screen-video'}
      />
      <p className={styles.stageCaption}>{caption}</p>
    </section>
  );
}
