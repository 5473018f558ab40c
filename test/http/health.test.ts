/**
 * Liveness and readiness on a real server: /healthz/live answers while the
 * process serves HTTP, /healthz/ready only while the node can take new
 * sessions (not draining, its Redis connected), and /healthz as it always did.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { startRedis, type RedisInstance } from '../helpers/redis';
import { toggleHeldInFlight } from '../helpers/in-flight';
import { createMeeting, joined, startServer, type Client } from '../helpers/server';
import { until } from '../helpers/wait';

const servers: ConveneServer[] = [];
const sockets: Client[] = [];

afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serve(overrides: Parameters<typeof startServer>[0] = {}): Promise<ConveneServer> {
  const server = await startServer(overrides);
  servers.push(server);
  return server;
}

async function get(server: ConveneServer, path: string): Promise<{ status: number; body: unknown; cache: string }> {
  const res = await fetch(`${server.url}${path}`);
  return { status: res.status, body: await res.json(), cache: res.headers.get('cache-control') ?? '' };
}

/** Polls /healthz/ready until it answers `status`; returns that answer's body. */
async function readiness(server: ConveneServer, status: number, ms: number): Promise<unknown> {
  const answer = await until(
    `/healthz/ready to answer ${status}`,
    () => get(server, '/healthz/ready'),
    (r) => r.status === status,
    ms,
  );
  return answer.body;
}

describe('a node that can take sessions', () => {
  it('is live and ready, and /healthz answers as before', async () => {
    const server = await serve();
    expect(await get(server, '/healthz/live')).toEqual({ status: 200, body: { ok: true }, cache: 'no-store' });
    expect(await get(server, '/healthz/ready')).toEqual({
      status: 200,
      body: { ready: true, reasons: [] },
      cache: 'no-store',
    });
    expect(await get(server, '/healthz')).toEqual({
      status: 200,
      body: {
        ok: true,
        store: 'memory',
        draining: false,
        recording: { available: false, reason: 'media (the SFU) is off on this server' },
      },
      cache: 'no-store',
    });
  });
});

describe('a draining node', () => {
  it('stays live but is not ready, with the reason "draining", while in-flight work finishes', async () => {
    const server = await serve();
    const code = await createMeeting(server);
    const alice = await joined(server, code, 'Alice');
    sockets.push(alice.socket);
    // A toggle held in flight: draining waits for it, and the listener stays open meanwhile.
    const { release, toggled } = await toggleHeldInFlight(server, code, alice.socket);

    const closing = server.close();
    try {
      expect(await get(server, '/healthz/ready')).toEqual({
        status: 503,
        body: { ready: false, reasons: ['draining'] },
        cache: 'no-store',
      });
      expect((await get(server, '/healthz/live')).status).toBe(200);
      expect(await get(server, '/healthz')).toMatchObject({ status: 503, body: { draining: true } });
    } finally {
      release();
    }
    await closing;
    expect(await toggled).toEqual({ ok: true });
  });
});

describe('a node whose Redis stops', () => {
  let redis: RedisInstance;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('stays live, is not ready ("redis-not-ready") while Redis is down, and is ready again once it is back', async () => {
    const server = await serve({ redisUrl: redis.url });
    // The adapter's connections open just after the server listens; ready once they are up.
    expect(await readiness(server, 200, 3_000)).toEqual({ ready: true, reasons: [] });

    await redis.stop();
    expect(await readiness(server, 503, 5_000)).toEqual({ ready: false, reasons: ['redis-not-ready'] });
    expect((await get(server, '/healthz/live')).status).toBe(200);
    // /healthz keeps its old meaning (draining only), so existing probes do not change behaviour.
    expect(await get(server, '/healthz')).toMatchObject({ status: 200, body: { store: 'redis', draining: false } });

    await redis.start();
    // ioredis backs off by at most 2 s between attempts.
    expect(await readiness(server, 200, 10_000)).toEqual({ ready: true, reasons: [] });
  }, 30_000);
});
