/**
 * GET /metrics, protected two ways that combine: METRICS_TOKEN requires
 * `Authorization: Bearer <token>`, and METRICS_PORT serves it on its own
 * listener (METRICS_HOST, loopback by default) instead of the public port.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from '../metrics';

export interface MetricsAccess {
  /** Null: no token asked. */
  token: string | null;
}

/** Compares digests, so the time taken says nothing about how much of the token matched. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = /^Bearer (.+)$/i.exec(header ?? '')?.[1]?.trim() ?? '';
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token));
}

export async function serveMetrics(
  req: IncomingMessage,
  res: ServerResponse,
  metrics: Metrics,
  access: MetricsAccess,
): Promise<void> {
  if (access.token !== null && !bearerMatches(req.headers.authorization, access.token)) {
    res.writeHead(401, {
      'content-type': 'application/json',
      'cache-control': 'no-store',
      'www-authenticate': 'Bearer realm="metrics"',
    });
    res.end(JSON.stringify({ ok: false, error: { code: 'UNAUTHENTICATED', message: 'Bearer token required' } }));
    return;
  }
  res.writeHead(200, { 'content-type': metrics.registry.contentType, 'cache-control': 'no-store' });
  res.end(await metrics.registry.metrics());
}

/** A listener that answers only /metrics; resolves once it listens. */
export async function startMetricsServer(
  at: { host: string; port: number },
  metrics: Metrics,
  access: MetricsAccess,
  log: { error(obj: object, msg?: string): void },
): Promise<{ server: Server; port: number }> {
  const server = createServer((req, res) => {
    res.setHeader('x-content-type-options', 'nosniff');
    if (req.url?.split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: false, error: { code: 'NOT_FOUND', message: 'Not found' } }));
      return;
    }
    serveMetrics(req, res, metrics, access).catch((err: unknown) => {
      log.error({ err }, 'metrics request failed');
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(at.port, at.host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}
