/**
 * Who a socket is: decided at the handshake from what the server signed (a
 * next-auth session cookie, the convene_gid guest cookie, or a join token),
 * never from what the client claims.
 *
 * Route handlers reach the server through one process-wide slot
 * (lib/http-api.ts), so only one server runs at a time in this file.
 */
import { encode } from 'next-auth/jwt';
import { io } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../server/app';
import type { ServerConfig } from '../server/config';
import { ensureNextBuild } from './helpers/next-build';
import {
  TEST_SECRET,
  client,
  connected,
  createMeeting,
  emit,
  joined,
  next,
  recorder,
  sleep,
  startServer,
  type Client,
} from './helpers/server';

beforeAll(() => ensureNextBuild(), 300_000);

function serverFor(overrides: Partial<ServerConfig> = {}, next: boolean = true): () => ConveneServer {
  let server: ConveneServer | undefined;
  beforeAll(async () => {
    server = await startServer(overrides, { next: next ? { dev: false } : false });
  }, 120_000);
  afterAll(() => server?.close());
  return () => server!;
}

const sockets: Client[] = [];
const keep = (s: Client) => (sockets.push(s), s);
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

async function post(server: ConveneServer, path: string, cookie?: string, body: unknown = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('convene_gid='));
  return { status: res.status, body: (await res.json()) as any, cookie: setCookie?.split(';')[0] };
}

/** Counts the connections the server accepts while `fn` runs. */
async function connectionsDuring(server: ConveneServer, fn: () => Promise<void>): Promise<number> {
  let n = 0;
  const count = () => void n++;
  server.io.on('connection', count);
  try {
    await fn();
    await sleep(50);
  } finally {
    server.io.off('connection', count);
  }
  return n;
}

/** Resolves with the connect_error message, or rejects if the socket connects. */
function refused(socket: Client): Promise<string> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => reject(new Error('connected')));
    socket.once('connect_error', (err) => resolve(err.message));
  });
}

async function sessionCookie(sub: string, name: string): Promise<string> {
  const jwt = await encode({ token: { sub, name }, secret: TEST_SECRET });
  return `next-auth.session-token=${jwt}`;
}

