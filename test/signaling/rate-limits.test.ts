import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../server/config';
import { RateLimiter } from '../../server/signaling/rate-limits';
import { startRedis, type RedisInstance } from '../helpers/redis';
import { testConfig } from '../helpers/server';
import { sleep } from '../helpers/wait';

const limits = { ...DEFAULT_RATE_LIMITS, chat: [3, 1] as [number, number], unknownCode: [2, 60] as [number, number] };
const caps = testConfig().caps;
const outcome = (p: Promise<void>) =>
  p.then(
    () => 'ok',
    (err: { code: string }) => err.code,
  );

describe('per-socket rate limits', () => {
  it('a bucket allows its points per window, refuses the rest, and refills when the window ends', async () => {
    const limiter = new RateLimiter(limits, null, caps);
    const first = [];
    for (let i = 0; i < 5; i++) first.push(await outcome(limiter.consume('chat', 'socket-a')));
    expect(first).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    await sleep(1_100);
    expect(await outcome(limiter.consume('chat', 'socket-a'))).toBe('ok');
  });

  it('buckets and sockets are counted apart', async () => {
    const limiter = new RateLimiter(limits, null, caps);
    for (let i = 0; i < 3; i++) await limiter.consume('chat', 'flooder');
    expect(await outcome(limiter.consume('chat', 'flooder'))).toBe('RATE_LIMITED');
    expect(await outcome(limiter.consume('control', 'flooder'))).toBe('ok');
    expect(await outcome(limiter.consume('chat', 'other'))).toBe('ok');
  });
});

describe('rate limits with Redis', () => {
  let redis: RedisInstance;
  const clients: Redis[] = [];
  // Connected before use, as the server connects its client: a limiter on a
  // client that is not ready yet keeps its budget in memory (its insurance).
  const connect = async () => {
    const c = new Redis(redis.url, { lazyConnect: true });
    clients.push(c);
    await c.connect();
    return c;
  };
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    for (const c of clients) c.disconnect();
    await redis.stop();
  });

  it('per-socket buckets stay in process memory, while the unknown-code budget is shared by every process', async () => {
    const inspect = await connect();
    const processA = new RateLimiter(limits, await connect(), caps);
    const processB = new RateLimiter(limits, await connect(), caps);
    await processA.consume('chat', 'socket-on-a');
    expect(await inspect.keys('*')).toEqual([]);

    await processA.recordUnknownCode('203.0.113.7');
    await processB.recordUnknownCode('203.0.113.7');
    expect(await outcome(processA.assertCodeLookupAllowed('203.0.113.7'))).toBe('RATE_LIMITED');
    expect(await outcome(processB.assertCodeLookupAllowed('203.0.113.7'))).toBe('RATE_LIMITED');
    expect(await outcome(processB.assertCodeLookupAllowed('198.51.100.1'))).toBe('ok');
  });
});
