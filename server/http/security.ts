/**
 * What every HTTP answer carries for the browser's protection, and which
 * Host a request may claim. Next.js App Router takes the script nonce from the
 * *request's* Content-Security-Policy header (app-render's
 * getScriptNonceFromHeader), so the custom server writes one policy, with a
 * fresh nonce, on the request before Next sees it and on the response.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import os from 'node:os';
import { ORIGIN_HEADER } from '../../lib/http-api';

export interface SecurityOptions {
  /** Next's dev server: React Refresh needs eval, and its overlay injects styles without a nonce. */
  dev: boolean;
  /** PUBLIC_URL: links are always built from it. */
  publicUrl: string | null;
  /** Hosts (`name` or `name:port`) a request's Host may name; anything else is replaced by the canonical host. */
  allowedHosts: string[];
  /** The listening port (known once listening), for the canonical `localhost:<port>` when there is no PUBLIC_URL. */
  port: () => number;
}

/** The hosts accepted when ALLOWED_HOSTS is unset: loopback, PUBLIC_URL's, and this machine's own names and addresses. */
export function defaultAllowedHosts(listenHost: string): string[] {
  const hosts = ['localhost', '127.0.0.1', '[::1]'];
  if (listenHost === '0.0.0.0' || listenHost === '::') {
    hosts.push(os.hostname());
    for (const nets of Object.values(os.networkInterfaces()))
      for (const net of nets ?? []) hosts.push(net.family === 'IPv6' ? `[${net.address.split('%')[0]}]` : net.address);
  } else hosts.push(listenHost.includes(':') ? `[${listenHost}]` : listenHost);
  return hosts;
}

/** A Host header split into lower-case name and port (`''` for the default); null if it is not a bare host. */
function parseHost(value: string): { name: string; port: string } | null {
  if (!value || /[/?#@\\\s]/.test(value)) return null;
  try {
    const url = new URL(`http://${value}`);
    return { name: url.hostname, port: url.port };
  } catch {
    return null;
  }
}

export class HostPolicy {
  readonly #allowed: Array<{ name: string; port: string | null }>;
  readonly #publicUrl: URL | null;
  readonly #port: () => number;

  constructor(options: Pick<SecurityOptions, 'publicUrl' | 'allowedHosts' | 'port'>) {
    const publicUrl = options.publicUrl ? new URL(options.publicUrl) : null;
    this.#publicUrl = publicUrl;
    this.#port = options.port;
    const entries = [...options.allowedHosts, ...(publicUrl ? [publicUrl.host] : [])];
    this.#allowed = entries.flatMap((entry) => {
      const parsed = parseHost(entry.trim());
      if (!parsed) return [];
      // `name` alone allows any port; `name:port` only that one.
      return [{ name: parsed.name, port: /:\d+$/.test(entry.trim()) ? parsed.port : null }];
    });
  }

  /** Host used in place of one that is not allowed. */
  get canonical(): string {
    return this.#publicUrl?.host ?? `localhost:${this.#port()}`;
  }

  allows(host: string | undefined): boolean {
    const parsed = host ? parseHost(host) : null;
    if (!parsed) return false;
    return this.#allowed.some((a) => a.name === parsed.name && (a.port === null || a.port === parsed.port));
  }

  /**
   * Makes the request name only an allowed host: a Host (or a trusted
   * proxy's X-Forwarded-Host) outside the list becomes the canonical host, so
   * neither our links nor Next's or next-auth's can carry it, and same-origin
   * checks fail for it (a DNS-rebinding page never passes for us). Then
   * writes the origin links are built from into ORIGIN_HEADER, overwriting
   * any the client sent. Returns that origin, and whether the client reached
   * us over https (PUBLIC_URL says so, or a trusted proxy's X-Forwarded-Proto).
   */
  apply(req: IncomingMessage): { origin: string; https: boolean } {
    // Forwarded headers reach this point only from a trusted proxy (routes.ts drops them otherwise).
    // Each is left holding one checked value: next-auth reads them raw, lists included.
    const claimed = lastValue(req.headers['x-forwarded-host']);
    const forwarded = claimed !== undefined && this.allows(claimed) ? claimed : undefined;
    if (forwarded !== undefined) req.headers['x-forwarded-host'] = forwarded;
    else delete req.headers['x-forwarded-host'];
    if (!this.allows(req.headers.host)) req.headers.host = this.canonical;
    const host = forwarded ?? req.headers.host ?? this.canonical;
    const proto = lastValue(req.headers['x-forwarded-proto']) === 'https' ? 'https' : 'http';
    if (req.headers['x-forwarded-proto'] !== undefined) req.headers['x-forwarded-proto'] = proto;
    const origin = this.#publicUrl?.origin ?? `${proto}://${host}`;
    req.headers[ORIGIN_HEADER] = origin;
    return { origin, https: proto === 'https' || origin.startsWith('https:') };
  }
}

