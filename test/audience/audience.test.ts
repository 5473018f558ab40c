/**
 * The audience over real Socket.IO clients, a real server and a real
 * mediasoup worker: who lands in it, what the stage hears of it (a count,
 * never one event per member), what it may do (watch, chat, react, raise a
 * hand; never produce), and the host's powers over it (page, promote, demote,
 * kick, ban, mute).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
import { MeetingService } from '../../server/rooms/meetings';
import { loadSfuConfig } from '../../server/sfu';
import { CreateRoomBody, type RoomSettings } from '../../lib/protocol';
import { expectErr, expectOk } from '../helpers/ack';
import { signaledRoundTrip } from '../helpers/media';
import { plainProducer } from '../sfu/helpers';
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
import { sleep, until } from '../helpers/wait';
import { match } from '../helpers/match';

let server: ConveneServer;
const sockets: Client[] = [];
beforeAll(async () => {
  server = await startServer({ reconnectGraceMs: 0 }, { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1' }) });
});
afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await server.close();
});

let tag = 0;
/** A meeting with an audience; its creator (host) and `stage` more people are on the stage. */
async function townHall(
  audience: NonNullable<RoomSettings['audience']>,
  stage: string[] = [],
  settings: Partial<RoomSettings> = {},
) {
  const t = ++tag;
  const creator = guestIdentity(`creator-${t}`);
  const meetings = new MeetingService(server.store, server.config);
  const { code } = await meetings.create(creator, { title: 'Town hall', settings: { ...settings, audience } });
  const join = async (name: string, cookie = guestCookieHeader(`${name}-${t}`)) => {
    const j = await joined(server, code, name, { cookie });
    sockets.push(j.socket);
    return { socket: j.socket, id: j.self.participantId, role: j.self.role, joined: j.roomJoined };
  };
  const host = await join('Host', guestCookieHeader(`creator-${t}`));
  const speakers = [];
  for (const name of stage) speakers.push(await join(name));
  return { code, join, host, speakers };
}

describe('joining the audience', () => {
  it('past the stage limit people join the audience: the stage hears a coalesced count, never a user-joined', async () => {
    const { code, join, host, speakers } = await townHall({ mode: 'overflow', stageLimit: 2 }, ['Bob']);
    const bob = speakers[0]!;
    expect(bob.role).toBe('participant');
    await sleep(100); // Bob's own user-joined has reached the host
    const heard = { host: recorder(host.socket), bob: recorder(bob.socket) };

    const viewers = [];
    for (let i = 0; i < 6; i++) viewers.push(await join(`Viewer ${i}`));
    for (const v of viewers) expect(v.role).toBe('audience');
    // An audience member sees the stage, not itself nor the rest of the audience.
    expect(viewers[5]!.joined.participants.map((p) => p.displayName)).toEqual(['Host', 'Bob']);
    expect(viewers[5]!.joined.audienceCount).toBe(6);

    await until(
      'count on the stage',
      () => heard.bob.filter((e) => e.event === 'audience-updated').at(-1)?.data,
      (d) => Boolean(d && (d as { count: number }).count === 6),
    );
    for (const seen of [heard.host, heard.bob]) {
      expect(seen.filter((e) => e.event === 'user-joined')).toEqual([]);
      // Six joins within one interval: one or two counts, not six.
      expect(seen.filter((e) => e.event === 'audience-updated').length).toBeLessThanOrEqual(2);
    }
    expect(await server.store.countParticipants(code)).toBe(2);
    expect(await server.store.countAudience(code)).toBe(6);
  });

  it('an audience member who leaves causes no user-left; the count goes down', async () => {
    const { code, join, host } = await townHall({ mode: 'invited' });
    const viewer = await join('Viewer');
    expect(viewer.role).toBe('audience');
    await sleep(600);
    const heard = recorder(host.socket);
    expectOk(await emit(viewer.socket, 'leave-room'));
    const count = await next(host.socket, 'audience-updated', 2_000);
    expect(count).toEqual({ count: 0 });
    expect(heard.filter((e) => e.event === 'user-left')).toEqual([]);
    expect(await server.store.countAudience(code)).toBe(0);
  });

  it('a host turns the audience on during the meeting: the next joiner past the limit watches', async () => {
    const { join, host } = await townHall({ mode: 'off' });
    const first = await join('First');
    expect(first.role).toBe('participant');
    const updated = next(first.socket, 'room-updated');
    expectOk(await emit(host.socket, 'set-audience', { mode: 'overflow', stageLimit: 2 }));
    expect((await updated).room.audience).toEqual({ mode: 'overflow', stageLimit: 2 });
    expect((await join('Second')).role).toBe('audience');
    expectErr(await emit(first.socket, 'set-audience', { mode: 'off' }), 'FORBIDDEN');
  });
});

