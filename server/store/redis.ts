/**
 * The durable store for deployments of several processes: ioredis, one key
 * per concern, hash-tagged by room code so a Redis Cluster keeps a room on one
 * slot. Cross-process consistency comes from Redis itself (atomic commands, a
 * lock per room), never from a protocol of our own.
 */
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ChatMessage, ChatPage } from '../../lib/protocol';
import { ConveneError } from '../../lib/protocol';
import type { ChatPageQuery } from './chat-page';
import { KeyedMutex } from './mutex';
import type {
  AudienceQuery,
  MeetingRecord,
  ParticipantRecord,
  RecordingRecord,
  RoomSnapshot,
  RoomStore,
} from './types';

const keys = (code: string) => ({
  meeting: `convene:{${code}}:meeting`,
  participants: `convene:{${code}}:participants`,
  // The audience: records by id, all ids and raised hands' ids as sorted sets
  // (score 0, so ZRANGEBYLEX pages them in id order).
  audience: `convene:{${code}}:audience`,
  audienceIds: `convene:{${code}}:audience-ids`,
  audienceHands: `convene:{${code}}:audience-hands`,
  chat: `convene:{${code}}:chat`,
  pinned: `convene:{${code}}:pinned`,
  lock: `convene:{${code}}:lock`,
  // Recordings outlive the meeting's live state: one hash of JSON records, and
  // a sorted set of their expiry times, so each expires on its own.
  recordings: `convene:{${code}}:recordings`,
  recordingExpiry: `convene:{${code}}:recording-expiry`,
});

