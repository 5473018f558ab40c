/**
 * Rate limits (rate-limiter-flexible). Per-socket buckets are always kept in
 * this process's memory: a socket lives on exactly one process, so a shared
 * store would only add a Redis round trip to every event. The per-IP limit on
 * unknown room codes must hold across processes, so it lives in Redis when
 * REDIS_URL is set. Only the offender hears about a limit.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ConveneError } from '../../lib/protocol';
import type { RateLimits } from '../config';

export type Bucket = Exclude<keyof RateLimits, 'unknownCode'>;

export class RateLimiter {
  readonly #perSocket: Record<Bucket, RateLimiterMemory>;
  readonly #unknownCode: RateLimiterAbstract;

  constructor(limits: RateLimits, redis: Redis | null) {
    const memory = (name: Bucket) =>
      new RateLimiterMemory({ keyPrefix: name, points: limits[name][0], duration: limits[name][1] });
    this.#perSocket = {
      join: memory('join'),
      chat: memory('chat'),
      typing: memory('typing'),
      control: memory('control'),
      react: memory('react'),
    };
    const [points, duration] = limits.unknownCode;
    // Enumeration attempts are blocked for as long as the window, not just throttled.
    this.#unknownCode = redis
      ? new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: 'convene:rl:unknown-code',
          points,
          duration,
          blockDuration: duration,
          useRedisPackage: false,
        })
      : new RateLimiterMemory({ keyPrefix: 'unknown-code', points, duration, blockDuration: duration });
  }

  /** Spends a point of one socket's bucket; throws RATE_LIMITED when none are left in this window. */
  async consume(bucket: Bucket, socketId: string): Promise<void> {
    await this.#perSocket[bucket].consume(socketId).catch(rethrowLimited);
  }

  /** Throws RATE_LIMITED if this IP already spent its unknown-code attempts. */
  async assertCodeLookupAllowed(ip: string): Promise<void> {
    const res = await this.#unknownCode.get(ip);
    if (res && res.remainingPoints <= 0) throw tooMany(res);
  }

  /** Records a lookup of a code that does not exist. */
  async recordUnknownCode(ip: string): Promise<void> {
    await this.#unknownCode.consume(ip).catch((err: unknown) => {
      if (!(err instanceof RateLimiterRes)) throw err;
    });
  }
}

function rethrowLimited(err: unknown): never {
  throw err instanceof RateLimiterRes ? tooMany(err) : err;
}

function tooMany(res: RateLimiterRes): ConveneError {
  return new ConveneError(
    'RATE_LIMITED',
    `Too many requests; retry in ${Math.max(1, Math.ceil(res.msBeforeNext / 1000))} s`,
  );
}