describe('handshake identity', () => {
  const server = serverFor();

  it.each([
    ['a forged token', 'not-a-jwt'],
    ['a token signed with another secret', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'],
    ['a non-string token', 42],
  ])('%s is refused with connect_error "Authentication failed"', async (_label, token) => {
    const accepted = await connectionsDuring(server(), async () => {
      expect(await refused(keep(client(server(), { auth: { token } })))).toBe('Authentication failed');
    });
    expect(accepted).toBe(0);
  });

  it('a join token from POST /api/rooms/:code/token lets a cookie-less socket join as the identity that asked for it', async () => {
    const created = await post(server(), '/api/rooms', undefined, { title: 'Tokens' });
    const creatorCookie = created.cookie!;
    const first = keep((await joined(server(), created.body.code, 'First')).socket);

    const minted = await post(server(), `/api/rooms/${created.body.code}/token`, creatorCookie);
    expect(minted.status).toBe(201);
    expect(minted.body).toEqual({ ok: true, token: expect.any(String), expiresInSec: 600 });
    expect(minted.cookie).toBeUndefined(); // the caller already had an identity

    // No cookie at all: the token alone says this is the creator, so it takes the host role.
    const roleChanged = next(first, 'role-changed');
    const bot = keep(await connected(client(server(), { auth: { token: minted.body.token } })));
    const ack = await emit(bot, 'join-room', { roomCode: created.body.code, displayName: 'Creator bot' });
    expect(ack.ok).toBe(true);
    expect(ack.self.role).toBe('host');
    expect(await roleChanged).toMatchObject({ role: 'cohost' });
  });

  it('a join token for another meeting is refused with FORBIDDEN and joins nothing', async () => {
    const a = await post(server(), '/api/rooms');
    const b = await post(server(), '/api/rooms');
    const inB = keep((await joined(server(), b.body.code, 'Bea')).socket);
    const minted = await post(server(), `/api/rooms/${a.body.code}/token`);
    expect(minted.status).toBe(201);
    expect(minted.cookie).toMatch(/^convene_gid=/); // a first-time caller gets a guest identity

    const bSaw = recorder(inB);
    const socket = keep(await connected(client(server(), { auth: { token: minted.body.token } })));
    const joinError = next(socket, 'join-error');
    const ack = await emit(socket, 'join-room', { roomCode: b.body.code, displayName: 'Intruder' });
    expect(ack).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    expect(await joinError).toEqual(ack.error);
    await sleep(50);
    expect(bSaw).toEqual([]);
    expect(await server().store.countParticipants(b.body.code)).toBe(1);
    // The same token still opens the meeting it was minted for.
    expect((await emit(socket, 'join-room', { roomCode: a.body.code, displayName: 'Guest' })).ok).toBe(true);
  });

  it('a token for an unknown meeting is not minted (404 ROOM_NOT_FOUND)', async () => {
    const res = await post(server(), '/api/rooms/qqq-qqqq-qqq/token');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('ROOM_NOT_FOUND');
  });

  it('a client-claimed userId (in auth and in join-room) never makes anyone host or changes who they are', async () => {
    const created = await post(server(), '/api/rooms');
    const creatorGuestId = decodeURIComponent(created.cookie!.slice('convene_gid='.length)).split('.')[0]!;
    const holder = keep((await joined(server(), created.body.code, 'Holder')).socket);
    const holderSaw = recorder(holder);

    for (const claim of [creatorGuestId, `guest:${creatorGuestId}`]) {
      const socket = keep(await connected(client(server(), { auth: { userId: claim, displayName: 'Impostor' } })));
      const ack = await emit(socket, 'join-room', {
        roomCode: created.body.code,
        displayName: 'Impostor',
        userId: claim,
      });
      expect(ack.ok).toBe(true);
      expect(ack.self.role).toBe('participant');
      expect(ack.participants.find((p: any) => p.participantId === ack.self.participantId)).toMatchObject({
        isGuest: true,
        role: 'participant',
      });
    }
    await sleep(50);
    expect(holderSaw.map((e) => e.event)).toEqual(['user-joined', 'user-joined']);
    const roles = (await server().store.listParticipants(created.body.code)).map((p) => p.role);
    expect(roles.sort()).toEqual(['host', 'participant', 'participant']);
  });

  it('the guest cookie set on the handshake response is an identity the HTTP API recognises', async () => {
    const res = await fetch(`${server().url}/socket.io/?EIO=4&transport=polling`);
    await res.text();
    const gid = res.headers.getSetCookie().find((c) => c.startsWith('convene_gid='));
    expect(gid).toMatch(/HttpOnly/i);
    const cookie = gid!.split(';')[0]!;

    const created = await post(server(), '/api/rooms', cookie);
    expect(created.cookie).toBeUndefined();
    keep((await joined(server(), created.body.code, 'Someone')).socket);
    const me = await joined(server(), created.body.code, 'Cookie owner', { cookie });
    keep(me.socket);
    expect(me.self.role).toBe('host');
  });

  it('a next-auth session cookie makes a signed-in participant (isGuest false), and the same session on another socket is host of the meeting it created over HTTP', async () => {
    const session = await sessionCookie('user-1', 'Ada');
    const created = await post(server(), '/api/rooms', session, { title: "Ada's" });
    expect(created.status).toBe(201);
    expect(created.cookie).toBeUndefined(); // signed in: no guest cookie needed
    expect((await server().store.getMeeting(created.body.code))?.creator).toBe('user:user-1');

    const guest = await joined(server(), created.body.code, 'Early guest');
    keep(guest.socket);
    expect(guest.self.role).toBe('host');
    const guestSaw = next(guest.socket, 'user-joined');

    const ada = await joined(server(), created.body.code, 'Ada', { cookie: session });
    keep(ada.socket);
    expect(ada.self.role).toBe('host');
    expect(ada.ack.participants.find((p: any) => p.participantId === ada.self.participantId)).toMatchObject({
      isGuest: false,
    });
    expect((await guestSaw).participant).toMatchObject({ displayName: 'Ada', role: 'host', isGuest: false });
  });

  it('a join token minted with a session carries the signed-in identity', async () => {
    const session = await sessionCookie('user-2', 'Grace');
    const created = await post(server(), '/api/rooms', session);
    const minted = await post(server(), `/api/rooms/${created.body.code}/token`, session);
    const socket = keep(await connected(client(server(), { auth: { token: minted.body.token } })));
    const ack = await emit(socket, 'join-room', { roomCode: created.body.code, displayName: 'Grace' });
    expect(ack.self.role).toBe('host');
    expect(ack.participants[0]).toMatchObject({ isGuest: false });
  });

  it('a session cookie signed with another secret is not a session: the socket is a guest', async () => {
    const jwt = await encode({
      token: { sub: 'user-1', name: 'Ada' },
      secret: 'another-secret-0123456789-abcdefghijklmnop',
    });
    const created = await post(server(), '/api/rooms', await sessionCookie('user-1', 'Ada'));
    keep((await joined(server(), created.body.code, 'Someone')).socket);
    const forged = await joined(server(), created.body.code, 'Not Ada', { cookie: `next-auth.session-token=${jwt}` });
    keep(forged.socket);
    expect(forged.self.role).toBe('participant');
    expect(forged.ack.participants.find((p: any) => p.participantId === forged.self.participantId)).toMatchObject({
      isGuest: true,
    });
  });

  it.each([['websocket'], ['polling']])(
    'a cross-origin handshake (Origin: http://evil.example, %s) is refused',
    async (transport) => {
      const accepted = await connectionsDuring(server(), async () => {
        const socket = keep(
          io(server().url, {
            transports: [transport],
            forceNew: true,
            reconnection: false,
            extraHeaders: { origin: 'http://evil.example' },
          }) as Client,
        );
        expect(await refused(socket)).toEqual(expect.any(String));
      });
      expect(accepted).toBe(0);
    },
  );

  it('a same-origin handshake is accepted', async () => {
    const socket = keep(
      io(server().url, {
        transports: ['websocket'],
        forceNew: true,
        reconnection: false,
        extraHeaders: { origin: server().url },
      }) as Client,
    );
    await connected(socket);
    expect(socket.connected).toBe(true);
  });
});

describe('transports', () => {
  const server = serverFor({}, false);

  it('a long-polling client (the browser default) gets the guest cookie on the handshake response, connects and joins', async () => {
    const res = await fetch(`${server().url}/socket.io/?EIO=4&transport=polling`);
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/^0\{"sid":/);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('convene_gid='))).toMatch(/HttpOnly/i);

    const socket = keep(io(server().url, { transports: ['polling'], forceNew: true, reconnection: false }) as Client);
    await connected(socket);
    const code = await createMeeting(server());
    expect((await emit(socket, 'join-room', { roomCode: code, displayName: 'Polly' })).ok).toBe(true);
  });
});

describe('CORS_ORIGINS allow-list', () => {
  const server = serverFor({ corsOrigins: ['https://app.example'] }, false);

  it('an allow-listed origin may open a socket; any other foreign origin may not', async () => {
    const open = (origin: string) =>
      keep(
        io(server().url, {
          transports: ['websocket'],
          forceNew: true,
          reconnection: false,
          extraHeaders: { origin },
        }) as Client,
      );
    await connected(open('https://app.example'));
    expect(await refused(open('https://other.example'))).toEqual(expect.any(String));
  });
});
