/** Shapes the server sends. Snapshots only: clients never see live server objects. */
import type { Role } from '../permissions';
import type { AudienceMode, MediaKind, MediaSourceName, RoomPermissions, WaitingRoomMode } from './schemas';

export type MediaState = Record<MediaKind, boolean>;
/** `audience`: a host or co-host moved them from the stage to the audience (they are still watching). */
export type LeaveReason = 'left' | 'disconnected' | 'kicked' | 'audience';

export interface ParticipantInfo {
  participantId: string;
  displayName: string;
  role: Role;
  /** Identity, not role: whether this person joined signed in or as a guest. */
  isGuest: boolean;
  joinedAt: number;
  media: MediaState;
  handRaisedAt: number | null;
}

export interface ChatMessage {
  id: string;
  from: { participantId: string; displayName: string };
  text: string;
  sentAt: number;
  /** Set on private messages: the recipient's participantId. */
  to?: string;
}

export interface RoomInfo {
  title: string | null;
  locked: boolean;
  waitingRoom: WaitingRoomMode;
  permissions: RoomPermissions;
  capacity: number;
  maxScreenShares: number;
  /** The ban shield is on: once anyone is banned, guest identities new to this meeting must knock. */
  banShield: boolean;
  /** Who joins the audience (`off`: nobody) and, in `overflow` mode, how many the stage holds first. */
  audience: AudienceSettings;
}

export interface AudienceSettings {
  mode: AudienceMode;
  stageLimit: number;
}

/** One audience member, as hosts and co-hosts page through them (`get-audience`). */
export interface AudienceMemberInfo {
  participantId: string;
  displayName: string;
  isGuest: boolean;
  joinedAt: number;
  handRaisedAt: number | null;
}

