/**
 * Cutting connections that hurt everyone else, and finding the ones whose
 * client stopped reading. Engine.io (6.6) queues outgoing packets in the
 * socket's `writeBuffer` while its transport is busy, and the WebSocket
 * transport's `ws` keeps what the kernel would not take (`bufferedAmount`).
 * Neither has a cap, so a client that never reads grows server memory with
 * every message its room sends; this sweep drops it once that passes a cap.
 * Both fields are engine.io internals, read through the narrow shapes below.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from '../metrics';
import type { IoServer, IoSocket } from './context';
import type { RateLimiter } from './rate-limits';

type AllowRequest = (req: IncomingMessage, cb: (err: string | null | undefined, success: boolean) => void) => void;

/**
 * Engine.io's allowRequest, with the per-IP refusals that must be cheap put in
 * front of `next`: an IP cooling down after a flood, and an IP already well
 * past its connection cap (up to the cap plus a margin, the Socket.IO
 * handshake refuses instead, with a message the client can show). Refusing
 * here costs no WebSocket upgrade and no Socket.IO session. Should the
 * cool-down store fail, the handshake goes ahead.
 */
export function guardHandshakes(
  limits: RateLimiter,
  opts: {
    ipOf: (req: IncomingMessage) => string;
    hardCap: number;
    onRefused: (reason: 'per-ip-cap' | 'cooldown') => void;
    log: Logger;
  },
  next: AllowRequest,
): AllowRequest {
  return (req, cb) => {
    const ip = opts.ipOf(req);
    if (limits.connections.count(ip) >= opts.hardCap) {
      opts.onRefused('per-ip-cap');
      return cb('Too many connections from your network', false);
    }
    limits.coolingDown(ip).then(
      (wait) => {
        if (!wait) return next(req, cb);
        opts.onRefused('cooldown');
        cb(`Too many refused requests from your network; try again in ${wait} s`, false);
      },
      (err: unknown) => {
        opts.log.error({ err }, 'cool-down check failed');
        next(req, cb);
      },
    );
  };
}

/** What we read of an engine.io socket (engine.io 6.6). */
interface EngineConn {
  readyState: string;
  close(discard?: boolean): void;
  transport: { name: string; socket?: { bufferedAmount?: number; terminate?: () => void } };
  writeBuffer?: Array<{ data?: string | ArrayBufferLike | ArrayBufferView }>;
}

const asEngine = (conn: IoSocket['conn']) => conn as unknown as EngineConn;

/**
 * Closes the connection now, without a goodbye: a WebSocket is terminated
 * (its TCP socket destroyed, freeing what is queued on it, where a polite
 * close would wait up to 30 s for a peer that is not listening), any other
 * transport is closed discarding its queue. Idempotent.
 */
export function cutConnection(conn: IoSocket['conn']): void {
  const c = asEngine(conn);
  if (c.readyState === 'closed') return;
  if (c.transport.name === 'websocket') c.transport.socket?.terminate?.();
  c.close(true);
}

/** Bytes waiting to reach this client: engine.io's queue plus what `ws` holds for the kernel. */
export function queuedBytes(conn: IoSocket['conn']): number {
  const c = asEngine(conn);
  let bytes = c.transport.socket?.bufferedAmount ?? 0;
  for (const packet of c.writeBuffer ?? []) {
    const d = packet.data;
    if (typeof d === 'string') bytes += d.length;
    else if (d) bytes += d.byteLength;
  }
  return bytes;
}

/**
 * Checks every connection of this process once per `everyMs` and cuts those
 * with more than `maxBytes` queued. A timer over all connections costs far
 * less than a check on every emit, and the overshoot is at most one interval
 * of one room's traffic. Returns a function that stops the sweep.
 */
export function watchSendBuffers(
  io: IoServer,
  opts: { maxBytes: number; everyMs: number; log: Logger; metrics: Metrics },
): () => void {
  const timer = setInterval(() => {
    for (const socket of io.of('/').sockets.values()) {
      const bytes = queuedBytes(socket.conn);
      if (bytes <= opts.maxBytes) continue;
      opts.metrics.dropped.inc({ reason: 'slow-reader' });
      opts.log.warn({ ip: socket.data.ip, socket: socket.id, bytes }, 'connection dropped: client is not reading');
      cutConnection(socket.conn);
    }
  }, opts.everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