describe('what the audience may do', () => {
  it("an audience member's raised hand reaches hosts and co-hosts only, and hosts list the audience's hands", async () => {
    const { join, host, speakers } = await townHall({ mode: 'overflow', stageLimit: 2 }, ['Bob']);
    const viewer = await join('Viewer');
    const other = await join('Other viewer');
    const heard = { bob: recorder(speakers[0]!.socket), other: recorder(other.socket) };
    const atHost = next(host.socket, 'hand-raised');
    expectOk(await emit(viewer.socket, 'raise-hand', { raised: true }));
    expect(await atHost).toEqual({ participantId: viewer.id, raisedAt: match.any(Number) });

    const hands = expectOk(await emit(host.socket, 'get-audience', { hands: true }));
    expect(hands.members.map((m) => m.displayName)).toEqual(['Viewer']);
    expect(hands.count).toBe(2);

    const lowered = next(viewer.socket, 'hand-raised');
    expectOk(await emit(host.socket, 'lower-hand', { participantId: viewer.id }));
    expect(await lowered).toEqual({ participantId: viewer.id, raisedAt: null });
    await sleep(100);
    expect(heard.bob.filter((e) => e.event === 'hand-raised')).toEqual([]);
    expect(heard.other.filter((e) => e.event === 'hand-raised')).toEqual([]);
  });

  it("an audience member's reaction reaches the stage, not the rest of the audience", async () => {
    const { join, speakers } = await townHall({ mode: 'overflow', stageLimit: 2 }, ['Bob']);
    const viewer = await join('Viewer');
    const other = recorder((await join('Other viewer')).socket);
    const atBob = next(speakers[0]!.socket, 'reaction');
    expectOk(await emit(viewer.socket, 'react', { emoji: '👏' }));
    expect(await atBob).toEqual({ participantId: viewer.id, emoji: '👏' });
    await sleep(100);
    expect(other.filter((e) => e.event === 'reaction')).toEqual([]);
  });

  it('the audience chats with everyone while the host allows it; refused, nothing is sent', async () => {
    const { code, join, host, speakers } = await townHall({ mode: 'overflow', stageLimit: 2 }, ['Bob']);
    const viewer = await join('Viewer');
    const other = await join('Other viewer');
    const atBob = next(speakers[0]!.socket, 'new-message');
    const atOther = next(other.socket, 'new-message');
    expectOk(await emit(viewer.socket, 'send-message', { text: 'Question from the back' }));
    expect((await atBob).text).toBe('Question from the back');
    expect((await atOther).text).toBe('Question from the back');

    expectOk(await emit(host.socket, 'set-permissions', { audienceChat: false }));
    const seen = [recorder(speakers[0]!.socket), recorder(other.socket), recorder(host.socket)];
    expectErr(await emit(viewer.socket, 'send-message', { text: 'Again' }), 'FORBIDDEN');
    // The stage still chats, and the audience still reads it.
    const stageLine = next(other.socket, 'new-message');
    expectOk(await emit(speakers[0]!.socket, 'send-message', { text: 'Stage only' }));
    expect((await stageLine).text).toBe('Stage only');
    expect(
      seen
        .flat()
        .filter((e) => e.event === 'new-message')
        .map((e) => (e.data as { text: string }).text),
    ).toEqual(['Stage only', 'Stage only', 'Stage only']);
    expect((await server.store.recentChat(code, 10)).map((m) => m.text)).toEqual([
      'Question from the back',
      'Stage only',
    ]);
  });

  it('private messages cross between stage and audience both ways and reach only the two; between two audience members they are refused and reach nobody', async () => {
    const { code, join, host, speakers } = await townHall({ mode: 'overflow', stageLimit: 2 }, ['Bob']);
    const viewer = await join('Viewer');
    const other = await join('Other viewer');
    const bystanders = [recorder(speakers[0]!.socket), recorder(other.socket)];

    // A question from the audience to the host, and the host's private answer.
    const atHost = next(host.socket, 'new-message');
    expectOk(await emit(viewer.socket, 'send-message', { text: 'Can I ask privately?', to: host.id }));
    expect(await atHost).toMatchObject({
      text: 'Can I ask privately?',
      to: host.id,
      from: { participantId: viewer.id },
    });
    const atViewer = next(viewer.socket, 'new-message');
    expectOk(await emit(host.socket, 'send-message', { text: 'Yes, go ahead', to: viewer.id }));
    expect(await atViewer).toMatchObject({ text: 'Yes, go ahead', to: viewer.id, from: { participantId: host.id } });

    const toOther = recorder(other.socket);
    expectErr(await emit(viewer.socket, 'send-message', { text: 'psst', to: other.id }), 'FORBIDDEN');
    await sleep(100);
    expect([...bystanders, toOther].flat().filter((e) => e.event === 'new-message')).toEqual([]);
    expect((await server.store.recentChat(code, 10)).map((m) => m.text)).toEqual([
      'Can I ask privately?',
      'Yes, go ahead',
    ]);
  });
});

