/**
 * A room's chat: sending, the history as each participant may see it (in
 * pages capped by count and bytes), deleting and pinning. Room owns one of
 * these; moderation goes through Room's one permission gate.
 */
import { randomUUID } from 'node:crypto';
import { ConveneError, type ChatMessage, type ChatPage, type RoomJoined } from '../../lib/protocol';
import { canChat, canMessagePrivately, isModerator } from '../../lib/permissions';
import { visibleTo } from '../store/chat-page';
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

export class RoomChat {
  constructor(
    private readonly code: string,
    private readonly deps: ChatDeps,
    private readonly room: Pick<Room, 'assertCan'>,
  ) {}

  /** The stage first (small), then the audience: both may read and send chat. */
  async #find(participantId: string): Promise<ParticipantRecord | null> {
    const { store } = this.deps;
    return (
      (await store.getParticipant(this.code, participantId)) ?? (await store.getAudience(this.code, participantId))
    );
  }

  async #member(participantId: string): Promise<ParticipantRecord> {
    const p = await this.#find(participantId);
    if (!p) throw new ConveneError('NOT_IN_ROOM', 'You are not in this meeting');
    return p;
  }

  /** Validates sender and recipient, then appends to history. Needs no room lock: the append is atomic. */
  async send(fromId: string, text: string, to: string | undefined): Promise<ChatMessage> {
    const { store } = this.deps;
    const from = await this.#member(fromId);
    if (!isModerator(from.role)) {
      const meeting = await store.getMeeting(this.code);
      if (!meeting) throw new ConveneError('ROOM_NOT_FOUND', 'No meeting has this code');
      if (!canChat(from.role, meeting.permissions))
        throw new ConveneError(
          'FORBIDDEN',
          meeting.permissions.canChat ? 'The host turned chat off for the audience' : 'The host turned chat off',
        );
    }
    if (to !== undefined) {
      const recipient = to === fromId ? null : await this.#find(to);
      if (!recipient) throw new ConveneError('NOT_FOUND', 'The recipient is not in this meeting');
      if (!canMessagePrivately(from.role, recipient.role))
        throw new ConveneError('FORBIDDEN', 'Audience members cannot write to each other privately');
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
    const { store, chatHistory, chatHistoryBytes } = this.deps;
    const [page, pinned] = await Promise.all([
      store.chatPage(this.code, { viewer: participantId, limit: chatHistory, maxBytes: chatHistoryBytes }),
      store.getPinnedChat(this.code),
    ]);
    return { chat: page?.messages ?? [], chatHasMore: page?.hasMore ?? false, pinned };
  }

  /** Older history: the page just before `before` (a message id), or the newest page without it. */
  async page(viewerId: string, before: string | undefined, limit: number): Promise<ChatPage> {
    await this.#member(viewerId);
    const query = { viewer: viewerId, limit, maxBytes: this.deps.chatHistoryBytes };
    const page = await this.deps.store.chatPage(this.code, before === undefined ? query : { ...query, before });
    if (!page) throw new ConveneError('NOT_FOUND', 'That message is no longer in the history');
    return page;
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
