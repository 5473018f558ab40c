/**
 * What a recording's directory holds, in manifest.json: enough to compose the
 * meeting file again later, by hand or after a crash. Rewritten while the
 * recording runs (`stoppedAt` null), so a node killed mid-way leaves one.
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
  /** Null while recording (and in what a killed node left behind). */
  stoppedAt: number | null;
  by: string;
  tracks: Array<TrackInfo & { runs: RunManifest[] }>;
}

/** A manifest once its recording has stopped (or a recovery has said when it did). */
export type StoppedManifest = RecordingManifest & { stoppedAt: number };

export const MANIFEST_FILE = 'manifest.json';

/** The track list a recording's record keeps. */
export const trackList = (m: RecordingManifest) =>
  m.tracks.map(({ participantId, displayName, source, kind }) => ({ participantId, displayName, source, kind }));
