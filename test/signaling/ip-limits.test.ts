/**
 * Per-IP caps: open connections, participants with media, knocks, and the
 * unknown-code block that must not lock a meeting's own people out. Clients
 * bind to 127.0.0.x to come from different IPs; the limits that must hold
 * across processes are checked on two servers sharing one real redis-server.
 */
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
import { DEFAULT_RATE_LIMITS } from '../../server/config';
import { MeetingService } from '../../server/rooms/meetings';
import { loadSfuConfig } from '../../server/sfu';
import { expectErr, expectJoined, expectOk } from '../helpers/ack';
import { startRedis, type RedisInstance } from '../helpers/redis';
import {
  client,
  connected,
  createMeeting,
  emit,
  guestCookieHeader,
  joined,
  next,
  recorder,
  startServer,
  testConfig,
  type Client,
} from '../helpers/server';
import { sleep, until } from '../helpers/wait';

const caps = (overrides: Partial<ConveneServer['config']['caps']>) => ({ ...testConfig().caps, ...overrides });

/** The connect_error a refused handshake gets, or null if it connected. */
async function handshakeRefusal(socket: Client): Promise<{ message: string; data?: unknown } | null> {
  return connected(socket).then(
    () => null,
    (err: Error & { data?: unknown }) => ({ message: err.message, data: err.data }),
  );
}

/** Resolves with the reason once the server drops the socket. */
const disconnected = (socket: Client) =>
  new Promise<string>((resolve) => socket.once('disconnect', (reason) => resolve(reason)));

/** A meeting whose waiting room holds everyone but its creator. */
async function waitingRoomMeeting(server: ConveneServer, creator = 'owner'): Promise<string> {
  const meetings = new MeetingService(server.store, server.config);
  return (await meetings.create(guestIdentity(creator), { settings: { waitingRoom: 'everyone' } })).code;
}

describe('open connections per IP', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer({ caps: caps({ connectionsPerIp: 3 }) });
  });
  afterAll(() => server.close());

  it('the connection past the cap is refused with a clear message; other IPs connect, and a freed slot is usable again', async () => {
    const code = await createMeeting(server);
    const watcher = await joined(server, code, 'Watcher', { localAddress: '127.0.0.3' });
    await sleep(50);
    const watcherSaw = recorder(watcher.socket);

    const three = await Promise.all([0, 1, 2].map(() => connected(client(server, { localAddress: '127.0.0.2' }))));
    const refused = await handshakeRefusal(client(server, { localAddress: '127.0.0.2' }));
    expect(refused).toEqual({
      message: expect.stringMatching(/^Too many connections from your network/) as unknown,
      data: { code: 'RATE_LIMITED' },
    });
    // The refused connection does not linger: the count is back at the cap.
    await until('the refused connection closed', () => server.io.engine.clientsCount === 4);

    const neighbour = client(server, { localAddress: '127.0.0.4' });
    expect(await handshakeRefusal(neighbour)).toBeNull();
    three[0]!.disconnect();
    await until('the slot was freed', () => server.io.engine.clientsCount === 4);
    const again = await connected(client(server, { localAddress: '127.0.0.2' }));
    expectOk(await emit(again, 'join-room', { roomCode: code, displayName: 'Fourth' }));
    await until('the watcher saw the join', () => watcherSaw.length > 0);
    expect(watcherSaw.map((e) => e.event)).toEqual(['user-joined']);
    for (const s of [...three, again, neighbour, watcher.socket]) s.disconnect();
  });
});

