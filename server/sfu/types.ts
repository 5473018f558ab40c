import type { types as ms } from 'mediasoup';
import type { MediaSourceName } from '../../lib/protocol/schemas';

export type { MediaSourceName };

export type TransportDirection = 'send' | 'recv';

/** Typed appData on every mediasoup object we create. */
export type TransportAppData = { participantId: string; direction: TransportDirection };
export type ProducerAppData = { participantId: string; source: MediaSourceName };
export type ConsumerAppData = { participantId: string; source: MediaSourceName; producerOwnerId: string };

export type Transport = ms.Transport<TransportAppData>;
export type WebRtcTransport = ms.WebRtcTransport<TransportAppData>;
export type PlainTransport = ms.PlainTransport<TransportAppData>;
export type Producer = ms.Producer<ProducerAppData>;
export type Consumer = ms.Consumer<ConsumerAppData>;
export type Router = ms.Router;

/** Minimal pino-compatible logger (pino's Logger satisfies it). */
export interface SfuLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: SfuLogger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** What a client needs to build its mediasoup-client transport. */
export interface TransportParams {
  id: string;
  iceParameters: ms.IceParameters;
  iceCandidates: ms.IceCandidate[];
  dtlsParameters: ms.DtlsParameters;
  sctpParameters?: ms.SctpParameters;
}

/** What a client needs to build its mediasoup-client consumer (created paused). */
export interface ConsumerParams {
  id: string;
  producerId: string;
  participantId: string;
  source: MediaSourceName;
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  type: ms.ConsumerType;
  producerPaused: boolean;
}

export interface ProducerInfo {
  producerId: string;
  participantId: string;
  source: MediaSourceName;
  kind: ms.MediaKind;
  paused: boolean;
}

export interface ProduceRequest {
  transportId: string;
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  source: MediaSourceName;
}

/** Why a producer closed; lets signaling word its notification. */
export type ProducerCloseReason =
  'closed-by-owner' | 'closed-by-host' | 'replaced' | 'participant-left' | 'transport-closed';

/** Events a RoomMedia emits; signaling forwards them to clients. */
export interface RoomMediaEvents {
  /** A producer exists and others may consume it. */
  'new-producer': {
    participantId: string;
    producerId: string;
    source: MediaSourceName;
    kind: ms.MediaKind;
    paused: boolean;
  };
  /** A producer was paused, by its owner or by a host mute. */
  'producer-paused': { participantId: string; producerId: string; source: MediaSourceName; by: 'owner' | 'host' };
  /** A producer was resumed by its owner. */
  'producer-resumed': { participantId: string; producerId: string; source: MediaSourceName };
  /** A producer closed; its consumers close too (each emits consumer-closed). */
  'producer-closed': {
    participantId: string;
    producerId: string;
    source: MediaSourceName;
    reason: ProducerCloseReason;
  };
  /** A consumer closed because its producer went away; `participantId` is the consumer's owner. */
  'consumer-closed': { participantId: string; consumerId: string; producerId: string };
  /** The loudest mic changed. */
  'active-speaker': { participantId: string };
  /**
   * The worker carrying this participant's receive transport (not the room's
   * home worker) died: its receive transport and consumers are gone, its
   * producers are intact. It must create a receive transport and consume again.
   */
  'receive-reset': { participantId: string };
  /** The router was replaced (its worker died): every client must re-create transports and producers. */
  'media-reset': { roomCode: string };
}
