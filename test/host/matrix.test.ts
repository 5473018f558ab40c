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
import { emit, recorder, sleep, startServer } from '../helpers/server';
import { until } from '../sfu/helpers';
import { hostedMeeting, type Meeting } from './fixture';

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
  admit: HOSTS,
  deny: HOSTS,
  'lower-hand': HOSTS,
  'set-role': ['host'],
  'transfer-host': ['host'],
  'end-meeting': ['host'],
};

type Seen = ReturnType<typeof recorder>;
type Attempt = {
  event: string;
  payload: (m: Meeting) => unknown;
  effect: (m: Meeting, server: ConveneServer, ack: any, saw: { knocker: Seen; target: Seen }) => Promise<void>;
};
const targetRecord = (m: Meeting, s: ConveneServer) => s.store.getParticipant(m.code, m.target.id);
const meetingRecord = (m: Meeting, s: ConveneServer) => s.store.getMeeting(m.code).then((x) => x!);

const ATTEMPTS: Record<HostAction, Attempt> = {
  kick: {
    event: 'kick-participant',
    payload: (m) => ({ participantId: m.target.id }),
    effect: async (m, s) => expect(await targetRecord(m, s)).toBeNull(),
  },
  ban: {
    event: 'kick-participant',
    payload: (m) => ({ participantId: m.target.id, ban: true }),
    effect: async (m, s) =>
      expect((await meetingRecord(m, s)).bans.map((b) => b.displayName)).toEqual(['Victim', 'Target']),
  },
  unban: {
    event: 'unban',
    payload: (m) => ({ identityId: m.bannedIdentityId }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).bans).toEqual([]),
  },
  'view-bans': {
    event: 'get-bans',
    payload: () => ({}),
    effect: async (_m, _s, ack) =>
      expect(ack.bans.map((b: { displayName: string }) => b.displayName)).toEqual(['Victim']),
  },
  mute: {
    event: 'mute-participant',
    payload: (m) => ({ participantId: m.target.id, kind: 'audio' }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.media.audio).toBe(false),
  },
  'mute-all': {
    event: 'mute-all',
    payload: () => ({ kind: 'audio' }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.media.audio).toBe(false),
  },
  'stop-screen-share': {
    event: 'stop-screen-share',
    payload: (m) => ({ participantId: m.target.id }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.media.screen).toBe(false),
  },
  'request-unmute': {
    event: 'request-unmute',
    payload: (m) => ({ participantId: m.target.id }),
    effect: async (m, _s, _a, saw) => until(() => saw.target.some((e) => e.event === 'unmute-requested')),
  },
  'set-permissions': {
    event: 'set-permissions',
    payload: () => ({ canChat: false }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).permissions.canChat).toBe(false),
  },
  'lock-room': {
    event: 'lock-room',
    payload: () => ({ locked: true }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).locked).toBe(true),
  },
  'set-waiting-room': {
    event: 'set-waiting-room',
    payload: () => ({ mode: 'guests' }),
    effect: async (m, s) => expect((await meetingRecord(m, s)).waitingRoom).toBe('guests'),
  },
  admit: {
    event: 'admit',
    payload: (m) => ({ participantId: m.knocker.id }),
    effect: async (_m, _s, _a, saw) => until(() => saw.knocker.some((e) => e.event === 'room-joined')),
  },
  deny: {
    event: 'deny',
    payload: (m) => ({ participantId: m.knocker.id }),
    effect: async (_m, _s, _a, saw) =>
      until(() => saw.knocker.some((e) => e.event === 'join-error' && (e.data as { code: string }).code === 'DENIED')),
  },
  'lower-hand': {
    event: 'lower-hand',
    payload: (m) => ({ participantId: m.target.id }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.handRaisedAt).toBeNull(),
  },
  'set-role': {
    event: 'set-role',
    payload: (m) => ({ participantId: m.target.id, role: 'cohost' }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.role).toBe('cohost'),
  },
  'transfer-host': {
    event: 'transfer-host',
    payload: (m) => ({ participantId: m.target.id }),
    effect: async (m, s) => expect((await targetRecord(m, s))!.role).toBe('host'),
  },
  'end-meeting': {
    event: 'end-meeting',
    payload: () => ({}),
    effect: async (m, s) => expect(await s.store.listParticipants(m.code)).toEqual([]),
  },
};

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
      const attempt = ATTEMPTS[action];
      if (EXPECTED[action].includes(role)) {
        const saw = { knocker: recorder(m.knocker.socket), target: recorder(m.target.socket) };
        const ack = await emit(actor, attempt.event, attempt.payload(m));
        expect(ack).toMatchObject({ ok: true });
        await attempt.effect(m, server, ack, saw);
        return;
      }
      const before = {
        participants: await server.store.listParticipants(m.code),
        meeting: await server.store.getMeeting(m.code),
      };
      const seen = m.everyone.map(recorder);
      const ack = await emit(actor, attempt.event, attempt.payload(m));
      expect(ack).toEqual({ ok: false, error: { code: 'FORBIDDEN', message: expect.any(String) } });
      await sleep(100);
      expect(seen.flat()).toEqual([]);
      expect({
        participants: await server.store.listParticipants(m.code),
        meeting: await server.store.getMeeting(m.code),
      }).toEqual(before);
    } finally {
      m.close();
    }
  });
});
