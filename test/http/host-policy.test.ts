/**
 * Which Host a request may name (ALLOWED_HOSTS), and what the server makes of
 * one it may not: HostPolicy on bare requests, no server needed.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ORIGIN_HEADER } from '../../lib/http-api';
import { HostPolicy } from '../../server/http/security';

const policy = (allowedHosts: string[], publicUrl: string | null = null) =>
  new HostPolicy({ allowedHosts, publicUrl, port: () => 3000 });

/** A request as the custom server sees it after dropping untrusted forwarded headers. */
const request = (headers: Record<string, string>) => ({ headers: { ...headers } }) as unknown as IncomingMessage;

describe('HostPolicy', () => {
  it.each([
    ['localhost:3000', true],
    ['LOCALHOST:3000', true],
    ['127.0.0.1', true],
    ['[::1]:3000', true],
    ['meet.example.org:443', true],
    ['meet.example.org:8443', false],
    ['evil.example', false],
    ['localhost.evil.example', false],
    ['localhost:3000/path', false],
    ['user@localhost', false],
    ['localhost:3000 evil', false],
    ['', false],
  ])('%j allowed: %s', (host, allowed) => {
    expect(policy(['localhost', '127.0.0.1', '[::1]', 'meet.example.org:443']).allows(host)).toBe(allowed);
  });

  it('replaces a Host that is not allowed with localhost:<port>, and builds the link origin from it', () => {
    const req = request({ host: 'evil.example', [ORIGIN_HEADER]: 'http://evil.example' });
    expect(policy(['localhost']).apply(req)).toEqual({ origin: 'http://localhost:3000', https: false });
    expect(req.headers.host).toBe('localhost:3000');
    expect(req.headers[ORIGIN_HEADER]).toBe('http://localhost:3000');
  });

  it("keeps one checked X-Forwarded-Host from a proxy chain's list, since next-auth reads the header raw", () => {
    const req = request({ host: '10.0.0.5:3000', 'x-forwarded-host': 'evil.example, meet.example.org' });
    req.headers['x-forwarded-proto'] = 'http, HTTPS';
    expect(policy(['meet.example.org']).apply(req)).toEqual({ origin: 'https://meet.example.org', https: true });
    expect(req.headers['x-forwarded-host']).toBe('meet.example.org');
    expect(req.headers['x-forwarded-proto']).toBe('https');
    expect(req.headers.host).toBe('localhost:3000');
  });

  it('drops an X-Forwarded-Host that is not allowed', () => {
    const req = request({ host: 'meet.example.org', 'x-forwarded-host': 'evil.example' });
    expect(policy(['meet.example.org']).apply(req).origin).toBe('http://meet.example.org');
    expect(req.headers['x-forwarded-host']).toBeUndefined();
  });

  it('with PUBLIC_URL, links use it whatever arrives, and its host is allowed without being listed', () => {
    const p = policy([], 'https://meet.example.org');
    expect(p.allows('meet.example.org')).toBe(true);
    const req = request({ host: 'evil.example' });
    expect(p.apply(req)).toEqual({ origin: 'https://meet.example.org', https: true });
    expect(req.headers.host).toBe('meet.example.org');
  });
});
