/**
 * Spotlight: a host or co-host shows one participant large for everyone. The
 * server decides (the one permission table), keeps it in the meeting record
 * (memory or Redis), tells everyone, gives it to late joiners, and ends it
 * when that participant leaves the stage.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
import { expectErr, expectOk } from '../helpers/ack';
import { match } from '../helpers/match';
import { startRedis, type RedisInstance } from '../helpers/redis';
import { createMeeting, emit, guestCookieHeader, joined, next, recorder, startServer } from '../helpers/server';
import { sleep } from '../helpers/wait';

let redis: RedisInstance;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

describe.each(['memory', 'redis'] as const)('spotlight with the %s store', (kind) => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer(kind === 'redis' ? { redisUrl: redis.url } : {});
  });
  afterAll(() => server.close());

  let n = 0;
  /** A host (the creator), a co-host and two participants, all joined. */
  async function meeting() {
    const tag = `${kind}-${++n}`;
    const code = await createMeeting(server, guestIdentity(`spot-host-${tag}`));
    const seat = (name: string, who: string) =>
      joined(server, code, name, { cookie: guestCookieHeader(`${who}-${tag}`) });
    const host = await seat('Host', 'spot-host');
    const cohost = await seat('Cohost', 'spot-cohost');
    const ann = await seat('Ann', 'spot-ann');
    const bob = await seat('Bob', 'spot-bob');
    expectOk(await emit(host.socket, 'set-role', { participantId: cohost.self.participantId, role: 'cohost' }));
    await sleep(50); // the set-up's announcements arrive before a test records
    const all = [host, cohost, ann, bob];
    return { code, host, cohost, ann, bob, all, close: () => all.forEach((j) => j.socket.disconnect()) };
  }

  it('the host spotlights a participant: everyone, the host too, hears spotlight-changed', async () => {
    const m = await meeting();
    try {
      const heard = m.all.map((j) => next(j.socket, 'spotlight-changed'));
      expect(await emit(m.host.socket, 'set-spotlight', { participantId: m.ann.self.participantId })).toEqual({
        ok: true,
      });
      const expected = { participantId: m.ann.self.participantId, by: m.host.self.participantId };
      expect(await Promise.all(heard)).toEqual(m.all.map(() => expected));
      expect((await server.store.getMeeting(m.code))?.spotlight).toBe(m.ann.self.participantId);
    } finally {
      m.close();
    }
  });

  it('a co-host may spotlight the host, and end the spotlight; repeating it announces nothing', async () => {
    const m = await meeting();
    try {
      const hostId = m.host.self.participantId;
      const heard = next(m.bob.socket, 'spotlight-changed');
      expectOk(await emit(m.cohost.socket, 'set-spotlight', { participantId: hostId }));
      expect(await heard).toEqual({ participantId: hostId, by: m.cohost.self.participantId });
      const seen = recorder(m.bob.socket);
      expectOk(await emit(m.cohost.socket, 'set-spotlight', { participantId: hostId }));
      await sleep(80);
      expect(seen).toEqual([]);
      const ended = next(m.ann.socket, 'spotlight-changed');
      expectOk(await emit(m.host.socket, 'set-spotlight', { participantId: null }));
      expect(await ended).toEqual({ participantId: null, by: hostId });
      expect((await server.store.getMeeting(m.code))?.spotlight).toBeNull();
    } finally {
      m.close();
    }
  });

  it("a participant's spotlight is refused with FORBIDDEN, and nobody hears anything", async () => {
    const m = await meeting();
    try {
      const before = await server.store.getMeeting(m.code);
      const seen = m.all.map((j) => recorder(j.socket));
      for (const participantId of [m.bob.self.participantId, m.ann.self.participantId, null]) {
        expect(await emit(m.ann.socket, 'set-spotlight', { participantId })).toEqual({
          ok: false,
          error: { code: 'FORBIDDEN', message: match.any(String) },
        });
      }
      await sleep(100);
      expect(seen.flat()).toEqual([]);
      expect(await server.store.getMeeting(m.code)).toEqual(before);
    } finally {
      m.close();
    }
  });

  it('bad payloads and unknown people are refused, change nothing and tell nobody', async () => {
    const m = await meeting();
    try {
      const before = await server.store.getMeeting(m.code);
      const seen = m.all.map((j) => recorder(j.socket));
      const bad: unknown[] = [
        undefined,
        {},
        { participantId: 7 },
        { participantId: '' },
        { participantId: 'x'.repeat(65) },
        'ann',
      ];
      const untyped = m.host.socket as unknown as {
        timeout(ms: number): { emitWithAck(...a: unknown[]): Promise<unknown> };
      };
      for (const payload of bad)
        expect(await untyped.timeout(5_000).emitWithAck('set-spotlight', payload)).toEqual({
          ok: false,
          error: { code: 'INVALID_PAYLOAD', message: match.any(String) },
        });
      expectErr(await emit(m.host.socket, 'set-spotlight', { participantId: 'nobody-here' }), 'NOT_FOUND');
      await sleep(100);
      expect(seen.flat()).toEqual([]);
      expect(await server.store.getMeeting(m.code)).toEqual(before);
    } finally {
      m.close();
    }
  });

  it('a late joiner learns the spotlight in room-joined and in its ack', async () => {
    const m = await meeting();
    try {
      expectOk(await emit(m.host.socket, 'set-spotlight', { participantId: m.bob.self.participantId }));
      const late = await joined(server, m.code, 'Late', { cookie: guestCookieHeader(`spot-late-${kind}-${n}`) });
      expect(late.roomJoined.spotlight).toBe(m.bob.self.participantId);
      expect(late.ack.spotlight).toBe(m.bob.self.participantId);
      late.socket.disconnect();
    } finally {
      m.close();
    }
  });

  it('the spotlight ends when that participant leaves: the others hear user-left, a late joiner sees none', async () => {
    const m = await meeting();
    try {
      const bobId = m.bob.self.participantId;
      expectOk(await emit(m.host.socket, 'set-spotlight', { participantId: bobId }));
      const left = next(m.ann.socket, 'user-left');
      expectOk(await emit(m.bob.socket, 'leave-room', {}));
      expect(await left).toEqual({ participantId: bobId, reason: 'left' });
      expect((await server.store.getMeeting(m.code))?.spotlight).toBeNull();
      const late = await joined(server, m.code, 'Late', { cookie: guestCookieHeader(`spot-late2-${kind}-${n}`) });
      expect(late.roomJoined.spotlight).toBeNull();
      late.socket.disconnect();
    } finally {
      m.close();
    }
  });

  it('someone in the audience cannot be spotlit', async () => {
    const m = await meeting();
    try {
      const bobId = m.bob.self.participantId;
      expectOk(await emit(m.host.socket, 'set-spotlight', { participantId: bobId }));
      expectOk(await emit(m.host.socket, 'demote', { participantId: bobId }));
      expect((await server.store.getMeeting(m.code))?.spotlight).toBeNull();
      expectErr(await emit(m.host.socket, 'set-spotlight', { participantId: bobId }), 'NOT_FOUND');
    } finally {
      m.close();
    }
  });
});
