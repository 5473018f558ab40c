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

function once<T = any>(s: Socket, event: string, ms = 5_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    s.once(event, (data: T) => {
      clearTimeout(timer);
      resolve(data);
    });
  });
}

/** The predecessor's join: emit join-room without an ack, wait for room-joined or join-error. */
function join(s: Socket, roomCode: string, displayName: string): Promise<{ joined?: any; error?: any }> {
  const outcome = Promise.race([
    once(s, 'room-joined').then((joined) => ({ joined })),
    once(s, 'join-error').then((error) => ({ error })),
  ]);
  s.emit('join-room', { roomCode, displayName, userId: 'legacy-user-id' });
  return outcome;
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
    expect(hostJoin.joined.participants).toHaveLength(1);

    const bob = oldClient();
    const hostHearsBob = once(host, 'user-joined');
    const bobJoin = await join(bob, code, 'Bob');
    const bobId = bobJoin.joined.self.participantId;
    expect(bobJoin.joined.self.role).toBe('participant');
    expect(bobJoin.joined.participants.map((p: any) => p.displayName)).toEqual(['Host', 'Bob']);
    expect((await hostHearsBob).participant).toMatchObject({ participantId: bobId, displayName: 'Bob' });

    const carol = oldClient();
    await join(carol, code, 'Carol');

    // Chat: acked with an id, delivered to everyone including the sender.
    const heard = [host, bob, carol].map((s) => once(s, 'new-message'));
    const ack = await bob.timeout(5_000).emitWithAck('send-message', { text: 'hello from an old client' });
    expect(ack).toEqual({ ok: true, id: expect.any(String) });
    for (const message of await Promise.all(heard)) {
      expect(message).toMatchObject({
        id: ack.id,
        from: { participantId: bobId, displayName: 'Bob' },
        text: 'hello from an old client',
      });
    }

    // A late joiner gets the history in room-joined.
    const dave = oldClient();
    const daveJoin = await join(dave, code, 'Dave');
    expect(daveJoin.joined.chat.map((m: any) => m.text)).toEqual(['hello from an old client']);

    // Kick: the target hears force-disconnect { reason } before its socket is closed; the others hear user-left kicked.
    const order: string[] = [];
    bob.on('force-disconnect', (data: { reason: string }) => order.push(`force-disconnect:${data.reason}`));
    const bobClosed = once<string>(bob, 'disconnect');
    const carolHears = once(carol, 'user-left');
    const hostHears = once(host, 'user-left');
    expect(
      await host.timeout(5_000).emitWithAck('kick-participant', { participantId: bobId, reason: 'Off topic' }),
    ).toEqual({ ok: true });
    order.push(`disconnect:${await bobClosed}`);
    expect(order).toEqual(['force-disconnect:Off topic', 'disconnect:io server disconnect']);
    expect(await carolHears).toEqual({ participantId: bobId, reason: 'kicked' });
    expect(await hostHears).toEqual({ participantId: bobId, reason: 'kicked' });
  });

  it("a participant's kick-participant is refused with FORBIDDEN and nobody hears anything", async () => {
    const { code, cookie } = await createMeeting();
    const host = oldClient(cookie);
    const hostJoin = await join(host, code, 'Host');
    const bob = oldClient();
    const hostHearsBob = once(host, 'user-joined');
    await join(bob, code, 'Bob');
    await hostHearsBob;
    const seen: string[] = [];
    host.onAny((event: string) => seen.push(event));
    bob.onAny((event: string) => seen.push(event));

    const ack = await bob
      .timeout(5_000)
      .emitWithAck('kick-participant', { participantId: hostJoin.joined.self.participantId });
    expect(ack).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([]);
    expect(host.connected && bob.connected).toBe(true);
  });

  it('a failed join arrives as join-error { code, message }: unknown room, empty name, over-long name', async () => {
    const { code } = await createMeeting();
    const s = oldClient();
    expect((await join(s, 'zzz-zzzz-zzz', 'Someone')).error).toEqual({
      code: 'ROOM_NOT_FOUND',
      message: expect.any(String),
    });
    expect((await join(s, code, '   ')).error).toEqual({ code: 'INVALID_NAME', message: expect.any(String) });
    expect((await join(s, code, 'x'.repeat(65))).error).toEqual({ code: 'INVALID_NAME', message: expect.any(String) });
    expect((await join(s, code, 'Finally')).joined.self.displayName).toBe('Finally');
  });

  it("a claimed userId in join-room doesn't make anyone host", async () => {
    const { code, cookie } = await createMeeting();
    const host = oldClient(cookie);
    const hostJoin = await join(host, code, 'Host');
    const impostor = oldClient();
    const outcome = once(impostor, 'room-joined');
    impostor.emit('join-room', { roomCode: code, displayName: 'Impostor', userId: hostJoin.joined.self.participantId });
    expect((await outcome).self.role).toBe('participant');
  });
});
