/**
 * Everything the meeting UI shows about the room besides media: people, hands,
 * settings, the lobby, chat, typing and toasts. A pure reducer over server
 * events, so the hook stays thin and the rules are testable without a browser.
 */
import type { Role } from '../permissions';
import type {
  AudienceMemberInfo,
  ErrorBody,
  BanInfo,
  ChatMessage,
  LeaveReason,
  LobbyEntryInfo,
  MediaKind,
  ParticipantInfo,
  RoomInfo,
  RoomJoined,
  SelfInfo,
  RecordingProblem,
  RecordingState,
} from '../protocol';
import { applyParticipantEvent } from './participants';

/**
 * What a toast says, as data: the UI words it in the reader's language
 * (useToastText). `name` null: someone no longer in the list.
 */
export type ToastMessage =
  | { key: 'joined' | 'left' | 'removed' | 'movedToAudience'; name: string | null }
  | { key: 'roleSelf'; role: Role }
  | { key: 'roleOther'; name: string | null; role: Role }
  | { key: 'mutedByHost' | 'cameraOffByHost' | 'onStage' | 'toAudience' }
  /** A refusal of something we asked for; the server's English `message` stays for logs. */
  | { key: 'error'; error: ErrorBody };

export interface Toast {
  id: number;
  message: ToastMessage;
  /** `alert`: the answer to something we did (a refusal, a host's mute), shown even when notices are muted. */
  kind: 'notice' | 'alert';
}

export interface Reaction {
  id: number;
  participantId: string;
  emoji: string;
}

export interface RoomState {
  self: SelfInfo | null;
  participants: ParticipantInfo[];
  room: RoomInfo | null;
  chat: ChatMessage[];
  /** Whether the server holds older messages than `chat` (load them with get-chat-history). */
  chatHasMore: boolean;
  /** The message a host or co-host pinned. */
  pinned: ChatMessage | null;
  /** participantIds currently typing (never ourselves). */
  typing: string[];
  /** Hosts and co-hosts: who is knocking, in knock order. */
  lobby: LobbyEntryInfo[];
  /** While we knock: our place in the queue (1 = next). */
  lobbyPosition: number | null;
  /** While we knock: no host or co-host is in the meeting to let us in yet. */
  lobbyNoModerator: boolean;
  toasts: Toast[];
  reactions: Reaction[];
  /** The loudest participant lately (`active-speaker`), for the speaker view and the ring. */
  activeSpeaker: string | null;
  /** Hosts and co-hosts: who is banned (from get-bans and bans-updated). */
  bans: BanInfo[];
  /** A host asked us to unmute (only we can): who asked, until answered or dismissed. */
  unmuteRequestBy: string | null;
  /** How many watch from the audience (room-joined, then audience-updated). */
  audienceCount: number;
  /** Hosts and co-hosts: the audience's raised hands (get-audience { hands: true }), earliest first. */
  audienceHands: AudienceMemberInfo[];
  /** Our own raised hand while we are in the audience (we are not in `participants` then). */
  selfHandRaisedAt: number | null;
  /** Who a host or co-host spotlit: shown large for everyone (room-joined, then spotlight-changed). */
  spotlight: string | null;
  /** Whether the meeting is being recorded (everyone sees it), and whether this server can record at all. */
  recording: RecordingState;
  recordingAvailable: boolean;
  /** For hosts and co-hosts: the recorder's last problem, until dismissed. */
  recordingError: RecordingProblem | null;
}

export const INITIAL_ROOM_STATE: RoomState = {
  self: null,
  participants: [],
  room: null,
  chat: [],
  chatHasMore: false,
  pinned: null,
  typing: [],
  lobby: [],
  lobbyPosition: null,
  lobbyNoModerator: false,
  toasts: [],
  recording: { active: false, startedAt: null, by: null },
  recordingAvailable: false,
  recordingError: null,
  reactions: [],
  activeSpeaker: null,
  bans: [],
  unmuteRequestBy: null,
  audienceCount: 0,
  audienceHands: [],
  selfHandRaisedAt: null,
  spotlight: null,
};

