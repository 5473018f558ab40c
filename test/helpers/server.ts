/** Starts real Convene servers on port 0 and real Socket.IO clients against them. */
import { encode } from 'next-auth/jwt';
import { io as connect, type Socket } from 'socket.io-client';
import { IdentityService, guestIdentity, type Identity } from '../../server/auth/identity';
import { createConveneServer, type ConveneServer, type ServerOptions } from '../../server/app';
import { DEFAULT_RATE_LIMITS, loadConfig, type ServerConfig } from '../../server/config';
import { MeetingService } from '../../server/rooms/meetings';
import type {
  Ack,
  ClientEventName,
  ClientEventResults,
  ClientPayload,
  ClientToServerEvents,
  ServerToClientEvents,
} from '../../lib/protocol';

export type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

export const TEST_SECRET = 'test-secret-0123456789-abcdefghijklmnopqrstuvwxyz';

/** The cookie header a browser of guest `id` would send. */
export function guestCookieHeader(id: string): string {
  return new IdentityService(TEST_SECRET).guestCookie(id, false).split(';')[0]!;
}

/** The cookie header of a browser signed in through next-auth as `sub`. */
export async function sessionCookieHeader(sub: string, name: string): Promise<string> {
  return `next-auth.session-token=${await encode({ token: { sub, name }, secret: TEST_SECRET })}`;
}

export function testConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  const config = loadConfig({
    NODE_ENV: 'test',
    NEXTAUTH_SECRET: TEST_SECRET,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  });
  return {
    ...config,
    port: 0,
    host: '127.0.0.1',
    rateLimits: { ...DEFAULT_RATE_LIMITS },
    // Every test client is 127.0.0.1 unless it binds another address, so one IP's share of a
    // meeting's broadcasts (paced at 30/s) would refuse tests that fill a chat history in a loop.
    // The tests of that share set it themselves (test/signaling/flood.test.ts). Likewise the
    // pace of one IP's joins would queue tests that join a dozen clients at once (test/signaling/join-pace.test.ts).
    caps: {
      ...config.caps,
      ipBroadcasts: { points: 1_000_000, seconds: 1, perSecond: 1_000_000 },
      joinsPerIp: { perSecond: 1_000_000, burst: 1_000_000, queue: 1_000_000 },
    },
    ...overrides,
  };
}

export async function startServer(
  overrides: Partial<ServerConfig> = {},
  options: ServerOptions = {},
): Promise<ConveneServer> {
  return createConveneServer(testConfig(overrides), options);
}

/**
 * The cookie of `createMeeting`'s default creator. Only the creator (and the
 * co-hosts the creator names) is ever host: whoever joins first is not.
 */
export const creatorCookie = () => guestCookieHeader('creator');

/** Creates a meeting straight through the service the HTTP API uses; returns its code. */
export async function createMeeting(
  server: ConveneServer,
  creator: Identity = guestIdentity('creator'),
  title = 'Test meeting',
): Promise<string> {
  const meetings = new MeetingService(server.store, server.config);
  return (await meetings.create(creator, { title })).code;
}

export function client(
  server: { url: string } | string,
  opts: {
    auth?: Record<string, unknown>;
    cookie?: string;
    headers?: Record<string, string>;
    reconnection?: boolean;
    /** Connect from this local address (127.0.0.2, 127.0.0.3…: other client IPs on loopback, no setup needed on Linux). */
    localAddress?: string;
  } = {},
): Client {
  const url = typeof server === 'string' ? server : server.url;
  // engine.io-client passes localAddress on to `ws` in Node; its options type does not list it.
  const local: object = opts.localAddress ? { localAddress: opts.localAddress } : {};
  return connect(url, {
    ...local,
    transports: ['websocket'],
    forceNew: true,
    reconnection: opts.reconnection ?? false,
    auth: opts.auth ?? {},
    extraHeaders: { ...opts.headers, ...(opts.cookie ? { cookie: opts.cookie } : {}) },
  });
}

export function connected(socket: Client): Promise<Client> {
  if (socket.connected) return Promise.resolve(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

/** Resolves with the next `event` payload; rejects after `ms`. */
export function next<E extends keyof ServerToClientEvents>(
  socket: Client,
  event: E,
  ms = 5_000,
): Promise<Parameters<ServerToClientEvents[E]>[0]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, handler as never);
      reject(new Error(`timed out waiting for ${String(event)}`));
    }, ms);
    const handler = (data: unknown) => {
      clearTimeout(timer);
      resolve(data as never);
    };
    socket.once(event, handler as never);
  });
}

/** Records every event a socket receives, to assert later what did (or did not) arrive. */
export function recorder(socket: Client): Array<{ event: string; data: unknown }> {
  const seen: Array<{ event: string; data: unknown }> = [];
  socket.onAny((event: string, data: unknown) => seen.push({ event, data }));
  return seen;
}

/** An event whose payload may be left out (`leave-room`, `get-bans`…) takes it as an optional argument. */
type PayloadArg<E extends ClientEventName> =
  undefined extends ClientPayload<E> ? [payload?: ClientPayload<E>] : [payload: ClientPayload<E>];

/**
 * Sends a client event and resolves with its ack, both typed from the contract in lib/protocol:
 * a wrong payload, or a result field the ack does not have, fails to compile.
 */
export function emit<E extends ClientEventName>(
  socket: Client,
  event: E,
  ...payload: PayloadArg<E>
): Promise<Ack<ClientEventResults[E]>> {
  // Socket.IO's own typing of a timeout ack cannot follow a generic event name; the signature above is the contract.
  const untyped = socket as unknown as {
    timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<unknown> };
  };
  return untyped.timeout(5_000).emitWithAck(event, ...payload) as Promise<Ack<ClientEventResults[E]>>;
}

/** Connects and joins; returns the socket, its ack, and its room-joined payload (the only one with the chat). */
export async function joined(
  server: { url: string } | string,
  roomCode: string,
  displayName: string,
  opts: Parameters<typeof client>[1] = {},
) {
  const socket = await connected(client(server, opts));
  const event = next(socket, 'room-joined');
  event.catch(() => undefined); // a refused join sends none: the failure below is the one to report
  const ack = await emit(socket, 'join-room', { roomCode, displayName });
  if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack.error)}`);
  if ('pending' in ack) throw new Error('join is waiting in the lobby');
  return { socket, self: ack.self, ack, roomJoined: await event };
}
