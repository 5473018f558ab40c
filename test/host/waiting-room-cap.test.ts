/**
 * The waiting room under a knock flood: it holds at most WAITING_ROOM_CAP
 * knocks, and hosts and knockers hear of each change as a delta, so a knock
 * costs the same few bytes however long the queue is.
 */
import { expect, it } from 'vitest';
import { guestIdentity } from '../../server/auth/identity';
import { expectErr, expectOk } from '../helpers/ack';
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
import { match } from '../helpers/match';
import { sharedServer } from '../helpers/shared-server';
import { sleep, until } from '../helpers/wait';

const shared = sharedServer();

/** A meeting whose creator is in, with everyone waiting, and one participant already in. */
async function guardedMeeting(tag: string) {
  const code = await createMeeting(shared.server, guestIdentity(`cap-${tag}`));
  const host = await joined(shared.server, code, 'Host', { cookie: guestCookieHeader(`cap-${tag}`) });
  const member = await joined(shared.server, code, 'Member');
  shared.track(host.socket);
  shared.track(member.socket);
  expectOk(await emit(host.socket, 'set-waiting-room', { mode: 'everyone' }));
  await sleep(50); // the room-updated of the set-up is not part of what the tests record
  return { code, host, member };
}

async function knock(code: string, name: string) {
  const socket = await connected(client(shared.server));
  shared.track(socket);
  return { socket, ack: await emit(socket, 'join-room', { roomCode: code, displayName: name }) };
}

it('the 101st knock is refused with ROOM_FULL, and nobody else hears of it', async () => {
  const { code, host, member } = await guardedMeeting('full');
  const knockers: Client[] = [];
  for (let i = 1; i <= 100; i++) {
    const k = await knock(code, `Knocker ${i}`);
    expect(k.ack).toEqual({ ok: true, pending: true, position: i, noModerator: false });
    knockers.push(k.socket);
  }
  await sleep(100);
  const before = await shared.server.store.getMeeting(code);
  const seen = [host.socket, member.socket, ...knockers].map(recorder);

  const late = await knock(code, 'Knocker 101');
  const refused = expectErr(late.ack, 'ROOM_FULL');
  expect(refused.error.message).toMatch(/waiting room .* full/);
  await sleep(150);
  expect(seen.flat()).toEqual([]);
  expect(await shared.server.store.getMeeting(code)).toEqual(before);
  expect((await shared.server.store.getMeeting(code))!.lobby).toHaveLength(100);

  // A place frees up: the next knock is taken again.
  knockers[0]!.disconnect();
  await until('the queue shrinks', async () => (await shared.server.store.getMeeting(code))!.lobby.length === 99);
  expect((await knock(code, 'Knocker 102')).ack).toEqual({
    ok: true,
    pending: true,
    position: 100,
    noModerator: false,
  });
});

it('hosts get each knock as one knock-added, knockers hear nothing of later knocks, and a departure is one knock-removed', async () => {
  const { code, host, member } = await guardedMeeting('delta');
  const hostSaw = recorder(host.socket);
  const memberSaw = recorder(member.socket);
  let bytes = 0;
  host.socket.io.engine.on('packet', (p: { data?: unknown }) => {
    if (typeof p.data === 'string') bytes += Buffer.byteLength(p.data);
  });
  const knockers = [];
  for (let i = 1; i <= 60; i++) knockers.push(await knock(code, `Knocker number ${i}`));
  const knockerSaw = knockers.map((k) => recorder(k.socket));
  await until('60 knock-added', () => hostSaw.filter((e) => e.event === 'knock-added').length === 60);
  await sleep(100);

  expect(hostSaw.map((e) => e.event)).toEqual(Array(60).fill('knock-added'));
  expect(hostSaw.map((e) => (e.data as { entry: { displayName: string } }).entry.displayName)).toEqual(
    knockers.map((_, i) => `Knocker number ${i + 1}`),
  );
  // Each knock costs the host one small entry, not the whole queue again (that was ~N × 100 bytes).
  expect(bytes / 60).toBeLessThan(200);
  expect(memberSaw).toEqual([]);

  // Knocker 2 gives up: the host hears one removal; only those behind it learn their new place.
  const firstSaw = recorder(knockers[0]!.socket);
  const lastSaw = recorder(knockers[59]!.socket);
  knockers[1]!.socket.disconnect();
  await until('knock-removed', () => hostSaw.some((e) => e.event === 'knock-removed'));
  await until('the last knocker moves up', () => lastSaw.length === 1);
  expect(hostSaw.filter((e) => e.event === 'knock-removed').map((e) => e.data)).toEqual([
    { participantIds: [match.any(String)], reason: 'left' },
  ]);
  expect(lastSaw).toEqual([{ event: 'lobby-status', data: { position: 59, noModerator: false } }]);
  await sleep(100);
  expect(firstSaw).toEqual([]);
  expect(knockerSaw.slice(2).every((saw) => saw.length === 1)).toBe(true);
  expect(memberSaw).toEqual([]);

  // admit-all: one knock-removed for all 59.
  expect(await emit(host.socket, 'admit-all')).toEqual({ ok: true, admitted: 59 });
  await until('a second knock-removed', () => hostSaw.filter((e) => e.event === 'knock-removed').length === 2);
  const removed = hostSaw.filter((e) => e.event === 'knock-removed').at(-1)!.data as { participantIds: string[] };
  expect(removed.participantIds).toHaveLength(59);
});
