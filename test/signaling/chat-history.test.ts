/**
 * Chat history: sent once per join (in room-joined, not again in the ack),
 * capped in bytes, and paged on demand with get-chat-history.
 */
import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../lib/protocol';
import { DEFAULT_RATE_LIMITS } from '../../server/config';
import { expectErr, expectJoined, expectOk } from '../helpers/ack';
import { client, connected, createMeeting, emit, next, recorder, type Client } from '../helpers/server';
import { sharedServer } from '../helpers/shared-server';

const CAP = 16 * 1024;
const shared = sharedServer({
  chatHistoryBytes: CAP,
  rateLimits: { ...DEFAULT_RATE_LIMITS, chat: [10_000, 1], control: [10_000, 1] },
});
const join = (code: string, name: string) => shared.join(code, name);

const bytesOf = (messages: ChatMessage[]) => messages.reduce((n, m) => n + Buffer.byteLength(JSON.stringify(m)), 0);

/** Sends `n` messages of about `size` characters, numbered from `from`; returns their texts. */
async function fill(socket: Client, n: number, size = 20, from = 0): Promise<string[]> {
  const texts: string[] = [];
  for (let i = from; i < from + n; i++) {
    const text = `m${i} ${'x'.repeat(Math.max(0, size - 6))}`;
    expectOk(await emit(socket, 'send-message', { text }));
    texts.push(text);
  }
  return texts;
}

/** Every page before the newest `have`, oldest first, as a client scrolling up would fetch them. */
async function pageBack(socket: Client, have: ChatMessage[], limit?: number): Promise<ChatMessage[][]> {
  const pages: ChatMessage[][] = [];
  let oldest = have[0]?.id;
  for (;;) {
    const page = expectOk(
      await emit(socket, 'get-chat-history', { ...(oldest && { before: oldest }), ...(limit && { limit }) }),
    );
    pages.unshift(page.messages);
    if (!page.hasMore) return pages;
    expect(page.messages.length).toBeGreaterThan(0);
    oldest = page.messages[0]!.id;
  }
}

describe('chat history on join', () => {
  it('arrives once, in room-joined: the join ack carries the rest of the snapshot without the chat', async () => {
    const code = await createMeeting(shared.server);
    const alice = await join(code, 'Alice');
    await fill(alice.socket, 3);
    const late = shared.track(await connected(client(shared.server)));
    const saw = recorder(late);
    const ack = expectJoined(await emit(late, 'join-room', { roomCode: code, displayName: 'Late' }));
    const events = saw.filter((e) => e.event === 'room-joined');
    expect(events).toHaveLength(1);
    const roomJoined = events[0]!.data as { chat: ChatMessage[]; chatHasMore: boolean; pinned: unknown };
    expect(roomJoined.chat.map((m) => m.text.slice(0, 2))).toEqual(['m0', 'm1', 'm2']);
    expect(roomJoined).toMatchObject({ chatHasMore: false, pinned: null });
    expect(Object.keys(ack)).not.toContain('chat');
    expect(Object.keys(ack)).not.toContain('chatHasMore');
    expect(Object.keys(ack)).not.toContain('pinned');
    expect(ack.participants.map((p) => p.displayName)).toEqual(['Alice', 'Late']);
  });

  it('is capped in bytes to the newest messages, and says that older ones exist', async () => {
    const code = await createMeeting(shared.server);
    const alice = await join(code, 'Alice');
    const texts = await fill(alice.socket, 40, 1_000);
    const late = await join(code, 'Late');
    const { chat, chatHasMore } = late.roomJoined;
    expect(bytesOf(chat)).toBeLessThanOrEqual(CAP);
    expect(chat.length).toBeGreaterThan(5);
    expect(chat.length).toBeLessThan(40);
    expect(chat.map((m) => m.text)).toEqual(texts.slice(-chat.length));
    expect(chatHasMore).toBe(true);
  });

  it('a joiner with a full history of 200 long messages receives about the byte cap, once', async () => {
    const code = await createMeeting(shared.server);
    const alice = await join(code, 'Alice');
    await fill(alice.socket, 200, 2_000);
    const late = shared.track(await connected(client(shared.server)));
    let received = 0;
    late.io.engine.on('packet', (p) => {
      if (typeof p.data === 'string') received += Buffer.byteLength(p.data);
    });
    expectJoined(await emit(late, 'join-room', { roomCode: code, displayName: 'Late' }));
    // 200 × 2 KB of history is ~420 KB; twice that before this change.
    expect(received).toBeGreaterThan(CAP / 2);
    expect(received).toBeLessThan(CAP + 4_096);
  });
});

