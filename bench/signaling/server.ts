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

let rooms: (count: number) => Promise<string[]>;
let port: number;

// Imported per kind, so the baseline process never loads Convene's modules (and vice versa).
if (kind === 'convene') {
  const { createConveneServer } = await import('../../server/app');
  const { guestIdentity } = await import('../../server/auth/identity');
  const { MeetingService } = await import('../../server/rooms/meetings');
  const { benchConfig, benchLogger } = await import('../lib/convene-config');
  const config = benchConfig({ REDIS_URL: process.env.REDIS_URL ?? '' }, { roomCapacity: 1000 });
  const logger = benchLogger();
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
