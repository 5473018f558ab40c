/**
 * What the store keeps. Records are plain JSON so memory and Redis hold the
 * same thing; only `Room` (server/rooms) decides what goes into them.
 */
import type { Role } from '../../lib/permissions';
import type {
  AudienceSettings,
  ChatMessage,
  ChatPage,
  MediaState,
  RoomPermissions,
  WaitingRoomMode,
} from '../../lib/protocol';
import type { ChatPageQuery } from './chat-page';

export interface MeetingRecord {
  code: string;
  title: string | null;
  createdAt: number;
  /** Identity key (`user:<id>` or `guest:<id>`) of whoever created the meeting. */
  creator: string;
  locked: boolean;
  waitingRoom: WaitingRoomMode;
  capacity: number;
  maxScreenShares: number;
  permissions: RoomPermissions;
  /**
   * Identity keys the creator named co-host: with the creator, the only ones
   * with lasting powers (they pass the lock and the waiting room, and are
   * moderators in every session). Co-hosts named by anyone else last one session.
   */
  cohosts: string[];
  bans: BanRecord[];
  /** After a ban, guest identities not in `knownGuests` must knock (hosts may switch it off). */
  banShield: boolean;
  /** Guest identity keys this meeting let in since its first ban, newest last, bounded: the shield holds only new ones. */
  knownGuests: string[];
  /**
   * The settings as the creator and creator-named co-hosts last left them. A
   * moderator without lasting powers changes only the live fields above, and
   * they return to these when the creator comes back or the session ends.
   */
  lasting: MeetingSettings;
  /** The waiting room's queue, in knock order. */
  lobby: LobbyRecord[];
  /** Who joins the audience; absent (records from before the audience): nobody. */
  audience?: AudienceSettings;
  /**
   * Identity keys a host or co-host promoted to the stage this session: in
   * `invited` mode they rejoin on the stage. Bounded; cleared with the session.
   */
  speakers?: string[];
  /** The participant a host or co-host spotlit this session; cleared when they leave the stage. */
  spotlight?: string | null;
  /** Set while the meeting is being recorded (Room owns it; server/recording does the recording). */
  recording?: LiveRecording | null;
}

/** A recording in progress, as the meeting record holds it. */
export interface LiveRecording {
  id: string;
  startedAt: number;
  /** Participant id and display name of the host or co-host who started it. */
  by: string;
  byName: string;
}

/**
 * A recording's metadata, kept (with RECORDINGS_TTL_DAYS) beyond the meeting's
 * session; its files stay on `node`'s disk under RECORDINGS_DIR.
 */
export interface RecordingRecord {
  id: string;
  meeting: string;
  startedAt: number;
  stoppedAt: number | null;
  by: string;
  durationSec: number;
  size: number;
  status: 'recording' | 'processing' | 'ready' | 'failed';
  tracks: Array<{ participantId: string; displayName: string; source: string; kind: 'audio' | 'video' }>;
  node: string;
  /** The composed file, relative to the recording's directory; null until ready. */
  file: string | null;
}

/** The settings a moderator changes during a meeting. */
export type MeetingSettings = Pick<
  MeetingRecord,
  'locked' | 'waitingRoom' | 'banShield' | 'permissions' | 'maxScreenShares' | 'audience'
>;

export interface BanRecord {
  identity: string;
  /** Opaque, stable id shown to hosts (a hash of the identity key). */
  identityId: string;
  displayName: string;
  isGuest: boolean;
  bannedAt: number;
}

export interface LobbyRecord {
  /** Becomes the participant id once admitted. */
  id: string;
  identity: string;
  isGuest: boolean;
  displayName: string;
  socketId: string;
  /** The node holding that socket: when it dies, the knock goes. */
  node: string;
  knockedAt: number;
  admitted: boolean;
}

export interface ParticipantRecord {
  id: string;
  identity: string;
  isGuest: boolean;
  displayName: string;
  role: Role;
  joinedAt: number;
  media: MediaState;
  handRaisedAt: number | null;
  /** The socket currently bound to this participant (may live on another process). */
  socketId: string;
  /** The node holding that socket: when it dies, the participant is treated as disconnected. */
  node: string;
  /** Set while the socket is gone: the participant is kept until this time (reconnect grace). */
  graceUntil: number | null;
  /** Bound into this participant's resume token; replaced on every (re)join, so a token works once. */
  resumeNonce: string;
}

