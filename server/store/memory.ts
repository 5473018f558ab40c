/** The embedded default: everything in this process, nothing to install. */
import type { ChatMessage, ChatPage } from '../../lib/protocol';
import { pageOf, type ChatPageQuery } from './chat-page';
import { KeyedMutex } from './mutex';
import type { AudienceQuery, MeetingRecord, ParticipantRecord, RecordingRecord, RoomStore } from './types';

interface Entry {
  meeting: MeetingRecord;
  expiresAt: number;
  participants: Map<string, ParticipantRecord>;
  audience: Map<string, ParticipantRecord>;
  /** Ids of audience members with a raised hand, so hosts page through hands without walking everyone. */
  hands: Set<string>;
  chat: ChatMessage[];
  pinned: ChatMessage | null;
}

// Records are cloned in and out so callers can never mutate stored state by accident.
// They are plain JSON objects (types.ts), so a direct copy does: it is ~6×
// cheaper than structuredClone, and every join, chat message and toggle pays it.
function clone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(clone) as T;
  const out: Record<string, unknown> = {};
  for (const k in v) out[k] = clone((v as Record<string, unknown>)[k]);
  return out as T;
}

// Chat messages never change once sent: stored frozen, they are handed out
// without copying (a join used to clone up to 200 of them), and a caller that
// tried to change one would throw instead of corrupting the history.
function frozen<T>(v: T): T {
  if (v !== null && typeof v === 'object') {
    for (const x of Object.values(v)) frozen(x);
    Object.freeze(v);
  }
  return v;
}

interface RecordingEntry {
  record: RecordingRecord;
  expiresAt: number;
}

export class MemoryRoomStore implements RoomStore {
  readonly kind = 'memory' as const;
  readonly #rooms = new Map<string, Entry>();
  readonly #mutex = new KeyedMutex();
  /** Recordings outlive the meeting's live state and its record, so they are kept apart: code → id → record. */
  readonly #recordings = new Map<string, Map<string, RecordingEntry>>();
  readonly #sweeper: NodeJS.Timeout;

  constructor(options: { sweepIntervalMs?: number } = {}) {
    this.#sweeper = setInterval(() => this.#sweep(), options.sweepIntervalMs ?? 60_000);
    this.#sweeper.unref();
  }

  #entry(code: string): Entry | undefined {
    const entry = this.#rooms.get(code);
    if (entry && entry.expiresAt <= Date.now()) {
      this.#rooms.delete(code);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = Date.now();
    for (const [code, entry] of this.#rooms) if (entry.expiresAt <= now) this.#rooms.delete(code);
  }

  async createMeeting(meeting: MeetingRecord, ttlMs: number): Promise<boolean> {
    if (this.#entry(meeting.code)) return false;
    this.#rooms.set(meeting.code, {
      meeting: clone(meeting),
      expiresAt: Date.now() + ttlMs,
      participants: new Map(),
      audience: new Map(),
      hands: new Set(),
      chat: [],
      pinned: null,
    });
    return true;
  }

  async getMeeting(code: string): Promise<MeetingRecord | null> {
    const entry = this.#entry(code);
    return entry ? clone(entry.meeting) : null;
  }

  async saveMeeting(meeting: MeetingRecord, ttlMs: number): Promise<void> {
    const entry = this.#entry(meeting.code);
    if (entry) {
      entry.meeting = clone(meeting);
      entry.expiresAt = Date.now() + ttlMs;
    } else {
      await this.createMeeting(meeting, ttlMs);
    }
  }

  async touchMeeting(code: string, ttlMs: number): Promise<void> {
    const entry = this.#entry(code);
    if (entry) entry.expiresAt = Date.now() + ttlMs;
  }

