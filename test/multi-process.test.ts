/**
 * Two server processes on one Redis behave as one deployment: presence, chat
 * and host actions reach participants whichever process holds their socket.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { guestIdentity } from '../server/auth/identity';
import { MeetingService } from '../server/rooms/meetings';
import { RedisRoomStore } from '../server/store/redis';
import { startRedis, type RedisInstance } from './helpers/redis';
import { creatorCookie, emit, joined, next, recorder, type Client } from './helpers/server';

const root = path.resolve(import.meta.dirname, '..');
const HOUR = 3_600_000;

interface Child {
  proc: ChildProcess;
  url: string;
}

/** Starts test/helpers/spawn-server.ts in a child process and resolves once it listens. */
function spawnServer(redisUrl: string): Promise<Child> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/spawn-server.ts'], {
    cwd: root,
    env: { ...process.env, REDIS_URL: redisUrl },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server process did not listen within 30 s')), 30_000);
    proc.once('exit', (code) => reject(new Error(`server process exited early (${code})`)));
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const port = /^LISTENING (\d+)$/.exec(line)?.[1];
      if (!port) return;
      clearTimeout(timer);
      resolve({ proc, url: `http://127.0.0.1:${port}` });
    });
  });
}

function stopServer({ proc }: Child): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => proc.kill('SIGKILL'), 5_000);
    proc.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    proc.kill('SIGTERM');
  });
}

let redis: RedisInstance;
let connection: Redis;
let store: RedisRoomStore;
let one: Child;
let two: Child;
const sockets: Client[] = [];

beforeAll(async () => {
  redis = await startRedis();
  [one, two] = await Promise.all([spawnServer(redis.url), spawnServer(redis.url)]);
  connection = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  store = new RedisRoomStore(connection, { liveStateTtlMs: HOUR });
});

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

afterAll(async () => {
  await Promise.all([one, two].filter(Boolean).map(stopServer));
  await connection.quit();
  await redis.stop();
});

async function newMeeting(): Promise<string> {
  const meetings = new MeetingService(store, { meetingTtlMs: HOUR, roomCapacity: 100, maxScreenShares: 1 });
  return (await meetings.create(guestIdentity('creator'), { title: 'Across processes' })).code;
}

async function join(server: Child, code: string, name: string, opts: Parameters<typeof joined>[3] = {}) {
  const j = await joined(server.url, code, name, opts);
  sockets.push(j.socket);
  return j;
}

/** Sends a chat message and waits until every `receivers` has it: anything emitted earlier has arrived too. */
async function barrier(from: Client, receivers: Client[]): Promise<void> {
  const arrivals = receivers.map((r) => next(r, 'new-message'));
  expect(await emit(from, 'send-message', { text: 'barrier' })).toMatchObject({ ok: true });
  await Promise.all(arrivals);
}

describe('two server processes sharing one Redis', () => {
  it('participants on different processes see each other join and chat, and a late joiner gets the history', async () => {
    const code = await newMeeting();
    const alice = await join(one, code, 'Alice');
    const aliceSeesBob = next(alice.socket, 'user-joined');
    const bob = await join(two, code, 'Bob');
    expect((await aliceSeesBob).participant).toMatchObject({
      participantId: bob.self.participantId,
      displayName: 'Bob',
    });
    expect(bob.ack.participants.map((p: { displayName: string }) => p.displayName)).toEqual(['Alice', 'Bob']);

    const atBob = next(bob.socket, 'new-message');
    expect(await emit(alice.socket, 'send-message', { text: 'hello from one' })).toMatchObject({ ok: true });
    expect(await atBob).toMatchObject({
      text: 'hello from one',
      from: { participantId: alice.self.participantId, displayName: 'Alice' },
    });

    const atAlice = next(alice.socket, 'new-message');
    expect(await emit(bob.socket, 'send-message', { text: 'hello from two' })).toMatchObject({ ok: true });
    expect(await atAlice).toMatchObject({
      text: 'hello from two',
      from: { participantId: bob.self.participantId, displayName: 'Bob' },
    });

    const carol = await join(two, code, 'Carol');
    expect(carol.roomJoined.chat.map((m) => [m.from.displayName, m.text])).toEqual([
      ['Alice', 'hello from one'],
      ['Bob', 'hello from two'],
    ]);
  });

  it('a kick issued on one process disconnects a user connected to the other, telling them why first', async () => {
    const code = await newMeeting();
    const host = await join(one, code, 'Host', { cookie: creatorCookie() });
    expect(host.self.role).toBe('host');
    const target = await join(two, code, 'Target');
    const bystander = await join(two, code, 'Bystander');
    const hostSeen = recorder(host.socket);
    const bystanderSeen = recorder(bystander.socket);

    const order: Array<[string, unknown]> = [];
    target.socket.on('force-disconnect', (data) => order.push(['force-disconnect', data]));
    const gone = new Promise<void>((resolve) =>
      target.socket.on('disconnect', (reason) => {
        order.push(['disconnect', reason]);
        resolve();
      }),
    );
    const hostHears = next(host.socket, 'user-left');
    const bystanderHears = next(bystander.socket, 'user-left');

    expect(
      await emit(host.socket, 'kick-participant', { participantId: target.self.participantId, reason: 'Off topic' }),
    ).toEqual({ ok: true });
    await gone;
    expect(order).toEqual([
      ['force-disconnect', { reason: 'Off topic' }],
      ['disconnect', 'io server disconnect'],
    ]);
    const left = { participantId: target.self.participantId, reason: 'kicked' };
    expect(await hostHears).toEqual(left);
    expect(await bystanderHears).toEqual(left);
    expect(await store.getParticipant(code, target.self.participantId)).toBeNull();

    // The target's own process sees its socket drop, but announces nothing more.
    await barrier(host.socket, [bystander.socket]);
    for (const seen of [hostSeen, bystanderSeen])
      expect(seen.filter((e) => e.event === 'user-left')).toEqual([{ event: 'user-left', data: left }]);
  });

  it("a participant's kick of someone on the other process is refused with FORBIDDEN and nobody hears user-left", async () => {
    const code = await newMeeting();
    const host = await join(one, code, 'Host', { cookie: creatorCookie() });
    const kicker = await join(two, code, 'Kicker');
    const victim = await join(one, code, 'Victim');
    expect(kicker.self.role).toBe('participant');
    const seen = [host, kicker, victim].map((j) => recorder(j.socket));

    const ack = await emit(kicker.socket, 'kick-participant', { participantId: victim.self.participantId });
    expect(ack).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });

    await barrier(kicker.socket, [host.socket, victim.socket]);
    expect(victim.socket.connected).toBe(true);
    for (const events of seen) expect(events.map((e) => e.event)).not.toContain('user-left');
    expect(seen[2]!.map((e) => e.event)).not.toContain('force-disconnect');
    expect(await store.getParticipant(code, victim.self.participantId)).not.toBeNull();
  });
});
