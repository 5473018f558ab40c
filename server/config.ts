/**
 * Every environment variable the server reads, parsed once with zod.
 * README.md's configuration table and .env.example list the same names.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseTrustProxy, type TrustProxy } from './http/client-ip';
import { defaultAllowedHosts } from './http/security';
import type { JoinPaceLimits } from './signaling/join-pace';

const bool = z
  .enum(['0', '1', 'true', 'false', ''])
  .optional()
  .transform((v) => v === '1' || v === 'true');
const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);

const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: int(3000),
  HOST: z.string().default('0.0.0.0'),
  PUBLIC_URL: z.url().optional(),
  REDIS_URL: z.string().optional(),
  NODE_URL: z.union([z.literal(''), z.url()]).optional(),
  NEXTAUTH_SECRET: z.string().min(32).optional(),
  CORS_ORIGINS: z.string().default(''),
  ROOM_CAPACITY: int(100, 2),
  AUDIENCE_CAPACITY: int(10_000, 1),
  MEETING_TTL_DAYS: z.coerce.number().positive().default(30),
  RECORDINGS_DIR: z.string().default('./data/recordings'),
  RECORDINGS_TTL_DAYS: z.coerce.number().positive().default(30),
  RECONNECT_GRACE_MS: int(15_000),
  REQUIRE_SIGN_IN_TO_CREATE: bool,
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseTrustProxy(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: `0, a hop count, or IPs/CIDRs: ${(err as Error).message}` });
        return z.NEVER;
      }
    }),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: int(10_000),
  MAX_SCREEN_SHARES: z.coerce.number().int().min(1).max(16).default(1),
  WAITING_ROOM_CAP: int(100, 1),
  CHAT_HISTORY: int(200, 1),
  CHAT_HISTORY_BYTES: int(65_536, 4_096),
  MAX_CONNECTIONS_PER_IP: int(200, 1),
  MAX_MEDIA_PARTICIPANTS_PER_IP: int(100, 1),
  MEETINGS_PER_IP_PER_HOUR: int(60, 1),
  KNOCKS_PER_IP_PER_HOUR: int(300, 1),
  ROOM_BROADCASTS_PER_10S: int(200, 1),
  MEMBER_BROADCASTS_PER_10S: int(10),
  IP_BROADCASTS_PER_10S: int(150, 1),
  IP_BROADCASTS_PER_SECOND: int(30, 1),
  JOINS_PER_IP_PER_SECOND: int(10, 1),
  JOIN_BURST_PER_IP: int(5, 1),
  JOIN_QUEUE_PER_IP: int(60),
  FLOOD_REFUSALS: int(200, 1),
  FLOOD_WINDOW_SEC: int(10, 1),
  FLOOD_COOLDOWN_SEC: int(60),
  MAX_SEND_BUFFER_KB: int(4_096, 64),
  MAX_HTTP_BODY_KB: int(64, 1),
  ALLOWED_HOSTS: z.string().optional(),
  METRICS_TOKEN: z.string().min(16).optional(),
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),
});

export interface RateLimits {
  /** [points, per seconds] per socket */
  join: [number, number];
  chat: [number, number];
  typing: [number, number];
  control: [number, number];
  react: [number, number];
  /** Lookups and joins of codes that do not exist, per IP. */
  unknownCode: [number, number];
}

export const DEFAULT_RATE_LIMITS: RateLimits = {
  join: [10, 10],
  chat: [20, 10],
  typing: [30, 10],
  control: [60, 10],
  react: [10, 10],
  unknownCode: [20, 60],
};

/**
 * Caps that keep one client IP, socket or room from taking the server's time
 * or memory from everyone else. Per-IP counts of things held open
 * (connections, media participants) are per process; per-IP budgets over time
 * (meetings, knocks, flood cool-down) and the per-room budget go through Redis
 * when REDIS_URL is set.
 */
export interface Caps {
  /** Open Socket.IO connections per client IP. */
  connectionsPerIp: number;
  /** Participants with media transports per client IP (each holds SFU ports). */
  mediaParticipantsPerIp: number;
  /** [points, per seconds] per client IP. */
  meetingsPerIp: [number, number];
  knocksPerIp: [number, number];
  /** [points, per seconds] per room, shared by all its sockets: send-message, typing, react, raise-hand, lower-hand. */
  roomBroadcasts: [number, number];
  /** [points, per seconds] per participant that the room budget never refuses: a fair share for light senders. */
  memberBroadcasts: [number, number];
  /**
   * What one client IP's participants together may broadcast in one meeting:
   * [points, per seconds], and at most `perSecond` of them in any one second,
   * so the share is spread over its window instead of spent in a burst.
   */
  ipBroadcasts: { points: number; seconds: number; perSecond: number };
  /**
   * Joins (and knocks) from one client IP on this process: `burst` at once, then
   * `perSecond`, with up to `queue` more waiting their turn instead of refused.
   */
  joinsPerIp: JoinPaceLimits;
  /** A socket refused this many times (rate-limited, invalid, unknown event) within the window is dropped, and its IP cools down. */
  flood: { refusals: number; windowMs: number; cooldownSec: number };
  /** Bytes queued for one connection that its client has not read; past it the connection is dropped. */
  sendBufferBytes: number;
  /** Largest HTTP request body accepted, judged by Content-Length before anything is read. */
  httpBodyBytes: number;
}

