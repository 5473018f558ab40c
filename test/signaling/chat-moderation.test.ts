/**
 * Chat moderation: a host or co-host deletes any message for everyone, anyone
 * deletes their own, a host or co-host pins one message. Late joiners see the
 * result, the store keeps no deleted text, and a refusal changes nothing for anyone.
 * Run against both stores.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
import { DEFAULT_RATE_LIMITS } from '../../server/config';
import { expectErr, expectOk } from '../helpers/ack';
import {
  createMeeting,
  emit,
  guestCookieHeader,
  joined,
  next,
  recorder,
  startServer,
  type Client,
} from '../helpers/server';
import { startRedis, type RedisInstance } from '../helpers/redis';
import { sleep } from '../helpers/wait';

type Seen = ReturnType<typeof recorder>;
const QUIET_MS = 150;

describe.each(['memory', 'redis'] as const)('chat moderation (%s store)', (kind) => {
  let redis: RedisInstance | null = null;
  let raw: Redis | null = null;
  let server: ConveneServer;
  const sockets: Client[] = [];
  let tag = 0;

  beforeAll(async () => {
    if (kind === 'redis') {
      redis = await startRedis();
      raw = new Redis(redis.url, { maxRetriesPerRequest: 3 });
    }
    const roomy: [number, number] = [10_000, 1];
    server = await startServer({
      ...(redis && { redisUrl: redis.url }),
      rateLimits: { ...DEFAULT_RATE_LIMITS, join: roomy, chat: roomy, control: roomy },
    });
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await server.close();
    await raw?.quit();
    await redis?.stop();
  });

  /** A meeting with its creator as host, a co-host, and participants Alice and Bob. */
  async function meeting() {
    const t = `${kind}-${++tag}`;
    const code = await createMeeting(server, guestIdentity(`creator-${t}`));
    const seat = async (name: string, cookie = guestCookieHeader(`${name}-${t}`)) => {
      const j = await joined(server, code, name, { cookie });
      sockets.push(j.socket);
      return { socket: j.socket, id: j.self.participantId };
    };
    const host = await seat('Host', guestCookieHeader(`creator-${t}`));
    const cohost = await seat('Cohost');
    const alice = await seat('Alice');
    const bob = await seat('Bob');
    expectOk(await emit(host.socket, 'set-role', { participantId: cohost.id, role: 'cohost' }));
    await sleep(50); // the role change reaches everyone before a test starts recording
    const everyone = [host, cohost, alice, bob];
    return { code, host, cohost, alice, bob, everyone, seat };
  }

  const say = async (socket: Client, text: string, to?: string) =>
    expectOk(await emit(socket, 'send-message', { text, ...(to && { to }) })).id;

  /** Everything the store holds about this meeting's chat, as text. */
  async function stored(code: string): Promise<string> {
    if (raw) {
      const keys = (await raw.keys(`convene:{${code}}:*`)).filter((k) => !k.endsWith(':lock')).sort();
      const values = await Promise.all(
        keys.map(async (k) => {
          const type = await raw!.type(k);
          if (type === 'list') return (await raw!.lrange(k, 0, -1)).join('\n');
          if (type === 'hash') return (await raw!.hvals(k)).join('\n');
          return type === 'string' ? ((await raw!.get(k)) ?? '') : '';
        }),
      );
      return values.join('\n');
    }
    const [chat, pinned] = await Promise.all([server.store.recentChat(code, 10_000), server.store.getPinnedChat(code)]);
    return JSON.stringify({ chat, pinned });
  }

  const deletions = (seen: Seen) => seen.filter((e) => e.event === 'message-deleted').map((e) => e.data);
  const pins = (seen: Seen) => seen.filter((e) => e.event === 'message-pinned').map((e) => e.data);

  it("a host deletes another's message: everyone, the sender included, drops it; a late joiner never gets it; the store keeps no text", async () => {
    const m = await meeting();
    await say(m.alice.socket, 'before');
    const id = await say(m.bob.socket, 'something regrettable');
    await say(m.alice.socket, 'after');
    expect(await stored(m.code)).toContain('something regrettable');
    await sleep(50);
    const seen = m.everyone.map((s) => recorder(s.socket));
    const arrivals = m.everyone.map((s) => next(s.socket, 'message-deleted'));

    expect(await emit(m.host.socket, 'delete-message', { messageId: id })).toEqual({ ok: true });
    for (const got of await Promise.all(arrivals)) expect(got).toEqual({ messageId: id, by: m.host.id });
    await sleep(QUIET_MS);
    expect(seen.map((s) => s.map((e) => e.event))).toEqual([
      ['message-deleted'],
      ['message-deleted'],
      ['message-deleted'],
      ['message-deleted'],
    ]);

    expect(await stored(m.code)).not.toContain('something regrettable');
    const late = await joined(server, m.code, 'Late');
    sockets.push(late.socket);
    expect(late.roomJoined.chat.map((x) => x.text)).toEqual(['before', 'after']);
    const page = expectOk(await emit(late.socket, 'get-chat-history', {}));
    expect(page.messages.map((x) => x.text)).toEqual(['before', 'after']);
  });

  it("a co-host deletes a participant's message for everyone", async () => {
    const m = await meeting();
    const id = await say(m.alice.socket, 'off topic');
    const atBob = next(m.bob.socket, 'message-deleted');
    expectOk(await emit(m.cohost.socket, 'delete-message', { messageId: id }));
    expect(await atBob).toEqual({ messageId: id, by: m.cohost.id });
    expect(await server.store.findChat(m.code, id)).toBeNull();
  });

  it("a participant may not delete another's message: FORBIDDEN, nobody hears anything, and it stays for everyone", async () => {
    const m = await meeting();
    const id = await say(m.bob.socket, 'mine, not yours');
    await sleep(50);
    const before = await stored(m.code);
    const seen = m.everyone.map((s) => recorder(s.socket));
    expectErr(await emit(m.alice.socket, 'delete-message', { messageId: id }), 'FORBIDDEN');
    await sleep(QUIET_MS);
    expect(seen.flat()).toEqual([]);
    expect(await stored(m.code)).toBe(before);
    const late = await joined(server, m.code, 'Late');
    sockets.push(late.socket);
    expect(late.roomJoined.chat.map((x) => x.text)).toEqual(['mine, not yours']);
  });

  it('anyone deletes their own message; a private one is withdrawn only from its sender and recipient', async () => {
    const m = await meeting();
    const open = await say(m.alice.socket, 'typo');
    const arrivals = m.everyone.map((s) => next(s.socket, 'message-deleted'));
    expectOk(await emit(m.alice.socket, 'delete-message', { messageId: open }));
    for (const got of await Promise.all(arrivals)) expect(got).toEqual({ messageId: open, by: m.alice.id });

    const secret = await say(m.alice.socket, 'psst', m.bob.id);
    await sleep(50);
    const seen = m.everyone.map((s) => recorder(s.socket));
    expectOk(await emit(m.alice.socket, 'delete-message', { messageId: secret }));
    await sleep(QUIET_MS);
    expect(seen.map(deletions)).toEqual([
      [],
      [],
      [{ messageId: secret, by: m.alice.id }],
      [{ messageId: secret, by: m.alice.id }],
    ]);
    expect(await stored(m.code)).not.toMatch(/typo|psst/);
  });

  it('the recipient of a private message may not delete it, and a host outside it is told it does not exist', async () => {
    const m = await meeting();
    const secret = await say(m.alice.socket, 'between us', m.bob.id);
    await sleep(50);
    const seen = m.everyone.map((s) => recorder(s.socket));
    expectErr(await emit(m.bob.socket, 'delete-message', { messageId: secret }), 'FORBIDDEN');
    expectErr(await emit(m.host.socket, 'delete-message', { messageId: secret }), 'NOT_FOUND');
    await sleep(QUIET_MS);
    expect(seen.flat()).toEqual([]);
    expect(await stored(m.code)).toContain('between us');
  });

  it('deleting a message that is not there (never was, or already deleted) is NOT_FOUND; bad payloads are INVALID_PAYLOAD', async () => {
    const m = await meeting();
    const id = await say(m.alice.socket, 'once');
    expectOk(await emit(m.alice.socket, 'delete-message', { messageId: id }));
    await sleep(50);
    const seen = m.everyone.map((s) => recorder(s.socket));
    expectErr(await emit(m.alice.socket, 'delete-message', { messageId: id }), 'NOT_FOUND');
    expectErr(await emit(m.host.socket, 'delete-message', { messageId: 'no-such-id' }), 'NOT_FOUND');
    expectErr(await emit(m.host.socket, 'delete-message', { messageId: '' }), 'INVALID_PAYLOAD');
    expectErr(
      await emit(m.host.socket, 'pin-message', { messageId: 42 } as unknown as { messageId: string }),
      'INVALID_PAYLOAD',
    );
    await sleep(QUIET_MS);
    expect(seen.flat()).toEqual([]);
  });

  it('a host pins one message: everyone and a late joiner see it; pinning another replaces it; unpinning clears it', async () => {
    const m = await meeting();
    const first = await say(m.alice.socket, 'agenda: 1. budget');
    const second = await say(m.bob.socket, 'notes: docs.example/notes');
    const pinned = (socket: Client) => next(socket, 'message-pinned');

    let arrivals = m.everyone.map((s) => pinned(s.socket));
    expect(await emit(m.host.socket, 'pin-message', { messageId: first })).toEqual({ ok: true });
    for (const got of await Promise.all(arrivals)) {
      expect(got.by).toBe(m.host.id);
      expect(got.message).toMatchObject({ id: first, text: 'agenda: 1. budget' });
    }
    let late = await joined(server, m.code, 'Late 1');
    sockets.push(late.socket);
    expect(late.roomJoined.pinned).toMatchObject({ id: first, text: 'agenda: 1. budget' });

    arrivals = m.everyone.map((s) => pinned(s.socket));
    expectOk(await emit(m.host.socket, 'pin-message', { messageId: second }));
    for (const got of await Promise.all(arrivals)) expect(got.message?.id).toBe(second);
    late = await joined(server, m.code, 'Late 2');
    sockets.push(late.socket);
    expect(late.roomJoined.pinned?.id).toBe(second);

    arrivals = m.everyone.map((s) => pinned(s.socket));
    expectOk(await emit(m.host.socket, 'pin-message', { messageId: null }));
    for (const got of await Promise.all(arrivals)) expect(got).toEqual({ message: null, by: m.host.id });
    late = await joined(server, m.code, 'Late 3');
    sockets.push(late.socket);
    expect(late.roomJoined.pinned).toBeNull();
    expect(late.roomJoined.chat.map((x) => x.id)).toEqual([first, second]);
  });

  it('a co-host may pin; a participant may not (FORBIDDEN, and nothing changes for anyone)', async () => {
    const m = await meeting();
    const id = await say(m.alice.socket, 'pin me');
    const arrival = next(m.bob.socket, 'message-pinned');
    expectOk(await emit(m.cohost.socket, 'pin-message', { messageId: id }));
    expect((await arrival).by).toBe(m.cohost.id);

    const other = await say(m.bob.socket, 'no, me');
    await sleep(50);
    const seen = m.everyone.map((s) => recorder(s.socket));
    expectErr(await emit(m.alice.socket, 'pin-message', { messageId: other }), 'FORBIDDEN');
    expectErr(await emit(m.bob.socket, 'pin-message', { messageId: null }), 'FORBIDDEN');
    await sleep(QUIET_MS);
    expect(seen.flat()).toEqual([]);
    expect((await server.store.getPinnedChat(m.code))?.id).toBe(id);
  });

  it('a private message cannot be pinned (FORBIDDEN), and nobody hears of the attempt', async () => {
    const m = await meeting();
    const secret = await say(m.host.socket, 'for Alice only', m.alice.id);
    await sleep(50);
    const seen = m.everyone.map((s) => recorder(s.socket));
    expectErr(await emit(m.host.socket, 'pin-message', { messageId: secret }), 'FORBIDDEN');
    await sleep(QUIET_MS);
    expect(seen.flat()).toEqual([]);
    expect(await server.store.getPinnedChat(m.code)).toBeNull();
  });

  it('deleting the pinned message unpins it for everyone and for a late joiner, and leaves no copy', async () => {
    const m = await meeting();
    const id = await say(m.alice.socket, 'pinned then regretted');
    expectOk(await emit(m.host.socket, 'pin-message', { messageId: id }));
    await sleep(50);
    const seen = m.everyone.map((s) => recorder(s.socket));
    expectOk(await emit(m.alice.socket, 'delete-message', { messageId: id }));
    await sleep(QUIET_MS);
    for (const s of seen) {
      expect(deletions(s)).toEqual([{ messageId: id, by: m.alice.id }]);
      expect(pins(s)).toEqual([{ message: null, by: m.alice.id }]);
    }
    expect(await stored(m.code)).not.toContain('pinned then regretted');
    const late = await joined(server, m.code, 'Late');
    sockets.push(late.socket);
    expect(late.roomJoined).toMatchObject({ chat: [], pinned: null });
  });

  it('pinning what is already pinned, or unpinning with nothing pinned, is acked and broadcasts nothing', async () => {
    const m = await meeting();
    const id = await say(m.alice.socket, 'hello');
    expectOk(await emit(m.host.socket, 'pin-message', { messageId: null }));
    expectOk(await emit(m.host.socket, 'pin-message', { messageId: id }));
    await sleep(50);
    const seen = m.everyone.map((s) => recorder(s.socket));
    expectOk(await emit(m.host.socket, 'pin-message', { messageId: id }));
    await sleep(QUIET_MS);
    expect(seen.flat()).toEqual([]);
  });
});
