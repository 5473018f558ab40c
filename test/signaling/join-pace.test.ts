/**
 * Joins from one address take turns: a burst at once, then a few per second,
 * the rest waiting in a bounded queue. An office behind one NAT is delayed,
 * never refused; another address is not delayed by it; only past the queue is
 * a join refused, and nobody else hears of that.
 * Each crowd binds its own 127.0.2.x; the meeting's host and the neighbour bind others.
 */
import { describe, expect, it } from 'vitest';
import type { JoinPaceLimits } from '../../server/signaling/join-pace';
import { expectErr, expectJoined, expectOk } from '../helpers/ack';
import {
  client,
  connected,
  createMeeting,
  creatorCookie,
  emit,
  recorder,
  testConfig,
  type Client,
} from '../helpers/server';
import { sharedServer } from '../helpers/shared-server';
import { sleep, until } from '../helpers/wait';

/** Each test's crowd has an address of its own, so no test inherits another's spent turns. */
let crowds = 0;
const nextCrowd = () => `127.0.2.${++crowds}`;

/** A server with these join limits, a meeting with its host in (from an address of its own), and crowds to join it. */
function pacedServer(pace: JoinPaceLimits) {
  const shared = sharedServer({ caps: { ...testConfig().caps, joinsPerIp: pace } });
  return {
    shared,
    async meeting() {
      const code = await createMeeting(shared.server);
      const host = await shared.join(code, 'Host', { cookie: creatorCookie(), localAddress: '127.0.0.3' });
      return { code, host: host.socket };
    },
    /** Sockets connected from one address, not yet joined. */
    crowd: (n: number, address = nextCrowd()) =>
      Promise.all(
        Array.from({ length: n }, async () =>
          shared.track(await connected(client(shared.server, { localAddress: address }))),
        ),
      ),
  };
}

/**
 * Sends join-room from each socket at once; resolves with each ack and when it arrived (ms after the
 * send). A socket that will disconnect before its ack (`quitter`) gets none.
 */
async function joinAll(sockets: Client[], code: string, quitter?: Client) {
  const start = Date.now();
  return Promise.all(
    sockets.map(async (s, i) => {
      const sent = emit(s, 'join-room', { roomCode: code, displayName: `Colleague ${i}` });
      const ack = s === quitter ? await sent.catch(() => null) : await sent;
      return { ack, ms: Date.now() - start };
    }),
  );
}

const joinsSeen = (saw: ReturnType<typeof recorder>) => saw.filter((e) => e.event === 'user-joined').length;

describe("one address's joins", () => {
  const PACE = { perSecond: 10, burst: 3, queue: 8 };
  const t = pacedServer(PACE);

  it('an office joining at once is delayed, not refused: all get in, a burst at once and the rest at the pace', async () => {
    const { code, host } = await t.meeting();
    const hostSaw = recorder(host);
    const office = await t.crowd(PACE.burst + PACE.queue);

    const acks = await joinAll(office, code);
    for (const { ack } of acks) expectJoined(ack!);
    const times = acks.map((a) => a.ms).sort((a, b) => a - b);
    // The burst goes at once; the 11th waits for 8 turns of 100 ms.
    expect(times[PACE.burst - 1]).toBeLessThan(300);
    expect(times.at(-1)).toBeGreaterThanOrEqual(((PACE.queue - 1) * 1000) / PACE.perSecond);
    expect(times.at(-1)).toBeLessThan(3_000);
    await until('the host heard every colleague join', () => joinsSeen(hostSaw) === office.length);
  });

  it("another address's join is not delayed by a full queue of them", async () => {
    const { code } = await t.meeting();
    const office = await t.crowd(PACE.burst + PACE.queue);
    const [neighbour] = await t.crowd(1);

    const crowdJoins = joinAll(office, code);
    await sleep(20);
    const start = Date.now();
    expectJoined(await emit(neighbour!, 'join-room', { roomCode: code, displayName: 'Neighbour' }));
    const neighbourMs = Date.now() - start;
    const crowd = await crowdJoins;
    // The crowd's last join waited ~800 ms; the neighbour's went at once.
    expect(neighbourMs).toBeLessThan(250);
    expect(Math.max(...crowd.map((a) => a.ms))).toBeGreaterThan(neighbourMs + 400);
  });

  it('knocks take the same turns: a crowd knocking at a waiting room all wait there, none refused', async () => {
    const { code, host } = await t.meeting();
    expectOk(await emit(host, 'set-waiting-room', { mode: 'everyone' }));
    await sleep(50);
    const hostSaw = recorder(host);
    const knockers = await t.crowd(PACE.burst + PACE.queue);

    const acks = await joinAll(knockers, code);
    for (const { ack } of acks) expect(expectOk(ack!)).toMatchObject({ pending: true });
    expect(Math.max(...acks.map((a) => a.ms))).toBeGreaterThanOrEqual(((PACE.queue - 1) * 1000) / PACE.perSecond);
    await until(
      'the host heard every knock',
      () => hostSaw.filter((e) => e.event === 'knock-added').length === knockers.length,
    );
  });
});

