/**
 * Who may be host: only the creator and the co-hosts the creator named have
 * lasting powers. Arriving first makes nobody host; a host by handover keeps
 * the role, and what they changed, only until the creator is back or the
 * session ends; with no moderator present, knockers are told so.
 */
import { describe, expect, it } from 'vitest';
import { guestIdentity } from '../../server/auth/identity';
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
import { match } from '../helpers/match';
import { sharedServer } from '../helpers/shared-server';
import { sleep, until } from '../helpers/wait';

const shared = sharedServer({ reconnectGraceMs: 100 });
const keep = <T extends { socket: Client }>(j: T) => (shared.track(j.socket), j);

const cookieOf = (tag: string) => guestCookieHeader(`hp-${tag}`);
const meetingOf = async (tag: string) => createMeeting(shared.server, guestIdentity(`hp-${tag}`));
const roles = async (code: string) =>
  Object.fromEntries((await shared.server.store.listParticipants(code)).map((p) => [p.displayName, p.role]));
const events = (seen: ReturnType<typeof recorder>, name: string) =>
  seen.filter((e) => e.event === name).map((e) => e.data);

describe('arriving first', () => {
  it('an outsider first into an empty meeting is not host and can moderate nothing; the creator arriving later is host', async () => {
    const code = await meetingOf('outsider');
    const outsider = keep(await joined(shared.server, code, 'Outsider'));
    const other = keep(await joined(shared.server, code, 'Other'));
    expect([outsider.self.role, other.self.role]).toEqual(['participant', 'participant']);
    const before = await shared.server.store.getMeeting(code);
    const otherSaw = recorder(other.socket);
    expectErr(await emit(outsider.socket, 'lock-room', { locked: true }), 'FORBIDDEN');
    expectErr(
      await emit(outsider.socket, 'kick-participant', { participantId: other.self.participantId }),
      'FORBIDDEN',
    );
    await sleep(50);
    expect(otherSaw).toEqual([]);
    expect(await shared.server.store.getMeeting(code)).toEqual(before);

    const creator = keep(await joined(shared.server, code, 'Creator', { cookie: cookieOf('outsider') }));
    expect(creator.self.role).toBe('host');
    await until('the creator announced', () => otherSaw.length > 0);
    await sleep(50);
    expect(otherSaw).toEqual([
      { event: 'user-joined', data: { participant: match.objectContaining({ displayName: 'Creator', role: 'host' }) } },
    ]);
    expect(await roles(code)).toEqual({ Outsider: 'participant', Other: 'participant', Creator: 'host' });
  });

  it('the first arrival after "End meeting for everyone" is not host', async () => {
    const code = await meetingOf('end');
    const creator = keep(await joined(shared.server, code, 'Creator', { cookie: cookieOf('end') }));
    const regular = keep(await joined(shared.server, code, 'Regular', { cookie: cookieOf('end-regular') }));
    const ended = next(regular.socket, 'meeting-ended');
    expectOk(await emit(creator.socket, 'end-meeting'));
    await ended;
    await until('everyone out', async () => (await shared.server.store.countParticipants(code)) === 0);

    const reloaded = keep(await joined(shared.server, code, 'Regular', { cookie: cookieOf('end-regular') }));
    expect(reloaded.self.role).toBe('participant');
    expectErr(await emit(reloaded.socket, 'end-meeting'), 'FORBIDDEN');
    expectErr(await emit(reloaded.socket, 'set-waiting-room', { mode: 'everyone' }), 'FORBIDDEN');
    expect(await roles(code)).toEqual({ Regular: 'participant' });
  });

  it('a co-host the creator named is host while the creator is away, and co-host again once the creator is back', async () => {
    const code = await meetingOf('named');
    const creator = keep(await joined(shared.server, code, 'Creator', { cookie: cookieOf('named') }));
    const named = await joined(shared.server, code, 'Named', { cookie: cookieOf('named-co') });
    expectOk(await emit(creator.socket, 'set-role', { participantId: named.self.participantId, role: 'cohost' }));
    creator.socket.disconnect();
    named.socket.disconnect();
    await until('an empty meeting', async () => (await shared.server.store.countParticipants(code)) === 0);

    const first = keep(await joined(shared.server, code, 'Outsider'));
    const again = keep(await joined(shared.server, code, 'Named', { cookie: cookieOf('named-co') }));
    expect([first.self.role, again.self.role]).toEqual(['participant', 'host']);
    const namedSaw = next(again.socket, 'role-changed');
    keep(await joined(shared.server, code, 'Creator', { cookie: cookieOf('named') }));
    expect(await namedSaw).toEqual({ participantId: again.self.participantId, role: 'cohost' });
    expect(await roles(code)).toEqual({ Outsider: 'participant', Named: 'cohost', Creator: 'host' });
  });
});

