/**
 * A client written only from docs/protocol.md (§12 "The fixed names", §11 the
 * HTTP API, §13 a minimal client): an untyped socket.io-client that knows the
 * predecessor's names — join-room, room-joined, join-error, user-joined,
 * user-left, force-disconnect — plus send-message/new-message and
 * kick-participant. Nothing from lib/ is imported; the server is started the
 * way the other suites start it.
 */
import { io, type Socket } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../server/app';
import { ensureNextBuild } from './helpers/next-build';
import { startServer } from './helpers/server';
import { sleep } from './helpers/wait';
import { match } from './helpers/match';

let server: ConveneServer;
const sockets: Socket[] = [];

beforeAll(async () => {
  ensureNextBuild();
  server = await startServer({}, { next: { dev: false } });
}, 300_000);
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(() => server.close());

/** An old-style client: plain io(), optional cookie (as a browser would send it). */
function oldClient(cookie?: string): Socket {
  const s = io(server.url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    ...(cookie ? { extraHeaders: { cookie } } : {}),
  });
  sockets.push(s);
  return s;
}

function once<T>(s: Socket, event: string, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    s.once(event, (data: T) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

// Untyped on purpose: this client knows only docs/protocol.md, not the contract's types in lib/protocol.
function emit(s: Socket, event: string, payload: object): Promise<unknown> {
  return s.timeout(5_000).emitWithAck(event, payload);
}

/** What this client reads of room-joined (docs/protocol.md §4). */
interface RoomJoined {
  self: { participantId: string; displayName: string; role: string };
  participants: { participantId: string; displayName: string }[];
  chat: { text: string }[];
}
type ErrorBody = { code: string; message: string };

/** The predecessor's join: emit join-room without an ack, wait for room-joined or join-error. */
function join(
  s: Socket,
  roomCode: string,
  displayName: string,
  userId = 'legacy-user-id',
): Promise<{ joined: RoomJoined; error?: undefined } | { joined?: undefined; error: ErrorBody }> {
  const outcome = Promise.race([
    once<RoomJoined>(s, 'room-joined').then((joined) => ({ joined })),
    once<ErrorBody>(s, 'join-error').then((error) => ({ error })),
  ]);
  s.emit('join-room', { roomCode, displayName, userId });
  return outcome;
}

/** A join that must succeed. */
async function joined(s: Socket, roomCode: string, displayName: string, userId?: string): Promise<RoomJoined> {
  const { joined, error } = await join(s, roomCode, displayName, userId);
  if (error) throw new Error(`join failed: ${JSON.stringify(error)}`);
  return joined;
}

async function createMeeting(): Promise<{ code: string; cookie: string }> {
  const res = await fetch(`${server.url}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"title":"Legacy"}',
  });
  const body = (await res.json()) as { ok: boolean; code: string };
  return { code: body.code, cookie: res.headers.getSetCookie()[0]!.split(';')[0]! };
}

describe('a client that knows only the fixed names', () => {
  it('joins, chats and kicks: room-joined, user-joined, new-message, force-disconnect then close, user-left kicked', async () => {
    const { code, cookie } = await createMeeting();

    const host = oldClient(cookie);
    const hostJoin = await join(host, code, 'Host');
    expect(hostJoin.error).toBeUndefined();
    expect(hostJoin.joined).toMatchObject({
      roomCode: code,
      self: { displayName: 'Host', role: 'host' },
      chat: [],
      room: { title: 'Legacy', locked: false },
    });
    expect(hostJoin.joined?.participants).toHaveLength(1);

    const bob = oldClient();
    const hostHearsBob = once<{ participant: unknown }>(host, 'user-joined');
    const bobJoin = await joined(bob, code, 'Bob');
    const bobId = bobJoin.self.participantId;
    expect(bobJoin.self.role).toBe('participant');
    expect(bobJoin.participants.map((p) => p.displayName)).toEqual(['Host', 'Bob']);
    expect((await hostHearsBob).participant).toMatchObject({ participantId: bobId, displayName: 'Bob' });

    const carol = oldClient();
    await joined(carol, code, 'Carol');

    // Chat: acked with an id, delivered to everyone including the sender.
    const heard = [host, bob, carol].map((s) => once(s, 'new-message'));
    const ack = await emit(bob, 'send-message', { text: 'hello from an old client' });
    expect(ack).toEqual({ ok: true, id: match.any(String) });
    const { id } = ack as { id: string };
    for (const message of await Promise.all(heard)) {
      expect(message).toMatchObject({
        id,
        from: { participantId: bobId, displayName: 'Bob' },
        text: 'hello from an old client',
      });
    }

    // A late joiner gets the history in room-joined.
    const dave = oldClient();
    const daveJoin = await joined(dave, code, 'Dave');
    expect(daveJoin.chat.map((m) => m.text)).toEqual(['hello from an old client']);

    // Kick: the target hears force-disconnect { reason } before its socket is closed; the others hear user-left kicked.
    const order: string[] = [];
    bob.on('force-disconnect', (data: { reason: string }) => order.push(`force-disconnect:${data.reason}`));
    const bobClosed = once<string>(bob, 'disconnect');
    const carolHears = once(carol, 'user-left');
    const hostHears = once(host, 'user-left');
    expect(await emit(host, 'kick-participant', { participantId: bobId, reason: 'Off topic' })).toEqual({ ok: true });
    order.push(`disconnect:${await bobClosed}`);
    expect(order).toEqual(['force-disconnect:Off topic', 'disconnect:io server disconnect']);
    expect(await carolHears).toEqual({ participantId: bobId, reason: 'kicked' });
    expect(await hostHears).toEqual({ participantId: bobId, reason: 'kicked' });
  });

  it("a participant's kick-participant is refused with FORBIDDEN and nobody hears anything", async () => {
    const { code, cookie } = await createMeeting();
    const host = oldClient(cookie);
    const hostJoin = await joined(host, code, 'Host');
    const bob = oldClient();
    const hostHearsBob = once(host, 'user-joined');
    await joined(bob, code, 'Bob');
    await hostHearsBob;
    const seen: string[] = [];
    host.onAny((event: string) => seen.push(event));
    bob.onAny((event: string) => seen.push(event));

    const ack = await emit(bob, 'kick-participant', { participantId: hostJoin.self.participantId });
    expect(ack).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: match.any(String) } });
    await sleep(100);
    expect(seen).toEqual([]);
    expect(host.connected && bob.connected).toBe(true);
  });

  it('a failed join arrives as join-error { code, message }: unknown room, empty name, over-long name', async () => {
    const { code } = await createMeeting();
    const s = oldClient();
    expect((await join(s, 'zzz-zzzz-zzz', 'Someone')).error).toEqual({
      code: 'ROOM_NOT_FOUND',
      message: match.any(String),
    });
    expect((await join(s, code, '   ')).error).toEqual({ code: 'INVALID_NAME', message: match.any(String) });
    expect((await join(s, code, 'x'.repeat(65))).error).toEqual({ code: 'INVALID_NAME', message: match.any(String) });
    expect((await joined(s, code, 'Finally')).self.displayName).toBe('Finally');
  });

  // §2: "A client's own claim, such as userId [...] never counts. It cannot make anyone host, and it cannot
  // change whose participant you are." A server that trusted userId would fail each part of this.
  it("a claimed userId is ignored: claiming the host's makes nobody host or the host's participant, and a banned guest can't come back under a new one", async () => {
    const { code, cookie } = await createMeeting();
    const host = oldClient(cookie);
    const hostSelf = (await joined(host, code, 'Host')).self;
    const hostSaw: string[] = [];
    host.onAny((event: string) => hostSaw.push(event));

    // All an impostor could know of the host: the participant id everyone sees, the creator's guest cookie
    // value, and the id in front of its signature. Two impostors make each claim.
    const cookieValue = decodeURIComponent(cookie.slice(cookie.indexOf('=') + 1));
    const claims = [hostSelf.participantId, cookieValue, cookieValue.slice(0, cookieValue.lastIndexOf('.'))];
    const participantIds = new Set([hostSelf.participantId]);
    for (const claim of claims.flatMap((c) => [c, c])) {
      const impostor = await joined(oldClient(), code, 'Impostor', claim);
      expect(impostor.self.role).toBe('participant');
      expect(impostor.self.participantId).not.toBe(claim);
      participantIds.add(impostor.self.participantId);
    }
    expect(participantIds.size).toBe(1 + 2 * claims.length); // every join is a participant of its own
    await sleep(100);
    expect(hostSaw).toEqual(Array<string>(2 * claims.length).fill('user-joined')); // no role-changed, no user-left
    expect(host.connected).toBe(true);

    // A banned guest comes back with the same cookie, claiming another userId: still banned.
    const { cookie: trollCookie } = await createMeeting(); // any create hands out a fresh guest cookie
    const troll = await joined(oldClient(trollCookie), code, 'Troll', 'troll-1');
    const ban = await emit(host, 'kick-participant', { participantId: troll.self.participantId, ban: true });
    expect(ban).toEqual({ ok: true });
    expect((await join(oldClient(trollCookie), code, 'Troll', 'a-brand-new-user')).error).toEqual({
      code: 'BANNED',
      message: match.any(String),
    });
  });
});