describe('media: the audience watches, the stage sends', () => {
  it('the audience receives the stage; its own produce is refused; promoted it may produce; demoted its producers close', async () => {
    const { code, join, host, speakers } = await townHall({ mode: 'overflow', stageLimit: 2 }, ['Bob']);
    const bob = speakers[0]!;
    const viewer = await join('Viewer');

    // Bob's mic is announced to the audience member, who consumes it and gets the packets.
    const rt = await signaledRoundTrip(server, code, bob.socket, bob.id, viewer.socket, viewer.id, 7101);
    rt.sender.close();
    rt.receiver.close();

    // Whatever the client sends, the SFU path refuses an audience member's produce.
    const media = await server.sfu!.room(code);
    const sender = await plainProducer(media, viewer.id, 'camera', 7102);
    const heard = recorder(bob.socket);
    expectErr(await emit(viewer.socket, 'produce', { ...sender.request, appData: { source: 'camera' } }), 'FORBIDDEN');
    expect(media.producers().filter((p) => p.participantId === viewer.id)).toEqual([]);

    // Promoted: the stage sees them arrive, they learn their new role, and the same produce goes through.
    const arrives = next(bob.socket, 'user-joined');
    const role = next(viewer.socket, 'role-changed');
    expectOk(await emit(host.socket, 'promote', { participantId: viewer.id }));
    expect(await arrives).toEqual({
      participant: match.objectContaining({ participantId: viewer.id, role: 'participant' }),
    });
    expect(await role).toEqual({ participantId: viewer.id, role: 'participant' });
    expect(heard.filter((e) => e.event === 'new-producer')).toEqual([]);
    const announced = next(bob.socket, 'new-producer');
    const { producerId } = expectOk(
      await emit(viewer.socket, 'produce', { ...sender.request, appData: { source: 'camera' } }),
    );
    expect(await announced).toMatchObject({ participantId: viewer.id, producerId, source: 'camera' });

    // Demoted: their producer closes for everyone, and they leave the stage's list.
    const closed = next(bob.socket, 'producer-closed');
    const left = next(bob.socket, 'user-left');
    const back = next(viewer.socket, 'role-changed');
    expectOk(await emit(host.socket, 'demote', { participantId: viewer.id }));
    expect(await closed).toMatchObject({ participantId: viewer.id, producerId });
    expect(await left).toEqual({ participantId: viewer.id, reason: 'audience' });
    expect(await back).toEqual({ participantId: viewer.id, role: 'audience' });
    expect(media.producers().filter((p) => p.participantId === viewer.id)).toEqual([]);
    expectErr(await emit(viewer.socket, 'produce', { ...sender.request, appData: { source: 'camera' } }), 'FORBIDDEN');
    expect(await server.store.getAudience(code, viewer.id)).toMatchObject({ role: 'audience' });
  });

  it('a participant may not promote or demote, and a co-host may not demote the host', async () => {
    const { join, host, speakers } = await townHall({ mode: 'overflow', stageLimit: 3 }, ['Bob', 'Carol']);
    const viewer = await join('Viewer');
    expectErr(await emit(speakers[0]!.socket, 'promote', { participantId: viewer.id }), 'FORBIDDEN');
    expectErr(await emit(speakers[0]!.socket, 'demote', { participantId: speakers[1]!.id }), 'FORBIDDEN');
    expectErr(await emit(speakers[0]!.socket, 'get-audience', {}), 'FORBIDDEN');
    expectOk(await emit(host.socket, 'set-role', { participantId: speakers[1]!.id, role: 'cohost' }));
    expectErr(await emit(speakers[1]!.socket, 'demote', { participantId: host.id }), 'FORBIDDEN');
    // A co-host promotes from the audience.
    expectOk(await emit(speakers[1]!.socket, 'promote', { participantId: viewer.id }));
  });
});

