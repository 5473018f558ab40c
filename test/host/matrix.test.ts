/**
 * Role × action: every host action is tried by a host, a co-host, a signed-in
 * participant and a guest participant. Outcomes come from the hand-written
 * EXPECTED below, and the permission table is checked against it, so a wrong
 * table fails here. A refusal must change nothing anyone can observe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOST_ACTIONS, PERMISSION_TABLE, ROLES, type HostAction, type Role } from '../../lib/permissions';
import type { ConveneServer } from '../../server/app';
import { DEFAULT_RATE_LIMITS } from '../../server/config';
import type { Ack, AckOk } from '../../lib/protocol';
import { expectOk } from '../helpers/ack';
import { emit, recorder, startServer, type Client } from '../helpers/server';
import { sleep, until } from '../helpers/wait';
import { hostedMeeting, type Meeting } from './fixture';
import { match } from '../helpers/match';

const HOSTS: Role[] = ['host', 'cohost'];
const EXPECTED: Record<HostAction, Role[]> = {
  kick: HOSTS,
  ban: HOSTS,
  unban: HOSTS,
  'view-bans': HOSTS,
  mute: HOSTS,
  'mute-all': HOSTS,
  'stop-screen-share': HOSTS,
  'request-unmute': HOSTS,
  'set-permissions': HOSTS,
  'lock-room': HOSTS,
  'set-waiting-room': HOSTS,
  'set-ban-shield': HOSTS,
  admit: HOSTS,
  deny: HOSTS,
  'lower-hand': HOSTS,
  'set-role': ['host'],
  'transfer-host': ['host'],
  'end-meeting': ['host'],
  'delete-message': HOSTS,
  'pin-message': HOSTS,
  'set-audience': HOSTS,
  'view-audience': HOSTS,
  promote: HOSTS,
  demote: HOSTS,
  spotlight: HOSTS,
  'start-recording': HOSTS,
  'stop-recording': HOSTS,
  'view-recordings': HOSTS,
  'delete-recording': ['host'],
};

type Seen = ReturnType<typeof recorder>;
/** One host action: how to send it (typed from the contract) and what it must have changed. */
interface Attempt<R extends object = object> {
  send: (actor: Client, m: Meeting) => Promise<Ack<R>>;
  effect(m: Meeting, server: ConveneServer, ack: AckOk<R>, saw: { knocker: Seen; target: Seen }): Promise<unknown>;
}
/** Infers each attempt's result type from its `send`, so `effect` reads the ack type-checked. */
const attempt = <R extends object>(a: Attempt<R>): Attempt => a;
const targetRecord = (m: Meeting, s: ConveneServer) => s.store.getParticipant(m.code, m.target.id);
const meetingRecord = (m: Meeting, s: ConveneServer) => s.store.getMeeting(m.code).then((x) => x!);

