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
import type { Ack } from '../lib/protocol';
import { expectErr, expectJoined, expectOk } from './helpers/ack';
import { match } from './helpers/match';
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
  startServer,
  type Client,
} from './helpers/server';
import { sleep } from './helpers/wait';

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

/** POSTs to the HTTP API, which answers `{ ok: true, ...T } | { ok: false, error }` like a socket ack. */
async function post<T extends object>(server: ConveneServer, path: string, cookie?: string, body: unknown = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('convene_gid='));
  return { status: res.status, body: (await res.json()) as Ack<T>, cookie: setCookie?.split(';')[0] };
}

/** POST /api/rooms: the new meeting's code, and the guest cookie it set (if any). */
async function createRoom(server: ConveneServer, cookie?: string, body: unknown = {}) {
  const res = await post<{ code: string }>(server, '/api/rooms', cookie, body);
  expect(res.status).toBe(201);
  return { code: expectOk(res.body).code, cookie: res.cookie };
}

/** POST /api/rooms/:code/token, for the identity `cookie` carries (or a new guest). */
const mintToken = (server: ConveneServer, code: string, cookie?: string) =>
  post<{ token: string; expiresInSec: number }>(server, `/api/rooms/${code}/token`, cookie);

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
    const created = await createRoom(server(), undefined, { title: 'Tokens' });
    const creatorCookie = created.cookie!;
    const first = keep((await joined(server(), created.code, 'First')).socket);

    const minted = await mintToken(server(), created.code, creatorCookie);
    expect(minted.status).toBe(201);
    expect(minted.body).toEqual({ ok: true, token: match.any(String), expiresInSec: 600 });
    expect(minted.cookie).toBeUndefined(); // the caller already had an identity

    // No cookie at all: the token alone says this is the creator, so it joins as host (the first arrival is not).
    const announced = next(first, 'user-joined');
    const bot = keep(await connected(client(server(), { auth: { token: expectOk(minted.body).token } })));
    const ack = await emit(bot, 'join-room', { roomCode: created.code, displayName: 'Creator bot' });
    expect(ack).toMatchObject({ ok: true, self: { role: 'host' } });
    expect((await announced).participant).toMatchObject({ displayName: 'Creator bot', role: 'host' });
  });

  it('the same join token sent as Authorization: Bearer (the predecessor clients) joins as the identity that asked for it', async () => {
    const created = await createRoom(server(), undefined, { title: 'Bearer' });
    const first = keep((await joined(server(), created.code, 'First')).socket);
    const minted = await mintToken(server(), created.code, created.cookie);
    const token = expectOk(minted.body).token;

    const announced = next(first, 'user-joined');
    const bot = keep(await connected(client(server(), { headers: { authorization: `Bearer ${token}` } })));
    const ack = await emit(bot, 'join-room', { roomCode: created.code, displayName: 'Header bot' });
    expect(ack).toMatchObject({ ok: true, self: { role: 'host' } });
    expect((await announced).participant).toMatchObject({ displayName: 'Header bot', role: 'host' });
  });

  it('a forged Authorization: Bearer token is refused like a forged auth.token, and the meeting sees nobody new', async () => {
    const created = await createRoom(server());
    const first = keep((await joined(server(), created.code, 'First')).socket);
    const seen = recorder(first);
    const socket = keep(client(server(), { headers: { authorization: 'Bearer not-a-jwt' } }));
    expect(await refused(socket)).toBe('Authentication failed');
    await sleep(100);
    expect(seen).toEqual([]);
  });

  it('a join token for another meeting is refused with FORBIDDEN and joins nothing', async () => {
    const a = await createRoom(server());
    const b = await createRoom(server());
    const inB = keep((await joined(server(), b.code, 'Bea')).socket);
    const minted = await mintToken(server(), a.code);
    expect(minted.status).toBe(201);
    expect(minted.cookie).toMatch(/^convene_gid=/); // a first-time caller gets a guest identity

    const bSaw = recorder(inB);
    const socket = keep(await connected(client(server(), { auth: { token: expectOk(minted.body).token } })));
    const joinError = next(socket, 'join-error');
    const ack = expectErr(await emit(socket, 'join-room', { roomCode: b.code, displayName: 'Intruder' }), 'FORBIDDEN');
    expect(await joinError).toEqual(ack.error);
    await sleep(50);
    expect(bSaw).toEqual([]);
    expect(await server().store.countParticipants(b.code)).toBe(1);
    // The same token still opens the meeting it was minted for.
    expectOk(await emit(socket, 'join-room', { roomCode: a.code, displayName: 'Guest' }));
  });

  it('a token for an unknown meeting is not minted (404 ROOM_NOT_FOUND)', async () => {
    const res = await mintToken(server(), 'qqq-qqqq-qqq');
    expect(res.status).toBe(404);
    expectErr(res.body, 'ROOM_NOT_FOUND');
  });

  it('a client-claimed userId (in auth and in join-room) never makes anyone host or changes who they are', async () => {
    const created = await createRoom(server());
    const creatorGuestId = decodeURIComponent(created.cookie!.slice('convene_gid='.length)).split('.')[0]!;
    const holder = keep((await joined(server(), created.code, 'Holder')).socket);
    const holderSaw = recorder(holder);

    for (const claim of [creatorGuestId, `guest:${creatorGuestId}`]) {
      const socket = keep(await connected(client(server(), { auth: { userId: claim, displayName: 'Impostor' } })));
      const { self, participants } = expectJoined(
        await emit(socket, 'join-room', { roomCode: created.code, displayName: 'Impostor', userId: claim }),
      );
      expect(self.role).toBe('participant');
      expect(participants.find((p) => p.participantId === self.participantId)).toMatchObject({
        isGuest: true,
        role: 'participant',
      });
    }
    await sleep(50);
    expect(holderSaw.map((e) => e.event)).toEqual(['user-joined', 'user-joined']);
    // Nobody is host: the creator is not here, and arriving first makes no one host either.
    const roles = (await server().store.listParticipants(created.code)).map((p) => p.role);
    expect(roles).toEqual(['participant', 'participant', 'participant']);
  });

  it('the guest cookie set on the handshake response is an identity the HTTP API recognises', async () => {
    const res = await fetch(`${server().url}/socket.io/?EIO=4&transport=polling`);
    await res.text();
    const gid = res.headers.getSetCookie().find((c) => c.startsWith('convene_gid='));
    expect(gid).toMatch(/HttpOnly/i);
    const cookie = gid!.split(';')[0]!;

    const created = await createRoom(server(), cookie);
    expect(created.cookie).toBeUndefined();
    keep((await joined(server(), created.code, 'Someone')).socket);
    const me = await joined(server(), created.code, 'Cookie owner', { cookie });
    keep(me.socket);
    expect(me.self.role).toBe('host');
  });

  it('a next-auth session cookie makes a signed-in participant (isGuest false), and the same session on another socket is host of the meeting it created over HTTP', async () => {
    const session = await sessionCookie('user-1', 'Ada');
    const created = await createRoom(server(), session, { title: "Ada's" });
    expect(created.cookie).toBeUndefined(); // signed in: no guest cookie needed
    expect((await server().store.getMeeting(created.code))?.creator).toBe('user:user-1');

    const guest = await joined(server(), created.code, 'Early guest');
    keep(guest.socket);
    expect(guest.self.role).toBe('participant');
    const guestSaw = next(guest.socket, 'user-joined');

    const ada = await joined(server(), created.code, 'Ada', { cookie: session });
    keep(ada.socket);
    expect(ada.self.role).toBe('host');
    expect(ada.ack.participants.find((p) => p.participantId === ada.self.participantId)).toMatchObject({
      isGuest: false,
    });
    expect((await guestSaw).participant).toMatchObject({ displayName: 'Ada', role: 'host', isGuest: false });
  });

  it('a join token minted with a session carries the signed-in identity', async () => {
    const session = await sessionCookie('user-2', 'Grace');
    const created = await createRoom(server(), session);
    const minted = await mintToken(server(), created.code, session);
    const socket = keep(await connected(client(server(), { auth: { token: expectOk(minted.body).token } })));
    const ack = await emit(socket, 'join-room', { roomCode: created.code, displayName: 'Grace' });
    expect(ack).toMatchObject({ ok: true, self: { role: 'host' }, participants: [{ isGuest: false }] });
  });

  it('a session cookie signed with another secret is not a session: the socket is a guest', async () => {
    const jwt = await encode({
      token: { sub: 'user-1', name: 'Ada' },
      secret: 'another-secret-0123456789-abcdefghijklmnop',
    });
    const created = await createRoom(server(), await sessionCookie('user-1', 'Ada'));
    keep((await joined(server(), created.code, 'Someone')).socket);
    const forged = await joined(server(), created.code, 'Not Ada', { cookie: `next-auth.session-token=${jwt}` });
    keep(forged.socket);
    expect(forged.self.role).toBe('participant');
    expect(forged.ack.participants.find((p) => p.participantId === forged.self.participantId)).toMatchObject({
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
          }),
        );
        expect(await refused(socket)).toEqual(match.any(String));
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
      }),
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

    const socket = keep(io(server().url, { transports: ['polling'], forceNew: true, reconnection: false }));
    await connected(socket);
    const code = await createMeeting(server());
    expectOk(await emit(socket, 'join-room', { roomCode: code, displayName: 'Polly' }));
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
        }),
      );
    await connected(open('https://app.example'));
    expect(await refused(open('https://other.example'))).toEqual(match.any(String));
  });
});
