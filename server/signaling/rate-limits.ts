/**
 * Per-socket and per-IP rate limits (rate-limiter-flexible), in memory or in
 * Redis so a limit holds across processes. Only the offender hears about it.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ConveneError } from '../../lib/protocol';
import type { RateLimits } from '../config';

export type Bucket = Exclude<keyof RateLimits, 'unknownCode'>;

export class RateLimiter {
  readonly #limiters: Record<keyof RateLimits, RateLimiterAbstract>;

  constructor(limits: RateLimits, redis: Redis | null) {
    const make = (name: string, [points, duration]: [number, number], blockDuration = 0): RateLimiterAbstract =>
      redis
        ? new RateLimiterRedis({ storeClient: redis, keyPrefix: `convene:rl:${name}`, points, duration, blockDuration, useRedisPackage: false })
        : new RateLimiterMemory({ keyPrefix: name, points, duration, blockDuration });
    this.#limiters = {
      join: make('join', limits.join),
      chat: make('chat', limits.chat),
      typing: make('typing', limits.typing),
      control: make('control', limits.control),
      react: make('react', limits.react),
      // Enumeration attempts are blocked for as long as the window, not just throttled.
      unknownCode: make('unknown-code', limits.unknownCode, limits.unknownCode[1]),
    };
  }

  /** Spends a point for `key`; throws RATE_LIMITED when none are left. */
  async consume(bucket: Bucket, key: string): Promise<void> {
    try {
      await this.#limiters[bucket].consume(key);
    } catch (err) {
      if (err instanceof RateLimiterRes) throw tooMany(err);
      throw err;
    }
  }

  /** Throws RATE_LIMITED if this IP already spent its unknown-code attempts. */
  async assertCodeLookupAllowed(ip: string): Promise<void> {
    const res = await this.#limiters.unknownCode.get(ip);
    if (res && res.remainingPoints <= 0) throw tooMany(res);
  }

  /** Records a lookup of a code that does not exist. */
  async recordUnknownCode(ip: string): Promise<void> {
    await this.#limiters.unknownCode.consume(ip).catch((err: unknown) => {
      if (!(err instanceof RateLimiterRes)) throw err;
    });
  }
}

function tooMany(res: RateLimiterRes): ConveneError {
  return new ConveneError('RATE_LIMITED', `Too many requests; retry in ${Math.ceil(res.msBeforeNext / 1000)} s`);
}

