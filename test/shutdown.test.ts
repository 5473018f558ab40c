/**
 * Graceful shutdown: clients are told before they are dropped, in-flight work
 * finishes, new joins are refused, and with Redis the participants survive the
 * restart in their grace period so they resume on the next server.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../server/app';
import type { ParticipantRecord } from '../server/store/types';
import { startRedis, type RedisInstance } from './helpers/redis';
import {
  client,
  connected,
  createMeeting,
  emit,
  guestCookieHeader,
  joined,
  next,
  startServer,
  type Client,
} from './helpers/server';
import { expectJoined } from './helpers/ack';
import { match } from './helpers/match';
import { sleep } from './helpers/wait';

const PARTICIPANT_FIELDS: Array<keyof ParticipantRecord> = [
  'id',
  'identity',
  'isGuest',
  'displayName',
  'role',
  'joinedAt',
  'media',
  'handRaisedAt',
  'socketId',
  'node',
  'graceUntil',
  'resumeNonce',
];

let redis: RedisInstance;
let raw: Redis;
const servers: ConveneServer[] = [];
const sockets: Client[] = [];

beforeAll(async () => {
  redis = await startRedis();
  raw = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  // The outage test below stops Redis: the reconnect errors are expected, not "unhandled".
  raw.on('error', () => undefined);
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await raw.quit();
  await redis.stop();
});

async function serve(store: 'memory' | 'redis'): Promise<ConveneServer> {
  const server = await startServer(store === 'redis' ? { redisUrl: redis.url } : {});
  servers.push(server);
  return server;
}

async function join(server: ConveneServer, code: string, name: string, opts: Parameters<typeof joined>[3] = {}) {
  const j = await joined(server, code, name, opts);
  sockets.push(j.socket);
  return j;
}

/** Event names in arrival order, with `disconnect:<reason>` appended when the socket drops. */
function timeline(socket: Client): string[] {
  const events: string[] = [];
  socket.onAny((event: string) => events.push(event));
  socket.on('disconnect', (reason) => events.push(`disconnect:${reason}`));
  return events;
}

const disconnected = (socket: Client) =>
  new Promise<void>((resolve) => (socket.connected ? socket.once('disconnect', () => resolve()) : resolve()));

/** Closes the server, failing (instead of hanging) if that takes 10 s. */
async function closeWithin10s(closing: Promise<void>): Promise<number> {
  const started = Date.now();
  const outcome = await Promise.race([closing.then(() => 'closed'), sleep(10_000).then(() => 'timed out')]);
  expect(outcome).toBe('closed');
  return Date.now() - started;
}

describe.each(['memory', 'redis'] as const)('closing a server (%s store)', (kind) => {
  it('tells clients it is going away, finishes in-flight work, refuses new joins with SHUTTING_DOWN, then disconnects', async () => {
    const server = await serve(kind);
    const code = await createMeeting(server);
    const alice = await join(server, code, 'Alice');
    const bob = await join(server, code, 'Bob');
    const late = await connected(client(server));
    sockets.push(late);
    const [aliceSaw, bobSaw, lateSaw] = [alice.socket, bob.socket, late].map(timeline);

    // Hold the room's lock so Alice's toggle is still in flight when close() starts:
    // draining then has to wait for it, which keeps the sockets open for the late join.
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    await new Promise<void>((entered) => {
      void server.store.withRoomLock(code, async () => {
        entered();
        await held;
      });
    });
    const serverSide = server.io.of('/').sockets.get(alice.socket.id!)!;
    const received = new Promise((resolve) => serverSide.once('toggle-media', resolve));
    const toggled = emit(alice.socket, 'toggle-media', { kind: 'audio', enabled: true });
    await received;

    const closing = server.close();
    const joinError = next(late, 'join-error');
    const lateJoin = await emit(late, 'join-room', { roomCode: code, displayName: 'Late' });
    expect(lateJoin).toMatchObject({ ok: false, error: { code: 'SHUTTING_DOWN' } });
    expect((await joinError).code).toBe('SHUTTING_DOWN');
    expect(alice.socket.connected && bob.socket.connected).toBe(true);

    release();
    expect(await closeWithin10s(closing)).toBeLessThan(10_000);
    expect(await toggled).toEqual({ ok: true });
    await Promise.all([alice.socket, bob.socket, late].map(disconnected));

    expect(aliceSaw).toEqual(['server-going-away', 'media-toggled', 'disconnect:io server disconnect']);
    expect(bobSaw).toEqual(['server-going-away', 'media-toggled', 'disconnect:io server disconnect']);
    expect(lateSaw).toEqual(['server-going-away', 'join-error', 'disconnect:io server disconnect']);
  });
});

