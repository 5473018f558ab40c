/**
 * HTTP request bodies are judged before they are read, and meeting creation
 * is budgeted per IP. Real process: the custom server in front, Next's route
 * handlers behind it; raw node:http clients, so a body can be streamed lazily
 * (never held by the test) and sent from another loopback address.
 */
import { request } from 'node:http';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Ack } from '../../lib/protocol';
import type { ConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
import { DEFAULT_RATE_LIMITS } from '../../server/config';
import { expectErr, expectOk } from '../helpers/ack';
import { ensureNextBuild } from '../helpers/next-build';
import { createMeeting, guestCookieHeader, startServer, testConfig } from '../helpers/server';

beforeAll(() => ensureNextBuild(), 300_000);

const MiB = 1024 * 1024;

interface Sent {
  status: number;
  body: Ack;
  /** Body bytes the client got onto the wire before the server answered or hung up. */
  sent: number;
}

/**
 * POSTs a body of `size` bytes (zeros, produced as they are sent), with a
 * Content-Length or chunked. Resolves with the answer, however early it comes.
 */
function post(
  server: ConveneServer,
  path: string,
  opts: { size: number; chunked?: boolean; headers?: Record<string, string>; localAddress?: string; text?: string },
): Promise<Sent> {
  let sent = 0;
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  const body = opts.text
    ? Readable.from([Buffer.from(opts.text)])
    : Readable.from(
        (function* () {
          for (let left = opts.size; left > 0; left -= chunk.length)
            yield left >= chunk.length ? chunk : chunk.subarray(0, left);
        })(),
      );
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      {
        method: 'POST',
        localAddress: opts.localAddress,
        headers: {
          'content-type': 'application/json',
          ...(opts.chunked
            ? { 'transfer-encoding': 'chunked' }
            : { 'content-length': String(opts.text ? Buffer.byteLength(opts.text) : opts.size) }),
          ...opts.headers,
        },
      },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (d: Buffer) => parts.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(parts).toString()) as Ack, sent }),
        );
        res.on('error', reject);
      },
    );
    // Writing after the server hung up fails; the answer it sent first is what counts.
    req.on('error', () => undefined);
    body.on('data', (d: Buffer) => {
      sent += d.length;
      if (!req.write(d)) body.pause();
    });
    req.on('drain', () => body.resume());
    body.on('end', () => req.end());
    req.on('close', () => body.destroy());
  });
}

describe('request bodies', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer({}, { next: { dev: false } });
  }, 120_000);
  afterAll(() => server.close());

  it('a 96 MiB POST /api/rooms is refused by its Content-Length with 413, before the server reads it, and creates nothing', async () => {
    const spy = vi.spyOn(server.store, 'createMeeting');
    const rssBefore = process.memoryUsage().rss;
    const res = await post(server, '/api/rooms', { size: 96 * MiB });
    expect(res.status).toBe(413);
    expectErr(res.body, 'INVALID_PAYLOAD');
    // What got through is what the kernel's socket buffers took, not the body.
    expect(res.sent).toBeLessThan(32 * MiB);
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(16 * MiB);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('a chunked body past the API limit is cut off at the limit with 413; a small chunked body still creates a meeting', async () => {
    const big = await post(server, '/api/rooms', { size: 64 * MiB, chunked: true });
    expect(big.status).toBe(413);
    expectErr(big.body, 'INVALID_PAYLOAD');
    expect(big.sent).toBeLessThan(32 * MiB);

    const small = await post(server, '/api/rooms', { size: 0, chunked: true, text: '{"title":"Chunked"}' });
    expect(small.status).toBe(201);
    expectOk(small.body);
  });

  it('a body just past the API limit is refused by its length; outside the API, a chunked body is refused with 411', async () => {
    const over = await post(server, '/api/rooms', { size: 8_193 });
    expect(over.status).toBe(413);
    expectErr(over.body, 'INVALID_PAYLOAD');
    const elsewhere = await post(server, '/some-page', { size: 1_000, chunked: true });
    expect(elsewhere.status).toBe(411);
    expectErr(elsewhere.body, 'INVALID_PAYLOAD');
  });
});

describe('meetings created per IP', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer(
      {
        caps: { ...testConfig().caps, meetingsPerIp: [2, 3_600] },
        rateLimits: { ...DEFAULT_RATE_LIMITS, unknownCode: [2, 60] },
      },
      { next: { dev: false } },
    );
  }, 120_000);
  afterAll(() => server.close());

  const create = (localAddress: string) => post(server, '/api/rooms', { size: 0, text: '{}', localAddress });

  it('the third meeting from one IP within the hour is 429 RATE_LIMITED and creates nothing; another IP still creates', async () => {
    expect((await create('127.0.0.2')).status).toBe(201);
    expect((await create('127.0.0.2')).status).toBe(201);
    const spy = vi.spyOn(server.store, 'createMeeting');
    const third = await create('127.0.0.2');
    expect(third.status).toBe(429);
    expectErr(third.body, 'RATE_LIMITED');
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
    expect((await create('127.0.0.3')).status).toBe(201);
  });

  it('a creator whose IP is blocked for guessing still looks up their own meeting; a stranger there gets 429 for every code', async () => {
    const own = await createMeeting(server, guestIdentity('owner'));
    const get = (code: string, cookie?: string) =>
      new Promise<number>((resolve, reject) => {
        request(
          `${server.url}/api/rooms/${code}`,
          { localAddress: '127.0.0.4', headers: cookie ? { cookie } : {} },
          (res) => {
            res.resume();
            resolve(res.statusCode!);
          },
        )
          .on('error', reject)
          .end();
      });
    expect(await get('aaa-aaaa-aaa')).toBe(404);
    expect(await get('bbb-bbbb-bbb')).toBe(404);
    expect(await get(own)).toBe(429);
    expect(await get('ccc-cccc-ccc', guestCookieHeader('owner'))).toBe(429);
    expect(await get(own, guestCookieHeader('owner'))).toBe(200);
  });
});