export interface ServerConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string | null;
  /** Hosts a request's Host header may name (`name` or `name:port`); PUBLIC_URL's host is added to them. */
  allowedHosts: string[];
  /** /metrics: a bearer token, and/or its own listener instead of the public port. */
  metrics: { token: string | null; port: number | null; host: string };
  redisUrl: string | null;
  /**
   * With Redis: the base URL other nodes reach this one's HTTP port at
   * (recordings are streamed from the node that holds them). Null: derived
   * from HOST and the port it listens on.
   */
  nodeUrl: string | null;
  secret: string;
  corsOrigins: string[];
  /** Most people on a meeting's stage (everyone, in a meeting without an audience). */
  roomCapacity: number;
  /** Most people in a meeting's audience. */
  audienceCapacity: number;
  meetingTtlMs: number;
  /** Where this node writes recordings (each in <dir>/<meeting>/<id>/), and how long they are kept. */
  recordings: { dir: string; ttlMs: number };
  reconnectGraceMs: number;
  requireSignInToCreate: boolean;
  /** Null: X-Forwarded-* headers are ignored (TRUST_PROXY=0). */
  trustProxy: TrustProxy | null;
  logLevel: string;
  shutdownTimeoutMs: number;
  /** Chat messages kept per meeting (the newest). */
  chatHistory: number;
  /** Most bytes of chat JSON sent at once: in room-joined, and in each get-chat-history page. */
  chatHistoryBytes: number;
  /** Default for a new meeting's share limit (hosts may raise it per meeting). */
  maxScreenShares: number;
  /** Most knocks waiting at once in one meeting's waiting room; one more is refused with ROOM_FULL. */
  waitingRoomCap: number;
  rateLimits: RateLimits;
  caps: Caps;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  // `VAR=` in .env means "use the default", as it does for the media settings.
  const parsed = EnvSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (!e.NEXTAUTH_SECRET && e.NODE_ENV === 'production') {
    throw new Error(
      'NEXTAUTH_SECRET is required in production (32+ random characters; it signs sessions, ' +
        'host cookies and join tokens). `npm run setup` writes one into .env; or set it yourself: ' +
        'NEXTAUTH_SECRET=$(openssl rand -base64 32)',
    );
  }
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ?? null,
    allowedHosts: e.ALLOWED_HOSTS
      ? e.ALLOWED_HOSTS.split(',')
          .map((h) => h.trim())
          .filter(Boolean)
      : defaultAllowedHosts(e.HOST),
    metrics: { token: e.METRICS_TOKEN ?? null, port: e.METRICS_PORT ?? null, host: e.METRICS_HOST },
    redisUrl: e.REDIS_URL || null,
    nodeUrl: e.NODE_URL || null,
    // Outside production a missing secret is generated per process: sessions
    // and host cookies then last until restart, which is what dev wants.
    secret: e.NEXTAUTH_SECRET ?? randomBytes(32).toString('base64url'),
    corsOrigins: e.CORS_ORIGINS.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    roomCapacity: e.ROOM_CAPACITY,
    audienceCapacity: e.AUDIENCE_CAPACITY,
    meetingTtlMs: Math.round(e.MEETING_TTL_DAYS * 86_400_000),
    recordings: { dir: e.RECORDINGS_DIR, ttlMs: Math.round(e.RECORDINGS_TTL_DAYS * 86_400_000) },
    reconnectGraceMs: e.RECONNECT_GRACE_MS,
    requireSignInToCreate: e.REQUIRE_SIGN_IN_TO_CREATE,
    trustProxy: e.TRUST_PROXY,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    chatHistory: e.CHAT_HISTORY,
    chatHistoryBytes: e.CHAT_HISTORY_BYTES,
    maxScreenShares: e.MAX_SCREEN_SHARES,
    waitingRoomCap: e.WAITING_ROOM_CAP,
    rateLimits: DEFAULT_RATE_LIMITS,
    caps: {
      connectionsPerIp: e.MAX_CONNECTIONS_PER_IP,
      mediaParticipantsPerIp: e.MAX_MEDIA_PARTICIPANTS_PER_IP,
      meetingsPerIp: [e.MEETINGS_PER_IP_PER_HOUR, 3_600],
      knocksPerIp: [e.KNOCKS_PER_IP_PER_HOUR, 3_600],
      roomBroadcasts: [e.ROOM_BROADCASTS_PER_10S, 10],
      memberBroadcasts: [e.MEMBER_BROADCASTS_PER_10S, 10],
      ipBroadcasts: { points: e.IP_BROADCASTS_PER_10S, seconds: 10, perSecond: e.IP_BROADCASTS_PER_SECOND },
      joinsPerIp: { perSecond: e.JOINS_PER_IP_PER_SECOND, burst: e.JOIN_BURST_PER_IP, queue: e.JOIN_QUEUE_PER_IP },
      flood: { refusals: e.FLOOD_REFUSALS, windowMs: e.FLOOD_WINDOW_SEC * 1_000, cooldownSec: e.FLOOD_COOLDOWN_SEC },
      sendBufferBytes: e.MAX_SEND_BUFFER_KB * 1_024,
      httpBodyBytes: e.MAX_HTTP_BODY_KB * 1_024,
    },
  };
}