describe('a host by handover', () => {
  /** The creator hands the host role to Heir and leaves; Heir then locks, makes everyone wait and names Pal co-host. */
  async function heirInCharge(tag: string) {
    const code = await meetingOf(tag);
    const creator = await joined(shared.server, code, 'Creator', { cookie: cookieOf(tag) });
    const heir = keep(await joined(shared.server, code, 'Heir', { cookie: cookieOf(`${tag}-heir`) }));
    const pal = keep(await joined(shared.server, code, 'Pal', { cookie: cookieOf(`${tag}-pal`) }));
    const deputy = keep(await joined(shared.server, code, 'Deputy', { cookie: cookieOf(`${tag}-deputy`) }));
    expectOk(await emit(creator.socket, 'set-role', { participantId: deputy.self.participantId, role: 'cohost' }));
    expectOk(await emit(creator.socket, 'transfer-host', { participantId: heir.self.participantId }));
    expectOk(await emit(creator.socket, 'leave-room'));
    creator.socket.disconnect();
    expectOk(await emit(heir.socket, 'lock-room', { locked: true }));
    expectOk(await emit(heir.socket, 'set-waiting-room', { mode: 'everyone' }));
    expectOk(await emit(heir.socket, 'set-role', { participantId: pal.self.participantId, role: 'cohost' }));
    expect(await roles(code)).toEqual({ Heir: 'host', Pal: 'cohost', Deputy: 'cohost' });
    await sleep(50);
    return { code, heir, pal, deputy };
  }

  it('loses the role, and their lock, waiting room and co-hosts, when the creator comes back; everyone is told', async () => {
    const { code, heir, pal, deputy } = await heirInCharge('back');
    const palSaw = recorder(pal.socket);
    const creator = keep(await joined(shared.server, code, 'Creator', { cookie: cookieOf('back') })); // passes the lock
    expect(creator.self.role).toBe('host');
    expect(creator.ack.room).toMatchObject({ locked: false, waitingRoom: 'off' });
    await until('the room update', () => events(palSaw, 'room-updated').length === 1);
    expect(events(palSaw, 'role-changed')).toEqual([
      { participantId: heir.self.participantId, role: 'participant' },
      { participantId: pal.self.participantId, role: 'participant' },
    ]);
    expect(events(palSaw, 'room-updated')).toEqual([
      { room: match.objectContaining({ locked: false, waitingRoom: 'off' }) },
    ]);
    expect(await roles(code)).toEqual({ Heir: 'participant', Pal: 'participant', Deputy: 'cohost', Creator: 'host' });
    const meeting = (await shared.server.store.getMeeting(code))!;
    expect(meeting.cohosts).toEqual([`guest:hp-back-deputy`]);
    expect([meeting.locked, meeting.waitingRoom]).toEqual([false, 'off']);
    expect(deputy.socket.connected).toBe(true);
  });

  it('may not act against the creator or a co-host the creator named', async () => {
    const { code, heir, deputy } = await heirInCharge('standing');
    const before = {
      meeting: await shared.server.store.getMeeting(code),
      people: await shared.server.store.listParticipants(code),
    };
    const deputySaw = recorder(deputy.socket);
    const target = { participantId: deputy.self.participantId };
    expectErr(await emit(heir.socket, 'kick-participant', { ...target, ban: true }), 'FORBIDDEN');
    expectErr(await emit(heir.socket, 'set-role', { ...target, role: 'participant' }), 'FORBIDDEN');
    expectErr(await emit(heir.socket, 'mute-participant', { ...target, kind: 'audio' }), 'FORBIDDEN');
    await sleep(50);
    expect(deputySaw).toEqual([]);
    expect({
      meeting: await shared.server.store.getMeeting(code),
      people: await shared.server.store.listParticipants(code),
    }).toEqual(before);
  });

  it('loses what they changed when the session ends: the next arrival walks into an unlocked room with no waiting', async () => {
    const { code, heir, pal, deputy } = await heirInCharge('ends');
    for (const s of [heir, pal, deputy]) expectOk(await emit(s.socket, 'leave-room'));
    expect(await shared.server.store.countParticipants(code)).toBe(0);
    const next = expectJoined(
      await emit(keep({ socket: await connected(client(shared.server)) }).socket, 'join-room', {
        roomCode: code,
        displayName: 'Next day',
      }),
    );
    expect(next.self.role).toBe('participant');
    expect(next.room).toMatchObject({ locked: false, waitingRoom: 'off' });
    const pal2 = expectJoined(
      await emit(
        keep({ socket: await connected(client(shared.server, { cookie: cookieOf('ends-pal') })) }).socket,
        'join-room',
        {
          roomCode: code,
          displayName: 'Pal',
        },
      ),
    );
    expect(pal2.self.role).toBe('participant'); // Heir's co-host was for that session only
  });
});

