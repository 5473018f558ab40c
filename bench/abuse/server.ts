/**
 * The Convene server under attack, in its own (pinned) process:
 *   node --expose-gc --import tsx bench/abuse/server.ts
 * `createConveneServer` with the memory store as `npm start` runs it, and
 * with every production limit and cap at its default (unlike the signaling
 * bench, which lifts the rate limits out of reach): the defences are what is
 * measured. No Next and no media. The only change from the defaults is a
 * 2 s reconnect grace, so the seats of one window's dropped attackers are free
 * before the next window (what is measured does not depend on it).
 * Answers JSON-line commands from the suite, and watches the attacker's
 * sockets (by their source address) from inside the server.
 */
import { pino } from 'pino';
import { emitEvent, serve } from '../lib/rpc';
import { SelfMeter } from '../lib/stats';
import { createConveneServer } from '../../server/app';
import { guestIdentity, IdentityService } from '../../server/auth/identity';
import { loadConfig } from '../../server/config';
import { createLogger } from '../../server/logger';
import { MeetingService } from '../../server/rooms/meetings';

const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
const SAMPLE_MS = 50;
const HOST_GUEST_ID = 'bench-abuse-host';

const config = {
  ...loadConfig({ NODE_ENV: 'production', NEXTAUTH_SECRET: BENCH_SECRET, LOG_LEVEL: 'info' }),
  port: 0,
  host: '127.0.0.1',
  reconnectGraceMs: 2_000,
};
// Production's logger (info, redaction, synchronous writes), writing to /dev/null: stdout carries the bench protocol.
const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
const server = await createConveneServer(config, { next: false, media: false, logger });
const meetings = new MeetingService(server.store, config);
const identity = new IdentityService(config.secret);

/** What engine.io (6.6) holds for a connection and has not sent: its queue plus what `ws` keeps from the kernel. */
interface EngineConn {
  transport: { socket?: { bufferedAmount?: number } };
  writeBuffer?: Array<{ data?: unknown }>;
}
function queuedBytes(conn: unknown): number {
  const c = conn as EngineConn;
  let bytes = c.transport.socket?.bufferedAmount ?? 0;
  for (const p of c.writeBuffer ?? []) if (typeof p.data === 'string') bytes += Buffer.byteLength(p.data);
  return bytes;
}

/** The attacker's sockets as the server sees them: how many are open, and the most bytes queued for one. */
function attackerSockets(ip: string | null): { connected: number; maxQueuedBytes: number } {
  let connected = 0;
  let maxQueuedBytes = 0;
  if (ip === null) return { connected, maxQueuedBytes };
  for (const s of server.io.of('/').sockets.values()) {
    if (s.handshake.address !== ip) continue;
    connected++;
    maxQueuedBytes = Math.max(maxQueuedBytes, queuedBytes(s.conn));
  }
  return { connected, maxQueuedBytes };
}

const meter = new SelfMeter();
let watch: {
  ip: string | null;
  rssBefore: number;
  rssPeak: number;
  peakConnected: number;
  peakQueuedBytes: number;
  timer: NodeJS.Timeout;
} | null = null;

function sample(): void {
  if (!watch) return;
  watch.rssPeak = Math.max(watch.rssPeak, process.memoryUsage.rss());
  const a = attackerSockets(watch.ip);
  watch.peakConnected = Math.max(watch.peakConnected, a.connected);
  watch.peakQueuedBytes = Math.max(watch.peakQueuedBytes, a.maxQueuedBytes);
}

const api = {
  // Answered by the same event loop as the sockets: a slow answer means a backlog.
  ping: () => true,
  /** The victims' meeting, created by a guest whose cookie the host connects with; and the limits in force. */
  meeting: async () => {
    const meeting = await meetings.create(guestIdentity(HOST_GUEST_ID), { title: 'abuse bench' });
    const { caps, rateLimits, waitingRoomCap } = config;
    return {
      code: meeting.code,
      hostCookie: identity.guestCookie(HOST_GUEST_ID, false).split(';')[0]!,
      limits: {
        chat: rateLimits.chat,
        react: rateLimits.react,
        control: rateLimits.control,
        join: rateLimits.join,
        roomBroadcasts: caps.roomBroadcasts,
        ipBroadcasts: caps.ipBroadcasts,
        joinsPerIp: caps.joinsPerIp,
        waitingRoomCap,
        sendBufferBytes: caps.sendBufferBytes,
        connectionsPerIp: caps.connectionsPerIp,
        knocksPerIp: caps.knocksPerIp,
      },
    };
  },
  /** Starts a window: CPU and event-loop delay, RSS peak, and the sockets from `ip` sampled every 50 ms. */
  mark: ({ ip }: { ip: string | null }) => {
    if (watch) clearInterval(watch.timer);
    meter.start();
    const rss = process.memoryUsage.rss();
    watch = {
      ip,
      rssBefore: rss,
      rssPeak: rss,
      peakConnected: 0,
      peakQueuedBytes: 0,
      timer: setInterval(sample, SAMPLE_MS),
    };
    return { rssBytes: rss };
  },
  read: () => {
    if (!watch) throw new Error('read before mark');
    sample();
    clearInterval(watch.timer);
    const w = watch;
    watch = null;
    const end = attackerSockets(w.ip);
    return {
      ...meter.read(),
      rssBefore: w.rssBefore,
      rssPeak: w.rssPeak,
      rssEnd: process.memoryUsage.rss(),
      attacker: { connectedAtEnd: end.connected, peakConnected: w.peakConnected, peakQueuedBytes: w.peakQueuedBytes },
    };
  },
  /** Who is in the meeting (grace seats included) and how many knocks wait. */
  room: async ({ code }: { code: string }) => {
    const meeting = await server.store.getMeeting(code);
    return {
      participants: await server.store.countParticipants(code),
      waiting: meeting?.lobby.filter((e) => !e.admitted).length ?? 0,
      sockets: server.io.of('/').sockets.size,
    };
  },
  /** A full GC (the suite runs it between attacks, outside any window), then RSS. */
  collect: () => {
    (globalThis as { gc?: () => void }).gc?.();
    return process.memoryUsage.rss();
  },
  /** The sockets from `ip` and RSS now, without ending the window (the slow readers' lead waits on it). */
  peek: ({ ip }: { ip: string }) => ({ ...attackerSockets(ip), rssBytes: process.memoryUsage.rss() }),
};
export type AbuseServerApi = typeof api;
serve(api);
emitEvent('ready', { port: server.port, pid: process.pid });
