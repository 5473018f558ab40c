/**
 * The audience half of the RoomStore contract, for the memory store, the
 * Redis store and the cluster's OwnedStore (a room this node owns, kept in
 * memory and written through to Redis): one collection apart from the stage,
 * counted and paged in id order, with its raised hands paged alone.
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OwnedStore } from '../../server/cluster/owned-store';
import { MemoryRoomStore } from '../../server/store/memory';
import { RedisRoomStore } from '../../server/store/redis';
import type { ParticipantRecord, RoomStore } from '../../server/store/types';
import { meetingRecord, participantRecord } from '../helpers/records';
import { startRedis, type RedisInstance } from '../helpers/redis';

const HOUR = 3_600_000;
let seq = 0;
const newCode = () => `aud-${String(++seq).padStart(4, '0')}-${Math.random().toString(36).slice(2, 5)}`;

const meeting = (code: string) => meetingRecord(code, { title: null, audience: { mode: 'invited', stageLimit: 100 } });
const member = (id: string, overrides: Partial<ParticipantRecord> = {}) =>
  participantRecord(id, {
    displayName: `Viewer ${id}`,
    role: 'audience',
    joinedAt: 1,
    resumeNonce: `n-${id}`,
    ...overrides,
  });

let redis: RedisInstance;
const connections: Redis[] = [];
const stores: RoomStore[] = [];
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await Promise.all(connections.map((c) => c.quit().catch(() => undefined)));
  await redis.stop();
});

function connection(): Redis {
  const c = new Redis(redis.url, { maxRetriesPerRequest: 3 });
  connections.push(c);
  return c;
}
const redisStore = () => new RedisRoomStore(connection(), { liveStateTtlMs: HOUR });
const owned = () => {
  const c = connection();
  return new OwnedStore(new RedisRoomStore(c, { liveStateTtlMs: HOUR }), c, {
    owns: () => true,
    meetingTtlMs: HOUR,
    chatHistory: 200,
    log: pino({ level: 'silent' }),
  });
};

describe.each<[string, () => RoomStore]>([
  ['memory', () => new MemoryRoomStore()],
  ['redis', redisStore],
  ['owned (cluster)', owned],
])('%s store: the audience', (_kind, make) => {
  let store: RoomStore;
  let code: string;
  beforeAll(() => {
    store = make();
    stores.push(store);
  });
  const fresh = async () => {
    code = newCode();
    expect(await store.createMeeting(meeting(code), HOUR)).toBe(true);
  };

  it('keeps the audience apart from the stage: counted, got and removed once', async () => {
    await fresh();
    await store.putAudience(code, member('a1'));
    await store.putAudience(code, member('a2'));
    expect(await store.countAudience(code)).toBe(2);
    expect(await store.countParticipants(code)).toBe(0);
    expect(await store.listParticipants(code)).toEqual([]);
    expect(await store.getParticipant(code, 'a1')).toBeNull();
    expect(await store.getAudience(code, 'a1')).toEqual(member('a1'));
    expect(await store.removeAudience(code, 'a1')).toEqual(member('a1'));
    expect(await store.removeAudience(code, 'a1')).toBeNull();
    expect(await store.countAudience(code)).toBe(1);
  });

  it('pages in id order after a cursor, and pages the raised hands alone', async () => {
    await fresh();
    for (const id of ['m5', 'm1', 'm4', 'm2', 'm3'])
      await store.putAudience(code, member(id, { handRaisedAt: id === 'm2' || id === 'm4' ? 10 : null }));
    const ids = async (q: Parameters<RoomStore['pageAudience']>[1]) =>
      (await store.pageAudience(code, q)).map((p) => p.id);
    expect(await ids({ limit: 2 })).toEqual(['m1', 'm2']);
    expect(await ids({ limit: 2, after: 'm2' })).toEqual(['m3', 'm4']);
    expect(await ids({ limit: 2, after: 'm4' })).toEqual(['m5']);
    expect(await ids({ limit: 10, hands: true })).toEqual(['m2', 'm4']);
    // Lowering a hand takes the member out of the hands; removing them takes them out of both.
    await store.putAudience(code, member('m2'));
    await store.removeAudience(code, 'm4');
    expect(await ids({ limit: 10, hands: true })).toEqual([]);
    expect(await ids({ limit: 10 })).toEqual(['m1', 'm2', 'm3', 'm5']);
  });

  it('creates no audience for a meeting that does not exist, and clearLiveState empties it', async () => {
    await store.putAudience('nop-nope-nop', member('x'));
    expect(await store.countAudience('nop-nope-nop')).toBe(0);
    await fresh();
    await store.putAudience(code, member('y', { handRaisedAt: 5 }));
    await store.clearLiveState(code);
    expect(await store.countAudience(code)).toBe(0);
    expect(await store.pageAudience(code, { limit: 10, hands: true })).toEqual([]);
    expect(await store.getMeeting(code)).not.toBeNull();
  });

  it('hands out copies: changing a returned record changes nothing stored', async () => {
    await fresh();
    await store.putAudience(code, member('c1'));
    const got = (await store.getAudience(code, 'c1'))!;
    got.displayName = 'Changed';
    expect((await store.getAudience(code, 'c1'))!.displayName).toBe('Viewer c1');
  });
});

describe('owned store', () => {
  it('writes the audience through to Redis, so the next owner finds it', async () => {
    const store = owned();
    stores.push(store);
    const code = newCode();
    await store.createMeeting(meeting(code), HOUR);
    await store.putAudience(code, member('w1', { handRaisedAt: 3 }));
    const elsewhere = redisStore();
    expect(await elsewhere.getAudience(code, 'w1')).toEqual(member('w1', { handRaisedAt: 3 }));
    expect((await elsewhere.pageAudience(code, { limit: 5, hands: true })).map((p) => p.id)).toEqual(['w1']);
    // A node taking the room over loads it from Redis.
    const next = owned();
    stores.push(next);
    expect(await next.countAudience(code)).toBe(1);
  });
});
