/**
 * zod schemas for every client→server payload. The server parses each event
 * with the schema named after it; anything that fails is INVALID_PAYLOAD.
 * Objects strip unknown keys so newer clients keep working with older servers.
 */
import { z } from '../zod';
import { normalizeRoomCode } from '../room-code';
import { LIMITS, cleanChatText, stripControlChars } from '../text';

export const RoomCode = z
  .string()
  .max(2048)
  .transform((s, ctx) => {
    const code = normalizeRoomCode(s);
    if (!code) {
      ctx.addIssue({ code: 'custom', message: 'roomCode must look like abc-defg-hij' });
      return z.NEVER;
    }
    return code;
  });

export const ParticipantId = z.string().min(1).max(64);
export const MediaKind = z.enum(['audio', 'video', 'screen']);
export type MediaKind = z.infer<typeof MediaKind>;

/** What a producer carries; one producer per (participant, source). */
export const MediaSourceSchema = z.enum(['mic', 'camera', 'screen', 'screen-audio']);
export type MediaSourceName = z.infer<typeof MediaSourceSchema>;
export const MEDIA_SOURCES = MediaSourceSchema.options;

export const WaitingRoomModeSchema = z.enum(['off', 'guests', 'everyone']);
export type WaitingRoomMode = z.infer<typeof WaitingRoomModeSchema>;
export const WAITING_ROOM_MODES = WaitingRoomModeSchema.options;

/**
 * Who joins the audience instead of the stage: nobody (`off`), everyone past
 * `stageLimit` people on the stage (`overflow`), or everyone a host or co-host
 * has not invited to speak (`invited`). Moderators always join the stage.
 */
export const AudienceModeSchema = z.enum(['off', 'overflow', 'invited']);
export type AudienceMode = z.infer<typeof AudienceModeSchema>;
export const AUDIENCE_MODES = AudienceModeSchema.options;
const StageLimit = z.number().int().min(1).max(1000);

/** Room-wide switches a host sets for participants (moderators are never limited by them). */
export const RoomPermissionsSchema = z.object({
  canUnmute: z.boolean(),
  canStartVideo: z.boolean(),
  canShareScreen: z.boolean(),
  canChat: z.boolean(),
  /** Whether the audience may chat too (absent: yes); `canChat` off silences them as well. */
  audienceChat: z.boolean().optional(),
});
export type RoomPermissions = z.infer<typeof RoomPermissionsSchema>;

/** The producer behind each media flag, and back (screen audio rides along with the screen flag's share). */
export const SOURCE_OF_FLAG = { audio: 'mic', video: 'camera', screen: 'screen' } as const;
export const FLAG_OF_SOURCE = { mic: 'audio', camera: 'video', screen: 'screen', 'screen-audio': null } as const;

/** No payload: `socket.emit('leave-room', ack)` and `socket.emit('leave-room', {}, ack)` both work. */
const Empty = z.object({}).optional();

export const JoinRoom = z.object({
  roomCode: RoomCode,
  // Normalised and length-checked by the server so a bad name is INVALID_NAME, not INVALID_PAYLOAD.
  displayName: z.string().max(4096),
  // Accepted for compatibility with the predecessor protocol and ignored: identity comes from the handshake.
  userId: z.string().max(256).optional(),
  /** From a previous `room-joined.self.resumeToken`: rejoin as the same participant within the grace period. */
  resumeToken: z.string().max(512).optional(),
  /**
   * Set up my media with the join (issue 15): the server creates my transports and, given my device's
   * `rtpCapabilities`, paused consumers of the producers already there, and sends them in `room-joined.media`.
   */
  media: z.object({ rtpCapabilities: z.looseObject({}).optional() }).optional(),
});

export const LeaveRoom = Empty;

export const ToggleMedia = z.object({ kind: MediaKind, enabled: z.boolean() });

export const SendMessage = z.object({
  text: z
    .string()
    .max(LIMITS.chatText * 2)
    .transform(cleanChatText)
    .pipe(
      z
        .string()
        .min(1, 'message is empty')
        .max(LIMITS.chatText, `message is longer than ${LIMITS.chatText} characters`),
    ),
  to: ParticipantId.optional(),
});

export const Typing = z.object({ active: z.boolean() });

const MessageId = z.string().min(1).max(64);
/** Most messages one `get-chat-history` page holds (the byte cap may hold fewer). */
export const CHAT_PAGE_MAX = 100;
/** The payload may be left out: `{}` is the newest page. */
export const GetChatHistory = z
  .object({
    /** The oldest message you have: the page ends just before it. Absent: the newest messages. */
    before: MessageId.optional(),
    limit: z.number().int().min(1).max(CHAT_PAGE_MAX).default(50),
  })
  .prefault({});
export const DeleteMessage = z.object({ messageId: MessageId });
/** `null` unpins. */
export const PinMessage = z.object({ messageId: MessageId.nullable() });

