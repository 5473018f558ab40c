/**
 * The security headers on every answer of the real process (custom server in
 * front of Next's production build), the per-request script nonce, HSTS only
 * over https, and links that never carry a Host the server does not know.
 *
 * Route handlers reach the server through one process-wide slot, so only one
 * server with Next runs at a time: each describe starts its own.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { loadConfig, type ServerConfig } from '../../server/config';
import { ensureNextBuild } from '../helpers/next-build';
import { startServer } from '../helpers/server';

beforeAll(() => ensureNextBuild(), 300_000);

function serverFor(overrides: Partial<ServerConfig> = {}, withNext = true): () => ConveneServer {
  let server: ConveneServer | undefined;
  beforeAll(async () => {
    server = await startServer(overrides, withNext ? { next: { dev: false } } : {});
  }, 120_000);
  afterAll(() => server?.close());
  return () => server!;
}

/** The trust settings TRUST_PROXY=1 gives (through loadConfig, as the process would read it). */
const trustOneProxy = () => loadConfig({ NODE_ENV: 'test', TRUST_PROXY: '1' }).trustProxy;

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** A request with headers fetch() would not send as given (Host above all). */
function raw(
  server: ConveneServer,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const createRoom = (server: ConveneServer, headers: Record<string, string> = {}) =>
  raw(server, '/api/rooms', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: '{}',
  });

function expectSecurityHeaders(res: Answer, what: string): void {
  const csp = String(res.headers['content-security-policy']);
  for (const directive of ["frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "default-src 'self'"])
    expect(csp, what).toContain(directive);
  expect(csp, what).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{20,}' 'strict-dynamic'(;|$)/);
  expect(res.headers['x-frame-options'], what).toBe('DENY');
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['referrer-policy'], what).toBe('strict-origin-when-cross-origin');
  const permissions = String(res.headers['permissions-policy']);
  for (const feature of ['camera=(self)', 'microphone=(self)', 'display-capture=(self)', 'geolocation=()'])
    expect(permissions, what).toContain(feature);
  expect(res.headers['strict-transport-security'], what).toBeUndefined();
}

const nonceOf = (res: Answer) => /'nonce-([^']+)'/.exec(String(res.headers['content-security-policy']))?.[1];

describe('security headers', () => {
  const server = serverFor();

  it('the home page, a meeting page, the API, a static file, a 404, /healthz and /metrics all carry them', async () => {
    const created = await createRoom(server());
    const { code } = JSON.parse(created.body) as { code: string };
    const home = await raw(server(), '/');
    const script = /<script src="(\/_next\/static\/[^"]+\.js)"/.exec(home.body)?.[1];
    expect(script).toBeDefined();
    const answers: Array<[string, Answer]> = [
      ['home', home],
      ['meeting', await raw(server(), `/${code}`)],
      ['POST /api/rooms', created],
      ['GET /api/rooms/:code', await raw(server(), `/api/rooms/${code}`)],
      ['static script', await raw(server(), script!)],
      ['favicon', await raw(server(), '/favicon.ico')],
      ['unknown page', await raw(server(), '/no/such/page')],
      ['/healthz', await raw(server(), '/healthz')],
      ['/metrics', await raw(server(), '/metrics')],
    ];
    for (const [what, res] of answers) {
      expect(res.status, what).toBeLessThan(what === 'unknown page' ? 500 : 400);
      expectSecurityHeaders(res, what);
    }
  });

  it("each page gets its own nonce, and every one of Next's script tags carries it", async () => {
    const { code } = JSON.parse((await createRoom(server())).body) as { code: string };
    const pages = [await raw(server(), `/${code}`), await raw(server(), `/${code}`), await raw(server(), '/')];
    const nonces = pages.map(nonceOf);
    expect(new Set(nonces).size).toBe(3);
    for (const [i, page] of pages.entries()) {
      const scripts = page.body.match(/<script\b[^>]*>/g) ?? [];
      expect(scripts.length).toBeGreaterThan(2);
      for (const tag of scripts) expect(tag).toContain(`nonce="${nonces[i]}"`);
    }
  });

  it('a policy sent by the client is ignored: its nonce appears nowhere in the page', async () => {
    const { code } = JSON.parse((await createRoom(server())).body) as { code: string };
    const evil = 'attackerchosen0123456789';
    const page = await raw(server(), `/${code}`, {
      headers: { 'content-security-policy': `script-src 'nonce-${evil}'` },
    });
    expect(page.status).toBe(200);
    expect(page.body).not.toContain(evil);
    expect(page.headers['content-security-policy']).not.toContain(evil);
  });
});

