/**
 * The typed event maps for Socket.IO, derived from the schemas. The server and
 * every client import these; docs/protocol.md says the same in prose.
 */
import type { z } from 'zod';
import type { Role } from '../permissions';
import type { Ack, ErrorBody } from './errors';
import * as S from './schemas';
import type {
  AudiencePage,
  BanInfo,
  ChatMessage,
  ChatPage,
  ConsumerInfo,
  LeaveReason,
  KnockRemovedReason,
  LobbyEntryInfo,
  LobbyStatus,
  ParticipantInfo,
  ProducerEvent,
  RoomInfo,
  RoomJoined,
  RoomJoinedAck,
  RouterInfo,
  RecordingState,
  RecordingProblem,
  RecordingStopReason,
  TransportInfo,
} from './types';

/** Client→server events and the schema that parses each payload. */
export const clientEventSchemas = {
  'join-room': S.JoinRoom,
  'leave-room': S.LeaveRoom,
  'toggle-media': S.ToggleMedia,
  'send-message': S.SendMessage,
  typing: S.Typing,
  'get-chat-history': S.GetChatHistory,
  'delete-message': S.DeleteMessage,
  'pin-message': S.PinMessage,
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
  'set-waiting-room': S.SetWaitingRoom,
  'set-ban-shield': S.SetBanShield,
  admit: S.Target,
  deny: S.Target,
  'admit-all': S.LeaveRoom,
  'lock-room': S.LockRoom,
  'mute-participant': S.MuteParticipant,
  'mute-all': S.MuteAll,
  'request-unmute': S.Target,
  'stop-screen-share': S.Target,
  'set-permissions': S.SetPermissions,
  unban: S.Unban,
  'get-bans': S.LeaveRoom,
  'set-role': S.SetRole,
  'transfer-host': S.Target,
  'get-successor': S.LeaveRoom,
  'end-meeting': S.LeaveRoom,
  'raise-hand': S.RaiseHand,
  'lower-hand': S.Target,
  'set-spotlight': S.SetSpotlight,
  react: S.React,
  'set-audience': S.SetAudience,
  'get-audience': S.GetAudience,
  promote: S.Target,
  demote: S.Target,
  'start-recording': S.StartRecording,
  'stop-recording': S.StopRecording,
} as const;

export type ClientEventName = keyof typeof clientEventSchemas;

/** What each successful ack carries besides `ok: true`. */
export interface ClientEventResults {
  /** The chat (history and pin) comes only in the room-joined event. */
  'join-room': RoomJoinedAck | ({ pending: true } & LobbyStatus);
  'leave-room': object;
  'toggle-media': object;
  'send-message': { id: string };
  typing: object;
  'get-chat-history': ChatPage;
  'delete-message': object;
  'pin-message': object;
  'kick-participant': object;
  'get-router-capabilities': RouterInfo;
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
  'set-waiting-room': object;
  'set-ban-shield': object;
  admit: object;
  deny: object;
  'admit-all': { admitted: number };
  'lock-room': object;
  'mute-participant': object;
  'mute-all': { muted: number };
  'request-unmute': object;
  'stop-screen-share': object;
  'set-permissions': object;
  unban: object;
  'get-bans': { bans: BanInfo[] };
  'set-role': object;
  'transfer-host': object;
  /** Who becomes host if the asking host leaves now; null: nobody (no co-host is here). */
  'get-successor': { successor: { participantId: string; displayName: string } | null };
  'end-meeting': object;
  'raise-hand': object;
  'lower-hand': object;
  'set-spotlight': object;
  react: object;
  'set-audience': object;
  'get-audience': AudiencePage;
  promote: object;
  demote: object;
  'start-recording': { recording: RecordingState };
  'stop-recording': { recording: RecordingState };
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
  /** A message was deleted (by its sender, or a host or co-host): drop it. To whoever could see it. */
  'message-deleted': (data: { messageId: string; by: string }) => void;
  /** The pinned message changed (`null`: unpinned). To everyone. */
  'message-pinned': (data: { message: ChatMessage | null; by: string }) => void;
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
  /**
   * The SFU worker carrying your receive transport died, not the room's own:
   * your receive transport and consumers are gone, your producers are intact.
   * Create a receive transport and consume `producers` again.
   */
  'receive-reset': (data: { producers: ProducerEvent[] }) => void;
  /** To a knocker, when its place changes or a host or co-host arrives or leaves. */
  'lobby-status': (data: LobbyStatus) => void;
  /** To a host or co-host when they join or become one: the whole queue, in knock order. */
  'lobby-updated': (data: { waiting: LobbyEntryInfo[] }) => void;
  /** To hosts and co-hosts: someone knocked (joins the end of the queue). */
  'knock-added': (data: { entry: LobbyEntryInfo }) => void;
  /** To hosts and co-hosts: these knocks left the queue. */
  'knock-removed': (data: { participantIds: string[]; reason: KnockRemovedReason }) => void;
  /** The room's settings changed (lock, waiting room, permissions). */
  'room-updated': (data: { room: RoomInfo }) => void;
  /** To the target of a host mute. */
  'you-were-muted': (data: { by: string; kind: 'audio' | 'video' }) => void;
  /** A host asks you to unmute; only you can. */
  'unmute-requested': (data: { by: string }) => void;
  /** To hosts and co-hosts after a ban or unban. */
  'bans-updated': (data: { bans: BanInfo[] }) => void;
  /** A host or co-host spotlit someone (shown large for everyone), or ended it (`null`). To everyone. */
  'spotlight-changed': (data: { participantId: string | null; by: string }) => void;
  'hand-raised': (data: { participantId: string; raisedAt: number | null }) => void;
  reaction: (data: { participantId: string; emoji: string }) => void;
  /** To the stage, at most every second or so: how many are in the audience now. */
  'audience-updated': (data: { count: number }) => void;
  /** The host ended the meeting for everyone; the server closes every socket next. */
  'meeting-ended': (data: { by: string }) => void;
  /** Recording started or stopped. To everyone in the meeting, the audience included. */
  'recording-state': (data: RecordingState & { reason?: RecordingStopReason }) => void;
  /** To hosts and co-hosts: the recorder hit a problem (disk full, recorder crash); the meeting goes on. */
  'recording-error': (data: { message: string; stopped: boolean; problem: RecordingProblem }) => void;
  /** Errors not tied to an ack (an event sent without one, an unknown event name). */
  error: (error: ErrorBody) => void;
}
