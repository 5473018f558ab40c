import { describe, expect, it } from 'vitest';
import { MeetingConnection } from '../../lib/client/meeting-socket';
import { expectErr, expectOk } from '../helpers/ack';
import {
  client,
  connected,
  createMeeting,
  creatorCookie,
  emit,
  guestCookieHeader,
  next,
  recorder,
} from '../helpers/server';
import { sharedServer } from '../helpers/shared-server';
import { sleep } from '../helpers/wait';

const shared = sharedServer();
const join = (code: string, name: string) => shared.join(code, name);
/** The meeting's creator, and so its host. */
const joinAsHost = (code: string) => shared.join(code, 'Host', { cookie: creatorCookie() });

describe('kick', () => {
  it('the target gets force-disconnect, then the server closes its socket, and the others see user-left kicked', async () => {
    const code = await createMeeting(shared.server);
    const host = await joinAsHost(code);
    const bob = await join(code, 'Bob');
    const carol = await join(code, 'Carol');
    const order: string[] = [];
    bob.socket.on('force-disconnect', ({ reason }) => order.push(`force-disconnect:${reason}`));
    bob.socket.on('disconnect', (reason) => order.push(`disconnect:${reason}`));
    const hostSaw = next(host.socket, 'user-left');
    const carolSaw = next(carol.socket, 'user-left');

    expect(
      await emit(host.socket, 'kick-participant', { participantId: bob.self.participantId, reason: 'Be nice' }),
    ).toEqual({ ok: true });
    const expected = { participantId: bob.self.participantId, reason: 'kicked' };
    expect(await carolSaw).toEqual(expected);
    expect(await hostSaw).toEqual(expected);
    await sleep(100);
    expect(order).toEqual(['force-disconnect:Be nice', 'disconnect:io server disconnect']);
    expect(await shared.server.store.getParticipant(code, bob.self.participantId)).toBeNull();
  });

  it("a participant's kick is FORBIDDEN and changes nothing", async () => {
    const code = await createMeeting(shared.server);
    const host = await joinAsHost(code);
    const bob = await join(code, 'Bob');
    const carol = await join(code, 'Carol');
    await sleep(50); // let Carol's user-joined reach the others first
    const seen = [recorder(host.socket), recorder(bob.socket), recorder(carol.socket)];
    const before = await shared.server.store.listParticipants(code);

    expectErr(await emit(bob.socket, 'kick-participant', { participantId: carol.self.participantId }), 'FORBIDDEN');
    expectErr(await emit(bob.socket, 'kick-participant', { participantId: host.self.participantId }), 'FORBIDDEN');
    await sleep(100);
    expect(seen.flat()).toEqual([]);
    expect(carol.socket.connected && host.socket.connected).toBe(true);
    expect(await shared.server.store.listParticipants(code)).toEqual(before);
  });

  it('kicking someone who is not in the meeting is NOT_FOUND', async () => {
    const code = await createMeeting(shared.server);
    const host = await joinAsHost(code);
    expectErr(await emit(host.socket, 'kick-participant', { participantId: 'ghost' }), 'NOT_FOUND');
  });
});

describe('reconnect', () => {
  it('a client that drops and reconnects within the grace period keeps its identity, and nobody sees it leave', async () => {
    const code = await createMeeting(shared.server);
    const alice = await join(code, 'Alice');
    const conn = new MeetingConnection(shared.server.url, {
      transports: ['websocket'],
      forceNew: true,
      reconnectionDelay: 50,
      reconnectionDelayMax: 100,
    });
    const first = await conn.join(code, 'Bob');
    if (!first.ok || !('self' in first)) throw new Error('join failed');
    await emit(alice.socket, 'send-message', { text: 'before the blip' });
    await emit(conn.socket, 'toggle-media', { kind: 'video', enabled: true });
    const aliceSaw = recorder(alice.socket);

    const rejoined = next(conn.socket, 'room-joined');
    conn.socket.io.engine.close(); // a network blip: the transport dies, the manager reconnects
    const again = await rejoined;

    expect(again.self.participantId).toBe(first.self.participantId);
    expect(again.self.role).toBe(first.self.role);
    expect(again.resumed).toBe(true);
    expect(again.chat.map((m) => m.text)).toEqual(['before the blip']);
    expect(again.participants.find((p) => p.participantId === first.self.participantId)?.media.video).toBe(true);
    await sleep(100);
    expect(aliceSaw.filter((e) => e.event === 'user-left' || e.event === 'user-joined')).toEqual([]);
    const stored = await shared.server.store.listParticipants(code);
    expect(stored.map((p) => p.id).sort()).toEqual([alice.self.participantId, first.self.participantId].sort());
    conn.close();
  });

  it('a resume token does not work for another identity', async () => {
    const code = await createMeeting(shared.server);
    const bob = await join(code, 'Bob');
    const thief = await connected(client(shared.server, { cookie: guestCookieHeader('someone-else') }));
    shared.track(thief);
    const ack = expectOk(
      await emit(thief, 'join-room', { roomCode: code, displayName: 'Bob', resumeToken: bob.self.resumeToken }),
    );
    expect(ack).toMatchObject({ resumed: false, self: { displayName: 'Bob' } });
    expect(ack).not.toMatchObject({ self: { participantId: bob.self.participantId } });
    expect(bob.socket.connected).toBe(true);
  });
});