const REMOVE_PARTICIPANT = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then redis.call('HDEL', KEYS[1], ARGV[1]) end
return v`;

// KEYS: recordings, their expiry times; ARGV: id, record, expires at. The keys
// live as long as their latest recording.
const PUT_RECORDING = `
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
local last = redis.call('ZRANGE', KEYS[2], -1, -1, 'WITHSCORES')
redis.call('PEXPIREAT', KEYS[1], last[2])
redis.call('PEXPIREAT', KEYS[2], last[2])
return 1`;

const RELEASE_LOCK = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

// Live state is only written while the meeting exists, so a leave or a message
// that races an expiry or an end-meeting cannot resurrect a half-room; and it
// expires with the meeting (its remaining PTTL), never after it.
const LIVE_TTL = `
local ttl = redis.call('PTTL', KEYS[1])
if ttl == -2 then return 0 end
if ttl < 0 then ttl = tonumber(ARGV[1]) end`;

const PUT_PARTICIPANT = `${LIVE_TTL}
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIRE', KEYS[2], ttl)
return 1`;

// KEYS: meeting, audience, ids, hands; ARGV: ttl, id, record, hand raised (1/0).
const PUT_AUDIENCE = `${LIVE_TTL}
redis.call('HSET', KEYS[2], ARGV[2], ARGV[3])
redis.call('ZADD', KEYS[3], 0, ARGV[2])
if ARGV[4] == '1' then redis.call('ZADD', KEYS[4], 0, ARGV[2]) else redis.call('ZREM', KEYS[4], ARGV[2]) end
for i = 2, 4 do redis.call('PEXPIRE', KEYS[i], ttl) end
return 1`;

const REMOVE_AUDIENCE = `
local v = redis.call('HGET', KEYS[1], ARGV[1])
if v then
  redis.call('HDEL', KEYS[1], ARGV[1])
  redis.call('ZREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
end
return v`;

const APPEND_CHAT = `${LIVE_TTL}
redis.call('RPUSH', KEYS[2], ARGV[2])
redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
redis.call('PEXPIRE', KEYS[2], ttl)
return 1`;

// Chat is a list of JSON strings that each begin with the message's id
// (serializeChat), so a script finds a message by that prefix without
// decoding the list, and LREM removes the exact stored value atomically.
const FIND_CHAT = `
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i = #items, 1, -1 do
  if string.sub(items[i], 1, #ARGV[1]) == ARGV[1] then return items[i] end
end
return false`;

const DELETE_CHAT = `
local removed = 0
local items = redis.call('LRANGE', KEYS[1], 0, -1)
for i = #items, 1, -1 do
  if string.sub(items[i], 1, #ARGV[1]) == ARGV[1] then
    removed = redis.call('LREM', KEYS[1], 1, items[i])
    break
  end
end
local pinned = redis.call('GET', KEYS[2])
if pinned and string.sub(pinned, 1, #ARGV[1]) == ARGV[1] then
  redis.call('DEL', KEYS[2])
  removed = 1
end
return removed`;

// One page, read inside Redis from the newest end in chunks: only that page
// (and the messages walked past to reach `before`) is copied, never the whole
// list, and nothing is decoded. The visibility and cap rules are
// server/store/chat-page.ts's; a stored string's length is its JSON's UTF-8
// byte count, as pageOf measures. Visibility is read from the serialized form:
// inside a JSON string every quote is escaped, so ',"to":"' only occurs as the
// key of a private message, and the needles ARGV[4] (',"to":<viewer>') and
// ARGV[5] ('"from":{"participantId":<viewer>') only as the viewer's own.
// Returns {0} when `before` is not there for the viewer, else {1, hasMore, newest…oldest}.
const CHAT_PAGE = `
local before, limit, maxBytes, toViewer, fromViewer = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4], ARGV[5]
local function visible(v)
  return not string.find(v, ',"to":"', 1, true) or string.find(v, toViewer, 1, true) ~= nil
    or string.find(v, fromViewer, 1, true) ~= nil
end
local found = before == ''
local out, bytes = {}, 0
local hi = redis.call('LLEN', KEYS[1]) - 1
while hi >= 0 do
  local lo = math.max(0, hi - 31)
  local items = redis.call('LRANGE', KEYS[1], lo, hi)
  for j = #items, 1, -1 do
    local v = items[j]
    if not found then
      if string.sub(v, 1, #before) == before then
        if not visible(v) then return {0} end
        found = true
      end
    elseif visible(v) then
      if #out >= limit or (#out > 0 and bytes + #v > maxBytes) then return {1, 1, unpack(out)} end
      out[#out + 1] = v
      bytes = bytes + #v
    end
  end
  hi = lo - 1
end
if not found then return {0} end
return {1, 0, unpack(out)}`;

const SET_PINNED = `${LIVE_TTL}
redis.call('SET', KEYS[2], ARGV[2], 'PX', ttl)
return 1`;

/** The message as stored: JSON with `id` first (the scripts above rely on it). */
const serializeChat = ({ id, ...rest }: ChatMessage) => JSON.stringify({ id, ...rest });
const chatPrefix = (id: string) => `{"id":${JSON.stringify(id)},`;

export interface RedisStoreOptions {
  /** Expiry of live state (participants, chat) for a meeting stored without one; otherwise it expires with the meeting. */
  liveStateTtlMs: number;
  lockTtlMs?: number;
  lockWaitMs?: number;
}

export class RedisRoomStore implements RoomStore {
  readonly kind = 'redis' as const;
  readonly #redis: Redis;
  readonly #local = new KeyedMutex();
  readonly #opts: Required<RedisStoreOptions>;

  constructor(redis: Redis, options: RedisStoreOptions) {
    this.#redis = redis;
    this.#opts = { lockTtlMs: 10_000, lockWaitMs: 5_000, ...options };
  }

  async createMeeting(meeting: MeetingRecord, ttlMs: number): Promise<boolean> {
    const res = await this.#redis.set(keys(meeting.code).meeting, JSON.stringify(meeting), 'PX', ttlMs, 'NX');
    return res === 'OK';
  }

  async getMeeting(code: string): Promise<MeetingRecord | null> {
    const raw = await this.#redis.get(keys(code).meeting);
    if (!raw) return null;
    type Optional = 'cohosts' | 'bans' | 'lobby' | 'banShield' | 'knownGuests' | 'lasting';
    const meeting = JSON.parse(raw) as Partial<MeetingRecord> & Omit<MeetingRecord, Optional>;
    // Records written before host controls (or the ban shield) existed lack these fields.
    const banShield = meeting.banShield ?? true;
    const { locked, waitingRoom, permissions, maxScreenShares } = meeting;
    return {
      ...meeting,
      cohosts: meeting.cohosts ?? [],
      bans: meeting.bans ?? [],
      lobby: meeting.lobby ?? [],
      banShield,
      knownGuests: meeting.knownGuests ?? [],
      lasting: meeting.lasting ?? { locked, waitingRoom, banShield, permissions, maxScreenShares },
    };
  }

  async saveMeeting(meeting: MeetingRecord, ttlMs: number): Promise<void> {
    await this.#redis.set(keys(meeting.code).meeting, JSON.stringify(meeting), 'PX', ttlMs);
  }

  async touchMeeting(code: string, ttlMs: number): Promise<void> {
    const k = keys(code);
    await this.#redis
      .multi()
      .pexpire(k.meeting, ttlMs)
      .pexpire(k.participants, ttlMs)
      .pexpire(k.audience, ttlMs)
      .pexpire(k.audienceIds, ttlMs)
      .pexpire(k.audienceHands, ttlMs)
      .pexpire(k.chat, ttlMs)
      .pexpire(k.pinned, ttlMs)
      .exec();
  }

  async listParticipants(code: string): Promise<ParticipantRecord[]> {
    const all = await this.#redis.hvals(keys(code).participants);
    return all.map((v) => JSON.parse(v) as ParticipantRecord);
  }

  countParticipants(code: string): Promise<number> {
    return this.#redis.hlen(keys(code).participants);
  }

  async getParticipant(code: string, id: string): Promise<ParticipantRecord | null> {
    const raw = await this.#redis.hget(keys(code).participants, id);
    return raw ? (JSON.parse(raw) as ParticipantRecord) : null;
  }

  async putParticipant(code: string, participant: ParticipantRecord): Promise<void> {
    const k = keys(code);
    await this.#redis.eval(
      PUT_PARTICIPANT,
      2,
      k.meeting,
      k.participants,
      this.#opts.liveStateTtlMs,
      participant.id,
      JSON.stringify(participant),
    );
  }

  async removeParticipant(code: string, id: string): Promise<ParticipantRecord | null> {
    const raw = (await this.#redis.eval(REMOVE_PARTICIPANT, 1, keys(code).participants, id)) as string | null;
    return raw ? (JSON.parse(raw) as ParticipantRecord) : null;
  }

  async putAudience(code: string, member: ParticipantRecord): Promise<void> {
    const k = keys(code);
    await this.#redis.eval(
      PUT_AUDIENCE,
      4,
      k.meeting,
      k.audience,
      k.audienceIds,
      k.audienceHands,
      this.#opts.liveStateTtlMs,
      member.id,
      JSON.stringify(member),
      member.handRaisedAt === null ? '0' : '1',
    );
  }

  async getAudience(code: string, id: string): Promise<ParticipantRecord | null> {
    const raw = await this.#redis.hget(keys(code).audience, id);
    return raw ? (JSON.parse(raw) as ParticipantRecord) : null;
  }

  async removeAudience(code: string, id: string): Promise<ParticipantRecord | null> {
    const k = keys(code);
    const raw = (await this.#redis.eval(REMOVE_AUDIENCE, 3, k.audience, k.audienceIds, k.audienceHands, id)) as
      string | null;
    return raw ? (JSON.parse(raw) as ParticipantRecord) : null;
  }

  countAudience(code: string): Promise<number> {
    return this.#redis.hlen(keys(code).audience);
  }

  async pageAudience(code: string, { after, limit, hands }: AudienceQuery): Promise<ParticipantRecord[]> {
    if (limit <= 0) return [];
    const k = keys(code);
    const from = after === undefined ? '-' : `(${after}`;
    const ids = await this.#redis.zrangebylex(hands ? k.audienceHands : k.audienceIds, from, '+', 'LIMIT', 0, limit);
    if (!ids.length) return [];
    const raws = await this.#redis.hmget(k.audience, ...ids);
    return raws.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as ParticipantRecord);
  }

  /** Every audience member (a cluster node loading a room it takes over). */
  async allAudience(code: string): Promise<ParticipantRecord[]> {
    const all = await this.#redis.hvals(keys(code).audience);
    return all.map((v) => JSON.parse(v) as ParticipantRecord);
  }

  async appendChat(code: string, message: ChatMessage, keep: number): Promise<void> {
    const k = keys(code);
    await this.#redis.eval(APPEND_CHAT, 2, k.meeting, k.chat, this.#opts.liveStateTtlMs, serializeChat(message), keep);
  }

  async recentChat(code: string, limit: number): Promise<ChatMessage[]> {
    if (limit <= 0) return [];
    const all = await this.#redis.lrange(keys(code).chat, -limit, -1);
    return all.map((v) => JSON.parse(v) as ChatMessage);
  }

  async chatPage(code: string, query: ChatPageQuery): Promise<ChatPage | null> {
    const { viewer, before, limit, maxBytes } = query;
    const prefix = before === undefined ? '' : chatPrefix(before);
    const id = JSON.stringify(viewer);
    const needles = [`,"to":${id}`, `"from":{"participantId":${id}`];
    const res = (await this.#redis.eval(CHAT_PAGE, 1, keys(code).chat, prefix, limit, maxBytes, ...needles)) as [
      number,
      number?,
      ...string[],
    ];
    if (res[0] === 0) return null;
    const messages = (res.slice(2) as string[]).map((v) => JSON.parse(v) as ChatMessage).reverse();
    return { messages, hasMore: res[1] === 1 };
  }

  async findChat(code: string, id: string): Promise<ChatMessage | null> {
    const raw = (await this.#redis.eval(FIND_CHAT, 1, keys(code).chat, chatPrefix(id))) as string | null;
    return raw ? (JSON.parse(raw) as ChatMessage) : null;
  }

  async deleteChat(code: string, id: string): Promise<boolean> {
    const k = keys(code);
    return (await this.#redis.eval(DELETE_CHAT, 2, k.chat, k.pinned, chatPrefix(id))) === 1;
  }

  async getPinnedChat(code: string): Promise<ChatMessage | null> {
    const raw = await this.#redis.get(keys(code).pinned);
    return raw ? (JSON.parse(raw) as ChatMessage) : null;
  }

  async setPinnedChat(code: string, message: ChatMessage | null): Promise<void> {
    const k = keys(code);
    if (!message) await this.#redis.del(k.pinned);
    else await this.#redis.eval(SET_PINNED, 2, k.meeting, k.pinned, this.#opts.liveStateTtlMs, serializeChat(message));
  }

  async putRecording(record: RecordingRecord, ttlMs: number): Promise<void> {
    const k = keys(record.meeting);
    await this.#redis.eval(
      PUT_RECORDING,
      2,
      k.recordings,
      k.recordingExpiry,
      record.id,
      JSON.stringify(record),
      Date.now() + ttlMs,
    );
  }

  async listRecordings(code: string): Promise<RecordingRecord[]> {
    const k = keys(code);
    const expired = await this.#redis.zrangebyscore(k.recordingExpiry, '-inf', Date.now());
    if (expired.length)
      await this.#redis
        .multi()
        .hdel(k.recordings, ...expired)
        .zrem(k.recordingExpiry, ...expired)
        .exec();
    const all = await this.#redis.hvals(k.recordings);
    return all.map((v) => JSON.parse(v) as RecordingRecord).sort((a, b) => a.startedAt - b.startedAt);
  }

  async getRecording(code: string, id: string): Promise<RecordingRecord | null> {
    const k = keys(code);
    const [v, expiresAt] = await Promise.all([
      this.#redis.hget(k.recordings, id),
      this.#redis.zscore(k.recordingExpiry, id),
    ]);
    if (!v || expiresAt === null || Number(expiresAt) <= Date.now()) return null;
    return JSON.parse(v) as RecordingRecord;
  }

  async deleteRecording(code: string, id: string): Promise<boolean> {
    const k = keys(code);
    const exists = (await this.getRecording(code, id)) !== null;
    await this.#redis.multi().hdel(k.recordings, id).zrem(k.recordingExpiry, id).exec();
    return exists;
  }

  async clearLiveState(code: string): Promise<void> {
    const k = keys(code);
    await this.#redis.del(k.participants, k.audience, k.audienceIds, k.audienceHands, k.chat, k.pinned);
  }

  withRoomLock<T>(code: string, fn: () => Promise<T>): Promise<T> {
    // The local queue keeps this process from contending with itself; the
    // Redis lock orders this process against the others.
    return this.#local.run(code, async () => {
      const token = randomUUID();
      await this.#acquire(keys(code).lock, token);
      try {
        return await fn();
      } finally {
        await this.#redis.eval(RELEASE_LOCK, 1, keys(code).lock, token).catch(() => undefined);
      }
    });
  }

  async #acquire(key: string, token: string): Promise<void> {
    const deadline = Date.now() + this.#opts.lockWaitMs;
    for (let attempt = 0; ; attempt++) {
      if ((await this.#redis.set(key, token, 'PX', this.#opts.lockTtlMs, 'NX')) === 'OK') return;
      if (Date.now() > deadline) throw new ConveneError('INTERNAL', 'room is busy, try again');
      await new Promise((r) => setTimeout(r, Math.min(50, 2 + attempt * 3) + Math.random() * 5));
    }
  }

  /**
   * Writes a whole meeting at once (one MULTI), replacing whatever Redis has
   * for it: how a room's owner puts its state back after Redis was away, or
   * came back empty.
   */
  async restore(room: RoomSnapshot, ttlMs: number): Promise<void> {
    const k = keys(room.meeting.code);
    const tx = this.#redis.multi().set(k.meeting, JSON.stringify(room.meeting), 'PX', ttlMs);
    tx.del(k.participants, k.audience, k.audienceIds, k.audienceHands, k.chat, k.pinned);
    if (room.participants.length)
      tx.hset(k.participants, Object.fromEntries(room.participants.map((p) => [p.id, JSON.stringify(p)])));
    const audience = room.audience ?? [];
    if (audience.length) {
      tx.hset(k.audience, Object.fromEntries(audience.map((p) => [p.id, JSON.stringify(p)])));
      tx.zadd(k.audienceIds, ...audience.flatMap((p) => [0, p.id]));
      const hands = audience.filter((p) => p.handRaisedAt !== null);
      if (hands.length) tx.zadd(k.audienceHands, ...hands.flatMap((p) => [0, p.id]));
    }
    if (room.chat.length) tx.rpush(k.chat, ...room.chat.map(serializeChat));
    if (room.pinned) tx.set(k.pinned, serializeChat(room.pinned));
    for (const key of [k.participants, k.audience, k.audienceIds, k.audienceHands, k.chat, k.pinned])
      tx.pexpire(key, ttlMs);
    await tx.exec();
  }

  async close(): Promise<void> {
    // The connection is owned by whoever created it (server/index.ts).
  }
}
