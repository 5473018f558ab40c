/**
 * Rate limits. Per-socket buckets are fixed windows kept on the socket itself:
 * a socket lives on exactly one process, so they need no shared store, no
 * timer and no Redis round trip per event. The per-IP limit on unknown room
 * codes must hold across processes, so it uses rate-limiter-flexible, in
 * memory or in Redis. Only the offender hears about a limit.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ConveneError } from '../../lib/protocol';
import type { RateLimits } from '../config';

export type Bucket = Exclude<keyof RateLimits, 'unknownCode'>;

/** One socket's spending: created lazily per bucket, dropped with the socket. */
export type SpentPoints = Partial<Record<Bucket, { used: number; resetAt: number }>>;

export class RateLimiter {
  readonly #limits: RateLimits;
  readonly #unknownCode: RateLimiterAbstract;

  constructor(limits: RateLimits, redis: Redis | null) {
    this.#limits = limits;
    const [points, duration] = limits.unknownCode;
    // Enumeration attempts are blocked for as long as the window, not just throttled.
    this.#unknownCode = redis
      ? new RateLimiterRedis({ storeClient: redis, keyPrefix: 'convene:rl:unknown-code', points, duration, blockDuration: duration, useRedisPackage: false })
      : new RateLimiterMemory({ keyPrefix: 'unknown-code', points, duration, blockDuration: duration });
  }

  /** Spends a point of one socket's bucket; throws RATE_LIMITED when none are left in this window. */
  consume(bucket: Bucket, spent: SpentPoints, now = Date.now()): void {
    const [points, seconds] = this.#limits[bucket];
    let window = spent[bucket];
    if (!window) window = spent[bucket] = { used: 0, resetAt: now + seconds * 1000 };
    else if (now >= window.resetAt) {
      window.used = 0;
      window.resetAt = now + seconds * 1000;
    }
    if (window.used >= points) throw tooMany(window.resetAt - now);
    window.used++;
  }

  /** Throws RATE_LIMITED if this IP already spent its unknown-code attempts. */
  async assertCodeLookupAllowed(ip: string): Promise<void> {
    const res = await this.#unknownCode.get(ip);
    if (res && res.remainingPoints <= 0) throw tooMany(res.msBeforeNext);
  }

  /** Records a lookup of a code that does not exist. */
  async recordUnknownCode(ip: string): Promise<void> {
    await this.#unknownCode.consume(ip).catch((err: unknown) => {
      if (!(err instanceof RateLimiterRes)) throw err;
    });
  }
}

function tooMany(msBeforeNext: number): ConveneError {
  return new ConveneError('RATE_LIMITED', `Too many requests; retry in ${Math.max(1, Math.ceil(msBeforeNext / 1000))} s`);
}