export type RoomAction =
  | { type: 'joined'; data: RoomJoined }
  | { type: 'user-joined'; participant: ParticipantInfo }
  | { type: 'user-left'; participantId: string; reason: LeaveReason }
  | { type: 'media'; participantId: string; kind: MediaKind; enabled: boolean }
  | { type: 'role'; participantId: string; role: Role }
  | { type: 'hand'; participantId: string; raisedAt: number | null }
  | { type: 'message'; message: ChatMessage }
  | { type: 'older-messages'; messages: ChatMessage[]; hasMore: boolean }
  | { type: 'message-deleted'; messageId: string }
  | { type: 'pinned'; message: ChatMessage | null }
  | { type: 'typing'; participantId: string; active: boolean }
  | { type: 'room'; room: RoomInfo }
  | { type: 'lobby'; waiting: LobbyEntryInfo[] }
  | { type: 'knock-added'; entry: LobbyEntryInfo }
  | { type: 'knock-removed'; participantIds: string[] }
  | { type: 'lobby-position'; position: number; noModerator: boolean }
  | { type: 'reaction'; participantId: string; emoji: string }
  | { type: 'toast'; message: ToastMessage }
  | { type: 'active-speaker'; participantId: string }
  | { type: 'spotlight'; participantId: string | null }
  | { type: 'bans'; bans: BanInfo[] }
  | { type: 'audience-count'; count: number }
  | { type: 'audience-hands'; members: AudienceMemberInfo[] }
  | { type: 'unmute-requested'; by: string }
  | { type: 'dismiss-unmute-request' }
  | { type: 'expire-toast'; id: number }
  | { type: 'expire-reaction'; id: number }
  | { type: 'recording'; state: RecordingState }
  | { type: 'recording-error'; problem: RecordingProblem | null }
  | { type: 'reset' };

let seq = 0;
const CHAT_KEEP = 500;
function nameIn(s: RoomState, id: string): string | null {
  return s.participants.find((p) => p.participantId === id)?.displayName ?? null;
}

function withToast(s: RoomState, message: ToastMessage, kind: Toast['kind'] = 'notice'): RoomState {
  // A host mute arrives as both you-were-muted and producer-paused: say it once.
  const said = JSON.stringify(message);
  if (s.toasts.some((t) => JSON.stringify(t.message) === said)) return s;
  return { ...s, toasts: [...s.toasts.slice(-4), { id: ++seq, message, kind }] };
}

