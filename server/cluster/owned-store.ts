/**
 * The store as a node of a cluster sees it. The live state of a room this
 * node owns is kept in its memory, and every change is written through to
 * Redis, in order, before the caller goes on, so an acknowledged chat
 * message or ban is in Redis whenever Redis is there. While Redis is away the
 * owner carries on from memory (its participants keep talking and chatting),
 * marks the room dirty, and writes it back whole once Redis returns, empty
 * or not. Rooms owned elsewhere, and meetings nobody is in, are read and
 * written in Redis directly, as before.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ChatMessage, ChatPage } from '../../lib/protocol';
import type { ChatPageQuery } from '../store/chat-page';
import { MemoryRoomStore } from '../store/memory';
import type { RedisRoomStore } from '../store/redis';
import type {
  AudienceQuery,
  MeetingRecord,
  ParticipantRecord,
  RecordingRecord,
  RoomSnapshot,
  RoomStore,
} from '../store/types';

/** A write-through that takes longer than this marks the room dirty instead of holding the room up. */
const MIRROR_TIMEOUT_MS = 1_000;

export interface OwnedStoreOptions {
  /** Whether this node owns the room now (holds its lease). */
  owns: (code: string) => boolean;
  meetingTtlMs: number;
  /** Chat messages kept per meeting (CHAT_HISTORY): what is loaded when a room is taken. */
  chatHistory: number;
  log: Logger;
}

export class OwnedStore implements RoomStore {
  readonly kind = 'redis' as const;
  readonly #memory = new MemoryRoomStore();
  readonly #loaded = new Map<string, Promise<void>>();
  /** Rooms whose Redis copy missed writes: written back whole when Redis is back. */
  readonly #dirty = new Set<string>();
  readonly #tails = new Map<string, Promise<void>>();

  constructor(
    private readonly redisStore: RedisRoomStore,
    private readonly redis: Redis,
    private readonly opts: OwnedStoreOptions,
  ) {
    redis.on('ready', () => void this.#writeBackDirty());
  }

  /** Rooms whose Redis copy is behind this node's memory. */
  get dirty(): ReadonlySet<string> {
    return this.#dirty;
  }

  /** This node no longer owns the room: drop the copy (Redis has it, or its new owner rebuilt it). */
  forget(code: string): void {
    this.#memory.forget(code);
    this.#loaded.delete(code);
    this.#dirty.delete(code);
    this.#tails.delete(code);
  }

  /** Writes the room's whole state back to Redis (after an outage, or into a Redis that came back empty). */
  async writeBack(code: string): Promise<void> {
    const snapshot = await this.#snapshot(code);
    if (!snapshot) return;
    await this.redisStore.restore(snapshot, this.opts.meetingTtlMs);
    this.#dirty.delete(code);
    this.opts.log.info({ room: code }, 'room written back to redis');
  }

  // ---- RoomStore ----

  async createMeeting(meeting: MeetingRecord, ttlMs: number): Promise<boolean> {
    return this.redisStore.createMeeting(meeting, ttlMs);
  }

  async getMeeting(code: string): Promise<MeetingRecord | null> {
    return (await this.#owned(code)) ? this.#memory.getMeeting(code) : this.redisStore.getMeeting(code);
  }

  saveMeeting(meeting: MeetingRecord, ttlMs: number): Promise<void> {
    return this.#write(
      meeting.code,
      () => this.#memory.saveMeeting(meeting, ttlMs),
      () => this.redisStore.saveMeeting(meeting, ttlMs),
    );
  }

  touchMeeting(code: string, ttlMs: number): Promise<void> {
    return this.#write(
      code,
      () => this.#memory.touchMeeting(code, ttlMs),
      () => this.redisStore.touchMeeting(code, ttlMs),
    );
  }

  async listParticipants(code: string): Promise<ParticipantRecord[]> {
    return (await this.#owned(code)) ? this.#memory.listParticipants(code) : this.redisStore.listParticipants(code);
  }

  async countParticipants(code: string): Promise<number> {
    return (await this.#owned(code)) ? this.#memory.countParticipants(code) : this.redisStore.countParticipants(code);
  }

  async getParticipant(code: string, id: string): Promise<ParticipantRecord | null> {
    return (await this.#owned(code)) ? this.#memory.getParticipant(code, id) : this.redisStore.getParticipant(code, id);
  }

  putParticipant(code: string, participant: ParticipantRecord): Promise<void> {
    return this.#write(
      code,
      () => this.#memory.putParticipant(code, participant),
      () => this.redisStore.putParticipant(code, participant),
    );
  }

  removeParticipant(code: string, id: string): Promise<ParticipantRecord | null> {
    return this.#write(
      code,
      () => this.#memory.removeParticipant(code, id),
      () => this.redisStore.removeParticipant(code, id),
    );
  }

  putAudience(code: string, member: ParticipantRecord): Promise<void> {
    return this.#write(
      code,
      () => this.#memory.putAudience(code, member),
      () => this.redisStore.putAudience(code, member),
    );
  }

  async getAudience(code: string, id: string): Promise<ParticipantRecord | null> {
    return (await this.#owned(code)) ? this.#memory.getAudience(code, id) : this.redisStore.getAudience(code, id);
  }

  removeAudience(code: string, id: string): Promise<ParticipantRecord | null> {
    return this.#write(
      code,
      () => this.#memory.removeAudience(code, id),
      () => this.redisStore.removeAudience(code, id),
    );
  }

