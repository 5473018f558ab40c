/** Starts real Convene servers on port 0 and real Socket.IO clients against them. */
import { encode } from 'next-auth/jwt';
import { io as connect, type Socket } from 'socket.io-client';
import { IdentityService, guestIdentity, type Identity } from '../../server/auth/identity';
import { createConveneServer, type ConveneServer, type ServerOptions } from '../../server/app';
import { DEFAULT_RATE_LIMITS, loadConfig, type ServerConfig } from '../../server/config';
import { MeetingService } from '../../server/rooms/meetings';
import type { ClientToServerEvents, ServerToClientEvents } from '../../lib/protocol';

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
  return {
    ...loadConfig({
      NODE_ENV: 'test',
      NEXTAUTH_SECRET: TEST_SECRET,
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    }),
    port: 0,
    host: '127.0.0.1',
    rateLimits: { ...DEFAULT_RATE_LIMITS },
    ...overrides,
  };
}

export async function startServer(
  overrides: Partial<ServerConfig> = {},
  options: ServerOptions = {},
): Promise<ConveneServer> {
  return createConveneServer(testConfig(overrides), options);
}

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
  opts: { auth?: Record<string, unknown>; cookie?: string; reconnection?: boolean } = {},
): Client {
  const url = typeof server === 'string' ? server : server.url;
  return connect(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: opts.reconnection ?? false,
    auth: opts.auth ?? {},
    extraHeaders: opts.cookie ? { cookie: opts.cookie } : {},
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

export function emit<T = any>(socket: Client, event: string, ...payload: unknown[]): Promise<T> {
  return (socket as unknown as { timeout(ms: number): { emitWithAck(e: string, ...a: unknown[]): Promise<T> } })
    .timeout(5_000)
    .emitWithAck(event, ...payload);
}

/** Connects and joins; returns the socket and its room-joined payload. */
export async function joined(
  server: { url: string } | string,
  roomCode: string,
  displayName: string,
  opts: Parameters<typeof client>[1] = {},
) {
  const socket = await connected(client(server, opts));
  const ack = await emit(socket, 'join-room', { roomCode, displayName });
  if (!ack.ok) throw new Error(`join failed: ${JSON.stringify(ack.error)}`);
  return { socket, self: ack.self as { participantId: string; role: string; resumeToken: string }, ack };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