describe('knocks per IP', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer({ caps: caps({ knocksPerIp: [2, 3_600] }) });
  });
  afterAll(() => server.close());

  it('the knock past the budget is refused and withdrawn before the host hears of it; another IP still knocks', async () => {
    const code = await waitingRoomMeeting(server);
    const host = await joined(server, code, 'Host', { cookie: guestCookieHeader('owner') });
    await sleep(50);
    const hostSaw = recorder(host.socket);

    const knock = async (name: string, localAddress: string) => {
      const socket = await connected(client(server, { localAddress }));
      return { socket, ack: await emit(socket, 'join-room', { roomCode: code, displayName: name }) };
    };
    const first = await knock('Knocker one', '127.0.0.2');
    const second = await knock('Knocker two', '127.0.0.2');
    const third = await knock('Knocker three', '127.0.0.2');
    const elsewhere = await knock('Other office', '127.0.0.3');
    for (const k of [first, second, elsewhere]) expect(expectOk(k.ack)).toMatchObject({ pending: true });
    expectErr(third.ack, 'RATE_LIMITED');

    await sleep(200);
    const lobby = (await server.store.getMeeting(code))!.lobby.map((e) => e.displayName);
    expect(lobby).toEqual(['Knocker one', 'Knocker two', 'Other office']);
    expect(JSON.stringify(hostSaw)).not.toContain('Knocker three');
    expect(JSON.stringify(hostSaw)).toContain('Other office');
    for (const k of [first, second, third, elsewhere]) k.socket.disconnect();
    host.socket.disconnect();
  });
});

describe('participants with media per IP', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer(
      { reconnectGraceMs: 0, caps: caps({ mediaParticipantsPerIp: 2 }) },
      // Ports outside the OS's ephemeral range, which other suites' free-port picks come from.
      {
        media: loadSfuConfig({
          MEDIASOUP_NUM_WORKERS: '1',
          MEDIASOUP_RTC_MIN_PORT: '21000',
          MEDIASOUP_RTC_MAX_PORT: '21099',
        }),
      },
    );
  });
  afterAll(() => server.close());

  it('the participant past the cap gets no transport; one from another IP does, and a participant who leaves frees its slot', async () => {
    const code = await createMeeting(server);
    const people = await Promise.all(
      [0, 1, 2].map((i) => joined(server, code, `Same NAT ${i}`, { localAddress: '127.0.0.2' })),
    );
    const other = await joined(server, code, 'Other', { localAddress: '127.0.0.3' });
    await sleep(50);
    const otherSaw = recorder(other.socket);

    const transport = (s: Client) => emit(s, 'create-transport', { direction: 'send' });
    expectOk(await transport(people[0]!.socket));
    expectOk(await transport(people[0]!.socket)); // a second transport for the same participant takes no new slot
    expectOk(await transport(people[1]!.socket));
    expectErr(await transport(people[2]!.socket), 'RATE_LIMITED');
    expectOk(await transport(other.socket));
    await sleep(100);
    expect(otherSaw).toEqual([]);

    const left = next(other.socket, 'user-left');
    expectOk(await emit(people[0]!.socket, 'leave-room'));
    await left;
    expectOk(await transport(people[2]!.socket));
    for (const s of [...people, other]) s.socket.disconnect();
  });
});