/** Everything a store holds for one meeting: what a room's owner writes back whole after Redis was away. */
export interface RoomSnapshot {
  meeting: MeetingRecord;
  participants: ParticipantRecord[];
  /** Absent in snapshots from before the audience. */
  audience?: ParticipantRecord[];
  /** Oldest first. */
  chat: ChatMessage[];
  pinned: ChatMessage | null;
}

/**
 * Persistence for meetings, their live participants and chat history.
 * Both implementations pass test/store-contract.test.ts.
 */
export interface RoomStore {
  readonly kind: 'memory' | 'redis';
  /** Creates the meeting unless the code is taken; false when it is. */
  createMeeting(meeting: MeetingRecord, ttlMs: number): Promise<boolean>;
  getMeeting(code: string): Promise<MeetingRecord | null>;
  saveMeeting(meeting: MeetingRecord, ttlMs: number): Promise<void>;
  /** Pushes the meeting's expiry to now + ttl (activity keeps a link alive). */
  touchMeeting(code: string, ttlMs: number): Promise<void>;

  listParticipants(code: string): Promise<ParticipantRecord[]>;
  countParticipants(code: string): Promise<number>;
  getParticipant(code: string, id: string): Promise<ParticipantRecord | null>;
  putParticipant(code: string, participant: ParticipantRecord): Promise<void>;
  /** Removes and returns the participant, or null if it was already gone (so a leave is announced once). */
  removeParticipant(code: string, id: string): Promise<ParticipantRecord | null>;

  /**
   * The audience, kept apart from the participants above (the stage), so a
   * join, a leave or a broadcast never walks it: each call is O(1) or one
   * page. Audience records have role 'audience'.
   */
  putAudience(code: string, member: ParticipantRecord): Promise<void>;
  getAudience(code: string, id: string): Promise<ParticipantRecord | null>;
  /** Removes and returns the member, or null if already gone. */
  removeAudience(code: string, id: string): Promise<ParticipantRecord | null>;
  countAudience(code: string): Promise<number>;
  /** Up to `limit` members whose ids sort after `after`, in id order; with `hands`, only raised hands. */
  pageAudience(code: string, query: AudienceQuery): Promise<ParticipantRecord[]>;

  /** Appends a message and keeps only the newest `keep`. */
  appendChat(code: string, message: ChatMessage, keep: number): Promise<void>;
  /** The newest `limit` messages, oldest first. */
  recentChat(code: string, limit: number): Promise<ChatMessage[]>;
  /**
   * One page of history as `query.viewer` may see it (server/store/chat-page.ts
   * says exactly which); null when `query.before` is not there for the viewer.
   * Read in the store, so a page never costs more than reading that page.
   */
  chatPage(code: string, query: ChatPageQuery): Promise<ChatPage | null>;
  /** The message with this id still in the history, or null. */
  findChat(code: string, id: string): Promise<ChatMessage | null>;
  /**
   * Removes the message from the history, and from the pin if it is pinned, so
   * no copy of its text is kept. Returns whether there was anything to remove.
   */
  deleteChat(code: string, id: string): Promise<boolean>;
  getPinnedChat(code: string): Promise<ChatMessage | null>;
  /** Pins a copy of the message (replacing any other), or unpins with null. A meeting that is gone keeps no pin. */
  setPinnedChat(code: string, message: ChatMessage | null): Promise<void>;
  /** Writes a recording's metadata; it expires `ttlMs` from now. */
  putRecording(record: RecordingRecord, ttlMs: number): Promise<void>;
  /** The meeting's recordings that have not expired, oldest first. */
  listRecordings(code: string): Promise<RecordingRecord[]>;
  getRecording(code: string, id: string): Promise<RecordingRecord | null>;
  /** Returns whether there was one to delete. */
  deleteRecording(code: string, id: string): Promise<boolean>;

  /** Drops live state (participants, the audience, chat, the pin) but keeps the meeting itself valid. */
  clearLiveState(code: string): Promise<void>;

  /**
   * Runs `fn` while holding the room's lock, so read-modify-write sequences of
   * one room never interleave — across processes too, with Redis.
   */
  withRoomLock<T>(code: string, fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface AudienceQuery {
  after?: string | undefined;
  limit: number;
  hands?: boolean | undefined;
}
