/**
 * Floods: a socket that keeps being refused is dropped and its IP cools down;
 * many sockets each within their own allowance share one budget per room.
 * Clients bind to 127.0.0.2/127.0.0.3 to come from other IPs than the victims.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { expectErr, expectOk } from '../helpers/ack';
import {
  client,
  guestCookieHeader,
  connected,
  createMeeting,
  emit,
  joined,
  recorder,
  startServer,
  testConfig,
  type Client,
} from '../helpers/server';
import { sleep, until } from '../helpers/wait';

// Untyped on purpose: a flooder sends what the typed `emit` would not let compile, and never waits.
const raw = (socket: Client) => socket as unknown as Socket;

/** Resolves with the reason once the server drops the socket. */
const disconnected = (socket: Client) =>
  new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

const FLOOD = { refusals: 50, windowMs: 10_000, cooldownSec: 2 };

/** Events a recorder saw, by name. */
const names = (seen: ReturnType<typeof recorder>) => seen.map((e) => e.event);

describe('a socket that keeps being refused', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer({ reconnectGraceMs: 300, caps: { ...testConfig().caps, flood: FLOOD } });
  });
  afterAll(() => server.close());

  it('is dropped without further answers and its IP cools down; a user from another IP keeps chatting and sees nothing of it', async () => {
    const code = await createMeeting(server);
    const host = await joined(server, code, 'Host');
    const member = await joined(server, code, 'Member');
    await sleep(50); // let Member's user-joined reach the host before recording
    const hostSaw = recorder(host.socket);
    const memberSaw = recorder(member.socket);

    const flooder = await connected(client(server, { localAddress: '127.0.0.2' }));
    const dropped = disconnected(flooder);
    let answered = 0;
    for (let i = 0; i < 2_000; i++) raw(flooder).emit('no-such-event', { i }, () => answered++);
    expect(await dropped).toBe('transport close');
    await sleep(200);
    // Answers stop at the refusal that trips the limit: the rest cost the server nothing.
    expect(answered).toBeLessThan(FLOOD.refusals);

    // Its IP cools down: a new connection from it is refused; other IPs are not.
    await expect(connected(client(server, { localAddress: '127.0.0.2' }))).rejects.toThrow();
    const neighbour = await connected(client(server, { localAddress: '127.0.0.3' }));

    expectOk(await emit(member.socket, 'send-message', { text: 'still here' }));
    await until('the host got the chat', () => names(hostSaw).includes('new-message'));
    expect(names(hostSaw)).toEqual(['new-message']);
    expect(names(memberSaw)).toEqual(['new-message']);

    // The cool-down ends.
    await sleep(FLOOD.cooldownSec * 1_000 + 200);
    const back = await connected(client(server, { localAddress: '127.0.0.2' }));
    for (const s of [host.socket, member.socket, neighbour, back]) s.disconnect();
  });

  it('a member spamming chat is dropped once its refusals pile up; the others got only its allowed messages, then saw it leave', async () => {
    const code = await createMeeting(server);
    const watcher = await joined(server, code, 'Watcher');
    const spammer = await joined(server, code, 'Spammer', { localAddress: '127.0.0.2' });
    await sleep(50);
    const watcherSaw = recorder(watcher.socket);

    // Its bucket's worth (20 per 10 s) goes through; the flood after it does not.
    const allowance = server.config.rateLimits.chat[0];
    for (let i = 0; i < allowance; i++) expectOk(await emit(spammer.socket, 'send-message', { text: `ok ${i}` }));
    const dropped = disconnected(spammer.socket);
    for (let i = 0; i < 500; i++) raw(spammer.socket).emit('send-message', { text: `spam ${i}` }, () => undefined);
    expect(await dropped).toBe('transport close');

    await until('the watcher saw the spammer leave', () => names(watcherSaw).includes('user-left'));
    const texts = watcherSaw.flatMap((e) => (e.event === 'new-message' ? [(e.data as { text: string }).text] : []));
    expect(texts).toEqual(Array.from({ length: allowance }, (_, i) => `ok ${i}`));
    expect(watcherSaw.at(-1)).toEqual({
      event: 'user-left',
      data: { participantId: spammer.self.participantId, reason: 'disconnected' },
    });

    expectOk(await emit(watcher.socket, 'send-message', { text: 'calm again' }));
    watcher.socket.disconnect();
  });

  it('invalid payloads count as refusals too', async () => {
    const flooder = await connected(client(server, { localAddress: '127.0.0.4' }));
    const dropped = disconnected(flooder);
    for (let i = 0; i < 200; i++) raw(flooder).emit('send-message', { text: 42 }, () => undefined);
    expect(await dropped).toBe('transport close');
  });

  it('a held key in the chat box, its typing refused past the bucket, never gets a person dropped', async () => {
    const code = await createMeeting(server);
    const typist = await joined(server, code, 'Typist', { localAddress: '127.0.0.6' });
    // 30 keystrokes a second for 3 s, each a `typing` (the bucket allows 30 per 10 s): 60 refusals.
    for (let i = 0; i < 90; i++) {
      void emit(typist.socket, 'typing', { active: true });
      await sleep(33);
    }
    await sleep(200);
    expect(typist.socket.connected).toBe(true);
    expectOk(await emit(typist.socket, 'send-message', { text: 'done typing' }));
    typist.socket.disconnect();
  });

  it('a client refused now and then is never dropped', async () => {
    const code = await createMeeting(server);
    const eager = await joined(server, code, 'Eager', { localAddress: '127.0.0.5' });
    // 40 refusals in a window: well under the limit.
    const acks = await Promise.all(
      Array.from({ length: 60 }, (_, i) => emit(eager.socket, 'send-message', { text: `hi ${i}` })),
    );
    expect(acks.filter((a) => !a.ok)).toHaveLength(40);
    await sleep(100);
    expect(eager.socket.connected).toBe(true);
    eager.socket.disconnect();
  });
});

