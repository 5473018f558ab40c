import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientEventSchemas } from '../../lib/protocol';
import type { ConveneServer } from '../../server/app';
import { DEFAULT_RATE_LIMITS } from '../../server/config';
import { expectErr } from '../helpers/ack';
import {
  client,
  connected,
  createMeeting,
  emit,
  joined,
  recorder,
  startServer,
  testConfig,
  type Client,
} from '../helpers/server';
import { sleep } from '../helpers/wait';

// Untyped on purpose: the fuzzer sends event names and payloads that the typed `emit` would not let compile.
const emitRaw = (socket: Client, event: string, ...args: unknown[]): Promise<unknown> =>
  (socket as unknown as Socket).timeout(5_000).emitWithAck(event, ...args);

describe('rate limits', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer({ rateLimits: { ...DEFAULT_RATE_LIMITS, chat: [5, 60] } });
  });
  afterAll(() => server.close());

  it('a chat flood is RATE_LIMITED for the offender only; the others keep chatting and hear only what was allowed', async () => {
    const code = await createMeeting(server);
    const flooder = await joined(server, code, 'Flooder');
    const calm = await joined(server, code, 'Calm');
    const watcher = await joined(server, code, 'Watcher');
    const watcherSaw = recorder(watcher.socket);
    const calmSaw = recorder(calm.socket);

    const acks = await Promise.all(
      Array.from({ length: 20 }, (_, i) => emit(flooder.socket, 'send-message', { text: `spam ${i}` })),
    );
    expect(acks.filter((a) => a.ok)).toHaveLength(5);
    for (const refused of acks.filter((a) => !a.ok)) expectErr(refused, 'RATE_LIMITED');
    expect(await emit(calm.socket, 'send-message', { text: 'still here' })).toMatchObject({ ok: true });
    await sleep(100);

    const texts = watcherSaw.filter((e) => e.event === 'new-message').map((e) => (e.data as { text: string }).text);
    expect(texts.filter((t) => t.startsWith('spam'))).toHaveLength(5);
    expect(texts).toContain('still here');
    expect(calmSaw.concat(watcherSaw).filter((e) => e.event === 'error')).toEqual([]);
    for (const s of [flooder, calm, watcher]) s.socket.disconnect();
  });

  it('guessing unknown codes is rate-limited per IP, even for a code that exists', async () => {
    const strict = await startServer({ rateLimits: { ...DEFAULT_RATE_LIMITS, unknownCode: [3, 60] } });
    try {
      const real = await createMeeting(strict);
      const socket = await connected(client(strict));
      const guesses = ['aaa-aaaa-aaa', 'bbb-bbbb-bbb', 'ccc-cccc-ccc', 'ddd-dddd-ddd'];
      const expected = ['ROOM_NOT_FOUND', 'ROOM_NOT_FOUND', 'ROOM_NOT_FOUND', 'RATE_LIMITED'] as const;
      for (const [i, guess] of guesses.entries())
        expectErr(await emit(socket, 'join-room', { roomCode: guess, displayName: 'Guesser' }), expected[i]!);
      expectErr(await emit(socket, 'join-room', { roomCode: real, displayName: 'Guesser' }), 'RATE_LIMITED');
      socket.disconnect();
    } finally {
      await strict.close();
    }
  });
});