describe("one address's joins, with 250 ms turns", () => {
  // Turns slow enough that the whole crowd is surely queued before the test acts on it.
  const SLOW = { perSecond: 4, burst: 2, queue: 4 };
  const t = pacedServer(SLOW);

  it('one join past the queue is refused with RATE_LIMITED, nobody else hears of it, and the queued ones all get in', async () => {
    const { code, host } = await t.meeting();
    const hostSaw = recorder(host);
    const address = nextCrowd();
    const office = await t.crowd(SLOW.burst + SLOW.queue, address);
    const [late] = await t.crowd(1, address);
    const lateSaw = recorder(late!);

    const crowdJoins = joinAll(office, code);
    await sleep(120);
    const refused = expectErr(
      await emit(late!, 'join-room', { roomCode: code, displayName: 'One too many' }),
      'RATE_LIMITED',
    );
    expect(refused.error.message).toMatch(/joining from your network.*retry in \d+ s/);
    for (const { ack } of await crowdJoins) expectJoined(ack!);
    await until('the host heard the queued colleagues join', () => joinsSeen(hostSaw) === office.length);
    await sleep(100);

    // The refused socket got its join-error and nothing of the meeting; the host heard nothing of it.
    expect(lateSaw.map((e) => e.event)).toEqual(['join-error']);
    const names = hostSaw.flatMap((e) =>
      e.event === 'user-joined' ? [(e.data as { participant: { displayName: string } }).participant.displayName] : [],
    );
    expect(names).not.toContain('One too many');
    const room = (await t.shared.server.store.listParticipants(code)).map((p) => p.displayName);
    expect(room).not.toContain('One too many');
    expect(room).toHaveLength(1 + office.length);

    // Later, the same socket gets in.
    expectJoined(await emit(late!, 'join-room', { roomCode: code, displayName: 'One too many' }));
  });

  it('a join whose socket leaves while it waits spends no turn and is never announced', async () => {
    const { code, host } = await t.meeting();
    const hostSaw = recorder(host);
    const office = await t.crowd(SLOW.burst + SLOW.queue);
    const quitter = office.at(-2)!;

    const crowdJoins = joinAll(office, code, quitter);
    await sleep(120);
    quitter.disconnect();
    const acks = await crowdJoins;
    const stayed = acks.filter((_, i) => office[i] !== quitter);
    for (const { ack } of stayed) expectJoined(ack!);
    // 2 at once, then one turn each for the 3 who stayed in line (750 ms), not 4 (1,000 ms).
    expect(Math.max(...stayed.map((a) => a.ms))).toBeLessThan(900);
    await sleep(150);
    expect(joinsSeen(hostSaw)).toBe(office.length - 1);
    expect((await t.shared.server.store.listParticipants(code)).map((p) => p.displayName)).not.toContain(
      `Colleague ${office.length - 2}`,
    );
  });
});