describe('the room-wide budget', () => {
  let server: ConveneServer;
  const BUDGET = 30;
  const OWN = 2;
  beforeAll(async () => {
    server = await startServer({
      caps: { ...testConfig().caps, roomBroadcasts: [BUDGET, 60], memberBroadcasts: [OWN, 60] },
    });
  });
  afterAll(() => server.close());

  it('many members each within their own allowance cannot push more than their own shares plus the room budget; the rest is refused to its sender only, and the host still acts at once', async () => {
    const code = await createMeeting(server);
    const host = await joined(server, code, 'Host', { cookie: guestCookieHeader('creator') });
    const members = await Promise.all(
      Array.from({ length: 20 }, (_, i) => joined(server, code, `Member ${i}`, { localAddress: '127.0.0.2' })),
    );
    await sleep(100);
    const hostSaw = recorder(host.socket);

    // 3 messages and 1 reaction each: 80 room-wide events, all within each socket's own buckets.
    const acks = await Promise.all(
      members.flatMap((m, i) => [
        emit(m.socket, 'send-message', { text: `one ${i}` }),
        emit(m.socket, 'send-message', { text: `two ${i}` }),
        emit(m.socket, 'react', { emoji: '👍' }),
        emit(m.socket, 'send-message', { text: `three ${i}` }),
      ]),
    );
    const allowed = acks.filter((a) => a.ok).length;
    expect(allowed).toBe(members.length * OWN + BUDGET);
    for (const refused of acks.filter((a) => !a.ok)) expectErr(refused, 'RATE_LIMITED');

    // Typing in a room out of budget is not relayed (and not refused: it is best-effort).
    expect(await emit(members[0]!.socket, 'typing', { active: true })).toEqual({ ok: true });

    // Host actions are not broadcasts of the members' kind: the kick goes through at once.
    const kicked = members[1]!;
    const started = performance.now();
    expectOk(await emit(host.socket, 'kick-participant', { participantId: kicked.self.participantId }));
    expect(performance.now() - started).toBeLessThan(1_000);
    await until('the host saw the kick', () => names(hostSaw).includes('user-left'));
    await sleep(100);

    const broadcasts = hostSaw.filter((e) => e.event === 'new-message' || e.event === 'reaction');
    expect(broadcasts).toHaveLength(members.length * OWN + BUDGET);
    expect(names(hostSaw)).not.toContain('typing');
    for (const s of [host, ...members]) s.socket.disconnect();
  });

  it('a light sender is still heard, by everyone, after heavy senders have spent the whole room budget', async () => {
    const code = await createMeeting(server);
    const light = await joined(server, code, 'Light', { cookie: guestCookieHeader('creator') });
    const heavy = await Promise.all(
      Array.from({ length: 10 }, (_, i) => joined(server, code, `Heavy ${i}`, { localAddress: '127.0.0.2' })),
    );
    await sleep(100);
    const heavySaw = recorder(heavy[0]!.socket);
    // 10 each: 2 from their own share, then the room budget runs dry and the rest is refused.
    const flood = await Promise.all(
      heavy.flatMap((h, i) =>
        Array.from({ length: 10 }, (_, k) => emit(h.socket, 'send-message', { text: `flood ${i}.${k}` })),
      ),
    );
    expect(flood.filter((a) => !a.ok).length).toBe(heavy.length * 10 - heavy.length * OWN - BUDGET);
    expectOk(await emit(light.socket, 'send-message', { text: 'still here' }));
    await until('a heavy sender saw the light one', () =>
      heavySaw.some((e) => e.event === 'new-message' && (e.data as { text: string }).text === 'still here'),
    );
    for (const s of [light, ...heavy]) s.socket.disconnect();
  });

  it('typing relays take at most half of the budget, so chat still goes through', async () => {
    const code = await createMeeting(server);
    const watcher = await joined(server, code, 'Watcher');
    const members = await Promise.all(
      Array.from({ length: 10 }, (_, i) => joined(server, code, `Typist ${i}`, { localAddress: '127.0.0.2' })),
    );
    await sleep(100);
    const watcherSaw = recorder(watcher.socket);
    for (let round = 0; round < 4; round++)
      await Promise.all(members.map((m) => emit(m.socket, 'typing', { active: round % 2 === 0 })));
    const chats = await Promise.all(members.map((m) => emit(m.socket, 'send-message', { text: 'hello' })));
    await sleep(100);

    const relayed = watcherSaw.filter((e) => e.event === 'typing').length;
    expect(relayed).toBe(BUDGET / 2);
    expect(chats.filter((a) => a.ok)).toHaveLength(Math.min(members.length, BUDGET - relayed));
    for (const s of [watcher, ...members]) s.socket.disconnect();
  });
});