/** Deterministic pseudo-random values, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32;
}

function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * 14);
  const str = (n: number) => Array.from({ length: n }, () => String.fromCharCode(Math.floor(r() * 0x2fff))).join('');
  switch (pick) {
    case 0:
      return null;
    case 1:
      return undefined;
    case 2:
      return r() > 0.5;
    case 3:
      return Math.floor(r() * 2 ** 40) - 2 ** 39;
    case 4:
      return r() > 0.5 ? NaN : -0;
    case 5:
      return str(Math.floor(r() * 12));
    case 6:
      return str(70 + Math.floor(r() * 3000));
    case 7:
      return ['abc-defg-hij', 'ABC DEFG HIJ', 'audio', 'video', 'screen', '', ' ', '__proto__', 'constructor'][
        Math.floor(r() * 9)
      ];
    case 8:
      return depth > 3 ? {} : Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth + 1));
    case 9:
      return Buffer.from(str(8));
    default: {
      if (depth > 3) return {};
      const keys = [
        'roomCode',
        'displayName',
        'userId',
        'resumeToken',
        'kind',
        'enabled',
        'text',
        'to',
        'active',
        'participantId',
        'reason',
        '__proto__',
        'constructor',
      ];
      const o: Record<string, unknown> = {};
      // defineProperty, so '__proto__' becomes an own key on the wire instead of swapping the prototype here.
      for (let i = Math.floor(r() * 5); i > 0; i--) {
        Object.defineProperty(o, keys[Math.floor(r() * keys.length)]!, {
          value: randomValue(r, depth + 1),
          enumerable: true,
          configurable: true,
          writable: true,
        });
      }
      return o;
    }
  }
}

describe('fuzzing', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    // Limits off, so every payload reaches validation instead of the rate limiter, and the
    // fuzzers' thousands of refusals do not get them dropped as flooders.
    const open: [number, number] = [1_000_000, 1];
    server = await startServer({
      rateLimits: { join: open, chat: open, typing: open, control: open, react: open, unknownCode: open },
      caps: { ...testConfig().caps, flood: { refusals: 1_000_000, windowMs: 1_000, cooldownSec: 0 } },
    });
  });
  afterAll(() => server.close());

  it('10,000 random and malformed payloads across every event crash nothing and change no state; a normal join works after', async () => {
    const code = await createMeeting(server);
    const host = await joined(server, code, 'Host');
    const member = await joined(server, code, 'Member');
    await sleep(50); // let Member's user-joined reach the host before recording
    const hostSaw: ReturnType<typeof recorder> = [];
    const snapshot = async () => ({
      participants: await server.store.listParticipants(code),
      chat: await server.store.recentChat(code, 500),
      meeting: await server.store.getMeeting(code),
    });

    // Two fuzzers are in the meeting, so payloads reach the handlers past the membership check.
    const inside = await Promise.all([0, 1].map(async (i) => (await joined(server, code, `Fuzzer ${i}`)).socket));
    const outside = await Promise.all([0, 1].map(() => connected(client(server))));
    const fuzzers = [...inside, ...outside];
    await sleep(50);
    const events = [
      ...Object.keys(clientEventSchemas),
      'unknown-event',
      'disconnect-me',
      '',
      'constructor',
      '__proto__',
    ];
    const before = await snapshot();
    host.socket.onAny((event: string, data: unknown) => hostSaw.push({ event, data }));
    const r = rng(20261122);
    let answered = 0;
    const N = 10_000;
    for (let batch = 0; batch < N / 500; batch++) {
      const acks = Array.from({ length: 500 }, (_, i) => {
        const socket = fuzzers[i % fuzzers.length]!;
        const event = events[Math.floor(r() * events.length)]!;
        const args = Array.from({ length: Math.floor(r() * 3) }, () => randomValue(r));
        // Payloads that happen to be valid joins are skipped: they would legitimately change state.
        if (event === 'join-room')
          args[0] = {
            ...(typeof args[0] === 'object' && args[0] ? args[0] : {}),
            roomCode: r() > 0.5 ? 'zzz-zzzz-zzz' : 42,
          };
        // Only malformed payloads: one that happens to be valid is made invalid.
        // Stay under maxHttpBufferSize: an oversized packet makes engine.io drop the connection, by design.
        if (Buffer.byteLength(JSON.stringify(args)) > 24_000) args.splice(0, args.length, 'too big');
        const schema = Object.hasOwn(clientEventSchemas, event)
          ? clientEventSchemas[event as keyof typeof clientEventSchemas]
          : undefined;
        if (schema?.safeParse(args[0]).success) args[0] = 42;
        return emitRaw(socket, event, ...args).then((ack) => {
          expect(ack).toMatchObject({ ok: false });
          answered++;
        });
      });
      await Promise.all(acks);
    }
    expect(answered).toBe(N);
    expect(fuzzers.every((s) => s.connected)).toBe(true);

    expect(await snapshot()).toEqual(before);
    expect(hostSaw).toEqual([]);

    const late = await joined(server, code, 'After the storm');
    expect(late.ack.participants).toHaveLength(5);
    for (const s of [...fuzzers, host.socket, member.socket, late.socket]) s.disconnect();
  }, 120_000);

  it('events named after Object.prototype members are answered as unknown, not looked up on the prototype', async () => {
    const socket = await connected(client(server));
    for (const event of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(await emitRaw(socket, event, {})).toEqual({
        ok: false,
        error: { code: 'INVALID_PAYLOAD', message: `Unknown event: ${event}` },
      });
    }
    socket.disconnect();
  });
});
