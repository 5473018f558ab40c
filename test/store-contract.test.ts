/**
 * The RoomStore contract: the memory and Redis implementations must behave the
 * same, because the server picks one by configuration and nothing else changes.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../lib/protocol';
import { chatBytes } from '../server/store/chat-page';
import { MemoryRoomStore } from '../server/store/memory';
import { RedisRoomStore } from '../server/store/redis';
import type { RecordingRecord, RoomStore } from '../server/store/types';
import { meetingRecord, participantRecord } from './helpers/records';
import { startRedis, type RedisInstance } from './helpers/redis';
import { sleep } from './helpers/wait';
import { match } from './helpers/match';

const HOUR = 3_600_000;
let seq = 0;
const newCode = () => `tst-${String(++seq).padStart(4, '0')}-${Math.random().toString(36).slice(2, 5)}`;

const meeting = meetingRecord;
const participant = participantRecord;

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

  it('keeps the spotlight in the meeting record, and its end', async () => {
    const code = await withMeeting(store);
    await store.saveMeeting(meeting(code, { spotlight: 'p7' }), HOUR);
    expect((await store.getMeeting(code))?.spotlight).toBe('p7');
    await store.saveMeeting(meeting(code, { spotlight: null }), HOUR);
    expect((await store.getMeeting(code))?.spotlight).toBeNull();
  });

  it('forgets a meeting and its live state once its ttl passes, unless it is touched', async () => {
    const kept = await withMeeting(store, 300);
    const dropped = await withMeeting(store, 300);
    for (const code of [kept, dropped]) {
      await store.putParticipant(code, participant('p1'));
      await store.appendChat(code, message(1), 10);
      await store.setPinnedChat(code, message(1));
    }
    await sleep(150);
    await store.touchMeeting(kept, 2_000);
    await sleep(350);
    expect(await store.getMeeting(dropped)).toBeNull();
    expect(await store.listParticipants(dropped)).toEqual([]);
    expect(await store.recentChat(dropped, 10)).toEqual([]);
    expect(await store.getPinnedChat(dropped)).toBeNull();
    expect(await store.getMeeting(kept)).not.toBeNull();
    expect(await store.countParticipants(kept)).toBe(1);
    expect(await store.recentChat(kept, 10)).toHaveLength(1);
    expect((await store.getPinnedChat(kept))?.id).toBe('m1');
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
    await store.setPinnedChat(code, message(1));
    expect(await store.countParticipants(code)).toBe(0);
    expect(await store.listParticipants(code)).toEqual([]);
    expect(await store.recentChat(code, 10)).toEqual([]);
    expect(await store.getPinnedChat(code)).toBeNull();
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

  it('clearLiveState empties participants, chat and the pin but keeps the meeting', async () => {
    const code = await withMeeting(store);
    await store.putParticipant(code, participant('a'));
    await store.appendChat(code, message(1), 10);
    await store.setPinnedChat(code, message(1));
    await store.clearLiveState(code);
    expect(await store.listParticipants(code)).toEqual([]);
    expect(await store.recentChat(code, 10)).toEqual([]);
    expect(await store.getPinnedChat(code)).toBeNull();
    expect((await store.getMeeting(code))?.code).toBe(code);
  });

  it('findChat finds a message in the history by its exact id', async () => {
    const code = await withMeeting(store);
    for (let n = 1; n <= 12; n++) await store.appendChat(code, message(n), 200);
    expect(await store.findChat(code, 'm1')).toEqual(message(1));
    expect(await store.findChat(code, 'm12')).toEqual(message(12));
    expect(await store.findChat(code, 'm')).toBeNull();
    expect(await store.findChat(code, 'm13')).toBeNull();
  });

  it('deleteChat removes exactly that message, keeps the order of the rest, and answers false the second time', async () => {
    const code = await withMeeting(store);
    for (let n = 1; n <= 12; n++) await store.appendChat(code, message(n), 200);
    // 'm1' is a prefix of 'm10', 'm11' and 'm12': only the exact id goes.
    expect(await store.deleteChat(code, 'm1')).toBe(true);
    expect(await store.deleteChat(code, 'm1')).toBe(false);
    expect(await store.deleteChat(code, 'nope')).toBe(false);
    expect((await store.recentChat(code, 100)).map((m) => m.id)).toEqual([
      'm2',
      'm3',
      'm4',
      'm5',
      'm6',
      'm7',
      'm8',
      'm9',
      'm10',
      'm11',
      'm12',
    ]);
    expect(await store.findChat(code, 'm1')).toBeNull();
  });

  it('setPinnedChat pins a copy, replaces it, and unpins with null', async () => {
    const code = await withMeeting(store);
    expect(await store.getPinnedChat(code)).toBeNull();
    await store.setPinnedChat(code, message(1));
    expect(await store.getPinnedChat(code)).toEqual(message(1));
    await store.setPinnedChat(code, message(2));
    expect(await store.getPinnedChat(code)).toEqual(message(2));
    await store.setPinnedChat(code, null);
    expect(await store.getPinnedChat(code)).toBeNull();
  });

  /** m1…m`n`, every third one (m3, m6…) private from p1 to p2. */
  async function history(n: number): Promise<string> {
    const code = await withMeeting(store);
    for (let i = 1; i <= n; i++) await store.appendChat(code, i % 3 ? message(i) : { ...message(i), to: 'p2' }, 200);
    return code;
  }
  const ids = (page: { messages: ChatMessage[] } | null) => page?.messages.map((m) => m.id);
  const all = { limit: 100, maxBytes: 1_000_000 };

  it('chatPage pages back from the newest, oldest first, and private messages only reach their two people', async () => {
    const code = await history(10);
    const p3 = { viewer: 'p3', ...all, limit: 3 };
    expect(await store.chatPage(code, p3)).toEqual({
      messages: [message(7), message(8), message(10)],
      hasMore: true,
    });
    expect(ids(await store.chatPage(code, { ...p3, before: 'm7' }))).toEqual(['m2', 'm4', 'm5']);
    expect(await store.chatPage(code, { ...p3, before: 'm2' })).toEqual({ messages: [message(1)], hasMore: false });
    expect(await store.chatPage(code, { ...p3, before: 'm1' })).toEqual({ messages: [], hasMore: false });
    // The sender and the recipient see m3, m6 and m9.
    for (const viewer of ['p1', 'p2'])
      expect(ids(await store.chatPage(code, { viewer, ...all, before: 'm10', limit: 4 }))).toEqual([
        'm6',
        'm7',
        'm8',
        'm9',
      ]);
  });

  it("chatPage pages through a long history (across the Redis script's chunks) to the first message", async () => {
    const code = await history(100);
    for (const viewer of ['p2', 'p3']) {
      const seen: string[] = [];
      let page = await store.chatPage(code, { viewer, limit: 7, maxBytes: 1_000_000 });
      for (;;) {
        seen.unshift(...(ids(page) ?? []));
        if (!page?.hasMore) break;
        page = await store.chatPage(code, { viewer, limit: 7, maxBytes: 1_000_000, before: page.messages[0]!.id });
      }
      const visible = Array.from({ length: 100 }, (_, i) => i + 1).filter((i) => viewer === 'p2' || i % 3);
      expect(seen).toEqual(visible.map((i) => `m${i}`));
    }
  });

  it('chatPage is null when `before` is not in the history, or is a private message of others', async () => {
    const code = await history(4);
    expect(await store.chatPage(code, { viewer: 'p3', ...all, before: 'nope' })).toBeNull();
    expect(await store.chatPage(code, { viewer: 'p3', ...all, before: 'm3' })).toBeNull();
    expect(ids(await store.chatPage(code, { viewer: 'p2', ...all, before: 'm3' }))).toEqual(['m1', 'm2']);
    expect(await store.chatPage(newCode(), { viewer: 'p3', ...all })).toEqual({ messages: [], hasMore: false });
  });

  it('chatPage caps a page by the bytes of its messages, but always holds one', async () => {
    const code = await withMeeting(store);
    const texts = ['é'.repeat(300), 'x'.repeat(500), '€'.repeat(200), '😀'.repeat(100), 'y'];
    const sent = texts.map((text, i) => ({ ...message(i + 1), text }));
    for (const m of sent) await store.appendChat(code, m, 200);
    const last3 = sent.slice(-3).reduce((n, m) => n + chatBytes(m), 0);
    expect(ids(await store.chatPage(code, { viewer: 'p3', limit: 100, maxBytes: last3 }))).toEqual(['m3', 'm4', 'm5']);
    expect(ids(await store.chatPage(code, { viewer: 'p3', limit: 100, maxBytes: last3 - 1 }))).toEqual(['m4', 'm5']);
    expect(await store.chatPage(code, { viewer: 'p3', limit: 100, maxBytes: 1, before: 'm5' })).toEqual({
      messages: [sent[3]],
      hasMore: true,
    });
  });

  it('chatPage cannot be fooled by text or names that look like the JSON of another field', async () => {
    const code = await withMeeting(store);
    const forged = [
      { ...message(1), text: 'x","to":"p2' },
      { ...message(2), text: '\\","to":"p2"}' },
      { ...message(3), from: { participantId: 'p1', displayName: '","from":{"participantId":"p3"' }, to: 'p2' },
      { ...message(4), text: '"from":{"participantId":"p3",', to: 'p2' },
      { ...message(5), text: 'lone \ud800 half of a pair' },
    ];
    for (const m of forged) await store.appendChat(code, m, 200);
    expect(ids(await store.chatPage(code, { viewer: 'p3', ...all }))).toEqual(['m1', 'm2', 'm5']);
    expect(ids(await store.chatPage(code, { viewer: 'p2', ...all }))).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect((await store.chatPage(code, { viewer: 'p3', ...all }))?.messages[2]).toEqual(forged[4]);
  });

  it('deleteChat of the pinned message unpins it too, even once it has aged out of the history', async () => {
    const code = await withMeeting(store);
    await store.appendChat(code, message(1), 2);
    await store.setPinnedChat(code, message(1));
    await store.appendChat(code, message(2), 2);
    await store.appendChat(code, message(3), 2); // m1 leaves the history; the pin keeps its copy
    expect(await store.findChat(code, 'm1')).toBeNull();
    expect(await store.deleteChat(code, 'm1')).toBe(true);
    expect(await store.getPinnedChat(code)).toBeNull();
    expect((await store.recentChat(code, 10)).map((m) => m.id)).toEqual(['m2', 'm3']);
    // Deleting another message leaves a pin alone.
    await store.setPinnedChat(code, message(3));
    expect(await store.deleteChat(code, 'm2')).toBe(true);
    expect((await store.getPinnedChat(code))?.id).toBe('m3');
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

  it('keeps recordings apart from live state, each expiring on its own, and deletes one at a time', async () => {
    const code = await withMeeting(store);
    const rec = (id: string, startedAt: number): RecordingRecord => ({
      id,
      meeting: code,
      startedAt,
      stoppedAt: startedAt + 1_000,
      by: 'Host',
      durationSec: 1,
      size: 10,
      status: 'ready',
      tracks: [{ participantId: 'p1', displayName: 'Host', source: 'mic', kind: 'audio' }],
      node: 'n1',
      file: 'meeting.webm',
    });
    await store.putRecording(rec('r2', 2), HOUR);
    await store.putRecording(rec('r1', 1), HOUR);
    await store.putRecording(rec('short', 3), 200);
    await store.clearLiveState(code);
    expect((await store.listRecordings(code)).map((r) => r.id)).toEqual(['r1', 'r2', 'short']);
    await store.putRecording({ ...rec('r1', 1), status: 'failed' }, HOUR);
    expect(await store.getRecording(code, 'r1')).toMatchObject({ status: 'failed', tracks: [{ source: 'mic' }] });
    await sleep(300);
    expect((await store.listRecordings(code)).map((r) => r.id)).toEqual(['r1', 'r2']);
    expect(await store.getRecording(code, 'short')).toBeNull();
    expect(await store.deleteRecording(code, 'r1')).toBe(true);
    expect(await store.deleteRecording(code, 'r1')).toBe(false);
    expect((await store.listRecordings(code)).map((r) => r.id)).toEqual(['r2']);
    expect(await store.listRecordings('nop-nope-nop')).toEqual([]);
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

describe('redis store, raw keys', () => {
  it('a deleted message leaves no copy of its text in any key of its meeting', async () => {
    const store = redisStore();
    const code = await withMeeting(store);
    const secret = { ...message(2), text: 'words to forget "quoted"\nand on two lines' };
    await store.appendChat(code, message(1), 10);
    await store.appendChat(code, secret, 10);
    await store.appendChat(code, message(3), 10);
    await store.setPinnedChat(code, secret);
    expect(await store.deleteChat(code, secret.id)).toBe(true);

    const raw = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    clients.push(raw);
    const values: string[] = [];
    for (const key of await raw.keys(`convene:{${code}}:*`)) {
      const type = await raw.type(key);
      if (type === 'list') values.push(...(await raw.lrange(key, 0, -1)));
      else if (type === 'hash') values.push(...(await raw.hvals(key)));
      else if (type === 'string') values.push((await raw.get(key)) ?? '');
      else values.push(`unexpected ${type} at ${key}`);
    }
    expect(values.length).toBeGreaterThan(0);
    expect(values.filter((v) => v.includes('words to forget'))).toEqual([]);
    expect((await store.recentChat(code, 10)).map((m) => m.id)).toEqual(['m1', 'm3']);
  });
});