/** The last entry of a header a chain of proxies may have appended to: the one our nearest proxy wrote. */
function lastValue(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[header.length - 1] : header;
  return value?.split(',').pop()?.trim().toLowerCase() || undefined;
}

const PERMISSIONS_POLICY = [
  'camera=(self)',
  'microphone=(self)',
  'display-capture=(self)',
  'autoplay=(self)',
  'fullscreen=(self)',
  'picture-in-picture=(self)',
  'clipboard-write=(self)',
  'speaker-selection=(self)',
  'geolocation=()',
  'payment=()',
  'usb=()',
  'serial=()',
  'hid=()',
  'midi=()',
  'accelerometer=()',
  'gyroscope=()',
  'magnetometer=()',
  'browsing-topics=()',
].join(', ');

/** The Content-Security-Policy of one response. */
export function contentSecurityPolicy(nonce: string, origin: string, dev: boolean): string {
  const ws = origin.replace(/^http/, 'ws');
  return [
    "default-src 'self'",
    // 'strict-dynamic': scripts Next's nonced scripts load (its chunks) run; no other script does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // <style> elements need the nonce; style="" attributes (React's style prop) cannot carry one.
    dev ? "style-src 'self' 'unsafe-inline'" : `style-src 'self' 'nonce-${nonce}'`,
    "style-src-attr 'unsafe-inline'",
    // https: for sign-in providers' avatars (any provider's image host).
    "img-src 'self' data: blob: https:",
    "media-src 'self' blob:",
    "font-src 'self' data:",
    // 'self' covers same-origin WebSockets in current browsers; the explicit origin is for older Safari.
    `connect-src 'self' ${ws}`,
    "object-src 'none'",
    "base-uri 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Sets the security headers on the response (and the policy on the request,
 * where Next reads its nonce). `seen` is what HostPolicy.apply returned.
 */
export function applySecurityHeaders(
  req: IncomingMessage,
  res: ServerResponse,
  seen: { origin: string; https: boolean },
  options: Pick<SecurityOptions, 'dev'>,
): void {
  const { origin } = seen;
  const nonce = randomBytes(16).toString('base64');
  const csp = contentSecurityPolicy(nonce, origin, options.dev);
  // Whatever policy the client sent is replaced: Next would take its nonce.
  delete req.headers['content-security-policy-report-only'];
  req.headers['content-security-policy'] = csp;
  res.setHeader('content-security-policy', csp);
  res.setHeader('x-frame-options', 'DENY');
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'strict-origin-when-cross-origin');
  res.setHeader('permissions-policy', PERMISSIONS_POLICY);
  res.setHeader('cross-origin-opener-policy', 'same-origin');
  // Only over https: on plain http the header is ignored at best, and a mistaken one locks users out.
  if (seen.https) res.setHeader('strict-transport-security', 'max-age=31536000');
}