const ATTEMPTS: Omit<Record<HostAction, Attempt>, keyof typeof RECORDING_ATTEMPTS> &
  Partial<Record<HostAction, Attempt>> = {
  kick: attempt({
    send: (actor, m) => emit(actor, 'kick-participant', { participantId: m.target.id }),
    effect: async (m, s) => expect(await targetRecord(m, s)).toBeNull(),
  }),
  ban: attempt({
    send: (actor, m) => emit(actor, 'kick-participant', { participantId: m.target.id, ban: true }),
    effect: async (m, s) =>
      expect((await meetingRecord(m, s)).bans.map((b) => b.displayName)).toEqual(['Victim', 'Target']),
  }),
  unban: attempt({
    send: (actor, m) => emit(actor, 'unban', { identityId: m.bannedIdentityId }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).bans).toEqual([]),
  }),
  'view-bans': attempt({
    send: (actor) => emit(actor, 'get-bans', {}),
    effect: async (_m, _s, ack) => expect(ack.bans.map((b) => b.displayName)).toEqual(['Victim']),
  }),
  mute: attempt({
    send: (actor, m) => emit(actor, 'mute-participant', { participantId: m.target.id, kind: 'audio' }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.media.audio).toBe(false),
  }),
  'mute-all': attempt({
    send: (actor) => emit(actor, 'mute-all', { kind: 'audio' }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.media.audio).toBe(false),
  }),
  'stop-screen-share': attempt({
    send: (actor, m) => emit(actor, 'stop-screen-share', { participantId: m.target.id }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.media.screen).toBe(false),
  }),
  'request-unmute': attempt({
    send: (actor, m) => emit(actor, 'request-unmute', { participantId: m.target.id }),
    effect: (_m, _s, _a, saw) =>
      until('unmute-requested', () => saw.target.some((e) => e.event === 'unmute-requested')),
  }),
  'set-permissions': attempt({
    send: (actor) => emit(actor, 'set-permissions', { canChat: false }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).permissions.canChat).toBe(false),
  }),
  'lock-room': attempt({
    send: (actor) => emit(actor, 'lock-room', { locked: true }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).locked).toBe(true),
  }),
  'set-waiting-room': attempt({
    send: (actor) => emit(actor, 'set-waiting-room', { mode: 'guests' }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).waitingRoom).toBe('guests'),
  }),
  'set-ban-shield': attempt({
    send: (actor) => emit(actor, 'set-ban-shield', { enabled: false }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).banShield).toBe(false),
  }),
  admit: attempt({
    send: (actor, m) => emit(actor, 'admit', { participantId: m.knocker.id }),
    effect: (_m, _s, _a, saw) => until('room-joined', () => saw.knocker.some((e) => e.event === 'room-joined')),
  }),
  deny: attempt({
    send: (actor, m) => emit(actor, 'deny', { participantId: m.knocker.id }),
    effect: (_m, _s, _a, saw) =>
      until('join-error DENIED', () =>
        saw.knocker.some((e) => e.event === 'join-error' && (e.data as { code: string }).code === 'DENIED'),
      ),
  }),
  'lower-hand': attempt({
    send: (actor, m) => emit(actor, 'lower-hand', { participantId: m.target.id }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.handRaisedAt).toBeNull(),
  }),
  'set-role': attempt({
    send: (actor, m) => emit(actor, 'set-role', { participantId: m.target.id, role: 'cohost' }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.role).toBe('cohost'),
  }),
  'transfer-host': attempt({
    send: (actor, m) => emit(actor, 'transfer-host', { participantId: m.target.id }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.role).toBe('host'),
  }),
  'end-meeting': attempt({
    send: (actor) => emit(actor, 'end-meeting', {}),
    effect: async (m, s) => expect(await s.store.listParticipants(m.code)).toEqual([]),
  }),
  'delete-message': attempt({
    send: (actor, m) => emit(actor, 'delete-message', { messageId: m.targetMessageId }),
    effect: async (m, s) => expect(await s.store.findChat(m.code, m.targetMessageId)).toBeNull(),
  }),
  'pin-message': attempt({
    send: (actor, m) => emit(actor, 'pin-message', { messageId: m.targetMessageId }),
    effect: async (m, s) => expect((await s.store.getPinnedChat(m.code))?.id).toBe(m.targetMessageId),
  }),
  'set-audience': attempt({
    send: (actor) => emit(actor, 'set-audience', { mode: 'overflow', stageLimit: 5 }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).audience).toEqual({ mode: 'overflow', stageLimit: 5 }),
  }),
  'view-audience': attempt({
    send: (actor) => emit(actor, 'get-audience', {}),
    effect: async (_m, _s, ack) => expect(ack).toEqual({ ok: true, members: [], count: 0, next: null }),
  }),
  // The target is on the stage already: promoting them changes nothing (test/audience/* promotes the audience).
  promote: attempt({
    send: (actor, m) => emit(actor, 'promote', { participantId: m.target.id }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.role).toBe('participant'),
  }),
  demote: attempt({
    send: (actor, m) => emit(actor, 'demote', { participantId: m.target.id }),
    effect: async (m, s) => {
      expect(await targetRecord(m, s)).toBeNull();
      expect((await s.store.getAudience(m.code, m.target.id))!.role).toBe('audience');
    },
  }),
  spotlight: attempt({
    send: (actor, m) => emit(actor, 'set-spotlight', { participantId: m.target.id }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).spotlight).toBe(m.target.id),
  }),
};

/** The cookie a seat connected with: the HTTP API knows the caller by it. */
const cookieOf = (actor: Client) => String((actor.io.opts.extraHeaders as Record<string, string>).cookie);
const http = async (server: ConveneServer, method: string, url: string, actor: Client): Promise<Ack> =>
  (await fetch(`${server.url}${url}`, { method, headers: { cookie: cookieOf(actor) } })).json() as Promise<Ack>;
