/**
 * TRUST_PROXY: which X-Forwarded-For entry is the client. The function is the
 * one both sockets and HTTP use; the last test goes through a real handshake.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../server/app';
import { loadConfig } from '../server/config';
import { clientIp, fromTrustedProxy, parseTrustProxy } from '../server/http/client-ip';
import { ipKey } from '../server/signaling/ip-slots';
import { client, connected, startServer, TEST_SECRET } from './helpers/server';
import { until } from './helpers/wait';

const xff = (value: string) => ({ 'x-forwarded-for': value });

describe('TRUST_PROXY', () => {
  it('parses off, a hop count, and a list of addresses and CIDRs; anything else fails the configuration', () => {
    const load = (TRUST_PROXY: string) => loadConfig({ NODE_ENV: 'test', NEXTAUTH_SECRET: TEST_SECRET, TRUST_PROXY });
    expect(load('0').trustProxy).toBeNull();
    expect(load('false').trustProxy).toBeNull();
    expect(loadConfig({ NODE_ENV: 'test' }).trustProxy).toBeNull();
    expect(load('true').trustProxy).toEqual({ hops: 1 });
    expect(load('1').trustProxy).toEqual({ hops: 1 });
    expect(load('2').trustProxy).toEqual({ hops: 2 });
    expect(load('10.0.0.0/8, 192.0.2.7,::1').trustProxy).toEqual({ proxies: ['10.0.0.0/8', '192.0.2.7', '::1'] });
    expect(() => load('10.0.0.0/33')).toThrow(/TRUST_PROXY/);
    expect(() => load('proxy.example.org')).toThrow(/TRUST_PROXY/);
  });

  it('off: X-Forwarded-For is ignored, the peer is the client', () => {
    expect(clientIp(xff('203.0.113.9'), '198.51.100.1', null)).toBe('198.51.100.1');
    expect(fromTrustedProxy('198.51.100.1', null)).toBe(false);
  });

  it('one hop: the entry our proxy appended, never the spoofed one before it', () => {
    const one = parseTrustProxy('1');
    expect(clientIp(xff('203.0.113.9'), '10.0.0.2', one)).toBe('203.0.113.9');
    expect(clientIp(xff('6.6.6.6, 203.0.113.9'), '10.0.0.2', one)).toBe('203.0.113.9');
    expect(clientIp(xff('1.1.1.1, 6.6.6.6,203.0.113.9'), '10.0.0.2', one)).toBe('203.0.113.9');
    expect(clientIp({}, '10.0.0.2', one)).toBe('10.0.0.2');
  });

  it('two hops: skips the second proxy too', () => {
    const two = parseTrustProxy('2');
    expect(clientIp(xff('6.6.6.6, 203.0.113.9, 10.0.0.9'), '10.0.0.2', two)).toBe('203.0.113.9');
    // Several X-Forwarded-For headers count as one list, in order.
    expect(clientIp({ 'x-forwarded-for': ['6.6.6.6, 203.0.113.9', '10.0.0.9'] }, '10.0.0.2', two)).toBe('203.0.113.9');
  });

  it('an address list: trusted proxies are skipped from the right, and an untrusted peer is the client whatever it claims', () => {
    const ours = parseTrustProxy('10.0.0.0/8, 192.0.2.7');
    expect(clientIp(xff('6.6.6.6, 203.0.113.9, 10.1.2.3'), '192.0.2.7', ours)).toBe('203.0.113.9');
    expect(clientIp(xff('6.6.6.6, 203.0.113.9'), '10.0.0.2', ours)).toBe('203.0.113.9');
    expect(clientIp(xff('203.0.113.9'), '198.51.100.1', ours)).toBe('198.51.100.1');
    expect(fromTrustedProxy('198.51.100.1', ours)).toBe(false);
    expect(fromTrustedProxy('::ffff:10.9.9.9', ours)).toBe(true);
  });

  it('an entry that is not an IP stops the walk at the last address we can vouch for', () => {
    expect(clientIp(xff('203.0.113.9, garbage'), '10.0.0.2', parseTrustProxy('2'))).toBe('10.0.0.2');
    expect(clientIp(xff('not-an-ip'), '10.0.0.2', parseTrustProxy('10.0.0.0/8'))).toBe('10.0.0.2');
  });

  it('IPv4-mapped peers are one client with their IPv4 spelling, and an IPv6 client is limited by its /64', () => {
    expect(clientIp({}, '::ffff:198.51.100.1', null)).toBe('198.51.100.1');
    expect(ipKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(ipKey('2001:db8:1:2:bbbb:cccc:dddd:eeee')).toBe('2001:db8:1:2::/64');
    expect(ipKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(ipKey('198.51.100.1')).toBe('198.51.100.1');
  });
});

describe('a handshake through a trusted proxy', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer({ trustProxy: parseTrustProxy('127.0.0.1') });
  });
  afterAll(() => server.close());

  const ipOf = async (opts: Parameters<typeof client>[1]) => {
    const socket = await connected(client(server, opts));
    const seen = await until('the server has the socket', () => server.io.of('/').sockets.get(socket.id!));
    socket.disconnect();
    return seen!.data.ip;
  };

  it("takes the client from the proxy's entry, not the spoofed first one; a peer that is not the proxy is taken as it is", async () => {
    expect(await ipOf({ headers: xff('6.6.6.6, 203.0.113.9') })).toBe('203.0.113.9');
    expect(await ipOf({ headers: xff('6.6.6.6, 203.0.113.9'), localAddress: '127.0.0.2' })).toBe('127.0.0.2');
  });
});
