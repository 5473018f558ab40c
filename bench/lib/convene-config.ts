/**
 * Convene as `npm start` configures it (production mode, info logging with
 * redaction), for the suites that measure its capacity rather than its
 * defences: no Next or media unless the suite adds them, and every limit a
 * load could trip lifted. Rate limits keep their production windows with
 * points no load reaches, so the limiter still does its real work per event
 * (a 1 s window would re-create every socket's record and timer each second).
 * Every bench client comes from 127.0.0.1, which production would count as
 * thousands of people behind one address, so the per-IP caps go too.
 * The abuse suite does not use this: there the defaults are what is measured.
 */
import { pino } from 'pino';
import { DEFAULT_RATE_LIMITS, loadConfig, type ServerConfig } from '../../server/config';
import { createLogger } from '../../server/logger';

export const BENCH_SECRET = 'bench-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

const unlimited = ([, seconds]: [number, number]): [number, number] => [1_000_000_000, seconds];
const LOTS = 1_000_000_000;

export function benchConfig(env: Record<string, string> = {}, overrides: Partial<ServerConfig> = {}): ServerConfig {
  const config = loadConfig({ NODE_ENV: 'production', NEXTAUTH_SECRET: BENCH_SECRET, LOG_LEVEL: 'info', ...env });
  return {
    ...config,
    port: 0,
    host: '127.0.0.1',
    rateLimits: {
      ...DEFAULT_RATE_LIMITS,
      join: unlimited(DEFAULT_RATE_LIMITS.join),
      chat: unlimited(DEFAULT_RATE_LIMITS.chat),
      typing: unlimited(DEFAULT_RATE_LIMITS.typing),
      control: unlimited(DEFAULT_RATE_LIMITS.control),
    },
    caps: {
      ...config.caps,
      connectionsPerIp: 1_000_000,
      mediaParticipantsPerIp: 1_000_000,
      roomBroadcasts: unlimited(config.caps.roomBroadcasts),
      ipBroadcasts: { points: LOTS, seconds: 1, perSecond: LOTS },
      joinsPerIp: { perSecond: LOTS, burst: LOTS, queue: LOTS },
    },
    ...overrides,
  };
}

/** Production's logger, writing to /dev/null: a bench server's stdout carries the bench protocol. */
export const benchLogger = () => createLogger('info', pino.destination({ dest: '/dev/null', sync: true }));
