/**
 * The composition root: one HTTP server that answers health and metrics,
 * hands everything else to Next, and carries Socket.IO on the same port.
 */
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { publishHttpApi, unpublishHttpApi } from '../lib/http-api';
import { IdentityService } from './auth/identity';
import type { ServerConfig } from './config';
import { createApiHandler } from './http/api';
import { startMetricsServer } from './http/metrics-endpoint';
import { requestClientIp } from './http/client-ip';
import { readinessCheck, redisReadiness } from './http/health';
import { mergeSetCookies, SESSION_COOKIE } from './http/session-cookie';
import { createRequestHandler, isAllowedOrigin, type RouteDeps } from './http/routes';
import { recordingRoutes } from './http/recordings';
import type { Recorder } from './recording/recorder';
import { HostPolicy } from './http/security';
import { createLogger } from './logger';
import { createMetrics } from './metrics';
import { MeetingService } from './rooms/meetings';
import { RoomRegistry } from './rooms/RoomRegistry';
import { attachSignaling } from './signaling';
import { Lifecycle, type IoServer } from './signaling/context';
import { RateLimiter } from './signaling/rate-limits';
import { guardHandshakes, watchSendBuffers } from './signaling/connection-guard';
import { MediaBridge } from './signaling/media-bridge';
import { Sfu, type SfuConfig } from './sfu';
import { ClusterNode } from './cluster';
import { NODE_TTL_MS, nodeUrlFor } from './cluster/nodes';
import { localFirstShardedAdapter } from './cluster/adapter';
import { OwnedStore } from './cluster/owned-store';
import { closeConnection, logConnectionErrors } from './cluster/redis-errors';
import { clusterHooks, linkMediaNodes, localOps } from './signaling/cluster';
import { randomId } from './random-id';
import { MemoryRoomStore } from './store/memory';
import { RedisRoomStore } from './store/redis';
import type { RoomStore } from './store/types';

export interface ServerOptions {
  /** Serve the Next.js app (off in signaling-only tests). */
  next?: false | { dev: boolean; dir?: string };
  /** Run the mediasoup SFU (off in signaling-only tests). */
  media?: false | SfuConfig;
  logger?: Logger;
}

export interface ConveneServer {
  config: ServerConfig;
  sfu: Sfu | null;
  /** This node's recorder (null without media). */
  recorder: Recorder | null;
  http: HttpServer;
  io: IoServer;
  store: RoomStore;
  log: Logger;
  port: number;
  url: string;
  /** The separate /metrics listener's port (METRICS_PORT), or null when /metrics is on the public port. */
  metricsPort: number | null;
  /** Graceful: stop joins, tell clients, finish in-flight writes, close. */
  close(): Promise<void>;
}

// Small on purpose: the largest legitimate payload is a produce with simulcast RTP parameters.
const MAX_SOCKET_PAYLOAD = 32 * 1024;
/** How often each connection's unsent bytes are checked against MAX_SEND_BUFFER_KB. */
const SEND_BUFFER_CHECK_MS = 100;
/**
 * Connections an IP may open past its cap and still get the handshake's clear
 * "too many connections" answer; beyond that they are refused before any
 * WebSocket upgrade, the cheapest refusal there is.
 */
const hardCap = ({ connectionsPerIp: cap }: ServerConfig['caps']) => cap + Math.max(10, Math.ceil(cap / 10));
/** How long shutdown waits for clients' connections to flush and close before cutting them. */
const FLUSH_WAIT_MS = 2_000;

/**
 * Resolves once these engine.io connections have closed, or after `ms`.
 * disconnectSockets(true) closes a connection only after its write buffer is
 * flushed, but io.close() closes every connection with `discard`, dropping
 * whatever is still queued (the acks of the work shutdown just waited for, and
 * the disconnect packet itself), so shutdown waits for this first.
 */