describe('unknown-code guessing from a shared IP', () => {
  let server: ConveneServer;
  beforeAll(async () => {
    server = await startServer({ rateLimits: { ...DEFAULT_RATE_LIMITS, unknownCode: [3, 60] } });
  });
  afterAll(() => server.close());

  it('locks strangers out of every code, but not the creator from their own meeting, nor a participant resuming; nobody inside sees the attempts', async () => {
    const owned = await createMeeting(server, guestIdentity('owner'));
    const foreign = await createMeeting(server, guestIdentity('someone-else'));
    const insider = await joined(server, foreign, 'Insider', { localAddress: '127.0.0.3' });
    const resumer = await joined(server, owned, 'Resumer', {
      localAddress: '127.0.0.2',
      cookie: guestCookieHeader('resumer'),
    });
    await sleep(50);
    const insiderSaw = recorder(insider.socket);
    const resumerSaw = recorder(resumer.socket);

    // A stranger behind the same NAT guesses until the IP is blocked.
    const stranger = await connected(client(server, { localAddress: '127.0.0.2' }));
    const join = (s: Client, roomCode: string, resumeToken?: string) =>
      emit(s, 'join-room', { roomCode, displayName: 'Someone', ...(resumeToken && { resumeToken }) });
    for (const guess of ['aaa-aaaa-aaa', 'bbb-bbbb-bbb', 'ccc-cccc-ccc'])
      expectErr(await join(stranger, guess), 'ROOM_NOT_FOUND');
    // From now on every code looks the same to a stranger: real, unknown, with a made-up resume token.
    expectErr(await join(stranger, 'ddd-dddd-ddd'), 'RATE_LIMITED');
    expectErr(await join(stranger, owned), 'RATE_LIMITED');
    expectErr(await join(stranger, foreign, 'abcdefghijkl.forged'), 'RATE_LIMITED');

    // The creator, behind that IP, still gets into their own meeting, and only into it.
    const owner = await connected(client(server, { localAddress: '127.0.0.2', cookie: guestCookieHeader('owner') }));
    expectErr(await join(owner, 'eee-eeee-eee'), 'RATE_LIMITED');
    expectErr(await join(owner, foreign), 'RATE_LIMITED');
    expect(expectJoined(await join(owner, owned)).self.role).toBe('host');

    // A participant in the reconnect grace period resumes with their token.
    const token = resumer.self.resumeToken;
    resumer.socket.disconnect();
    await sleep(100);
    const back = await connected(client(server, { localAddress: '127.0.0.2', cookie: guestCookieHeader('resumer') }));
    expect(expectJoined(await join(back, owned, token))).toMatchObject({ resumed: true });

    // Another IP is not affected.
    const other = await connected(client(server, { localAddress: '127.0.0.4' }));
    expectErr(await join(other, 'fff-ffff-fff'), 'ROOM_NOT_FOUND');

    await sleep(100);
    expect(insiderSaw).toEqual([]);
    expect(resumerSaw).toEqual([]);
    for (const s of [stranger, owner, back, other, insider.socket]) s.disconnect();
  });
});

describe('limits that hold across processes (two servers on one Redis)', () => {
  let redis: RedisInstance;
  let a: ConveneServer;
  let b: ConveneServer;
  beforeAll(async () => {
    redis = await startRedis();
    const shared = {
      redisUrl: redis.url,
      caps: caps({ knocksPerIp: [2, 3_600], flood: { refusals: 20, windowMs: 10_000, cooldownSec: 30 } }),
    };
    a = await startServer(shared);
    b = await startServer(shared);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await redis.stop();
  });

  it('knocks from one IP count on every process, and a flooder dropped by one process is refused by the other', async () => {
    const code = await waitingRoomMeeting(a);
    const knock = async (server: ConveneServer, localAddress: string) => {
      const socket = await connected(client(server, { localAddress }));
      return { socket, ack: await emit(socket, 'join-room', { roomCode: code, displayName: 'Knocker' }) };
    };
    const onA = await knock(a, '127.0.0.2');
    const onB = await knock(b, '127.0.0.2');
    const again = await knock(a, '127.0.0.2');
    expect(expectOk(onA.ack)).toMatchObject({ pending: true });
    expect(expectOk(onB.ack)).toMatchObject({ pending: true });
    expectErr(again.ack, 'RATE_LIMITED');

    const flooder = await connected(client(a, { localAddress: '127.0.0.5' }));
    const dropped = disconnected(flooder);
    for (let i = 0; i < 100; i++) (flooder as unknown as Socket).emit('no-such-event', () => undefined);
    await dropped;
    await sleep(100);
    expect(await handshakeRefusal(client(b, { localAddress: '127.0.0.5' }))).not.toBeNull();
    const unrelated = client(b, { localAddress: '127.0.0.6' });
    expect(await handshakeRefusal(unrelated)).toBeNull();
    for (const s of [onA.socket, onB.socket, again.socket, unrelated]) s.disconnect();
  });
});
