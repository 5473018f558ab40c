/** Pages of chat history as one participant may see them; shared by the stores so both page alike. */
import type { ChatMessage, ChatPage } from '../../lib/protocol';

/** Public messages, and private ones the participant sent or received. */
export function visibleTo(m: ChatMessage, participantId: string): boolean {
  return !m.to || m.to === participantId || m.from.participantId === participantId;
}

/** What to read: the newest messages `viewer` may see before `before` (or the newest ones). */
export interface ChatPageQuery {
  viewer: string;
  /** A message id; the page ends just before it. */
  before?: string;
  limit: number;
  /** Most bytes of message JSON; a page still holds one message larger than this. */
  maxBytes: number;
}

/** A message's size as the cap counts it: the UTF-8 bytes of its JSON (as the Redis store keeps it). */
export const chatBytes = (m: ChatMessage) => Buffer.byteLength(JSON.stringify(m));

/**
 * The page of `history` (oldest first) that `query` asks for, oldest first;
 * null when `before` is not there for this viewer.
 */
export function pageOf(history: readonly ChatMessage[], query: ChatPageQuery): ChatPage | null {
  const { viewer, before, limit, maxBytes } = query;
  const end = before === undefined ? history.length : history.findIndex((m) => m.id === before && visibleTo(m, viewer));
  if (end < 0) return null;
  const messages: ChatMessage[] = [];
  let bytes = 0;
  let i = end - 1;
  for (; i >= 0; i--) {
    const m = history[i]!;
    if (!visibleTo(m, viewer)) continue;
    if (messages.length >= limit) break;
    const size = chatBytes(m);
    if (messages.length > 0 && bytes + size > maxBytes) break;
    messages.push(m);
    bytes += size;
  }
  let hasMore = false;
  for (; i >= 0 && !hasMore; i--) hasMore = visibleTo(history[i]!, viewer);
  return { messages: messages.reverse(), hasMore };
}