function flushedAndClosed(
  connections: Array<{ readyState: string; once(event: 'close', fn: () => void): unknown }>,
  ms: number,
): Promise<void> {
  const open = connections.filter((c) => c.readyState !== 'closed');
  if (!open.length) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    void Promise.all(open.map((c) => new Promise<void>((closed) => c.once('close', () => closed())))).then(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Socket.IO's Redis adapter. On Redis 7 its sharded variant (SPUBLISH, one
 * channel per Socket.IO room, subscribed only while this node has a socket in
 * it), so a node hears only the rooms it serves; it also survives a Redis
 * outage without crashing (a failed publish is caught and dropped). Older
 * Redis gets the classic adapter, whose failed publishes are caught here.
 */
async function redisAdapter(redis: Redis, pub: Redis, sub: Redis, log: Logger) {
  const info = await redis.info('server');
  const major = Number(/redis_version:(\d+)/.exec(info)?.[1] ?? 0);
  if (major >= 7) return localFirstShardedAdapter(pub, sub);
  log.warn({ redisMajor: major }, 'Redis < 7: the classic adapter sends every room to every node');
  const publish = pub.publish.bind(pub);
  pub.publish = (...args: Parameters<Redis['publish']>) =>
    publish(...args).catch((err: unknown) => {
      log.debug({ err: (err as Error).message }, 'adapter publish failed');
      return 0;
    });
  return createAdapter(pub, sub);
}

export async function createConveneServer(config: ServerConfig, options: ServerOptions = {}): Promise<ConveneServer> {
  const log = options.logger ?? createLogger(config.logLevel);
  // next-auth in this process must sign and verify with the same secret as the handshake.
  // Assigned, not defaulted: a stale value would make next-auth sign sessions the handshake cannot verify.
  process.env.NEXTAUTH_SECRET = config.secret;

  // No offline queue: while Redis is away a command fails at once (UNAVAILABLE, or
  // a room owner carrying on from memory) instead of queueing behind it.
  const redis = config.redisUrl
    ? new Redis(config.redisUrl, { maxRetriesPerRequest: 3, lazyConnect: true, enableOfflineQueue: false })
    : null;
  if (redis) {
    logConnectionErrors(redis, log, 'main');
    await redis.connect();
  }
  // With Redis this process is one node of a cluster: it owns some rooms and relays the rest.
  const cluster = redis ? await ClusterNode.start(redis, log) : null;
  const nodeId = cluster?.nodeId ?? randomId(9);
  const store: RoomStore =
    redis && cluster
      ? new OwnedStore(new RedisRoomStore(redis, { liveStateTtlMs: config.meetingTtlMs }), redis, {
          owns: (code) => cluster.leases.holds(code),
          meetingTtlMs: config.meetingTtlMs,
          chatHistory: config.chatHistory,
          log,
        })
      : new MemoryRoomStore();

  const identity = new IdentityService(config.secret);
  const limits = new RateLimiter(config.rateLimits, redis, config.caps, (code, id) =>
    store.getParticipant(code, id).then(async (p) => Boolean(p ?? (await store.getAudience(code, id)))),
  );
  const meetings = new MeetingService(store, config);
  const rooms = new RoomRegistry({
    store,
    log,
    meetingTtlMs: config.meetingTtlMs,
    reconnectGraceMs: config.reconnectGraceMs,
    waitingRoomCap: config.waitingRoomCap,
    audienceCapacity: config.audienceCapacity,
    chatHistory: config.chatHistory,
    chatHistoryBytes: config.chatHistoryBytes,
  });
  const lifecycle = new Lifecycle();
  const httpApi = createApiHandler({
    meetings,
    identity,
    limits,
    store,
    requireSignInToCreate: config.requireSignInToCreate,
    publicUrl: config.publicUrl,
    log,
  });
  publishHttpApi(httpApi);

  let nextHandler: RouteDeps['next'] = null;
  type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => Promise<void>;
  let nextUpgrade: UpgradeHandler | null = null;
  if (options.next) {
    const { default: next } = await import('next');
    const app = next({ dev: options.next.dev, dir: options.next.dir ?? process.cwd(), quiet: !options.next.dev });
    await app.prepare();
    nextHandler = app.getRequestHandler();
    if (options.next.dev) nextUpgrade = app.getUpgradeHandler();
  }

  const http = createServer();
  const requestIp = (req: IncomingMessage) => requestClientIp(req, config.trustProxy);
  const handshakeGuard = {
    ipOf: requestIp,
    hardCap: hardCap(config.caps),
    onRefused: (reason: 'per-ip-cap' | 'cooldown') => metrics.dropped.inc({ reason }),
    log,
  };
  const listeningPort = () => (http.address() as AddressInfo | null)?.port ?? config.port;
  const hosts = new HostPolicy({ publicUrl: config.publicUrl, allowedHosts: config.allowedHosts, port: listeningPort });
  const io: IoServer = new Server(http, {
    maxHttpBufferSize: MAX_SOCKET_PAYLOAD,
    // CORS does not cover WebSockets, so the origin is checked on every handshake request too.
    cors: { origin: (origin, cb) => cb(null, !origin || config.corsOrigins.includes(origin)), credentials: true },
    // A Host outside ALLOWED_HOSTS never counts as same-origin (a DNS-rebinding page must not pass for us).
    allowRequest: guardHandshakes(limits, handshakeGuard, (req, cb) => {
      const host = hosts.allows(req.headers.host) ? req.headers.host : undefined;
      cb(null, isAllowedOrigin(req.headers.origin, host, config.corsOrigins));
    }),
    // Next's dev server handles its own upgrades (HMR); don't let engine.io destroy them.
    destroyUpgrade: !nextUpgrade,
    // The polling handshake's answer names its session in a cookie, so a load balancer keeps each
    // long-polling session on one node (deploy/haproxy.cfg; server/http/session-cookie.ts).
    cookie: SESSION_COOKIE,
  });
  io.engine.on('headers', mergeSetCookies);
  // Open connections per client IP, counted where engine.io opens and closes them.
  io.engine.on('connection', (conn: { request: IncomingMessage; once(event: 'close', fn: () => void): void }) => {
    const ip = requestIp(conn.request);
    limits.connections.open(ip);
    conn.once('close', () => limits.connections.close(ip));
  });
  let pub: Redis | null = null;
  let sub: Redis | null = null;
  if (redis) {
    // Without an offline queue a publish fails at once while Redis is away, and the
    // adapter then delivers to this node's own sockets without waiting for it.
    // Connected before use: a lazy client without an offline queue would fail its first publish.
    pub = redis.duplicate({ enableOfflineQueue: false, lazyConnect: true });
    // A subscriber queues while Redis is away (and resubscribes after): the
    // adapter subscribes rooms as sockets join them, and must not see that fail.
    sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null, lazyConnect: true });
    logConnectionErrors(pub, log, 'adapter-pub');
    logConnectionErrors(sub, log, 'adapter-sub');
    await Promise.all([pub.connect(), sub.connect()]);
    io.adapter(await redisAdapter(redis, pub, sub, log));
  }

  const memberships = () =>
    [...io.of('/').sockets.values()].flatMap((s) => (s.data.membership ? [s.data.membership] : []));
  const metrics = createMetrics({
    sockets: () => io.of('/').sockets.size,
    rooms: () => new Set(memberships().map((m) => m.roomCode)).size,
    participants: () => memberships().length,
  });
  const sfu = options.media ? await Sfu.create(options.media, log.child({ component: 'sfu' })) : null;
  const media = sfu
    ? new MediaBridge(sfu, io, rooms, log, {
        dir: config.recordings.dir,
        ttlMs: config.recordings.ttlMs,
        store,
        log: log.child({ component: 'recorder' }),
        nodeId,
      })
    : null;
  const stopSendBufferWatch = watchSendBuffers(io, {
    maxBytes: config.caps.sendBufferBytes,
    everyMs: SEND_BUFFER_CHECK_MS,
    log,
    metrics,
  });
  const signalingDeps = {
    io,
    rooms,
    store,
    identity,
    limits,
    config,
    metrics,
    log,
    lifecycle,
    media,
    nodeId,
    isNodeAlive: (id: string) => !cluster || cluster.nodes.isAlive(id),
  };
  const signaling = attachSignaling(signalingDeps);
  if (cluster) {
    rooms.route(cluster.placement);
    media?.route(cluster.placement);
    const owned = store as OwnedStore;
    const unsaved = (code: string) => owned.dirty.has(code);
    cluster.placement.setLocal(localOps(signalingDeps, cluster.placement, unsaved));
    cluster.leases.onRestore((code) => owned.writeBack(code));
    // A room this node no longer owns: its copy, its Room object and its router go.
    cluster.leases.onDropped((code) => {
      owned.forget(code);
      rooms.release(code);
      void media?.local(code).end();
    });
    if (sfu) linkMediaNodes(sfu, cluster, log);
    await cluster.join(clusterHooks(signalingDeps, signaling.graceTimers, cluster.placement, unsaved));
  }

  http.on(
    'request',
    createRequestHandler({
      metrics,
      corsOrigins: config.corsOrigins,
      trustProxy: config.trustProxy,
      maxBodyBytes: config.caps.httpBodyBytes,
      health: () => ({
        ok: true,
        store: store.kind,
        draining: lifecycle.draining,
        recording: media?.recorder
          ? media.recorder.availability.available
            ? { available: true }
            : { available: false, reason: media.recorder.availability.reason }
          : { available: false, reason: 'media (the SFU) is off on this server' },
      }),
      // Not ready while draining or while any Redis connection is down: the front door then
      // sends new sessions elsewhere. More sources (the cluster's own) go in this list.
      ready: readinessCheck(
        () => (lifecycle.draining ? ['draining'] : []),
        redisReadiness([redis, pub, sub].filter((c) => c !== null)),
      ),
      next: nextHandler,
      recordings: recordingRoutes({
        store,
        identity,
        recorder: media?.recorder ?? null,
        nodeId,
        holderUrl: (id) => cluster?.nodes.urlOf(id),
        log,
      }),
      log,
      hosts,
      dev: Boolean(options.next && options.next.dev),
      metricsAccess: { token: config.metrics.token, onPublicPort: config.metrics.port === null },
    }),
  );
  if (nextUpgrade) {
    const upgrade = nextUpgrade;
    http.on('upgrade', (req, socket, head) => {
      if (req.url?.startsWith('/socket.io/')) return;
      upgrade(req, socket, head).catch((err: unknown) => {
        log.error({ err }, 'upgrade failed');
        socket.destroy();
      });
    });
  }

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(config.port, config.host, () => resolve());
  });
  const port = (http.address() as AddressInfo).port;
  cluster?.nodes.advertise(config.nodeUrl ?? nodeUrlFor(config.host, port));
  let closing: Promise<void> | null = null;
  // Recordings a killed process of this node left on its disk: now, and again once
  // that process's heartbeat has expired (a quick restart still finds it beating).
  const recoverRecordings = () => {
    if (closing || !media?.recorder) return;
    const isLive = (id: string) => cluster?.nodes.beating(id) ?? Promise.resolve(false);
    media.recorder.recover(isLive).catch((err: unknown) => log.error({ err }, 'recovering recordings failed'));
  };
  recoverRecordings();
  setTimeout(recoverRecordings, 2 * NODE_TTL_MS).unref();
  const metricsListener =
    config.metrics.port === null
      ? null
      : await startMetricsServer(
          { host: config.metrics.host, port: config.metrics.port },
          metrics,
          { token: config.metrics.token },
          log,
        );

  const close = () =>
    (closing ??= (async () => {
      lifecycle.startDraining();
      // Only this process's clients: with the Redis adapter a plain emit would reach every server's.
      io.local.emit('server-going-away', { reconnectAfterMs: 1_000 });
      await lifecycle.settled();
      // Disconnect handlers keep participants in their grace period, so they
      // resume with the same identity on whichever server they reach next.
      const connections = [...io.of('/').sockets.values()].map((s) => s.conn);
      // The sharded adapter delivers a broadcast here once its publish is answered:
      // Redis answers in order, so after this PING every earlier broadcast went out.
      await pub?.ping().catch(() => undefined);
      io.local.disconnectSockets(true);
      await Promise.all([lifecycle.settled(), flushedAndClosed(connections, FLUSH_WAIT_MS)]);
      // Our rooms move to other nodes before their routers close here: their
      // participants elsewhere see one media reset, ours resume on another node.
      const moved = (await cluster?.drain()) ?? [];
      if (moved.length) log.info({ rooms: moved.length }, 'rooms handed over');
      signaling.graceTimers.clearAll();
      stopSendBufferWatch();
      await media?.recorder?.close();
      await io.close();
      sfu?.close();
      await new Promise((resolve) => (metricsListener ? metricsListener.server.close(resolve) : resolve(undefined)));
      await store.close();
      await cluster?.close();
      await Promise.all([redis, pub, sub].filter((c) => c !== null).map(closeConnection));
      unpublishHttpApi(httpApi);
      log.info('server closed');
    })());

  log.info({ port, store: store.kind, next: Boolean(options.next) }, 'convene listening');
  return {
    config,
    sfu,
    recorder: media?.recorder ?? null,
    http,
    io,
    store,
    log,
    port,
    url: `http://127.0.0.1:${port}`,
    metricsPort: metricsListener?.port ?? null,
    close,
  };
}