describe('host powers over the audience', () => {
  it('hosts page through the audience in id order', async () => {
    const { join, host } = await townHall({ mode: 'invited' });
    const viewers = [];
    for (let i = 0; i < 5; i++) viewers.push(await join(`Viewer ${i}`));
    const ids = viewers.map((v) => v.id).sort();
    const first = expectOk(await emit(host.socket, 'get-audience', { limit: 2 }));
    expect(first.members.map((m) => m.participantId)).toEqual(ids.slice(0, 2));
    expect(first).toMatchObject({ count: 5, next: ids[1] });
    const second = expectOk(await emit(host.socket, 'get-audience', { limit: 2, after: first.next! }));
    expect(second.members.map((m) => m.participantId)).toEqual(ids.slice(2, 4));
    const last = expectOk(await emit(host.socket, 'get-audience', { limit: 2, after: second.next! }));
    expect(last.members.map((m) => m.participantId)).toEqual(ids.slice(4));
    expect(last.next).toBeNull();
    expectErr(await emit(host.socket, 'get-audience', { limit: 101 }), 'INVALID_PAYLOAD');
  });

  it('a kicked audience member is disconnected without a user-left; a banned one cannot come back', async () => {
    const { code, join, host, speakers } = await townHall({ mode: 'overflow', stageLimit: 2 }, ['Bob']);
    const kicked = await join('Kicked');
    const banned = await join('Banned', guestCookieHeader('banned-viewer'));
    const heard = recorder(speakers[0]!.socket);

    const told = next(kicked.socket, 'force-disconnect');
    expectOk(await emit(host.socket, 'kick-participant', { participantId: kicked.id }));
    expect(await told).toEqual({ reason: 'You were removed from the meeting' });
    await until('kicked socket closed', () => !kicked.socket.connected);

    expectOk(await emit(host.socket, 'kick-participant', { participantId: banned.id, ban: true }));
    await until('banned socket closed', () => !banned.socket.connected);
    const again = await connected(client(server, { cookie: guestCookieHeader('banned-viewer') }));
    sockets.push(again);
    expectErr(await emit(again, 'join-room', { roomCode: code, displayName: 'Banned' }), 'BANNED');

    await sleep(100);
    expect(heard.filter((e) => e.event === 'user-left')).toEqual([]);
    expect(await server.store.countAudience(code)).toBe(0);
  });

  it('the waiting room holds an audience joiner as anyone; admitted, they join the audience and the stage hears no user-joined', async () => {
    const { code, host } = await townHall({ mode: 'overflow', stageLimit: 2 }, [], { waitingRoom: 'guests' });
    // The stage (host + one) fills through the waiting room too.
    const seenByHost = recorder(host.socket);
    const knocker = await connected(client(server, { cookie: guestCookieHeader(`knock-${tag}`) }));
    sockets.push(knocker);
    const knocked = next(host.socket, 'knock-added');
    const ack = expectOk(await emit(knocker, 'join-room', { roomCode: code, displayName: 'Knocker' }));
    expect(ack).toMatchObject({ pending: true });
    const { entry } = await knocked;
    const inside = next(knocker, 'room-joined');
    expectOk(await emit(host.socket, 'admit', { participantId: entry.participantId }));
    expect((await inside).self.role).toBe('participant');
    // The stage is full now: the next admitted knock joins the audience, unannounced.
    const second = await connected(client(server, { cookie: guestCookieHeader(`knock2-${tag}`) }));
    sockets.push(second);
    const knocked2 = next(host.socket, 'knock-added');
    expectOk(await emit(second, 'join-room', { roomCode: code, displayName: 'Second' }));
    const inside2 = next(second, 'room-joined');
    expectOk(await emit(host.socket, 'admit', { participantId: (await knocked2).entry.participantId }));
    expect((await inside2).self.role).toBe('audience');
    await sleep(100);
    expect(
      seenByHost
        .filter((e) => e.event === 'user-joined')
        .map((e) => (e.data as { participant: { displayName: string } }).participant.displayName),
    ).toEqual(['Knocker']);
    expect(await server.store.countAudience(code)).toBe(1);
  });

  it('a host mutes an audience member as anyone else: they are told, and nothing else changes', async () => {
    const { join, host } = await townHall({ mode: 'invited' });
    const viewer = await join('Viewer');
    const told = next(viewer.socket, 'you-were-muted');
    expectOk(await emit(host.socket, 'mute-participant', { participantId: viewer.id, kind: 'audio' }));
    expect(await told).toEqual({ by: host.id, kind: 'audio' });
  });

  it('in invited mode a promoted person who rejoins is back on the stage', async () => {
    const t = `rejoin-${++tag}`;
    const { code, join, host } = await townHall({ mode: 'invited' });
    const viewer = await join('Viewer', guestCookieHeader(t));
    expectOk(await emit(host.socket, 'promote', { participantId: viewer.id }));
    viewer.socket.disconnect();
    await until('gone', async () => (await server.store.countParticipants(code)) === 1);
    const back = await joined(server, code, 'Viewer', { cookie: guestCookieHeader(t) });
    sockets.push(back.socket);
    expect(back.self.role).toBe('participant');
  });
});

