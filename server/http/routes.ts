/**
 * Requests the custom server answers before Next: health, metrics, CORS.
 * Everything else goes to Next's handler. Every answer carries the security
 * headers (server/http/security.ts).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { CLIENT_IP_HEADER } from '../../lib/http-api';
import { refuseBody } from './body-limit';
import { clientIp, fromTrustedProxy, type TrustProxy } from './client-ip';
import type { ReadinessCheck } from './health';
import type { Metrics } from '../metrics';
import { serveMetrics, type MetricsAccess } from './metrics-endpoint';
import { applySecurityHeaders, type HostPolicy } from './security';

export interface RouteDeps {
  metrics: Metrics;
  corsOrigins: string[];
  /** Null: X-Forwarded-* headers are dropped. */
  trustProxy: TrustProxy | null;
  /** Largest request body accepted (by Content-Length, before any of it is read). */
  maxBodyBytes: number;
  /** `/healthz` (kept as it was before liveness and readiness were split). */
  health: () => {
    ok: boolean;
    store: string;
    draining: boolean;
    /** Whether this node can record meetings, and why not (ffmpeg missing, media off). */
    recording: { available: boolean; reason?: string };
  };
  /** `/healthz/ready`: whether this node may take new sessions. */
  ready: ReadinessCheck;
  hosts: HostPolicy;
  /** Next's dev server (looser CSP for React Refresh). */
  dev: boolean;
  /** Token and whether /metrics is served on this (public) port at all. */
  metricsAccess: MetricsAccess & { onPublicPort: boolean };
  next: ((req: IncomingMessage, res: ServerResponse) => Promise<void>) | null;
  /** `/api/rooms/:code/recordings…` (server/http/recordings.ts); true when it answered. */
  recordings?: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<boolean>;
  log: { error(obj: object, msg?: string): void };
}

/** Same-origin always; other origins only from the CORS_ORIGINS allow-list. */
export function isAllowedOrigin(origin: string | undefined, host: string | undefined, allowList: string[]): boolean {
  if (!origin) return true;
  try {
    if (new URL(origin).host === host) return true;
  } catch {
    return false;
  }
  return allowList.includes(origin);
}

/**
 * The `request` listener. Node ignores a listener's promise, so a failure is
 * caught here: logged, answered 500 if nothing was sent yet, never an
 * unhandled rejection that takes the process down.
 */
export function createRequestHandler(deps: RouteDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const handle = routes(deps);
  return (req, res) => {
    handle(req, res).catch((err: unknown) => {
      deps.log.error({ err, url: req.url }, 'request failed');
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end();
    });
  };
}

function routes(deps: RouteDeps) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = req.url ?? '/';
    // engine.io answers its own path; this listener also sees those requests
    // because it is added after Socket.IO attached (answering them broke long-polling).
    if (url.startsWith('/socket.io/')) return;
    const path = url.split('?')[0];
    // Route handlers read the client IP from this header; never trust one the client sent.
    req.headers[CLIENT_IP_HEADER] = clientIp(req.headers, req.socket.remoteAddress, deps.trustProxy);
    // Forwarded headers shape links and cookie flags; only a trusted proxy may set them.
    if (!fromTrustedProxy(req.socket.remoteAddress, deps.trustProxy))
      for (const h of ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto']) delete req.headers[h];
    applySecurityHeaders(req, res, deps.hosts.apply(req), deps);
    if (refuseBody(req, res, path ?? '/', deps.maxBodyBytes)) return;

    if (path === '/healthz') {
      const h = deps.health();
      json(res, h.ok && !h.draining ? 200 : 503, h);
      return;
    }
    // Liveness: answered while this process serves HTTP at all; restart it only when this fails.
    if (path === '/healthz/live') {
      json(res, 200, { ok: true });
      return;
    }
    // Readiness: whether a front door should send this node new sessions.
    if (path === '/healthz/ready') {
      const r = deps.ready();
      json(res, r.ready ? 200 : 503, r);
      return;
    }
    if (path === '/metrics' && deps.metricsAccess.onPublicPort) {
      await serveMetrics(req, res, deps.metrics, deps.metricsAccess);
      return;
    }
    // next-auth guards its own endpoints with a CSRF token, and some providers post their answer back cross-site.
    if (path?.startsWith('/api/') && !path.startsWith('/api/auth/')) {
      const origin = req.headers.origin;
      if (!isAllowedOrigin(origin, req.headers.host, deps.corsOrigins)) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error: { code: 'FORBIDDEN', message: 'Origin not allowed' } }));
        return;
      }
      if (origin && deps.corsOrigins.includes(origin)) {
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('access-control-allow-credentials', 'true');
        res.setHeader('vary', 'Origin');
        if (req.method === 'OPTIONS') {
          res.writeHead(204, {
            'access-control-allow-methods': 'GET, POST',
            'access-control-allow-headers': 'content-type',
          });
          res.end();
          return;
        }
      }
    }
    if (path && deps.recordings && (await deps.recordings(req, res, path))) return;
    if (!deps.next) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: { code: 'NOT_FOUND', message: 'Not found' } }));
      return;
    }
    // Next answers a path it cannot decode with a bare 400; it is a mistyped or cut meeting link,
    // so it gets the page a malformed code gets (404, "Check your meeting code", a way on).
    if (!decodable(path ?? '/')) req.url = MALFORMED_CODE_PATH;
    await deps.next(req, res);
  };
}

/** A path the meeting page reads as a malformed code (app/[code]/not-found.tsx). */
const MALFORMED_CODE_PATH = '/malformed-meeting-link';

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

function json(res: ServerResponse, status: number, body: object): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
