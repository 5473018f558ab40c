/**
 * /metrics protected by a bearer token (METRICS_TOKEN), by its own listener
 * (METRICS_PORT), or both; open on the public port when neither is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import type { ServerConfig } from '../../server/config';
import { startServer } from '../helpers/server';

const TOKEN = 'metrics-token-0123456789abcdef';

function serverFor(metrics: Partial<ServerConfig['metrics']>): () => ConveneServer {
  let server: ConveneServer | undefined;
  beforeAll(async () => {
    server = await startServer({ metrics: { token: null, port: null, host: '127.0.0.1', ...metrics } });
  });
  afterAll(() => server?.close());
  return () => server!;
}

const get = (url: string, token?: string) =>
  fetch(url, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });

describe('without protection', () => {
  const server = serverFor({});
  it('/metrics answers on the public port', async () => {
    const res = await get(`${server().url}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('convene_sockets');
    expect(server().metricsPort).toBeNull();
  });
});

describe('with METRICS_TOKEN', () => {
  const server = serverFor({ token: TOKEN });

  it('answers 401 without the token, with a wrong one, or with it outside a Bearer header', async () => {
    for (const res of [
      await get(`${server().url}/metrics`),
      await get(`${server().url}/metrics`, 'wrong-token-0123456789abcdef'),
      await get(`${server().url}/metrics`, ''),
      await fetch(`${server().url}/metrics`, { headers: { authorization: TOKEN } }),
      await fetch(`${server().url}/metrics?token=${TOKEN}`),
    ]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      expect(await res.text()).not.toContain('convene_');
    }
  });

  it('answers 200 with Authorization: Bearer <token>', async () => {
    const res = await get(`${server().url}/metrics`, TOKEN);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('convene_participants');
  });
});

describe('with METRICS_PORT', () => {
  const server = serverFor({ port: 0 });

  it('serves /metrics only on its own listener, and not on the public port', async () => {
    const port = server().metricsPort;
    expect(port).toBeGreaterThan(0);
    expect(port).not.toBe(server().port);
    const own = await get(`http://127.0.0.1:${port}/metrics`);
    expect(own.status).toBe(200);
    expect(await own.text()).toContain('convene_sockets');
    expect((await get(`http://127.0.0.1:${port}/healthz`)).status).toBe(404);
    const pub = await get(`${server().url}/metrics`);
    expect(pub.status).toBe(404);
    expect(await pub.text()).not.toContain('convene_');
  });
});

describe('with both', () => {
  const server = serverFor({ port: 0, token: TOKEN });

  it('the metrics listener asks for the token too', async () => {
    const url = `http://127.0.0.1:${server().metricsPort}/metrics`;
    expect((await get(url)).status).toBe(401);
    expect((await get(url, TOKEN)).status).toBe(200);
  });
});
