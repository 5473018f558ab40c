/**
 * The typed event maps for Socket.IO, derived from the schemas. The server and
 * every client import these; docs/protocol.md says the same in prose.
 */
import type { z } from 'zod';
import type { Role } from '../permissions';
import type { Ack, ErrorBody } from './errors';
import * as S from './schemas';
import type { ChatMessage, ConsumerInfo, LeaveReason, ParticipantInfo, ProducerEvent, RoomJoined, TransportInfo } from './types';

/** Client→server events and the schema that parses each payload. */
export const clientEventSchemas = {
  'join-room': S.JoinRoom,
  'leave-room': S.LeaveRoom,
  'toggle-media': S.ToggleMedia,
  'send-message': S.SendMessage,
  typing: S.Typing,
  'kick-participant': S.KickParticipant,
  'get-router-capabilities': S.GetRouterCapabilities,
  'create-transport': S.CreateTransport,
  'connect-transport': S.ConnectTransport,
  produce: S.Produce,
  consume: S.Consume,
  'resume-consumer': S.ConsumerRef,
  'pause-consumer': S.ConsumerRef,
  'set-consumer-layers': S.SetConsumerLayers,
  'pause-producer': S.ProducerRef,
  'resume-producer': S.ProducerRef,
  'close-producer': S.ProducerRef,
  'restart-ice': S.RestartIce,
} as const;

export type ClientEventName = keyof typeof clientEventSchemas;

/** What each successful ack carries besides `ok: true`. */
export interface ClientEventResults {
  'join-room': RoomJoined | { pending: true };
  'leave-room': object;
  'toggle-media': object;
  'send-message': { id: string };
  typing: object;
  'kick-participant': object;
  'get-router-capabilities': { rtpCapabilities: unknown; iceServers: unknown[] };
  'create-transport': TransportInfo;
  'connect-transport': object;
  produce: { producerId: string };
  consume: ConsumerInfo;
  'resume-consumer': object;
  'pause-consumer': object;
  'set-consumer-layers': object;
  'pause-producer': object;
  'resume-producer': object;
  'close-producer': object;
  'restart-ice': { iceParameters: unknown };
}

export type ClientPayload<E extends ClientEventName> = z.input<(typeof clientEventSchemas)[E]>;
export type ParsedPayload<E extends ClientEventName> = z.output<(typeof clientEventSchemas)[E]>;
export type AckFn<E extends ClientEventName> = (res: Ack<ClientEventResults[E]>) => void;

export type ClientToServerEvents = {
  [E in ClientEventName]: (payload: ClientPayload<E>, ack?: AckFn<E>) => void;
};

export interface ServerToClientEvents {
  'room-joined': (data: RoomJoined) => void;
  'join-error': (error: ErrorBody) => void;
  'user-joined': (data: { participant: ParticipantInfo }) => void;
  'user-left': (data: { participantId: string; reason: LeaveReason }) => void;
  'media-toggled': (data: { participantId: string; kind: S.MediaKind; enabled: boolean }) => void;
  'new-message': (message: ChatMessage) => void;
  typing: (data: { participantId: string; active: boolean }) => void;
  'role-changed': (data: { participantId: string; role: Role }) => void;
  /** Sent to a removed participant just before the server closes its socket. */
  'force-disconnect': (data: { reason: string }) => void;
  /** The server is shutting down: reconnect (to any server of the deployment) after the delay. */
  'server-going-away': (data: { reconnectAfterMs: number }) => void;
  /** Another participant started sending; consume it with `consume { producerId }`. */
  'new-producer': (data: ProducerEvent) => void;
  'producer-paused': (data: ProducerEvent) => void;
  'producer-resumed': (data: ProducerEvent) => void;
  'producer-closed': (data: ProducerEvent) => void;
  /** One of your consumers closed because its producer went away. */
  'consumer-closed': (data: { consumerId: string; producerId: string }) => void;
  'active-speaker': (data: { participantId: string }) => void;
  /** The room's media server was replaced: re-create transports, producers and consumers. */
  'media-reset': (data: Record<string, never>) => void;
  /** Errors not tied to an ack (an event sent without one, an unknown event name). */
  error: (error: ErrorBody) => void;
}
