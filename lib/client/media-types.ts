/** What a MediaSession exposes to the UI, and the encodings it sends with. */
import type { types } from 'mediasoup-client';
import type { ErrorBody, ErrorCode, MediaSourceName } from '../protocol';

/** One of our own sources that is being sent (or is muted). */
export interface LocalMedia {
  source: MediaSourceName;
  track: MediaStreamTrack;
  /** Null while (re)producing, e.g. during recovery. */
  producerId: string | null;
  /** Muted: the producer is paused at the SFU. */
  paused: boolean;
}

/** Another participant's source that we receive. */
export interface RemoteMedia {
  consumerId: string;
  producerId: string;
  participantId: string;
  source: MediaSourceName;
  kind: 'audio' | 'video';
  track: MediaStreamTrack;
  /** The sender muted it (or a host did): no media flows. */
  producerPaused: boolean;
  /** False when the UI said it is not shown: the SFU does not forward it. */
  visible: boolean;
}

export type MediaStatus =
  /** Waiting for room-joined. */
  | 'idle'
  /** Loading the device for the room's router. */
  | 'connecting'
  | 'ready'
  /** Re-creating transports, producers and consumers after a media reset or lost session. */
  | 'recovering'
  /** The server has no SFU, or it could not serve us. */
  | 'unavailable'
  | 'closed';

/** Why a device would not start, from the getUserMedia error's name. */
export type DeviceFailure = 'denied' | 'missing' | 'in-use' | 'other';

/** The browser's error names, sorted into what the person can do about them. */
export function deviceFailure(err: unknown): DeviceFailure {
  const name = (err as { name?: string } | null)?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'SecurityError':
      return 'denied';
    case 'NotFoundError':
    case 'OverconstrainedError':
      return 'missing';
    case 'NotReadableError':
    case 'AbortError':
      return 'in-use';
    default:
      return 'other';
  }
}

/** Something the user should hear about: a refused unmute, a blocked camera. */
export interface MediaNotice {
  code: ErrorCode | 'DEVICE_UNAVAILABLE';
  /** In English, for logs; the UI words the notice from `code`, `failure` and `source`. */
  message: string;
  source?: MediaSourceName;
  /** DEVICE_UNAVAILABLE: why the device would not start. */
  failure?: DeviceFailure;
  /** Distinguishes two identical notices in a row. */
  at: number;
}

export interface MediaSnapshot {
  status: MediaStatus;
  local: Readonly<Partial<Record<MediaSourceName, LocalMedia>>>;
  /** participantId → source → what we receive from them. */
  remote: Readonly<Record<string, Readonly<Partial<Record<MediaSourceName, RemoteMedia>>>>>;
  notice: MediaNotice | null;
}

export interface MediaConstraintsConfig {
  mic?: MediaTrackConstraints;
  camera?: MediaTrackConstraints;
  screen?: MediaTrackConstraints;
}

/** A refused request or failed media step, with the protocol's code. */
export class MediaSessionError extends Error {
  readonly code: MediaNotice['code'];
  constructor(code: MediaNotice['code'], message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MediaSessionError';
    this.code = code;
  }

  static from(error: ErrorBody): MediaSessionError {
    return new MediaSessionError(error.code, error.message);
  }
}

/**
 * Camera simulcast: three layers at 1/4, 1/2 and full resolution, so the SFU
 * can forward a thumbnail-sized layer to small tiles.
 */
export const CAMERA_ENCODINGS: types.RtpEncodingParameters[] = [
  { scaleResolutionDownBy: 4, maxBitrate: 150_000 },
  { scaleResolutionDownBy: 2, maxBitrate: 500_000 },
  { scaleResolutionDownBy: 1, maxBitrate: 1_200_000 },
];

/** Screen share: one layer, detail over motion. */
export const SCREEN_ENCODINGS: types.RtpEncodingParameters[] = [{ maxBitrate: 1_500_000 }];

export const DEFAULT_CONSTRAINTS: Required<MediaConstraintsConfig> = {
  mic: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
  camera: { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } },
  screen: { frameRate: { ideal: 15, max: 30 } },
};

/** The spatial layer that suits a tile this many CSS pixels wide. */
export function layerForWidth(width: number): number {
  if (width < 240) return 0;
  if (width < 560) return 1;
  return 2;
}