describe('audience settings', () => {
  it("a session co-host's audience lasts the session: once everyone left, the meeting has none again", async () => {
    const { code, join, host } = await townHall({ mode: 'off' });
    const bob = await join('Bob');
    const carol = await join('Carol');
    // Only the creator's appointments last: Carol, named by Bob, is a co-host for this session only.
    expectOk(await emit(host.socket, 'transfer-host', { participantId: bob.id }));
    expectOk(await emit(bob.socket, 'set-role', { participantId: carol.id, role: 'cohost' }));
    expectOk(await emit(carol.socket, 'set-audience', { mode: 'invited' }));
    expect((await server.store.getMeeting(code))!.audience).toEqual({ mode: 'invited', stageLimit: 100 });
    for (const s of [host, bob, carol]) expectOk(await emit(s.socket, 'leave-room'));
    expect((await server.store.getMeeting(code))!.audience).toBeUndefined();
  });
});

describe('creating a meeting with an audience', () => {
  it('POST /api/rooms takes settings.audience; a stage limit is capped at the capacity; a bad mode is refused', async () => {
    const body = CreateRoomBody.parse({ settings: { capacity: 20, audience: { mode: 'overflow', stageLimit: 50 } } });
    const meetings = new MeetingService(server.store, server.config);
    const made = await meetings.create(guestIdentity('api-creator'), body);
    expect(made.audience).toEqual({ mode: 'overflow', stageLimit: 20 });
    expect(made.lasting.audience).toEqual({ mode: 'overflow', stageLimit: 20 });
    expect(CreateRoomBody.safeParse({ settings: { audience: { mode: 'everyone' } } }).success).toBe(false);
    expect(CreateRoomBody.safeParse({ settings: { audience: { mode: 'invited', stageLimit: 0 } } }).success).toBe(
      false,
    );
    expect((await meetings.create(guestIdentity('plain'), {})).audience).toBeUndefined();
  });
});

describe('capacity', () => {
  it('the audience has its own cap (AUDIENCE_CAPACITY); past it a join gets ROOM_FULL', async () => {
    const small = await startServer({ audienceCapacity: 2 });
    try {
      const meetings = new MeetingService(small.store, small.config);
      const { code } = await meetings.create(guestIdentity('cap-creator'), {
        settings: { audience: { mode: 'invited' } },
      });
      const opened: Client[] = [];
      for (const name of ['A', 'B']) opened.push((await joined(small, code, name)).socket);
      const third = await connected(client(small));
      opened.push(third);
      expectErr(await emit(third, 'join-room', { roomCode: code, displayName: 'C' }), 'ROOM_FULL');
      expect(await small.store.countAudience(code)).toBe(2);
      for (const s of opened) s.disconnect();
    } finally {
      await small.close();
    }
  });
});