describe('links and the Host header', () => {
  const server = serverFor({ allowedHosts: ['localhost', '127.0.0.1', 'meet.example.org'] });

  it('a forged Host appears in no link: not in the meeting URL, not in the page, not in next-auth redirects', async () => {
    const forged = { host: 'evil.example' };
    const created = await createRoom(server(), forged);
    expect(created.status).toBe(201);
    const { url, code } = JSON.parse(created.body) as { url: string; code: string };
    expect(url).toBe(`http://localhost:${server().port}/${code}`);
    const page = await raw(server(), `/${code}`, { headers: forged });
    expect(page.status).toBe(200);
    const signin = await raw(server(), '/api/auth/signin', { headers: forged });
    for (const res of [created, page, signin]) {
      expect(res.body).not.toContain('evil.example');
      expect(JSON.stringify(res.headers)).not.toContain('evil.example');
    }
  });

  it('X-Forwarded-Host is ignored without a trusted proxy', async () => {
    const created = await createRoom(server(), { 'x-forwarded-host': 'meet.example.org' });
    expect((JSON.parse(created.body) as { url: string }).url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('an allowed Host is used for links', async () => {
    const created = await createRoom(server(), { host: 'meet.example.org' });
    expect((JSON.parse(created.body) as { url: string }).url).toMatch(/^http:\/\/meet\.example\.org\/[a-z-]+$/);
  });

  it('a page on a domain rebound to this server cannot use the API: its Host is not ours, so its Origin is foreign', async () => {
    const res = await createRoom(server(), { host: 'evil.example', origin: 'http://evil.example' });
    expect(res.status).toBe(403);
  });
});

describe('links behind a trusted proxy', () => {
  const server = serverFor({ allowedHosts: ['meet.example.org'], trustProxy: trustOneProxy() });

  it("takes the proxy's X-Forwarded-Host and -Proto only when the host is allowed", async () => {
    const good = await createRoom(server(), { 'x-forwarded-host': 'meet.example.org', 'x-forwarded-proto': 'https' });
    expect((JSON.parse(good.body) as { url: string }).url).toMatch(/^https:\/\/meet\.example\.org\/[a-z-]+$/);
    const forged = await createRoom(server(), { 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https' });
    expect(forged.body).not.toContain('evil.example');
  });
});

describe('links with PUBLIC_URL', () => {
  const server = serverFor({ publicUrl: 'https://meet.example.org' });

  it('every link uses PUBLIC_URL whatever Host arrives', async () => {
    for (const host of ['evil.example', `127.0.0.1:${server().port}`]) {
      const created = await createRoom(server(), { host });
      expect((JSON.parse(created.body) as { url: string }).url).toMatch(/^https:\/\/meet\.example\.org\/[a-z-]+$/);
    }
  });
});

describe('Strict-Transport-Security', () => {
  describe('on plain http', () => {
    const server = serverFor({}, false);
    it('is not sent, even if the client claims X-Forwarded-Proto: https', async () => {
      const res = await raw(server(), '/healthz', { headers: { 'x-forwarded-proto': 'https' } });
      expect(res.headers['strict-transport-security']).toBeUndefined();
    });
  });

  describe('with an https PUBLIC_URL', () => {
    const server = serverFor({ publicUrl: 'https://meet.example.org' }, false);
    it('is sent', async () => {
      const res = await raw(server(), '/healthz');
      expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    });
  });

  describe('behind a trusted proxy', () => {
    const server = serverFor({ trustProxy: trustOneProxy() }, false);
    it('is sent when the proxy says https, and not when it says http', async () => {
      const https = await raw(server(), '/healthz', { headers: { 'x-forwarded-proto': 'https' } });
      expect(https.headers['strict-transport-security']).toBe('max-age=31536000');
      const http = await raw(server(), '/healthz', { headers: { 'x-forwarded-proto': 'http' } });
      expect(http.headers['strict-transport-security']).toBeUndefined();
    });
  });
});
