/**
 * The ban shield: a guest ban binds a browser identity, which fresh cookies
 * escape; so after a ban, guest identities new to the meeting must knock,
 * until a host switches the shield off. Signed-in bans stay by account.
 */
import { describe, expect, it } from 'vitest';
import { guestIdentity } from '../../server/auth/identity';
import { MeetingService } from '../../server/rooms/meetings';
import { expectErr, expectJoined, expectOk } from '../helpers/ack';
import {
  client,
  connected,
  createMeeting,
  emit,
  guestCookieHeader,
  joined,
  next,
  recorder,
  sessionCookieHeader,
  type Client,
} from '../helpers/server';
import { sharedServer } from '../helpers/shared-server';
import { sleep, until } from '../helpers/wait';

const shared = sharedServer({ reconnectGraceMs: 100 });
const keep = <T extends Client>(s: T) => shared.track(s);

/** A meeting (waiting room off) with its creator as host, a guest, and a troll the host has just banned. */
async function afterABan(tag: string) {
  const code = await createMeeting(shared.server, guestIdentity(`bs-host-${tag}`));
  const host = await joined(shared.server, code, 'Host', { cookie: guestCookieHeader(`bs-host-${tag}`) });
  const guest = await joined(shared.server, code, 'Guest', { cookie: guestCookieHeader(`bs-guest-${tag}`) });
  const troll = await joined(shared.server, code, 'Troll', { cookie: guestCookieHeader(`bs-troll-${tag}`) });
  [host, guest, troll].forEach((j) => keep(j.socket));
  const gone = next(guest.socket, 'user-left');
  expectOk(await emit(host.socket, 'kick-participant', { participantId: troll.self.participantId, ban: true }));
  await gone;
  await sleep(50);
  return { code, host, guest };
}

describe('ban shield', () => {
  it('the banned guest back with fresh cookies lands in the waiting room, the host sees the knock, the others see nothing', async () => {
    const { code, host, guest } = await afterABan('fresh');
    const hostSaw = recorder(host.socket);
    const guestSaw = recorder(guest.socket);
    const meetings = new MeetingService(shared.server.store, shared.server.config);
    expect((await meetings.summary(code, null))?.askToJoin).toBe(true); // the pre-join says "Ask to join"

    for (const [i, cookie] of [guestCookieHeader('bs-troll-fresh-2'), undefined].entries()) {
      const back = keep(await connected(client(shared.server, cookie ? { cookie } : {})));
      expect(await emit(back, 'join-room', { roomCode: code, displayName: 'Totally new' })).toEqual({
        ok: true,
        pending: true,
        position: i + 1,
        noModerator: false,
      });
    }
    await until('two knocks at the host', () => hostSaw.filter((e) => e.event === 'knock-added').length === 2);
    expect(hostSaw.map((e) => e.event)).toEqual(['knock-added', 'knock-added']);
    expect(hostSaw[0]!.data).toMatchObject({ entry: { displayName: 'Totally new', isGuest: true } });
    await sleep(50);
    expect(guestSaw).toEqual([]);
    expect((await shared.server.store.listParticipants(code)).map((p) => p.displayName).sort()).toEqual([
      'Guest',
      'Host',
    ]);
  });

  it('guests who were here at the ban, and signed-in users, are not held by it', async () => {
    const { code, guest } = await afterABan('known');
    guest.socket.disconnect();
    await until(
      'the guest gone',
      async () => (await shared.server.store.countParticipants(code)) === 1,
      Boolean,
      2_000,
    );
    const again = await joined(shared.server, code, 'Guest again', { cookie: guestCookieHeader('bs-guest-known') });
    keep(again.socket);
    const ada = await joined(shared.server, code, 'Ada', { cookie: await sessionCookieHeader('bs-ada', 'Ada') });
    keep(ada.socket);
    expect([again.self.role, ada.self.role]).toEqual(['participant', 'participant']);
  });

  it('switched off, it lets in those only it held, and fresh guests walk straight in again; switched on, they knock again', async () => {
    const { code, host, guest } = await afterABan('off');
    const knocker = keep(await connected(client(shared.server)));
    expectOk(await emit(knocker, 'join-room', { roomCode: code, displayName: 'Held' }));
    const admitted = next(knocker, 'room-joined');
    const guestHeard = next(guest.socket, 'room-updated');
    const hostSaw = recorder(host.socket);

    expect(await emit(host.socket, 'set-ban-shield', { enabled: false })).toEqual({ ok: true });
    expect((await guestHeard).room.banShield).toBe(false);
    expect((await admitted).self.displayName).toBe('Held');
    await until('the host hears the admission', () => hostSaw.some((e) => e.event === 'user-joined'));
    expect(hostSaw.find((e) => e.event === 'knock-removed')?.data).toMatchObject({ reason: 'admitted' });
    const fresh = expectJoined(
      await emit(keep(await connected(client(shared.server))), 'join-room', { roomCode: code, displayName: 'Fresh' }),
    );
    expect(fresh.room.banShield).toBe(false);

    expectOk(await emit(host.socket, 'set-ban-shield', { enabled: true }));
    const another = keep(await connected(client(shared.server)));
    expect(await emit(another, 'join-room', { roomCode: code, displayName: 'Another' })).toMatchObject({
      ok: true,
      pending: true,
    });
  });

  it('it holds nobody before the first ban, and the waiting room off means straight in', async () => {
    const code = await createMeeting(shared.server, guestIdentity('bs-none'));
    keep((await joined(shared.server, code, 'Host', { cookie: guestCookieHeader('bs-none') })).socket);
    const ack = expectJoined(
      await emit(keep(await connected(client(shared.server))), 'join-room', { roomCode: code, displayName: 'Anyone' }),
    );
    expect(ack.room).toMatchObject({ banShield: true, waitingRoom: 'off' });
  });

  it('a participant may not switch it off: FORBIDDEN, nobody hears anything, nothing changes', async () => {
    const { code, host, guest } = await afterABan('forbidden');
    const before = await shared.server.store.getMeeting(code);
    const seen = [recorder(host.socket), recorder(guest.socket)];
    expectErr(await emit(guest.socket, 'set-ban-shield', { enabled: false }), 'FORBIDDEN');
    await sleep(100);
    expect(seen.flat()).toEqual([]);
    expect(await shared.server.store.getMeeting(code)).toEqual(before);
  });
});
