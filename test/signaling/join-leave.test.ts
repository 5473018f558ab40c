import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { guestIdentity } from '../../server/auth/identity';
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
  type Client,
} from '../helpers/server';
import type { ClientPayload, ErrorCode } from '../../lib/protocol';
import { expectErr, expectJoined, expectOk } from '../helpers/ack';
import { sleep } from '../helpers/wait';

let server: ConveneServer;
const sockets: Client[] = [];
const track = <T extends { socket: Client }>(x: T) => (sockets.push(x.socket), x);

beforeAll(async () => {
  server = await startServer();
});
afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});
afterAll(() => server.close());

describe('joining and leaving', () => {
  it('a joiner receives room-joined with the others, and the others receive user-joined', async () => {
    const code = await createMeeting(server);
    const alice = track(await joined(server, code, 'Alice'));
    const bobSocket = await connected(client(server));
    sockets.push(bobSocket);
    const announced = next(alice.socket, 'user-joined');
    const roomJoined = next(bobSocket, 'room-joined');
    const ack = expectJoined(await emit(bobSocket, 'join-room', { roomCode: code, displayName: '  Bob  ' }));
    expect(ack.self).toMatchObject({ displayName: 'Bob', role: 'participant' });
    expect(ack.participants.map((p) => p.displayName)).toEqual(['Alice', 'Bob']);
    expect(ack.room).toMatchObject({ title: 'Test meeting', locked: false, waitingRoom: 'off' });
    // The ack repeats room-joined without the chat, which only the event carries.
    const { chat, chatHasMore, pinned, ...rest } = await roomJoined;
    expect({ ok: true, ...rest }).toEqual(ack);
    expect({ chat, chatHasMore, pinned }).toEqual({ chat: [], chatHasMore: false, pinned: null });
    const { participant } = await announced;
    expect(participant).toMatchObject({
      participantId: ack.self.participantId,
      displayName: 'Bob',
      media: { audio: false, video: false, screen: false },
    });
  });

  it('the first person into an empty meeting is a participant; its creator, arriving second, is host', async () => {
    const code = await createMeeting(server, guestIdentity('jl-creator'));
    const first = track(await joined(server, code, 'First'));
    const creator = track(await joined(server, code, 'Creator', { cookie: guestCookieHeader('jl-creator') }));
    expect(first.self.role).toBe('participant');
    expect(creator.self.role).toBe('host');
  });

  it('leave-room tells the others user-left with reason left', async () => {
    const code = await createMeeting(server);
    const alice = track(await joined(server, code, 'Alice'));
    const bob = track(await joined(server, code, 'Bob'));
    const left = next(alice.socket, 'user-left');
    expect(await emit(bob.socket, 'leave-room')).toEqual({ ok: true });
    expect(await left).toEqual({ participantId: bob.self.participantId, reason: 'left' });
    const summary = await server.store.listParticipants(code);
    expect(summary.map((p) => p.displayName)).toEqual(['Alice']);
  });

  it('a dropped socket is announced as disconnected once its grace period ends', async () => {
    const quick = await startServer({ reconnectGraceMs: 150 });
    try {
      const code = await createMeeting(quick);
      const alice = await joined(quick, code, 'Alice');
      const bob = await joined(quick, code, 'Bob');
      const seen = recorder(alice.socket);
      bob.socket.disconnect();
      await sleep(60);
      expect(seen.filter((e) => e.event === 'user-left')).toEqual([]);
      expect(await next(alice.socket, 'user-left')).toEqual({
        participantId: bob.self.participantId,
        reason: 'disconnected',
      });
      alice.socket.disconnect();
    } finally {
      await quick.close();
    }
  });

  it('the host role passes to a co-host when the host leaves', async () => {
    const code = await createMeeting(server, guestIdentity('jl-host'));
    const host = track(await joined(server, code, 'Host', { cookie: guestCookieHeader('jl-host') }));
    const p1 = track(await joined(server, code, 'P1'));
    const named = next(p1.socket, 'role-changed');
    expectOk(await emit(host.socket, 'set-role', { participantId: p1.self.participantId, role: 'cohost' }));
    expect(await named).toEqual({ participantId: p1.self.participantId, role: 'cohost' });
    const roleChanged = next(p1.socket, 'role-changed');
    await emit(host.socket, 'leave-room');
    expect(await roleChanged).toEqual({ participantId: p1.self.participantId, role: 'host' });
  });
});

describe('join errors', () => {
  async function joinError(payload: ClientPayload<'join-room'>): Promise<ErrorCode> {
    const socket = await connected(client(server));
    sockets.push(socket);
    const pushed = next(socket, 'join-error');
    const ack = await emit(socket, 'join-room', payload);
    if (ack.ok) expect.unreachable(`joined: ${JSON.stringify(ack)}`);
    expect(await pushed).toEqual(ack.error);
    return ack.error.code;
  }

  it('an unknown room is ROOM_NOT_FOUND', async () => {
    expect(await joinError({ roomCode: 'abc-defg-hij', displayName: 'Eve' })).toBe('ROOM_NOT_FOUND');
  });

  it('a malformed payload is INVALID_PAYLOAD', async () => {
    // @ts-expect-error -- a room code is a string: refused by the types, and by the server too
    expect(await joinError({ roomCode: 42, displayName: 'Eve' })).toBe('INVALID_PAYLOAD');
    expect(await joinError({ roomCode: 'not a code', displayName: 'Eve' })).toBe('INVALID_PAYLOAD');
    // @ts-expect-error -- the payload is an object
    expect(await joinError('join please')).toBe('INVALID_PAYLOAD');
  });

  it('an empty or blank name is INVALID_NAME', async () => {
    const code = await createMeeting(server);
    expect(await joinError({ roomCode: code, displayName: '' })).toBe('INVALID_NAME');
    expect(await joinError({ roomCode: code, displayName: ' \u0000\u200b\t ' })).toBe('INVALID_NAME');
  });

  it('a name over 64 characters is INVALID_NAME, and nobody joined', async () => {
    const code = await createMeeting(server);
    expect(await joinError({ roomCode: code, displayName: 'x'.repeat(65) })).toBe('INVALID_NAME');
    expect(await server.store.countParticipants(code)).toBe(0);
  });

  it('a full meeting is ROOM_FULL', async () => {
    const small = await startServer({ roomCapacity: 2 });
    try {
      const code = await createMeeting(small);
      const a = await joined(small, code, 'A');
      const b = await joined(small, code, 'B');
      const c = await connected(client(small));
      expectErr(await emit(c, 'join-room', { roomCode: code, displayName: 'C' }), 'ROOM_FULL');
      for (const s of [a.socket, b.socket, c]) s.disconnect();
    } finally {
      await small.close();
    }
  });

  it('control characters are stripped from display names', async () => {
    const code = await createMeeting(server);
    const x = track(await joined(server, code, 'Mal\u0007l\u202eory'));
    expect(x.ack.self.displayName).toBe('Mallory');
  });
});
