/**
 * A signaling server under test, in its own (pinned) process:
 *   node --expose-gc --import tsx bench/signaling/server.ts baseline|convene
 * Convene runs as `npm start` would (memory store unless REDIS_URL, info
 * logging, rate limits on) except: no Next, no media, and rate limits so high
 * that load never trips them. Answers JSON-line commands from the suite.
 */
import { emitEvent, serve } from '../lib/rpc';
import { SelfMeter } from '../lib/stats';

const kind = process.argv[2];
if (kind !== 'baseline' && kind !== 'convene') throw new Error('usage: server.ts baseline|convene');

const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';
// Production windows, points no load reaches: the limiter still counts every event.
const unlimited = ([, seconds]: [number, number]): [number, number] => [1_000_000_000, seconds];

let rooms: (count: number) => Promise<string[]>;
let port: number;

// Imported per kind, so the baseline process never loads Convene's modules (and vice versa).
if (kind === 'convene') {
  const { pino } = await import('pino');
  const { createLogger } = await import('../../server/logger');
  const { createConveneServer } = await import('../../server/app');
  const { DEFAULT_RATE_LIMITS, loadConfig } = await import('../../server/config');
  const { guestIdentity } = await import('../../server/auth/identity');
  const { MeetingService } = await import('../../server/rooms/meetings');
  const config = {
    ...loadConfig({
      NODE_ENV: 'production',
      NEXTAUTH_SECRET: BENCH_SECRET,
      LOG_LEVEL: 'info',
      REDIS_URL: process.env.REDIS_URL ?? '',
    }),
    port: 0,
    host: '127.0.0.1',
    roomCapacity: 1000,
    rateLimits: {
      ...DEFAULT_RATE_LIMITS,
      join: unlimited(DEFAULT_RATE_LIMITS.join),
      chat: unlimited(DEFAULT_RATE_LIMITS.chat),
      typing: unlimited(DEFAULT_RATE_LIMITS.typing),
      control: unlimited(DEFAULT_RATE_LIMITS.control),
    },
  };
  // Every bench client comes from 127.0.0.1, which production would see as thousands of people behind one
  // address; the per-meeting budget would refuse the bench's chat load like the per-socket buckets above.
  config.caps = {
    ...config.caps,
    connectionsPerIp: 1_000_000,
    mediaParticipantsPerIp: 1_000_000,
    roomBroadcasts: unlimited(config.caps.roomBroadcasts),
    ipBroadcasts: { points: 1_000_000_000, seconds: 1, perSecond: 1_000_000_000 },
    joinsPerIp: { perSecond: 1_000_000_000, burst: 1_000_000_000, queue: 1_000_000_000 },
  };
  // Production's logger (info, redaction, synchronous writes), writing to /dev/null: stdout carries the bench protocol.
  const logger = createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
  const server = await createConveneServer(config, { next: false, media: false, logger });
  const meetings = new MeetingService(server.store, config);
  port = server.port;
  rooms = async (count) => {
    const codes: string[] = [];
    for (let i = 0; i < count; i++)
      codes.push((await meetings.create(guestIdentity(`bench-creator-${i}`), { title: `bench ${i}` })).code);
    return codes;
  };
} else {
  const { startBaselineServer } = await import('./baseline-server');
  const server = await startBaselineServer();
  port = server.port;
  rooms = (count) => Promise.resolve(Array.from({ length: count }, (_, i) => `room-${i}`));
}

const meter = new SelfMeter();
const gc = (globalThis as { gc?: () => void }).gc;

const api = {
  // Answered by the same event loop as the sockets: a slow answer means a backlog (see settle() in suite.ts).
  ping: () => true,
  rooms: ({ count }: { count: number }) => rooms(count),
  mark: () => meter.start(),
  read: () => meter.read(),
  memory: () => {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, gcRan: Boolean(gc) };
  },
};
export type ServerApi = typeof api;
serve(api);
emitEvent('ready', { port, kind, pid: process.pid });
