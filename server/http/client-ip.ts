/**
 * The client's IP, for sockets and HTTP alike. Behind reverse proxies the
 * client is found in X-Forwarded-For, read from the right: each proxy appends
 * the address it received the request from, so only the entries our own
 * proxies appended can be believed. The first entry is whatever the client
 * chose to send and is never taken on its own say-so.
 */
import { BlockList, isIP } from 'node:net';

/**
 * Which proxies in front of us are ours (TRUST_PROXY): a number of hops, or
 * their addresses and CIDRs. Null trusts none and ignores X-Forwarded-*.
 */
export type TrustProxy = { hops: number } | { proxies: string[] };

/** Parses TRUST_PROXY: `0`/`false`/empty, `true` (one hop), a hop count, or a comma-separated list of IPs/CIDRs. */
export function parseTrustProxy(raw: string | undefined): TrustProxy | null {
  const value = (raw ?? '').trim();
  if (value === '' || value === '0' || value === 'false') return null;
  if (value === 'true') return { hops: 1 };
  if (/^\d+$/.test(value)) return { hops: Number(value) };
  const proxies = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const p of proxies) if (!isAddressOrCidr(p)) throw new Error(`not an IP address or CIDR: ${p}`);
  return { proxies };
}

function isAddressOrCidr(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  const family = isIP(address ?? '');
  if (!family || rest.length) return false;
  if (bits === undefined) return true;
  return /^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}

const lists = new WeakMap<{ proxies: string[] }, BlockList>();

/** The trusted proxies as a BlockList, built once per configuration. */
function proxyList(trust: { proxies: string[] }): BlockList {
  let list = lists.get(trust);
  if (!list) {
    list = new BlockList();
    for (const entry of trust.proxies) {
      const [address = '', bits] = entry.split('/');
      const type = isIP(address) === 6 ? 'ipv6' : 'ipv4';
      if (bits === undefined) list.addAddress(address, type);
      else list.addSubnet(address, Number(bits), type);
    }
    lists.set(trust, list);
  }
  return list;
}

/** `::ffff:192.0.2.1` and `192.0.2.1` are one client: keep one spelling, so per-IP limits see one key. */
export function normalizeIp(ip: string): string {
  const v4 = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  return v4 ? v4[1]! : ip.toLowerCase();
}

function isTrustedProxy(address: string, trust: { proxies: string[] }): boolean {
  const family = isIP(address);
  return family !== 0 && proxyList(trust).check(address, family === 6 ? 'ipv6' : 'ipv4');
}

/** Whether the peer that connected to us is one of our proxies, so its X-Forwarded-* headers may be read. */
export function fromTrustedProxy(remote: string | undefined, trust: TrustProxy | null): boolean {
  if (!trust || remote === undefined) return false;
  return 'hops' in trust ? trust.hops > 0 : isTrustedProxy(remote, trust);
}

/**
 * The client IP: the peer's address, or with trusted proxies the address
 * found by walking X-Forwarded-For from the right, past `hops` entries or past
 * every trusted proxy address. An entry that is not an IP stops the walk at
 * the last address we could vouch for.
 */
export function clientIp(
  headers: Record<string, string | string[] | undefined>,
  remote: string | undefined,
  trust: TrustProxy | null,
): string {
  const peer = remote ? normalizeIp(remote) : 'unknown';
  if (!trust) return peer;
  const header = headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  // chain[0] is the peer, chain[i] the address the i-th proxy from us saw.
  const chain = [peer, ...forwarded.reverse()];
  let i = 0;
  while (i + 1 < chain.length && ('hops' in trust ? i < trust.hops : isTrustedProxy(chain[i]!, trust))) {
    if (!isIP(chain[i + 1]!)) break;
    i++;
  }
  return normalizeIp(chain[i]!);
}

const ofRequest = new WeakMap<object, string>();

/**
 * A request's client IP, worked out once: a long-polling handshake's socket
 * may be gone (and its address with it) by the time Socket.IO's middleware
 * runs, and the count of open connections must close under the IP it opened under.
 */
export function requestClientIp(
  req: { headers: Record<string, string | string[] | undefined>; socket: { remoteAddress?: string } },
  trust: TrustProxy | null,
): string {
  let ip = ofRequest.get(req);
  if (ip === undefined) {
    ip = clientIp(req.headers, req.socket.remoteAddress, trust);
    ofRequest.set(req, ip);
  }
  return ip;
}
