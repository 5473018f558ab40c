/**
 * The HTTP API through the real process: the custom server in front, Next's
 * route handlers behind it, real Socket.IO clients for what happens after.
 *
 * Route handlers reach the server through one process-wide slot
 * (lib/http-api.ts), so only one server runs at a time in this file: each
 * describe starts its own and closes it.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { DEFAULT_RATE_LIMITS, type ServerConfig } from '../../server/config';
import type { Ack, RoomSummary } from '../../lib/protocol';
import { expectErr, expectOk } from '../helpers/ack';
import { ensureNextBuild } from '../helpers/next-build';
import {
  client,
  connected,
  emit,
  guestCookieHeader,
  joined,
  next,
  recorder,
  startServer,
  type Client,
} from '../helpers/server';
import { sleep } from '../helpers/wait';
import { match } from '../helpers/match';

const CODE = /^[a-z]{3}-[a-z]{4}-[a-z]{3}$/;

beforeAll(() => ensureNextBuild(), 300_000);

/** Starts a server with Next for one describe block and closes it afterwards. */
function serverFor(overrides: Partial<ServerConfig> = {}): () => ConveneServer {
  let server: ConveneServer | undefined;
  beforeAll(async () => {
    server = await startServer(overrides, { next: { dev: false } });
  }, 120_000);
  afterAll(() => server?.close());
  return () => server!;
}