describe("one address's share of a meeting's broadcasts", () => {
  let server: ConveneServer;
  const SHARE = 12;
  beforeAll(async () => {
    server = await startServer({
      caps: { ...testConfig().caps, ipBroadcasts: { points: SHARE, seconds: 60, perSecond: 1_000 } },
    });
  });
  afterAll(() => server.close());

  it('however many sockets one address opens, together they broadcast no more than its share; another address keeps its own and everyone hears it', async () => {
    const code = await createMeeting(server);
    const host = await joined(server, code, 'Host', { cookie: guestCookieHeader('creator') });
    const neighbour = await joined(server, code, 'Neighbour', { localAddress: '127.0.0.3' });
    const crowd = await Promise.all(
      Array.from({ length: 20 }, (_, i) => joined(server, code, `Crowd ${i}`, { localAddress: '127.0.0.2' })),
    );
    await sleep(100);
    const hostSaw = recorder(host.socket);
    const neighbourSaw = recorder(neighbour.socket);

    // 2 messages each from 20 sockets: every one within its own buckets and its own member share.
    const acks = await Promise.all(
      crowd.flatMap((c, i) => [0, 1].map((k) => emit(c.socket, 'send-message', { text: `crowd ${i}.${k}` }))),
    );
    expect(acks.filter((a) => a.ok)).toHaveLength(SHARE);
    for (const refused of acks.filter((a) => !a.ok)) expectErr(refused, 'RATE_LIMITED');

    // The other address, and the host's, were not touched by it.
    expectOk(await emit(neighbour.socket, 'send-message', { text: 'from next door' }));
    expectOk(await emit(host.socket, 'react', { emoji: '👍' }));
    await until('the neighbour saw the host react', () => names(neighbourSaw).includes('reaction'));

    const texts = (saw: ReturnType<typeof recorder>) =>
      saw.flatMap((e) => (e.event === 'new-message' ? [(e.data as { text: string }).text] : []));
    for (const saw of [hostSaw, neighbourSaw]) {
      expect(texts(saw).filter((t) => t.startsWith('crowd'))).toHaveLength(SHARE);
      expect(texts(saw)).toContain('from next door');
    }
    for (const s of [host, neighbour, ...crowd]) s.socket.disconnect();
  });

  it('is paced: a burst from one address past its pace is refused to its senders only, and a second later it is heard again', async () => {
    const paced = await startServer({
      caps: { ...testConfig().caps, ipBroadcasts: { points: 1_000, seconds: 60, perSecond: 3 } },
    });
    try {
      const code = await createMeeting(paced);
      const watcher = await joined(paced, code, 'Watcher');
      const senders = await Promise.all(
        [0, 1, 2, 3, 4].map((i) => joined(paced, code, `Sender ${i}`, { localAddress: '127.0.0.2' })),
      );
      await sleep(100);
      const watcherSaw = recorder(watcher.socket);
      // 3 per second: one per 333 ms, and a burst of one more in a second.
      const burst = await Promise.all(senders.map((s, i) => emit(s.socket, 'react', { emoji: i % 2 ? '👍' : '🎉' })));
      expect(burst.filter((a) => a.ok)).toHaveLength(2);
      // The watcher's own address is not paced by the senders'.
      expectOk(await emit(watcher.socket, 'react', { emoji: '👍' }));
      await sleep(1_100);
      expectOk(await emit(senders[0]!.socket, 'react', { emoji: '👍' }));
      await until(
        'the watcher saw the late reaction',
        () => watcherSaw.filter((e) => e.event === 'reaction').length === 4,
      );
      await sleep(100);
      expect(watcherSaw.filter((e) => e.event === 'reaction')).toHaveLength(4);
      for (const s of [watcher, ...senders]) s.socket.disconnect();
    } finally {
      await paced.close();
    }
  });
});