describe('restarting a server on Redis', () => {
  it('keeps participants whole in their grace period, and they resume on a new server as the same participants', async () => {
    const first = await serve('redis');
    const code = await createMeeting(first);
    const alice = await join(first, code, 'Alice', { cookie: guestCookieHeader('alice') });
    const bob = await join(first, code, 'Bob');
    expect(await emit(bob.socket, 'toggle-media', { kind: 'video', enabled: true })).toEqual({ ok: true });
    const goingAway = [alice.socket, bob.socket].map((s) => next(s, 'server-going-away'));

    const closedAt = Date.now();
    await closeWithin10s(first.close());
    expect(await Promise.all(goingAway)).toEqual([
      { reconnectAfterMs: match.any(Number) },
      { reconnectAfterMs: match.any(Number) },
    ]);

    const stored = await raw.hgetall(`convene:{${code}}:participants`);
    const records = Object.values(stored).map((v) => JSON.parse(v) as ParticipantRecord);
    expect(records.map((r) => r.id).sort()).toEqual([alice.self.participantId, bob.self.participantId].sort());
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual([...PARTICIPANT_FIELDS].sort());
      expect(r.graceUntil).toBeGreaterThan(closedAt);
    }
    expect(records.find((r) => r.id === bob.self.participantId)?.media.video).toBe(true);

    // A browser comes back with its guest cookie and resume token.
    const second = await serve('redis');
    const back = await connected(client(second, { cookie: guestCookieHeader('alice') }));
    sockets.push(back);
    const resumed = await emit(back, 'join-room', {
      roomCode: code,
      displayName: 'Alice',
      resumeToken: alice.self.resumeToken,
    });
    expect(resumed).toMatchObject({
      ok: true,
      resumed: true,
      self: { participantId: alice.self.participantId, role: alice.self.role },
    });
    const others = timeline(back);

    // A cookie-less client (Bob's) resumes with the token alone; the others hear no new join.
    const bobBack = await connected(client(second));
    sockets.push(bobBack);
    const bobResumed = expectJoined(
      await emit(bobBack, 'join-room', { roomCode: code, displayName: 'Bob', resumeToken: bob.self.resumeToken }),
    );
    expect(bobResumed).toMatchObject({ resumed: true, self: { participantId: bob.self.participantId } });
    const bobInfo = bobResumed.participants.find((p) => p.participantId === bob.self.participantId);
    expect(bobInfo?.media.video).toBe(true);

    const hello = next(back, 'new-message');
    expect(await emit(bobBack, 'send-message', { text: 'back again' })).toMatchObject({ ok: true });
    expect((await hello).from.participantId).toBe(bob.self.participantId);
    expect(others).toEqual(['new-message']);

    const after = (await raw.hvals(`convene:{${code}}:participants`)).map((v) => JSON.parse(v) as ParticipantRecord);
    expect(after.map((r) => r.graceUntil)).toEqual([null, null]);
  });
});

describe('closing a server while Redis is away', () => {
  it('finishes within seconds, its client told first: nothing waits for Redis to come back', async () => {
    const server = await serve('redis');
    const code = await createMeeting(server);
    const alice = await join(server, code, 'Alice');
    const goingAway = next(alice.socket, 'server-going-away');
    await redis.stop();
    try {
      await sleep(300);
      const asked = Date.now();
      await server.close();
      expect(Date.now() - asked).toBeLessThan(5_000);
      expect(typeof (await goingAway).reconnectAfterMs).toBe('number');
    } finally {
      await redis.start();
    }
  }, 30_000);
});