const sockets: Client[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

/** The HTTP API answers in the same `{ ok: true, ... } | { ok: false, error }` shape as a socket ack. */
const answer = async <T extends object>(res: Response) => (await res.json()) as Ack<T>;

async function createRoom(server: ConveneServer, body: unknown = {}, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { res, body: await answer<{ code: string; url: string }>(res), cookies: res.headers.getSetCookie() };
}

/** A meeting created over HTTP: its code, and the Set-Cookie headers its creator got. */
async function newRoom(server: ConveneServer, body: unknown = {}) {
  const { body: created, cookies } = await createRoom(server, body);
  return { ...expectOk(created), cookies };
}

/** The `name=value` part of a Set-Cookie header, as a browser would send it back. */
const cookiePair = (setCookie: string) => setCookie.split(';')[0]!;

describe('POST /api/rooms', () => {
  const server = serverFor();

  it('returns 201 { ok, code, url } with a code like abc-defg-hij and sets an httpOnly convene_gid cookie', async () => {
    const { res, body: answered, cookies } = await createRoom(server(), { title: 'Standup' });
    expect(res.status).toBe(201);
    expect(Object.keys(answered).sort()).toEqual(['code', 'ok', 'url']);
    const body = expectOk(answered);
    expect(body.code).toMatch(CODE);
    expect(body.url).toBe(`${server().url}/${body.code}`);
    const gid = cookies.find((c) => c.startsWith('convene_gid='));
    expect(gid).toBeDefined();
    expect(gid).toMatch(/;\s*HttpOnly/i);
    expect(gid).toMatch(/;\s*SameSite=Lax/i);
    expect((await server().store.getMeeting(body.code))?.title).toBe('Standup');
  });

  it('an empty body creates an untitled meeting', async () => {
    const res = await fetch(`${server().url}/api/rooms`, { method: 'POST' });
    const body = expectOk(await answer<{ code: string }>(res));
    expect(res.status).toBe(201);
    expect((await server().store.getMeeting(body.code))?.title).toBeNull();
  });

  it('the creator who joins with that cookie is host even after someone else joined first; the earlier joiner was never host', async () => {
    const { cookies, ...body } = await newRoom(server(), { title: 'Mine' });
    const creatorCookie = cookiePair(cookies.find((c) => c.startsWith('convene_gid='))!);

    const early = await joined(server(), body.code, 'Early');
    sockets.push(early.socket);
    expect(early.self.role).toBe('participant');
    const other = await joined(server(), body.code, 'Other');
    sockets.push(other.socket);
    expect(other.self.role).toBe('participant');

    const earlySaw = recorder(early.socket);
    const otherJoinedSeen = next(other.socket, 'user-joined');
    const creatorSocket = await connected(client(server(), { cookie: creatorCookie }));
    sockets.push(creatorSocket);
    const ack = await emit(creatorSocket, 'join-room', { roomCode: body.code, displayName: 'Creator' });

    expect(ack).toMatchObject({ ok: true, self: { role: 'host' } });
    expect((await otherJoinedSeen).participant).toMatchObject({ displayName: 'Creator', role: 'host', isGuest: true });
    await sleep(50);
    expect(earlySaw.filter((e) => e.event === 'role-changed')).toEqual([]);
    const roles = (await server().store.listParticipants(body.code)).map((p) => [p.displayName, p.role]);
    expect(roles).toEqual(
      match.arrayContaining([
        ['Early', 'participant'],
        ['Other', 'participant'],
        ['Creator', 'host'],
      ]),
    );
  });

  it('a guest without the creator cookie never becomes host of a meeting someone else holds', async () => {
    const body = await newRoom(server());
    const first = await joined(server(), body.code, 'First');
    sockets.push(first.socket);
    // A different browser: its own fresh guest cookie from its own POST.
    const { cookies } = await createRoom(server());
    const stranger = await joined(server(), body.code, 'Stranger', { cookie: cookiePair(cookies[0]!) });
    sockets.push(stranger.socket);
    expect(stranger.self.role).toBe('participant');
  });

  it.each([
    ['a 500-character title', JSON.stringify({ title: 'x'.repeat(500) })],
    ['a body that is not JSON', '{"title": "unterminated'],
    ['settings.capacity "x"', JSON.stringify({ settings: { capacity: 'x' } })],
    ['settings.waitingRoom "sometimes"', JSON.stringify({ settings: { waitingRoom: 'sometimes' } })],
    ['a JSON array', '[]'],
  ])('%s is 400 INVALID_PAYLOAD and creates no meeting', async (_label, raw) => {
    const spy = vi.spyOn(server().store, 'createMeeting');
    try {
      const { res, body, cookies } = await createRoom(server(), raw);
      expect(res.status).toBe(400);
      expect(body).toEqual({ ok: false, error: { code: 'INVALID_PAYLOAD', message: match.any(String) } });
      expect(cookies).toEqual([]);
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('a POST from a foreign Origin is 403 and creates no meeting', async () => {
    const spy = vi.spyOn(server().store, 'createMeeting');
    try {
      const { res, body } = await createRoom(server(), { title: 'Evil' }, { origin: 'http://evil.example' });
      expect(res.status).toBe(403);
      expectErr(body, 'FORBIDDEN');
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });

  it('a POST from its own origin is accepted', async () => {
    const { res } = await createRoom(server(), {}, { origin: server().url });
    expect(res.status).toBe(201);
  });
});

describe('GET /api/rooms/:code', () => {
  const server = serverFor();

  it('returns only { ok, exists, code, title, locked, participantCount, askToJoin, banned, recording }, and the count reflects a joined socket', async () => {
    const created = await newRoom(server(), { title: 'Public facts' });
    const url = `${server().url}/api/rooms/${created.code}`;
    const before = await fetch(url);
    const empty = await answer<RoomSummary>(before);
    expect(before.status).toBe(200);
    expect(Object.keys(empty).sort()).toEqual([
      'askToJoin',
      'banned',
      'code',
      'exists',
      'locked',
      'ok',
      'participantCount',
      'recording',
      'title',
    ]);
    expect(empty).toEqual({
      ok: true,
      exists: true,
      code: created.code,
      title: 'Public facts',
      locked: false,
      participantCount: 0,
      askToJoin: false,
      banned: false,
      recording: false,
    });

    const alice = await joined(server(), created.code, 'Alice');
    sockets.push(alice.socket);
    const after = await answer<RoomSummary>(await fetch(url));
    expect(after).toEqual({ ...empty, participantCount: 1 });
  });

  it('askToJoin says whether the waiting room would hold the caller: guests wait, the creator does not', async () => {
    const created = await newRoom(server(), { settings: { waitingRoom: 'guests' } });
    const url = `${server().url}/api/rooms/${created.code}`;
    const stranger = expectOk(await answer<RoomSummary>(await fetch(url)));
    const creator = expectOk(
      await answer<RoomSummary>(await fetch(url, { headers: { cookie: cookiePair(created.cookies[0]!) } })),
    );
    expect([stranger.askToJoin, creator.askToJoin]).toEqual([true, false]);
  });

  it('banned is true for the banned identity only: the host, a stranger and another guest see false', async () => {
    const created = await newRoom(server());
    const url = `${server().url}/api/rooms/${created.code}`;
    const hostCookie = cookiePair(created.cookies[0]!);
    const host = await joined(server(), created.code, 'Host', { cookie: hostCookie });
    const guest = await joined(server(), created.code, 'Troll', { cookie: guestCookieHeader('api-banned') });
    sockets.push(host.socket, guest.socket);
    const asked = (cookie?: string) =>
      fetch(url, cookie ? { headers: { cookie } } : {})
        .then((r) => answer<RoomSummary>(r))
        .then(expectOk);
    expect((await asked(guestCookieHeader('api-banned'))).banned).toBe(false);
    expectOk(await emit(host.socket, 'kick-participant', { participantId: guest.self.participantId, ban: true }));
    const [banned, stranger, other, hostView] = await Promise.all([
      asked(guestCookieHeader('api-banned')),
      asked(),
      asked(guestCookieHeader('api-other')),
      asked(hostCookie),
    ]);
    expect([banned.banned, stranger.banned, other.banned, hostView.banned]).toEqual([true, false, false, false]);
    // Nothing else differs between what the banned person and a stranger learn.
    expect({ ...banned, banned: false, askToJoin: stranger.askToJoin }).toEqual(stranger);
  });

  it('accepts the code in any case and without dashes, and answers with the canonical code', async () => {
    const created = await newRoom(server());
    const typed = created.code.replaceAll('-', '').toUpperCase();
    const res = await fetch(`${server().url}/api/rooms/${typed}`);
    expect(res.status).toBe(200);
    expect(expectOk(await answer<RoomSummary>(res)).code).toBe(created.code);
  });

  it('an unknown code is 404 ROOM_NOT_FOUND', async () => {
    const res = await fetch(`${server().url}/api/rooms/zzz-zzzz-zzz`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ ok: false, error: { code: 'ROOM_NOT_FOUND', message: match.any(String) } });
  });

  it('a malformed code is 400 INVALID_PAYLOAD', async () => {
    const res = await fetch(`${server().url}/api/rooms/not-a-code`);
    expect(res.status).toBe(400);
    expectErr(await answer(res), 'INVALID_PAYLOAD');
  });
});

describe('unknown-code lookups from one IP', () => {
  const server = serverFor({ rateLimits: { ...DEFAULT_RATE_LIMITS, unknownCode: [3, 60] } });

  it('after 3 unknown lookups the 4th is 429 RATE_LIMITED, known codes included, and joins over Socket.IO too', async () => {
    const created = await newRoom(server());
    for (const code of ['aaa-aaaa-aaa', 'bbb-bbbb-bbb', 'ccc-cccc-ccc']) {
      expect((await fetch(`${server().url}/api/rooms/${code}`)).status).toBe(404);
    }
    const limited = await fetch(`${server().url}/api/rooms/ddd-dddd-ddd`);
    expect(limited.status).toBe(429);
    expectErr(await answer(limited), 'RATE_LIMITED');
    // The block is per IP, not per code: enumeration cannot continue with known codes in between.
    expect((await fetch(`${server().url}/api/rooms/${created.code}`)).status).toBe(429);
    const socket = await connected(client(server()));
    sockets.push(socket);
    expectErr(await emit(socket, 'join-room', { roomCode: created.code, displayName: 'Prober' }), 'RATE_LIMITED');
    expect(await server().store.countParticipants(created.code)).toBe(0);
  });
});

describe('REQUIRE_SIGN_IN_TO_CREATE', () => {
  const server = serverFor({ requireSignInToCreate: true });

  it('a guest gets 401 UNAUTHENTICATED and no meeting is created', async () => {
    const spy = vi.spyOn(server().store, 'createMeeting');
    try {
      const { res, body } = await createRoom(server(), { title: 'Nope' });
      expect(res.status).toBe(401);
      expect(body).toEqual({ ok: false, error: { code: 'UNAUTHENTICATED', message: match.any(String) } });
      expect(spy).not.toHaveBeenCalled();
    } finally {
      spy.mockRestore();
    }
  });
});

describe('health and metrics', () => {
  const server = serverFor();

  it('GET /healthz is 200 JSON', async () => {
    const res = await fetch(`${server().url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    // This test server runs without the SFU, so it cannot record, and says why.
    expect(await res.json()).toEqual({
      ok: true,
      store: 'memory',
      draining: false,
      recording: { available: false, reason: 'media (the SFU) is off on this server' },
    });
  });

  it('GET /metrics exposes sockets, rooms, participants, events, errors and event-loop lag', async () => {
    const created = await newRoom(server());
    const alice = await joined(server(), created.code, 'Alice');
    sockets.push(alice.socket);
    await emit(alice.socket, 'send-message', { text: '' }); // one INVALID_PAYLOAD
    await sleep(20);
    const res = await fetch(`${server().url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    for (const name of [
      'convene_sockets',
      'convene_rooms',
      'convene_participants',
      'convene_events_total',
      'convene_errors_total',
      'nodejs_eventloop_lag',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/^convene_sockets 1$/m);
    expect(text).toMatch(/^convene_participants 1$/m);
    expect(text).toMatch(/^convene_events_total\{event="join-room"\} 1$/m);
    expect(text).toMatch(/^convene_errors_total\{code="INVALID_PAYLOAD"\} 1$/m);
  });
});