const aRecording = (code: string) => ({
  id: 'rec1',
  meeting: code,
  startedAt: 1,
  stoppedAt: 2,
  by: 'Host',
  durationSec: 1,
  size: 0,
  status: 'failed' as const,
  tracks: [],
  node: 'elsewhere',
  file: null,
});

const RECORDING_ATTEMPTS = {
  // This server runs no SFU: past the permission check the recorder refuses
  // (MEDIA_UNAVAILABLE) and the state is rolled back (test/recording/ records for real).
  'start-recording': attempt({
    send: async (actor): Promise<Ack> => {
      const ack = await emit(actor, 'start-recording', {});
      return !ack.ok && ack.error.code === 'MEDIA_UNAVAILABLE' ? { ok: true } : ack;
    },
    effect: async (m, s) => expect((await meetingRecord(m, s)).recording ?? null).toBeNull(),
  }),
  'stop-recording': attempt({
    send: (actor) => emit(actor, 'stop-recording', {}),
    effect: async (m, s) => expect((await meetingRecord(m, s)).recording ?? null).toBeNull(),
  }),
  'view-recordings': attempt({
    send: (actor, m) => http(server, 'GET', `/api/rooms/${m.code}/recordings`, actor),
    effect: async (_m, _s, ack) => expect(ack).toEqual({ ok: true, recordings: [] }),
  }),
  'delete-recording': attempt({
    send: async (actor, m) => {
      await server.store.putRecording(aRecording(m.code), 60_000);
      return http(server, 'DELETE', `/api/rooms/${m.code}/recordings/rec1`, actor);
    },
    effect: async (m, s) => expect(await s.store.getRecording(m.code, 'rec1')).toBeNull(),
  }),
} satisfies Partial<Record<HostAction, Attempt>>;
Object.assign(ATTEMPTS, RECORDING_ATTEMPTS);

const ACTORS = [
  { label: 'host', role: 'host' as Role, seat: (m: Meeting) => m.host },
  { label: 'co-host', role: 'cohost' as Role, seat: (m: Meeting) => m.cohost },
  { label: 'signed-in participant', role: 'participant' as Role, seat: (m: Meeting) => m.member },
  { label: 'guest participant', role: 'participant' as Role, seat: (m: Meeting) => m.guest },
];

let server: ConveneServer;
beforeAll(async () => {
  const roomy: [number, number] = [10_000, 1];
  server = await startServer({
    rateLimits: { ...DEFAULT_RATE_LIMITS, join: roomy, control: roomy, unknownCode: roomy },
  });
});
afterAll(() => server.close());

it('the permission table grants exactly what the product promises', () => {
  for (const role of ROLES) {
    for (const action of HOST_ACTIONS)
      expect([role, action, PERMISSION_TABLE[role].has(action)]).toEqual([
        role,
        action,
        EXPECTED[action].includes(role),
      ]);
  }
});

let tag = 0;
describe.each(HOST_ACTIONS)('%s', (action) => {
  it.each(ACTORS)(`by a $label`, async ({ role, seat }) => {
    const m = await hostedMeeting(server, `${action}-${role}-${++tag}`);
    try {
      const actor = seat(m).socket;
      const tried = ATTEMPTS[action]!;
      if (EXPECTED[action].includes(role)) {
        const saw = { knocker: recorder(m.knocker.socket), target: recorder(m.target.socket) };
        await tried.effect(m, server, expectOk(await tried.send(actor, m)), saw);
        return;
      }
      const before = {
        participants: await server.store.listParticipants(m.code),
        meeting: await server.store.getMeeting(m.code),
        chat: await server.store.recentChat(m.code, 1_000),
        pinned: await server.store.getPinnedChat(m.code),
      };
      const seen = m.everyone.map(recorder);
      const ack = await tried.send(actor, m);
      expect(ack).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: match.any(String) } });
      await sleep(100);
      expect(seen.flat()).toEqual([]);
      expect({
        participants: await server.store.listParticipants(m.code),
        meeting: await server.store.getMeeting(m.code),
        chat: await server.store.recentChat(m.code, 1_000),
        pinned: await server.store.getPinnedChat(m.code),
      }).toEqual(before);
    } finally {
      m.close();
    }
  });
});