describe('a socket in no meeting', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer({ caps: { ...testConfig().caps, flood: FLOOD } });
  });
  afterAll(() => server.close());

  it('gets NOT_IN_ROOM for meeting events, and one that sends them by the thousand is cut after the flood limit, unheard by the meeting', async () => {
    const code = await createMeeting(server);
    const host = await joined(server, code, 'Host');
    await sleep(50);
    const hostSaw = recorder(host.socket);

    const curious = await connected(client(server, { localAddress: '127.0.0.7' }));
    expectErr(await emit(curious, 'send-message', { text: 'hello?' }), 'NOT_IN_ROOM');
    expectErr(await emit(curious, 'react', { emoji: '👍' }), 'NOT_IN_ROOM');
    expectErr(await emit(curious, 'lock-room', { locked: true }), 'NOT_IN_ROOM');
    // leave-room goes to its handler (it withdraws a knock), which has none to withdraw.
    expectErr(await emit(curious, 'leave-room', {}), 'NOT_IN_ROOM');
    curious.disconnect();

    const flooder = await connected(client(server, { localAddress: '127.0.0.8' }));
    const dropped = disconnected(flooder);
    let answered = 0;
    for (let i = 0; i < 2_000; i++) raw(flooder).emit('raise-hand', { raised: i % 2 === 0 }, () => answered++);
    expect(await dropped).toBe('transport close');
    expect(answered).toBeLessThan(FLOOD.refusals);
    await expect(connected(client(server, { localAddress: '127.0.0.8' }))).rejects.toThrow();

    expectOk(await emit(host.socket, 'send-message', { text: 'quiet here' }));
    await until('the host got its own message', () => names(hostSaw).includes('new-message'));
    expect(names(hostSaw)).toEqual(['new-message']);
    host.socket.disconnect();
  });
});
