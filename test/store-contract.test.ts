/**
 * The RoomStore contract: the memory and Redis implementations must behave the
 * same, because the server picks one by configuration and nothing else changes.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../lib/protocol';
import { MemoryRoomStore } from '../server/store/memory';
import { RedisRoomStore } from '../server/store/redis';
import type { MeetingRecord, ParticipantRecord, RoomStore } from '../server/store/types';
import { startRedis, type RedisInstance } from './helpers/redis';
import { sleep } from './helpers/wait';
import { match } from './helpers/match';

const HOUR = 3_600_000;
let seq = 0;
const newCode = () => `tst-${String(++seq).padStart(4, '0')}-${Math.random().toString(36).slice(2, 5)}`;

function meeting(code: string, overrides: Partial<MeetingRecord> = {}): MeetingRecord {
  return {
    code,
    title: 'Contract',
    createdAt: Date.now(),
    creator: 'guest:creator',
    locked: false,
    waitingRoom: 'off',
    capacity: 100,
    maxScreenShares: 1,
    permissions: { canUnmute: true, canStartVideo: true, canShareScreen: true, canChat: true },
    cohosts: [],
    bans: [],
    lobby: [],
    ...overrides,
  };
}

function participant(id: string, overrides: Partial<ParticipantRecord> = {}): ParticipantRecord {
  return {
    id,
    identity: `guest:${id}`,
    isGuest: true,
    displayName: `User ${id}`,
    role: 'participant',
    joinedAt: Date.now(),
    media: { audio: false, video: false, screen: false },
    handRaisedAt: null,
    socketId: `sock-${id}`,
    graceUntil: null,
    ...overrides,
  };
}

const message = (n: number): ChatMessage => ({
  id: `m${n}`,
  from: { participantId: 'p1', displayName: 'User p1' },
  text: `message ${n}`,
  sentAt: n,
});

async function withMeeting(store: RoomStore, ttlMs = HOUR): Promise<string> {
  const code = newCode();
  expect(await store.createMeeting(meeting(code), ttlMs)).toBe(true);
  return code;
}

let redis: RedisInstance;
const clients: Redis[] = [];
const stores: RoomStore[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(clients.map((c) => c.quit().catch(() => undefined)));
  await redis.stop();
});

/** A store as a separate process would have it: its own connection. */
function redisStore(): RedisRoomStore {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  clients.push(connection);
  const store = new RedisRoomStore(connection, { liveStateTtlMs: HOUR });
  stores.push(store);
  return store;
}
function memoryStore(): MemoryRoomStore {
  const store = new MemoryRoomStore();
  stores.push(store);
  return store;
}

