/**
 * A room's chat: sending, the history as each participant may see it (in
 * pages capped by count and bytes), deleting and pinning. Room owns one of
 * these; moderation goes through Room's one permission gate.
 */
import { randomUUID } from 'node:crypto';
import { ConveneError, type ChatMessage, type ChatPage, type RoomJoined } from '../../lib/protocol';
import { isModerator } from '../../lib/permissions';
import type { ParticipantRecord, RoomStore } from '../store/types';
import type { Room } from './Room';

export interface ChatDeps {
  store: RoomStore;
  /** Messages kept per meeting. */
  chatHistory: number;
  /** Most bytes of message JSON in room-joined and in one page. */
  chatHistoryBytes: number;
}

/** What a joiner gets of the chat in room-joined. */
export type JoinChat = Pick<RoomJoined, 'chat' | 'chatHasMore' | 'pinned'>;

/** Public messages, and private ones the participant sent or received. */
export function visibleTo(m: ChatMessage, participantId: string): boolean {
  return !m.to || m.to === participantId || m.from.participantId === participantId;
}

const jsonBytes = (m: ChatMessage) => Buffer.byteLength(JSON.stringify(m));

/**
 * The newest messages `viewer` may see among `history[0, end)`, oldest first:
 * at most `limit` of them and `maxBytes` of JSON, but always one if there is one
 * (so paging never stalls on a message larger than the cap).
 */
export function pageOf(
  history: readonly ChatMessage[],
  end: number,
  viewer: string,
  limit: number,
  maxBytes: number,
): ChatPage {
  const messages: ChatMessage[] = [];
  let bytes = 0;
  let i = end - 1;
  for (; i >= 0; i--) {
    const m = history[i]!;
    if (!visibleTo(m, viewer)) continue;
    if (messages.length >= limit) break;
    const size = jsonBytes(m);
    if (messages.length > 0 && bytes + size > maxBytes) break;
    messages.push(m);
    bytes += size;
  }
  let hasMore = false;
  for (; i >= 0 && !hasMore; i--) hasMore = visibleTo(history[i]!, viewer);
  return { messages: messages.reverse(), hasMore };
}

export class RoomChat {
  constructor(
    private readonly code: string,
    private readonly deps: ChatDeps,
    private readonly room: Pick<Room, 'assertCan'>,
  ) {}

  async #member(participantId: string): Promise<ParticipantRecord> {
    const p = await this.deps.store.getParticipant(this.code, participantId);
    if (!p) throw new ConveneError('NOT_IN_ROOM', 'You are not in this meeting');
    return p;
  }

  #history(): Promise<ChatMessage[]> {
    return this.deps.store.recentChat(this.code, this.deps.chatHistory);
  }

  /** Validates sender and recipient, then appends to history. Needs no room lock: the append is atomic. */
  async send(fromId: string, text: string, to: string | undefined): Promise<ChatMessage> {
    const { store } = this.deps;
    const from = await this.#member(fromId);
    if (!isModerator(from.role)) {
      const meeting = await store.getMeeting(this.code);
      if (!meeting) throw new ConveneError('ROOM_NOT_FOUND', 'No meeting has this code');
      if (!meeting.permissions.canChat) throw new ConveneError('FORBIDDEN', 'The host turned chat off');
    }
    if (to !== undefined && (to === fromId || !(await store.getParticipant(this.code, to)))) {
      throw new ConveneError('NOT_FOUND', 'The recipient is not in this meeting');
    }
    const message: ChatMessage = {
      id: randomUUID(),
      from: { participantId: from.id, displayName: from.displayName },
      text,
      sentAt: Date.now(),
    };
    if (to !== undefined) message.to = to;
    await store.appendChat(this.code, message, this.deps.chatHistory);
    return message;
  }

  /** The newest history the joiner may see, within the byte cap, and the pin. Room.join calls it under its lock. */
  async forJoiner(participantId: string): Promise<JoinChat> {
    const [history, pinned] = await Promise.all([this.#history(), this.deps.store.getPinnedChat(this.code)]);
    const page = pageOf(history, history.length, participantId, Infinity, this.deps.chatHistoryBytes);
    return { chat: page.messages, chatHasMore: page.hasMore, pinned };
  }

  /** Older history: the page just before `before` (a message id), or the newest page without it. */
  async page(viewerId: string, before: string | undefined, limit: number): Promise<ChatPage> {
    await this.#member(viewerId);
    const history = await this.#history();
    let end = history.length;
    if (before !== undefined) {
      end = history.findIndex((m) => m.id === before && visibleTo(m, viewerId));
      if (end < 0) throw new ConveneError('NOT_FOUND', 'That message is no longer in the history');
    }
    return pageOf(history, end, viewerId, limit, this.deps.chatHistoryBytes);
  }

  /**
   * Deletes a message for everyone: its sender may, and so may whoever the
   * permission table lets `delete-message`. Under the room's lock, so a pin
   * cannot race it back. Returns the message (so its audience can be told)
   * and whether it was the pinned one.
   */
  delete(actorId: string, messageId: string): Promise<{ message: ChatMessage; unpinned: boolean }> {
    return this.deps.store.withRoomLock(this.code, async () => {
      const { store } = this.deps;
      const actor = await this.#member(actorId);
      const pinned = await store.getPinnedChat(this.code);
      const message = (await store.findChat(this.code, messageId)) ?? (pinned?.id === messageId ? pinned : null);
      // A private message is not there at all for anyone outside it, moderators included.
      if (!message || !visibleTo(message, actor.id)) throw new ConveneError('NOT_FOUND', 'No such message');
      if (message.from.participantId !== actor.id) this.room.assertCan(actor, 'delete-message');
      if (!(await store.deleteChat(this.code, messageId))) throw new ConveneError('NOT_FOUND', 'No such message');
      return { message, unpinned: pinned?.id === messageId };
    });
  }

  /** Pins a public message (replacing the pin), or unpins with null. Null result: nothing changed. */
  pin(actorId: string, messageId: string | null): Promise<{ message: ChatMessage | null } | null> {
    return this.deps.store.withRoomLock(this.code, async () => {
      const { store } = this.deps;
      const actor = await this.#member(actorId);
      this.room.assertCan(actor, 'pin-message');
      const pinned = await store.getPinnedChat(this.code);
      if ((pinned?.id ?? null) === messageId) return null;
      let message: ChatMessage | null = null;
      if (messageId !== null) {
        message = await store.findChat(this.code, messageId);
        if (!message || !visibleTo(message, actor.id)) throw new ConveneError('NOT_FOUND', 'No such message');
        if (message.to) throw new ConveneError('FORBIDDEN', 'A private message cannot be pinned');
      }
      await store.setPinnedChat(this.code, message);
      return { message };
    });
  }
}