export const KickParticipant = z.object({
  participantId: ParticipantId,
  /** Cleaned like chat text before the target sees it; empty after cleaning means the default reason. */
  reason: z.string().max(LIMITS.kickReason).transform(cleanChatText).optional(),
  /** Also ban the person's identity from coming back to this meeting. */
  ban: z.boolean().optional(),
});
/**
 * `force-disconnect.reason` when the host gave none. A client that knows one
 * of these words it in its reader's language; a host's own reason is shown as written.
 */
export const DEFAULT_KICK_REASONS = {
  kicked: 'You were removed from the meeting',
  banned: 'You were removed from the meeting and cannot rejoin',
} as const;

/** HTTP: POST /api/rooms */
export const RoomSettings = z.object({
  waitingRoom: WaitingRoomModeSchema.default('off'),
  capacity: z.number().int().min(2).max(1000).optional(),
  maxScreenShares: z.number().int().min(1).max(16).optional(),
  /** An audience from the start (default: none). `stageLimit` matters in `overflow` mode. */
  audience: z.object({ mode: AudienceModeSchema, stageLimit: StageLimit.optional() }).optional(),
});
export type RoomSettings = z.infer<typeof RoomSettings>;

export const CreateRoomBody = z
  .object({
    title: z
      .string()
      .max(LIMITS.title * 4)
      .transform((s) => stripControlChars(s).trim())
      .pipe(z.string().max(LIMITS.title))
      .optional(),
    settings: RoomSettings.partial().optional(),
  })
  .default({});

// ---- Media (mediasoup) ----
// RTP and DTLS parameters are checked in depth by mediasoup itself (its errors
// become INVALID_PAYLOAD); here they only need to be objects, and the socket's
// maxHttpBufferSize caps their size.
const MediasoupObject = z.looseObject({});
const Id = z.string().min(1).max(128);

export const GetRouterCapabilities = Empty;
export const CreateTransport = z.object({ direction: z.enum(['send', 'recv']) });
export const ConnectTransport = z.object({ transportId: Id, dtlsParameters: MediasoupObject });
export const Produce = z.object({
  transportId: Id,
  kind: z.enum(['audio', 'video']),
  rtpParameters: MediasoupObject,
  appData: z.object({ source: MediaSourceSchema }),
});
export const Consume = z.object({ producerId: Id, rtpCapabilities: MediasoupObject });
export const ConsumerRef = z.object({ consumerId: Id });
export const ProducerRef = z.object({ producerId: Id });
export const RestartIce = z.object({ transportId: Id });
export const SetConsumerLayers = z.object({
  consumerId: Id,
  spatialLayer: z.number().int().min(0).max(3),
  temporalLayer: z.number().int().min(0).max(3).optional(),
});

// ---- Host controls ----
export const Target = z.object({ participantId: ParticipantId });
export const SetWaitingRoom = z.object({ mode: WaitingRoomModeSchema });
export const LockRoom = z.object({ locked: z.boolean() });
export const MuteParticipant = z.object({ participantId: ParticipantId, kind: z.enum(['audio', 'video']) });
export const MuteAll = z.object({ kind: z.enum(['audio', 'video']) });
export const SetPermissions = RoomPermissionsSchema.extend({
  /** How many people may share a screen at once (default 1). */
  maxScreenShares: z.number().int().min(1).max(16),
})
  .partial()
  .refine((p) => Object.keys(p).length > 0, 'give at least one permission');
export const Unban = z.object({ identityId: z.string().min(1).max(64) });
/** The ban shield: after a ban, new guest identities must knock even with the waiting room off. */
export const SetBanShield = z.object({ enabled: z.boolean() });
export const SetRole = z.object({ participantId: ParticipantId, role: z.enum(['cohost', 'participant']) });
/** `null` ends the spotlight. */
export const SetSpotlight = z.object({ participantId: ParticipantId.nullable() });
export const RaiseHand = z.object({ raised: z.boolean() });

// ---- Audience ----
export const SetAudience = z.object({ mode: AudienceModeSchema, stageLimit: StageLimit.optional() });
/** Most audience members one `get-audience` page holds. */
export const AUDIENCE_PAGE_MAX = 100;
export const GetAudience = z
  .object({
    /** The last id of the previous page (pages are in id order). Absent: the first page. */
    after: ParticipantId.optional(),
    limit: z.number().int().min(1).max(AUDIENCE_PAGE_MAX).default(50),
    /** Only members with a raised hand. */
    hands: z.boolean().default(false),
  })
  .prefault({});
/** The fixed set of reactions; anything else is INVALID_PAYLOAD. */
export const REACTIONS = ['👍', '👏', '❤️', '😂', '😮', '🎉', '🙏', '🤔'] as const;
export const React = z.object({ emoji: z.enum(REACTIONS) });

// ---- Recording ----
/** No payload: the meeting is the sender's. */
export const StartRecording = Empty;
export const StopRecording = Empty;