  async countAudience(code: string): Promise<number> {
    return (await this.#owned(code)) ? this.#memory.countAudience(code) : this.redisStore.countAudience(code);
  }

  async pageAudience(code: string, query: AudienceQuery): Promise<ParticipantRecord[]> {
    return (await this.#owned(code))
      ? this.#memory.pageAudience(code, query)
      : this.redisStore.pageAudience(code, query);
  }

  appendChat(code: string, message: ChatMessage, keep: number): Promise<void> {
    return this.#write(
      code,
      () => this.#memory.appendChat(code, message, keep),
      () => this.redisStore.appendChat(code, message, keep),
    );
  }

  async recentChat(code: string, limit: number): Promise<ChatMessage[]> {
    return (await this.#owned(code)) ? this.#memory.recentChat(code, limit) : this.redisStore.recentChat(code, limit);
  }

  async chatPage(code: string, query: ChatPageQuery): Promise<ChatPage | null> {
    return (await this.#owned(code)) ? this.#memory.chatPage(code, query) : this.redisStore.chatPage(code, query);
  }

  async findChat(code: string, id: string): Promise<ChatMessage | null> {
    return (await this.#owned(code)) ? this.#memory.findChat(code, id) : this.redisStore.findChat(code, id);
  }

  deleteChat(code: string, id: string): Promise<boolean> {
    return this.#write(
      code,
      () => this.#memory.deleteChat(code, id),
      () => this.redisStore.deleteChat(code, id),
    );
  }

  async getPinnedChat(code: string): Promise<ChatMessage | null> {
    return (await this.#owned(code)) ? this.#memory.getPinnedChat(code) : this.redisStore.getPinnedChat(code);
  }

  setPinnedChat(code: string, message: ChatMessage | null): Promise<void> {
    return this.#write(
      code,
      () => this.#memory.setPinnedChat(code, message),
      () => this.redisStore.setPinnedChat(code, message),
    );
  }

  // Recordings are not live state: always in Redis, whichever node owns the room.
  putRecording(record: RecordingRecord, ttlMs: number): Promise<void> {
    return this.redisStore.putRecording(record, ttlMs);
  }

  listRecordings(code: string): Promise<RecordingRecord[]> {
    return this.redisStore.listRecordings(code);
  }

  getRecording(code: string, id: string): Promise<RecordingRecord | null> {
    return this.redisStore.getRecording(code, id);
  }

  deleteRecording(code: string, id: string): Promise<boolean> {
    return this.redisStore.deleteRecording(code, id);
  }

  clearLiveState(code: string): Promise<void> {
    return this.#write(
      code,
      () => this.#memory.clearLiveState(code),
      () => this.redisStore.clearLiveState(code),
    );
  }

  async withRoomLock<T>(code: string, fn: () => Promise<T>): Promise<T> {
    // Only the owner changes a room it owns: a lock in its own memory is enough.
    return this.opts.owns(code) ? this.#memory.withRoomLock(code, fn) : this.redisStore.withRoomLock(code, fn);
  }

  async close(): Promise<void> {
    await this.#memory.close();
  }

  // ---- internals ----

  /** Whether the room is this node's (and then its copy is loaded into memory). */
  async #owned(code: string): Promise<boolean> {
    if (!this.opts.owns(code)) return false;
    let loading = this.#loaded.get(code);
    if (!loading) {
      loading = this.#load(code);
      this.#loaded.set(code, loading);
      loading.catch(() => this.#loaded.delete(code));
    }
    await loading;
    return true;
  }

  async #load(code: string): Promise<void> {
    const r = this.redisStore;
    const [meeting, participants, audience, chat, pinned] = await Promise.all([
      r.getMeeting(code),
      r.listParticipants(code),
      r.allAudience(code),
      r.recentChat(code, this.opts.chatHistory),
      r.getPinnedChat(code),
    ]);
    if (!meeting) return;
    const m = this.#memory;
    this.#memory.forget(code);
    await m.createMeeting(meeting, this.opts.meetingTtlMs);
    for (const p of participants) await m.putParticipant(code, p);
    for (const p of audience) await m.putAudience(code, p);
    for (const c of chat) await m.appendChat(code, c, this.opts.chatHistory);
    if (pinned) await m.setPinnedChat(code, pinned);
  }

  /**
   * A change: to memory for an owned room, then to Redis in this room's
   * order. With Redis away (or slow) the room is marked dirty and the change
   * stands; the write-back after the outage carries it.
   */
  async #write<T>(code: string, local: () => Promise<T>, remote: () => Promise<unknown>): Promise<T | Awaited<T>> {
    if (!(await this.#owned(code))) return (await remote()) as T;
    const result = await local();
    if (this.#dirty.has(code) || this.redis.status !== 'ready') {
      this.#dirty.add(code);
      return result;
    }
    const previous = this.#tails.get(code) ?? Promise.resolve();
    const mine = previous
      .then(() => withTimeout(remote(), MIRROR_TIMEOUT_MS))
      .then(
        () => undefined,
        (err: unknown) => {
          this.#dirty.add(code);
          this.opts.log.warn({ err: (err as Error).message, room: code }, 'redis write missed; room marked dirty');
        },
      );
    this.#tails.set(code, mine);
    await mine;
    if (this.#tails.get(code) === mine) this.#tails.delete(code);
    return result;
  }

  async #snapshot(code: string): Promise<RoomSnapshot | null> {
    if (!(await this.#owned(code))) return null;
    const meeting = await this.#memory.getMeeting(code);
    if (!meeting) return null;
    return {
      meeting,
      participants: await this.#memory.listParticipants(code),
      audience: await this.#memory.allAudience(code),
      chat: await this.#memory.recentChat(code, this.opts.chatHistory),
      pinned: await this.#memory.getPinnedChat(code),
    };
  }

  async #writeBackDirty(): Promise<void> {
    for (const code of [...this.#dirty]) {
      await this.writeBack(code).catch((err: unknown) =>
        this.opts.log.warn({ err: (err as Error).message, room: code }, 'write-back failed; will retry'),
      );
    }
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`redis write took over ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}
