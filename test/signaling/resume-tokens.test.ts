/**
 * Resume tokens: a token takes back only a participant whose socket is gone
 * (in its grace period), works once, and the identity it lends a cookie-less
 * socket covers that one participant, never another meeting or a later join.
 */
import { describe, expect, it } from 'vitest';
import { guestIdentity } from '../../server/auth/identity';
import { expectErr, expectJoined } from '../helpers/ack';
import {
  client,
  connected,
  createMeeting,
  emit,
  guestCookieHeader,
  joined,
  recorder,
  type Client,
} from '../helpers/server';
import { sharedServer } from '../helpers/shared-server';
import { sleep, until } from '../helpers/wait';

const shared = sharedServer({ reconnectGraceMs: 10_000 });
const keep = <T extends Client>(s: T) => shared.track(s);

/** Drops a socket and waits until the shared.server holds its participant in the grace period. */
async function drop(socket: Client, code: string, participantId: string) {
  socket.disconnect();
  await until(
    'the grace period',
    async () => (await shared.server.store.getParticipant(code, participantId))?.graceUntil,
  );
}

const resumeWith = async (code: string, resumeToken: string, opts: Parameters<typeof client>[1] = {}) => {
  const socket = keep(await connected(client(shared.server, opts)));
  return { socket, ack: await emit(socket, 'join-room', { roomCode: code, displayName: 'Back', resumeToken }) };
};

describe('resume tokens', () => {
  it('the stolen resume token of a connected participant fails: the victim stays, nobody sees a leave or a join, the thief gets nothing', async () => {
    const code = await createMeeting(shared.server);
    const watcher = await joined(shared.server, code, 'Watcher');
    const victim = await joined(shared.server, code, 'Victim'); // cookie-less: the token alone would lend its identity
    [watcher, victim].forEach((j) => keep(j.socket));
    await sleep(50); // the victim's own user-joined reaches the watcher before recording starts
    const record = await shared.server.store.getParticipant(code, victim.self.participantId);
    const seen = [recorder(watcher.socket), recorder(victim.socket)];

    const thief = await resumeWith(code, victim.self.resumeToken);
    expectErr(thief.ack, 'JOIN_FAILED');
    await sleep(150);
    expect(victim.socket.connected).toBe(true);
    expect(seen.flat()).toEqual([]);
    expect(await shared.server.store.getParticipant(code, victim.self.participantId)).toEqual(record);
    expect((await shared.server.store.listParticipants(code)).map((p) => p.displayName).sort()).toEqual([
      'Victim',
      'Watcher',
    ]);
    expectErr(await emit(thief.socket, 'send-message', { text: 'am I in?' }), 'NOT_IN_ROOM');
    // The victim's own token still works once it really drops.
    await drop(victim.socket, code, victim.self.participantId);
    const back = expectJoined((await resumeWith(code, victim.self.resumeToken)).ack);
    expect([back.resumed, back.self.participantId]).toEqual([true, victim.self.participantId]);
  });

  it('a used token cannot be used twice: each join hands out a fresh one, and the old one resumes nothing', async () => {
    const code = await createMeeting(shared.server);
    const watcher = keep((await joined(shared.server, code, 'Watcher')).socket);
    const owner = await joined(shared.server, code, 'Owner');
    const id = owner.self.participantId;
    await drop(owner.socket, code, id);
    const first = await resumeWith(code, owner.self.resumeToken);
    const resumed = expectJoined(first.ack);
    expect([resumed.resumed, resumed.self.participantId]).toEqual([true, id]);
    expect(resumed.self.resumeToken).not.toBe(owner.self.resumeToken);

    await drop(first.socket, code, id);
    const watcherSaw = recorder(watcher);
    const replay = expectJoined((await resumeWith(code, owner.self.resumeToken)).ack);
    expect(replay.resumed).toBe(false);
    expect(replay.self.participantId).not.toBe(id); // an ordinary newcomer, with nothing of the owner's
    expect(replay.self.role).toBe('participant');
    await until('the newcomer announced', () => watcherSaw.some((e) => e.event === 'user-joined'));
    expect(watcherSaw.map((e) => e.event)).toEqual(['user-joined']);
    expect((await shared.server.store.getParticipant(code, id))?.graceUntil).not.toBeNull(); // the owner's seat is untouched

    const again = expectJoined((await resumeWith(code, resumed.self.resumeToken)).ack);
    expect([again.resumed, again.self.participantId]).toEqual([true, id]);
  });

  it('a lent identity does not carry to another meeting, nor to a later join on the same socket', async () => {
    // Both meetings belong to the same guest; the victim is their host in the first.
    const owner = guestIdentity('rt-owner');
    const first = await createMeeting(shared.server, owner);
    const second = await createMeeting(shared.server, owner);
    const victim = await joined(shared.server, first, 'Owner', { cookie: guestCookieHeader('rt-owner') });
    expect(victim.self.role).toBe('host');
    const bystander = keep((await joined(shared.server, second, 'Bystander')).socket);
    await drop(victim.socket, first, victim.self.participantId);

    // A cookie-less socket with the token: it may take back that one seat, in its grace period…
    const thief = await resumeWith(first, victim.self.resumeToken);
    expect(expectJoined(thief.ack).resumed).toBe(true);
    expect(await emit(thief.socket, 'leave-room')).toEqual({ ok: true });

    // …but the owner's identity stays with that seat: elsewhere the socket is nobody special.
    const bystanderSaw = recorder(bystander);
    const elsewhere = expectJoined(await emit(thief.socket, 'join-room', { roomCode: second, displayName: 'Thief' }));
    expect(elsewhere.self.role).toBe('participant');
    await until('the thief announced', () => bystanderSaw.some((e) => e.event === 'user-joined'));
    expect(bystanderSaw[0]!.data).toMatchObject({ participant: { displayName: 'Thief', role: 'participant' } });
    expectErr(await emit(thief.socket, 'lock-room', { locked: true }), 'FORBIDDEN');
    expect((await shared.server.store.getMeeting(second))!.locked).toBe(false);

    expect(await emit(thief.socket, 'leave-room')).toEqual({ ok: true });
    const rejoined = expectJoined(await emit(thief.socket, 'join-room', { roomCode: first, displayName: 'Thief' }));
    expect(rejoined.self.role).toBe('participant');
    const stored = await shared.server.store.getParticipant(first, rejoined.self.participantId);
    expect(stored?.identity).not.toBe(owner.key);
  });
});