  async listParticipants(code: string): Promise<ParticipantRecord[]> {
    return [...(this.#entry(code)?.participants.values() ?? [])].map(clone);
  }

  async countParticipants(code: string): Promise<number> {
    return this.#entry(code)?.participants.size ?? 0;
  }

  async getParticipant(code: string, id: string): Promise<ParticipantRecord | null> {
    const p = this.#entry(code)?.participants.get(id);
    return p ? clone(p) : null;
  }

  async putParticipant(code: string, participant: ParticipantRecord): Promise<void> {
    this.#entry(code)?.participants.set(participant.id, clone(participant));
  }

  async removeParticipant(code: string, id: string): Promise<ParticipantRecord | null> {
    const participants = this.#entry(code)?.participants;
    const p = participants?.get(id);
    if (!p) return null;
    participants!.delete(id);
    return p;
  }

  async putAudience(code: string, member: ParticipantRecord): Promise<void> {
    const entry = this.#entry(code);
    if (!entry) return;
    entry.audience.set(member.id, clone(member));
    if (member.handRaisedAt === null) entry.hands.delete(member.id);
    else entry.hands.add(member.id);
  }

  async getAudience(code: string, id: string): Promise<ParticipantRecord | null> {
    const p = this.#entry(code)?.audience.get(id);
    return p ? clone(p) : null;
  }

  async removeAudience(code: string, id: string): Promise<ParticipantRecord | null> {
    const entry = this.#entry(code);
    const p = entry?.audience.get(id);
    if (!p) return null;
    entry!.audience.delete(id);
    entry!.hands.delete(id);
    return p;
  }

  async countAudience(code: string): Promise<number> {
    return this.#entry(code)?.audience.size ?? 0;
  }

  async pageAudience(code: string, { after, limit, hands }: AudienceQuery): Promise<ParticipantRecord[]> {
    const entry = this.#entry(code);
    if (!entry || limit <= 0) return [];
    // Sorted per page asked for (hosts paging, rare), never per join.
    const ids = [...(hands ? entry.hands : entry.audience.keys())].filter((id) => after === undefined || id > after);
    ids.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return ids.slice(0, limit).map((id) => clone(entry.audience.get(id)!));
  }

  /** Every audience member (a cluster node loading a room it takes over). */
  async allAudience(code: string): Promise<ParticipantRecord[]> {
    return [...(this.#entry(code)?.audience.values() ?? [])].map(clone);
  }

  async appendChat(code: string, message: ChatMessage, keep: number): Promise<void> {
    const entry = this.#entry(code);
    if (!entry) return;
    entry.chat.push(frozen(clone(message)));
    if (entry.chat.length > keep) entry.chat.splice(0, entry.chat.length - keep);
  }

  async recentChat(code: string, limit: number): Promise<ChatMessage[]> {
    // slice(-0) would be the whole history.
    if (limit <= 0) return [];
    return this.#entry(code)?.chat.slice(-limit) ?? [];
  }

  async chatPage(code: string, query: ChatPageQuery): Promise<ChatPage | null> {
    return pageOf(this.#entry(code)?.chat ?? [], query);
  }

  async findChat(code: string, id: string): Promise<ChatMessage | null> {
    return this.#entry(code)?.chat.find((m) => m.id === id) ?? null;
  }

  async deleteChat(code: string, id: string): Promise<boolean> {
    const entry = this.#entry(code);
    if (!entry) return false;
    const before = entry.chat.length;
    entry.chat = entry.chat.filter((m) => m.id !== id);
    const unpinned = entry.pinned?.id === id;
    if (unpinned) entry.pinned = null;
    return entry.chat.length < before || unpinned;
  }

  async getPinnedChat(code: string): Promise<ChatMessage | null> {
    return this.#entry(code)?.pinned ?? null;
  }

  async setPinnedChat(code: string, message: ChatMessage | null): Promise<void> {
    const entry = this.#entry(code);
    if (entry) entry.pinned = message && frozen(clone(message));
  }

  async putRecording(record: RecordingRecord, ttlMs: number): Promise<void> {
    let forMeeting = this.#recordings.get(record.meeting);
    if (!forMeeting) this.#recordings.set(record.meeting, (forMeeting = new Map<string, RecordingEntry>()));
    forMeeting.set(record.id, { record: clone(record), expiresAt: Date.now() + ttlMs });
  }

  async listRecordings(code: string): Promise<RecordingRecord[]> {
    const now = Date.now();
    const forMeeting = this.#recordings.get(code);
    if (!forMeeting) return [];
    for (const [id, e] of forMeeting) if (e.expiresAt <= now) forMeeting.delete(id);
    return [...forMeeting.values()].map((e) => clone(e.record)).sort((a, b) => a.startedAt - b.startedAt);
  }

  async getRecording(code: string, id: string): Promise<RecordingRecord | null> {
    const e = this.#recordings.get(code)?.get(id);
    return e && e.expiresAt > Date.now() ? clone(e.record) : null;
  }

  async deleteRecording(code: string, id: string): Promise<boolean> {
    const e = this.#recordings.get(code)?.get(id);
    this.#recordings.get(code)?.delete(id);
    return Boolean(e && e.expiresAt > Date.now());
  }

  async clearLiveState(code: string): Promise<void> {
    const entry = this.#entry(code);
    if (!entry) return;
    entry.participants.clear();
    entry.audience.clear();
    entry.hands.clear();
    entry.chat = [];
    entry.pinned = null;
  }

  withRoomLock<T>(code: string, fn: () => Promise<T>): Promise<T> {
    return this.#mutex.run(code, fn);
  }

  /** Drops everything held for the meeting (a cache that is no longer this node's to keep). */
  forget(code: string): void {
    this.#rooms.delete(code);
  }

  async close(): Promise<void> {
    clearInterval(this.#sweeper);
  }
}