export function roomReducer(s: RoomState, a: RoomAction): RoomState {
  switch (a.type) {
    case 'joined':
      return {
        ...s,
        self: a.data.self,
        participants: a.data.participants,
        chat: a.data.chat,
        chatHasMore: a.data.chatHasMore,
        pinned: a.data.pinned,
        room: a.data.room,
        spotlight: a.data.spotlight,
        lobbyPosition: null,
        typing: [],
        audienceCount: a.data.audienceCount,
        audienceHands: [],
        selfHandRaisedAt: null,
        recording: a.data.recording,
        recordingAvailable: a.data.recordingAvailable,
      };
    case 'user-joined':
      return withToast(
        { ...s, participants: applyParticipantEvent(s.participants, { type: 'joined', participant: a.participant }) },
        { key: 'joined', name: a.participant.displayName },
      );
    case 'user-left': {
      const name = nameIn(s, a.participantId);
      const next = {
        ...s,
        participants: applyParticipantEvent(s.participants, { type: 'left', participantId: a.participantId }),
        typing: s.typing.filter((t) => t !== a.participantId),
        activeSpeaker: s.activeSpeaker === a.participantId ? null : s.activeSpeaker,
        // The server ends the spotlight of someone who left the stage, and says so only with this user-left.
        spotlight: s.spotlight === a.participantId ? null : s.spotlight,
      };
      const why = { kicked: 'removed', audience: 'movedToAudience', left: 'left', disconnected: 'left' } as const;
      return withToast(next, { key: why[a.reason], name });
    }
    case 'media':
      return {
        ...s,
        participants: applyParticipantEvent(s.participants, {
          type: 'media',
          participantId: a.participantId,
          kind: a.kind,
          enabled: a.enabled,
        }),
      };
    case 'role': {
      const isSelf = a.participantId === s.self?.participantId;
      if (isSelf && s.self && (a.role === 'audience') !== (s.self.role === 'audience'))
        return stageMove(s, s.self, a.role);
      const next: RoomState = {
        ...s,
        participants: applyParticipantEvent(s.participants, {
          type: 'role',
          participantId: a.participantId,
          role: a.role,
        }),
        self: isSelf && s.self ? { ...s.self, role: a.role } : s.self,
        // A former moderator no longer gets lobby updates: don't show a stale queue.
        lobby: isSelf && a.role === 'participant' ? [] : s.lobby,
      };
      return withToast(
        next,
        isSelf
          ? { key: 'roleSelf', role: a.role }
          : { key: 'roleOther', name: nameIn(s, a.participantId), role: a.role },
      );
    }
    case 'hand':
      return {
        ...s,
        selfHandRaisedAt:
          a.participantId === s.self?.participantId && s.self.role === 'audience' ? a.raisedAt : s.selfHandRaisedAt,
        audienceHands:
          a.raisedAt === null ? s.audienceHands.filter((m) => m.participantId !== a.participantId) : s.audienceHands,
        participants: s.participants.map((p) =>
          p.participantId === a.participantId ? { ...p, handRaisedAt: a.raisedAt } : p,
        ),
      };
    case 'message':
      return {
        ...s,
        chat: [...s.chat.slice(-(CHAT_KEEP - 1)), a.message],
        // What falls off the front here can be paged back in.
        chatHasMore: s.chatHasMore || s.chat.length >= CHAT_KEEP,
        typing: s.typing.filter((t) => t !== a.message.from.participantId),
      };
    case 'older-messages': {
      // A page may overlap what we hold (a message arrived while it was fetched): keep one of each.
      const held = new Set(s.chat.map((m) => m.id));
      return { ...s, chat: [...a.messages.filter((m) => !held.has(m.id)), ...s.chat], chatHasMore: a.hasMore };
    }
    case 'message-deleted':
      return {
        ...s,
        chat: s.chat.filter((m) => m.id !== a.messageId),
        pinned: s.pinned?.id === a.messageId ? null : s.pinned,
      };
    case 'pinned':
      return { ...s, pinned: a.message };
    case 'typing': {
      const without = s.typing.filter((t) => t !== a.participantId);
      return { ...s, typing: a.active ? [...without, a.participantId] : without };
    }
    case 'room':
      return { ...s, room: a.room };
    case 'lobby':
      return { ...s, lobby: a.waiting };
    case 'knock-added':
      // The whole queue (lobby-updated) may already hold it.
      return s.lobby.some((e) => e.participantId === a.entry.participantId)
        ? s
        : { ...s, lobby: [...s.lobby, a.entry] };
    case 'knock-removed': {
      const gone = new Set(a.participantIds);
      return { ...s, lobby: s.lobby.filter((e) => !gone.has(e.participantId)) };
    }
    case 'lobby-position':
      return { ...s, lobbyPosition: a.position, lobbyNoModerator: a.noModerator };
    case 'reaction':
      return {
        ...s,
        reactions: [...s.reactions.slice(-9), { id: ++seq, participantId: a.participantId, emoji: a.emoji }],
      };
    case 'toast':
      return withToast(s, a.message, 'alert');
    case 'active-speaker':
      return s.activeSpeaker === a.participantId ? s : { ...s, activeSpeaker: a.participantId };
    case 'spotlight':
      return s.spotlight === a.participantId ? s : { ...s, spotlight: a.participantId };
    case 'bans':
      return { ...s, bans: a.bans };
    case 'audience-count':
      return { ...s, audienceCount: a.count };
    case 'audience-hands':
      return {
        ...s,
        audienceHands: [...a.members].sort((x, y) => (x.handRaisedAt ?? 0) - (y.handRaisedAt ?? 0)),
      };
    case 'unmute-requested':
      return { ...s, unmuteRequestBy: a.by };
    case 'dismiss-unmute-request':
      return { ...s, unmuteRequestBy: null };
    case 'expire-toast':
      return { ...s, toasts: s.toasts.filter((t) => t.id !== a.id) };
    case 'expire-reaction':
      return { ...s, reactions: s.reactions.filter((r) => r.id !== a.id) };
    case 'recording':
      return { ...s, recording: { active: a.state.active, startedAt: a.state.startedAt, by: a.state.by } };
    case 'recording-error':
      return { ...s, recordingError: a.problem };
    case 'reset':
      return INITIAL_ROOM_STATE;
  }
}

/**
 * We were promoted to the stage (we appear in the list, hand down) or sent
 * to the audience (we leave it, and lose any moderator's view of the lobby).
 */
function stageMove(s: RoomState, self: SelfInfo, role: Role): RoomState {
  const others = s.participants.filter((p) => p.participantId !== self.participantId);
  // Our own entry, as the others got it in user-joined (isGuest is not in SelfInfo; the tile does not show it).
  const me: ParticipantInfo = {
    participantId: self.participantId,
    displayName: self.displayName,
    role,
    isGuest: true,
    joinedAt: Date.now(),
    media: { audio: false, video: false, screen: false },
    handRaisedAt: null,
  };
  const onStage = role !== 'audience';
  return withToast(
    {
      ...s,
      self: { ...self, role },
      participants: onStage ? [...others, me] : others,
      selfHandRaisedAt: null,
      lobby: onStage ? s.lobby : [],
      audienceHands: onStage ? s.audienceHands : [],
    },
    { key: onStage ? 'onStage' : 'toAudience' },
  );
}

/** People in the order the panel lists them: raised hands first (earliest first), then join order. */
export function peopleOrder(list: ParticipantInfo[]): ParticipantInfo[] {
  const raised = list.filter((p) => p.handRaisedAt !== null).sort((a, b) => a.handRaisedAt! - b.handRaisedAt!);
  return [...raised, ...list.filter((p) => p.handRaisedAt === null)];
}