describe('get-chat-history', () => {
  it('pages back through the whole history in order, without the private messages of others', async () => {
    const code = await createMeeting(shared.server);
    const alice = await join(code, 'Alice');
    const bob = await join(code, 'Bob');
    const carol = await join(code, 'Carol');
    const expected: string[] = [];
    for (let i = 0; i < 45; i++) {
      const text = `n${i}`;
      if (i % 5 === 1) {
        // Between Alice and Bob: Carol must never see these.
        expectOk(await emit(alice.socket, 'send-message', { text, to: bob.self.participantId }));
      } else if (i % 5 === 3) {
        expectOk(await emit(carol.socket, 'send-message', { text, to: alice.self.participantId }));
        expected.push(text);
      } else {
        expectOk(await emit(i % 2 ? bob.socket : alice.socket, 'send-message', { text }));
        expected.push(text);
      }
    }
    const pages = await pageBack(carol.socket, [], 7);
    expect(pages.every((p) => p.length <= 7)).toBe(true);
    expect(pages.flat().map((m) => m.text)).toEqual(expected);

    // Bob sees the Alice→Bob messages but not Carol→Alice ones.
    const bobs = (await pageBack(bob.socket, [], 100)).flat().map((m) => m.text);
    expect(bobs).toContain('n1');
    expect(bobs).not.toContain('n3');
  });

  it('continues where room-joined stopped, and each page stays within the byte cap', async () => {
    const code = await createMeeting(shared.server);
    const alice = await join(code, 'Alice');
    const texts = await fill(alice.socket, 60, 1_500);
    const late = await join(code, 'Late');
    expect(late.roomJoined.chatHasMore).toBe(true);
    const pages = await pageBack(late.socket, late.roomJoined.chat);
    for (const page of pages) expect(bytesOf(page)).toBeLessThanOrEqual(CAP);
    expect([...pages.flat(), ...late.roomJoined.chat].map((m) => m.text)).toEqual(texts);
  });

  it('before a message that is not in the history is NOT_FOUND; bad payloads are INVALID_PAYLOAD', async () => {
    const code = await createMeeting(shared.server);
    const alice = await join(code, 'Alice');
    expectErr(await emit(alice.socket, 'get-chat-history', { before: 'no-such-message' }), 'NOT_FOUND');
    expectErr(await emit(alice.socket, 'get-chat-history', { limit: 0 }), 'INVALID_PAYLOAD');
    expectErr(await emit(alice.socket, 'get-chat-history', { limit: 101 }), 'INVALID_PAYLOAD');
    expectErr(await emit(alice.socket, 'get-chat-history', { before: 'x'.repeat(65) }), 'INVALID_PAYLOAD');
    expect(expectOk(await emit(alice.socket, 'get-chat-history'))).toEqual({ ok: true, messages: [], hasMore: false });
  });

  it("a private message's id does not page for someone outside it", async () => {
    const code = await createMeeting(shared.server);
    const alice = await join(code, 'Alice');
    const bob = await join(code, 'Bob');
    const carol = await join(code, 'Carol');
    await fill(alice.socket, 2);
    const { id } = expectOk(await emit(alice.socket, 'send-message', { text: 'psst', to: bob.self.participantId }));
    expectErr(await emit(carol.socket, 'get-chat-history', { before: id }), 'NOT_FOUND');
    expect(expectOk(await emit(bob.socket, 'get-chat-history', { before: id })).messages).toHaveLength(2);
  });

  it('needs a meeting: NOT_IN_ROOM before join-room', async () => {
    const outsider = shared.track(await connected(client(shared.server)));
    expectErr(await emit(outsider, 'get-chat-history', {}), 'NOT_IN_ROOM');
  });
});

describe('get-chat-history with the smallest byte cap', () => {
  const small = sharedServer({ chatHistoryBytes: 4_096, rateLimits: { ...DEFAULT_RATE_LIMITS, control: [10_000, 1] } });
  it('a message larger than the cap still comes, one per page, so paging never stalls', async () => {
    const code = await createMeeting(small.server);
    const alice = await small.join(code, 'Alice');
    // 2000 three-byte characters: ~6 KB of JSON each, over the 4 KiB cap.
    const big = Array.from({ length: 4 }, (_, i) => `${i}${'€'.repeat(1_999)}`);
    for (const text of big) expectOk(await emit(alice.socket, 'send-message', { text }));
    const late = await small.join(code, 'Late');
    expect(late.roomJoined.chat.map((m) => m.text)).toEqual(big.slice(-1));
    const pages = await pageBack(late.socket, late.roomJoined.chat);
    expect(pages.map((p) => p.length)).toEqual([1, 1, 1]);
    expect([...pages.flat(), ...late.roomJoined.chat].map((m) => m.text)).toEqual(big);
  });
});

describe('get-chat-history rate limit', () => {
  const limited = sharedServer({ rateLimits: { ...DEFAULT_RATE_LIMITS, control: [3, 60] } });
  it('spends the control bucket: the fourth page in the window is RATE_LIMITED, and others hear nothing', async () => {
    const code = await createMeeting(limited.server);
    const alice = await limited.join(code, 'Alice');
    const bob = await limited.join(code, 'Bob');
    const bobSaw = recorder(bob.socket);
    for (let i = 0; i < 3; i++) expectOk(await emit(alice.socket, 'get-chat-history', {}));
    expectErr(await emit(alice.socket, 'get-chat-history', {}), 'RATE_LIMITED');
    const atBob = next(bob.socket, 'new-message');
    expectOk(await emit(alice.socket, 'send-message', { text: 'still here' }));
    await atBob;
    expect(bobSaw.map((e) => e.event)).toEqual(['new-message']);
  });
});