type Impl = [kind: string, make: () => RoomStore, makeSibling: (() => RoomStore) | null];
describe.each<Impl>([
  ['memory', memoryStore, null],
  ['redis', redisStore, redisStore],
])('%s store', (_kind, make, makeSibling) => {
  let store: RoomStore;
  beforeAll(() => {
    store = make();
  });

  it('creates a meeting only if its code is free', async () => {
    const code = newCode();
    expect(await store.createMeeting(meeting(code, { title: 'first' }), HOUR)).toBe(true);
    expect(await store.createMeeting(meeting(code, { title: 'second' }), HOUR)).toBe(false);
    expect((await store.getMeeting(code))?.title).toBe('first');
  });

  it('returns null for a meeting that does not exist', async () => {
    expect(await store.getMeeting('nop-nope-nop')).toBeNull();
  });

  it('saveMeeting replaces the stored record', async () => {
    const code = await withMeeting(store);
    await store.saveMeeting(meeting(code, { locked: true, title: 'renamed' }), HOUR);
    expect(await store.getMeeting(code)).toMatchObject({ code, locked: true, title: 'renamed' });
  });

  it('forgets a meeting and its live state once its ttl passes, unless it is touched', async () => {
    const kept = await withMeeting(store, 300);
    const dropped = await withMeeting(store, 300);
    for (const code of [kept, dropped]) {
      await store.putParticipant(code, participant('p1'));
      await store.appendChat(code, message(1), 10);
    }
    await sleep(150);
    await store.touchMeeting(kept, 2_000);
    await sleep(350);
    expect(await store.getMeeting(dropped)).toBeNull();
    expect(await store.listParticipants(dropped)).toEqual([]);
    expect(await store.recentChat(dropped, 10)).toEqual([]);
    expect(await store.getMeeting(kept)).not.toBeNull();
    expect(await store.countParticipants(kept)).toBe(1);
    expect(await store.recentChat(kept, 10)).toHaveLength(1);
  });

  it('stores, lists and counts participants', async () => {
    const code = await withMeeting(store);
    await store.putParticipant(code, participant('a'));
    await store.putParticipant(code, participant('b'));
    await store.putParticipant(code, participant('a', { role: 'host' }));
    expect(await store.countParticipants(code)).toBe(2);
    expect((await store.listParticipants(code)).map((p) => p.id).sort()).toEqual(['a', 'b']);
    expect(await store.getParticipant(code, 'a')).toEqual({
      ...participant('a', { role: 'host' }),
      joinedAt: match.any(Number),
    });
    expect(await store.getParticipant(code, 'zzz')).toBeNull();
  });

  it('removeParticipant returns the record once, then null', async () => {
    const code = await withMeeting(store);
    await store.putParticipant(code, participant('a'));
    expect((await store.removeParticipant(code, 'a'))?.id).toBe('a');
    expect(await store.removeParticipant(code, 'a')).toBeNull();
    expect(await store.countParticipants(code)).toBe(0);
  });

  it('creates no live state for a meeting that does not exist', async () => {
    const code = newCode();
    await store.putParticipant(code, participant('a'));
    await store.appendChat(code, message(1), 10);
    expect(await store.countParticipants(code)).toBe(0);
    expect(await store.listParticipants(code)).toEqual([]);
    expect(await store.recentChat(code, 10)).toEqual([]);
  });

  it('keeps only the newest `keep` chat messages, oldest first', async () => {
    const code = await withMeeting(store);
    for (let n = 1; n <= 205; n++) await store.appendChat(code, message(n), 200);
    const all = await store.recentChat(code, 1_000);
    expect(all).toHaveLength(200);
    expect(all[0]?.id).toBe('m6');
    expect(all.at(-1)?.id).toBe('m205');
  });

  it('recentChat(limit) returns the newest `limit` messages, oldest first', async () => {
    const code = await withMeeting(store);
    for (let n = 1; n <= 10; n++) await store.appendChat(code, message(n), 200);
    expect((await store.recentChat(code, 3)).map((m) => m.id)).toEqual(['m8', 'm9', 'm10']);
    expect(await store.recentChat(code, 0)).toEqual([]);
  });

  it('clearLiveState empties participants and chat but keeps the meeting', async () => {
    const code = await withMeeting(store);
    await store.putParticipant(code, participant('a'));
    await store.appendChat(code, message(1), 10);
    await store.clearLiveState(code);
    expect(await store.listParticipants(code)).toEqual([]);
    expect(await store.recentChat(code, 10)).toEqual([]);
    expect((await store.getMeeting(code))?.code).toBe(code);
  });

  /** A read-modify-write of `handRaisedAt`, slow enough that unlocked callers would lose updates. */
  const increment = (s: RoomStore, code: string) =>
    s.withRoomLock(code, async () => {
      const p = await s.getParticipant(code, 'counter');
      await sleep(1);
      await s.putParticipant(code, { ...p!, handRaisedAt: (p!.handRaisedAt ?? 0) + 1 });
    });

  it('withRoomLock serialises concurrent read-modify-write sequences', async () => {
    const code = await withMeeting(store);
    await store.putParticipant(code, participant('counter', { handRaisedAt: 0 }));
    await Promise.all(Array.from({ length: 20 }, () => increment(store, code)));
    expect((await store.getParticipant(code, 'counter'))?.handRaisedAt).toBe(20);
  });

  if (makeSibling)
    it('withRoomLock serialises two stores on separate connections, as two processes would', async () => {
      const other = makeSibling();
      const code = await withMeeting(store);
      await store.putParticipant(code, participant('counter', { handRaisedAt: 0 }));
      await Promise.all(Array.from({ length: 20 }, (_, i) => increment(i % 2 ? store : other, code)));
      expect((await store.getParticipant(code, 'counter'))?.handRaisedAt).toBe(20);
    });

  it('a failure inside withRoomLock releases the lock for the next caller', async () => {
    const code = await withMeeting(store);
    const throwsSync = (() => {
      throw new Error('boom');
    }) as () => Promise<never>;
    await expect(store.withRoomLock(code, throwsSync)).rejects.toThrow('boom');
    await expect(store.withRoomLock(code, async () => Promise.reject(new Error('bang')))).rejects.toThrow('bang');
    await expect(store.withRoomLock(code, async () => 'ran')).resolves.toBe('ran');
    const guarded = await Promise.race([
      store.withRoomLock(code, async () => 'again'),
      sleep(1_000).then(() => 'stuck'),
    ]);
    expect(guarded).toBe('again');
  });
});