describe('no moderator present', () => {
  it('people may join and talk; a knocker is told nobody can let them in, and told again when a host arrives', async () => {
    const code = await meetingOf('nomod');
    const creator = await joined(shared.server, code, 'Creator', { cookie: cookieOf('nomod') });
    expectOk(await emit(creator.socket, 'set-waiting-room', { mode: 'guests' }));
    const member = keep(
      await joined(shared.server, code, 'Member', { cookie: await sessionCookieHeader('hp-member', 'Member') }),
    );
    // The creator leaves with no co-host present: nobody is made host.
    const memberSaw = recorder(member.socket);
    expectOk(await emit(creator.socket, 'leave-room'));
    creator.socket.disconnect();
    await until('the creator gone', () => events(memberSaw, 'user-left').length === 1);
    expect(events(memberSaw, 'role-changed')).toEqual([]);
    expect(await roles(code)).toEqual({ Member: 'participant' });
    expectOk(await emit(member.socket, 'send-message', { text: 'still talking' }));

    const knocker = keep({ socket: await connected(client(shared.server)) }).socket;
    const knockerSaw = recorder(knocker);
    expect(await emit(knocker, 'join-room', { roomCode: code, displayName: 'Knocker' })).toEqual({
      ok: true,
      pending: true,
      position: 1,
      noModerator: true,
    });

    const back = keep(await joined(shared.server, code, 'Creator', { cookie: cookieOf('nomod') }));
    await until('the knocker hears a host is here', () => events(knockerSaw, 'lobby-status').length === 1);
    expect(events(knockerSaw, 'lobby-status')).toEqual([{ position: 1, noModerator: false }]);
    const id = (await shared.server.store.getMeeting(code))!.lobby[0]!.id;
    const inside = next(knocker, 'room-joined');
    expectOk(await emit(back.socket, 'admit', { participantId: id }));
    expect((await inside).self.role).toBe('participant');

    // A second knocker, then the host leaves again: the knocker hears nobody is left to let them in.
    const second = keep({ socket: await connected(client(shared.server)) }).socket;
    expectOk(await emit(second, 'join-room', { roomCode: code, displayName: 'Second' }));
    const secondStatus = next(second, 'lobby-status');
    expectOk(await emit(back.socket, 'leave-room'));
    expect(await secondStatus).toEqual({ position: 1, noModerator: true });
  });
});