/** A page of the audience, in id order. */
export interface AudiencePage {
  members: AudienceMemberInfo[];
  /** Everyone in the audience now. */
  count: number;
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

export interface SelfInfo {
  participantId: string;
  displayName: string;
  role: Role;
  /** Send back in `join-room` after a network blip to rejoin as the same participant. */
  resumeToken: string;
}

export interface RoomJoined {
  roomCode: string;
  self: SelfInfo;
  /** The stage: everyone but the audience (an audience member is not in it). */
  participants: ParticipantInfo[];
  /** How many are in the audience; then `audience-updated` to the stage. */
  audienceCount: number;
  /** The newest messages you may see, oldest first, up to CHAT_HISTORY_BYTES of JSON. */
  chat: ChatMessage[];
  /** Whether older messages than `chat` exist: page through them with `get-chat-history`. */
  chatHasMore: boolean;
  /** The message a host or co-host pinned, if any. */
  pinned: ChatMessage | null;
  room: RoomInfo;
  /** True when this join resumed an earlier session within the grace period. */
  resumed: boolean;
  /** Who a host or co-host spotlit (everyone shows them large), if anyone. */
  spotlight: string | null;
  /** Whether the meeting is being recorded now (then `recording-state` on every change). */
  recording: RecordingState;
  /** Whether this server can record at all (ffmpeg installed); the control is hidden otherwise. */
  recordingAvailable: boolean;
  /** Every producer in the room at join time (including your own after a resume); absent when media is off. */
  producers?: ProducerEvent[];
  /**
   * The room's router (what `get-router-capabilities` answers), so a client can
   * load its media device without another round trip; absent when media is off.
   */
  router?: RouterInfo;
  /**
   * What `join-room.media` asked the server to set up, created with the join so the client skips
   * those round trips: absent when not asked, on a resume, from a knock's admission, or when media is off.
   */
  media?: JoinedMedia;
}

/**
 * Media created with the join: the transports (`recv`, and `send` unless in the audience), as
 * `create-transport` answers them, and paused consumers (as `consume` answers them) of the producers
 * in `room-joined.producers` that could be consumed. Whatever is missing the client asks for as usual;
 * each consumer still waits for `resume-consumer`.
 */
export interface JoinedMedia {
  send?: TransportInfo;
  recv?: TransportInfo;
  consumers: ConsumerInfo[];
}

/** mediasoup-client `device.load({ routerRtpCapabilities })` input and the ICE servers for transports (opaque here). */
export interface RouterInfo {
  rtpCapabilities: unknown;
  iceServers: unknown[];
}

/** The join-room ack: room-joined without the chat, the router and the media, so a join carries them once. */
export type RoomJoinedAck = Omit<RoomJoined, 'chat' | 'chatHasMore' | 'pinned' | 'router' | 'media'>;

/** One page of older history (`get-chat-history`), oldest first. */
export interface ChatPage {
  messages: ChatMessage[];
  /** Whether messages older than these exist. */
  hasMore: boolean;
}

export interface LobbyEntryInfo {
  participantId: string;
  displayName: string;
  isGuest: boolean;
  knockedAt: number;
}

/** Why a knock left the waiting room (`knock-removed`). */
export type KnockRemovedReason = 'admitted' | 'denied' | 'left';

/** To a knocker: its place in the queue, and whether any host or co-host is in the meeting to let it in. */
export interface LobbyStatus {
  /** 1 = next in line. */
  position: number;
  /** No host or co-host is in the meeting: nobody can let you in until one arrives. */
  noModerator: boolean;
}

export interface BanInfo {
  /** Opaque id of the banned identity (use it with `unban`). */
  identityId: string;
  displayName: string;
  isGuest: boolean;
  bannedAt: number;
}

export interface ProducerEvent {
  participantId: string;
  producerId: string;
  source: MediaSourceName;
  paused?: boolean;
  /** On producer-paused: whether the owner paused it or a host muted it. */
  by?: 'owner' | 'host';
}

/** mediasoup-client `device.createSendTransport/createRecvTransport` options (opaque here). */
export interface TransportInfo {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
  sctpParameters?: unknown;
}

/** mediasoup-client `transport.consume` options plus who and what it is. */
export interface ConsumerInfo {
  id: string;
  producerId: string;
  participantId: string;
  source: MediaSourceName;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
  type: string;
  producerPaused: boolean;
}

/** Public facts from GET /api/rooms/:code. */
export interface RoomSummary {
  exists: boolean;
  code: string;
  title: string | null;
  locked: boolean;
  participantCount: number;
  /** Whether the waiting room would hold the person asking (so the pre-join says "Ask to join"). */
  askToJoin: boolean;
  /** Whether the person asking is banned from this meeting (their own ban only; nobody learns anyone else's). */
  banned: boolean;
  /** The meeting is being recorded now (the pre-join page says so). */
  recording: boolean;
}

/** `recording-state`, to everyone in the meeting (the audience too), and in `room-joined`. */
export interface RecordingState {
  active: boolean;
  /** When it started (ms since the epoch); null when not recording. */
  startedAt: number | null;
  /** The participant id of the host or co-host who started it; null when not recording. */
  by: string | null;
}

/**
 * What went wrong with the recorder (`recording-error.problem`): the client
 * words it in the reader's language; `message` says the same in English.
 */
export type RecordingProblem =
  | { kind: 'track-restarted'; displayName: string; source: MediaSourceName }
  | { kind: 'compose-failed' }
  | { kind: 'disk-full' }
  /** The meeting's media moved to another server; the recording goes on there, in a new file. */
  | { kind: 'moved' }
  /** The meeting's media moved to a server that cannot record: the recording stopped. */
  | { kind: 'moved-cannot-record' };

/** Why a recording stopped (`recording-state.reason` when `active` turns false). */
export type RecordingStopReason = 'stopped' | 'meeting-ended' | 'no-moderator' | 'error';

/** One recording, as `GET /api/rooms/:code/recordings` lists it to the meeting's creator and co-hosts. */
export interface RecordingInfo {
  id: string;
  meeting: string;
  startedAt: number;
  stoppedAt: number | null;
  /** Display name of whoever started it. */
  by: string;
  /** Seconds of meeting recorded. */
  durationSec: number;
  /** Bytes of the composed file (0 until it is ready). */
  size: number;
  /** `recording` → `processing` (composing) → `ready`, or `failed`. */
  status: 'recording' | 'processing' | 'ready' | 'failed';
  /** The per-track files kept beside the composed one. */
  tracks: Array<{ participantId: string; displayName: string; source: string; kind: 'audio' | 'video' }>;
  /** The node whose disk holds the files. */
  node: string;
  /** Download URL of the composed file (HTTP Range supported); null until ready. */
  url: string | null;
}
