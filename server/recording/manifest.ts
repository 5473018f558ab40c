/**
 * What a recording's directory holds, written as manifest.json when it stops:
 * enough to compose the meeting file again later, by hand or after a crash.
 */
import type { MediaSourceName } from '../../lib/protocol';

export interface TrackInfo {
  producerId: string;
  participantId: string;
  displayName: string;
  source: MediaSourceName;
  kind: 'audio' | 'video';
}

/** One ffmpeg process's share of a track (a track restarted after a crash has several). */
export interface RunManifest {
  run: number;
  /** Wall-clock ms of the first RTP packet, which ffmpeg stamps 0; null if none ever came. */
  t0: number | null;
  codec: string;
  /** Segment file names (`%05d` numbered), relative to the recording's directory. */
  pattern: string;
  /** ffmpeg's CSV list of finished segments (name, start, end in seconds). */
  list: string;
}

export interface RecordingManifest {
  id: string;
  meeting: string;
  startedAt: number;
  stoppedAt: number;
  by: string;
  tracks: Array<TrackInfo & { runs: RunManifest[] }>;
}
