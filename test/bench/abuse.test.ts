/** The abuse suite's own rules: when an attack meets its targets, and what counts as the attacker getting something. */
import { describe, expect, it } from 'vitest';
import type { AttackKind, Limits } from '../../bench/abuse/attacks';
import {
  attackerGotNothing,
  remeasure,
  rssBoundBytes,
  summarizeAttack,
  validity,
  type Got,
  type Pair,
  type Setting,
  type WindowFigures,
} from '../../bench/abuse/verdict';
import { attackerAddress } from '../../bench/abuse/wire';

const MB = 2 ** 20;
const limits: Limits = {
  chat: [20, 10],
  react: [10, 10],
  control: [60, 10],
  join: [10, 10],
  roomBroadcasts: [200, 10],
  ipBroadcasts: { points: 150, seconds: 10, perSecond: 30 },
  waitingRoomCap: 100,
  sendBufferBytes: 4 * MB,
  connectionsPerIp: 200,
  knocksPerIp: [300, 3600],
};
const setting = (size: number): Setting => ({ limits, size, victims: 21, windowMs: 4500 });

const window = (over: { chatP99?: number; hostP99?: number; rssGrowth?: number } & Partial<WindowFigures> = {}) => {
  const { chatP99 = 5, hostP99 = 5, rssGrowth = MB, ...rest } = over;
  return {
    valid: true,
    why: [],
    chat: { p50: 1, p99: chatP99, sent: 40, refused: 0, lost: 0 },
    host: { p50: 1, p99: hostP99, sent: 64, refused: 0 },
    victimsDisconnected: 0,
    server: { cpuShare: 0.05, eldP99Ms: 5, rssBefore: 100 * MB, rssPeak: 100 * MB + rssGrowth, rssEnd: 100 * MB },
    generatorCpuShare: 0.1,
    floorEldP99Ms: 5,
    ...rest,
  } satisfies WindowFigures;
};

const nothing: Got = {
  broadcastsPerVictim: 0,
  presencePerVictim: 0,
  sent: 5000,
  answers: 100,
  connectsTried: 40,
  connectsRefused: 35,
  closedByServer: 5,
  joined: 0,
  knocksAccepted: 0,
  refused: {},
  connectedAtEnd: 0,
  peakConnected: 5,
  peakQueuedBytes: 0,
  lobbyCharsPerModerator: 0,
};

const pair = (run: number, attacked: WindowFigures, got: Partial<Got> = {}, attack: AttackKind = 'flood'): Pair => ({
  run,
  attack,
  ip: attackerAddress(run, 0),
  baseline: window(),
  attacked,
  got: { ...nothing, ...got },
  rssAfter: 101 * MB,
  leadMs: 0,
  tailMs: 0,
});

describe('victims latency under attack', () => {
  it('an attacked p99 at twice the no-attack p99 and under 50 ms is met; a hair above either is missed', () => {
    const at = (chatP99: number, baselineP99 = 5) => {
      const p = pair(1, window({ chatP99 }));
      p.baseline = window({ chatP99: baselineP99 });
      return summarizeAttack('flood', [p], setting(5)).chat.met;
    };
    expect(at(10)).toBe(true);
    expect(at(10.1)).toBe(false);
    expect(at(49, 30)).toBe(true);
    expect(at(50.5, 30)).toBe(false);
  });

  it("is missed when no victim's message got through at all: no latency is not a low latency", () => {
    const silenced = window({ chatP99: NaN });
    silenced.chat.refused = 40;
    const chat = summarizeAttack('amplification', [pair(1, silenced, {}, 'amplification')], setting(60)).chat;
    expect(chat.ratioP99).toBeNaN();
    expect(chat.met).toBe(false);
  });

  it('is judged on the median run, so one stalled run does not decide it', () => {
    const pairs = [pair(1, window({ hostP99: 6 })), pair(2, window({ hostP99: 400 })), pair(3, window({ hostP99: 7 }))];
    const host = summarizeAttack('flood', pairs, setting(5)).host;
    expect(host.attackedP99).toBe(7);
    expect(host.met).toBe(true);
  });

  it("a window whose victims' generator saturated its core is void and left out of every figure", () => {
    const saturated = { ...window({ chatP99: 900, rssGrowth: 900 * MB }), generatorCpuShare: 0.95 };
    expect(validity(saturated, true).valid).toBe(false);
    const s = summarizeAttack(
      'flood',
      [pair(1, window()), pair(2, { ...saturated, ...validity(saturated, true) })],
      setting(5),
    );
    expect(s.pairs).toBe(1);
    expect(s.voided).toBe(1);
    expect(s.chat.attackedP99).toBe(5);
    expect(s.rss.met).toBe(true);
  });

  it("a no-attack window in which a victim's message was refused is no baseline: something from before was still in effect", () => {
    const spent = window();
    spent.chat.refused = 2;
    expect(validity(spent, false)).toMatchObject({ valid: false });
    // Under attack the same refusal is the attack's doing, judged as what the attacker got.
    expect(validity(spent, true)).toEqual({ valid: true, why: [] });
    expect(validity(window({ victimsDisconnected: 1 }), false).valid).toBe(false);
  });

  it('an attack with no valid run meets nothing', () => {
    const saturated = { ...window(), valid: false };
    const s = summarizeAttack('flood', [pair(1, saturated)], setting(5));
    expect([s.chat.met, s.host.met, s.rss.met, s.got.ok]).toEqual([false, false, false, false]);
  });
});

describe('a noisy machine', () => {
  it('a pair that missed while the idle processes beside it stalled is measured again; a clean miss, or a noisy pass, is not', () => {
    const missed = pair(1, window({ chatP99: 30 }));
    expect(remeasure(missed)).toBe(false);
    expect(remeasure({ ...missed, attacked: { ...missed.attacked, floorEldP99Ms: 25 } })).toBe(true);
    expect(remeasure({ ...missed, baseline: { ...missed.baseline, floorEldP99Ms: 25 } })).toBe(true);
    const passed = pair(1, window({ floorEldP99Ms: 25 }));
    expect(remeasure(passed)).toBe(false);
  });
});

describe('server memory under attack', () => {
  it('is judged on the worst run, against what the caps let that attacker make the server hold', () => {
    const grew = (mb: number, attack: AttackKind = 'flood') =>
      summarizeAttack(attack, [pair(1, window()), pair(2, window({ rssGrowth: mb * MB }))], setting(3)).rss.met;
    expect(grew(31)).toBe(true);
    expect(grew(33)).toBe(false);
    // Three slow readers may each hold their send-buffer cap (4 MB) and one sweep's overshoot.
    expect(rssBoundBytes('slow-readers', setting(3))).toBe(32 * MB + 3 * 6 * MB);
    expect(grew(49, 'slow-readers')).toBe(true);
    expect(grew(51, 'slow-readers')).toBe(false);
  });
});

describe('what the attacker got', () => {
  const judge = (kind: AttackKind, got: Partial<Got>, victims = window(), size = 5) =>
    attackerGotNothing(kind, { ...nothing, ...got }, victims, setting(size));

  it('a flooder that was cut and kept out got nothing; one still connected, or heard by the victims, got something', () => {
    expect(judge('flood', {})).toEqual({ ok: true, why: [] });
    expect(judge('flood', { connectedAtEnd: 1 }).why).toEqual(['1 socket(s) still connected at the end']);
    expect(judge('flood', { broadcastsPerVictim: 0.5 }).ok).toBe(false);
  });

  it("a victim's message refused or lost, or a host action refused, counts against any attack even when latency is fine", () => {
    const refused = window();
    refused.chat.refused = 3;
    expect(judge('amplification', {}, refused).why).toEqual(["3 of 40 victims' messages refused"]);
    const lost = window();
    lost.chat.lost = 1;
    expect(judge('knock-flood', {}, lost).ok).toBe(false);
    const hostRefused = window();
    hostRefused.host.refused = 1;
    expect(judge('slow-readers', {}, hostRefused).ok).toBe(false);
    expect(judge('flood', {}, window({ victimsDisconnected: 1 })).ok).toBe(false);
  });

  it("broadcasts within one IP's share of the meeting are what any address may send, however many sockets it opens; more is something", () => {
    // Paced at 30/s over 4.5 s (135), plus a burst of 10 in each of the 6 seconds a 4.5 s span can touch.
    expect(judge('amplification', { broadcastsPerVictim: 195 }, window(), 60)).toEqual({ ok: true, why: [] });
    expect(judge('amplification', { broadcastsPerVictim: 196 }, window(), 60).why).toEqual([
      "196 broadcasts reached each victim (its IP's share: 195)",
    ]);
    // A share smaller than its pace allows binds instead: 20 per 10 s, and a 4.5 s span touches two windows.
    const small = { ...limits, ipBroadcasts: { points: 20, seconds: 10, perSecond: 30 } };
    const judged = (n: number) =>
      attackerGotNothing('amplification', { ...nothing, broadcastsPerVictim: n }, window(), {
        limits: small,
        windowMs: 4500,
      }).ok;
    expect([judged(40), judged(41)]).toEqual([true, false]);
  });

  it('amplification may grow memory by one whole IP share of the longest messages written to every socket in the room', () => {
    // 150 messages of 2,000 characters and 200 of overhead, to 21 victims and 60 attackers.
    expect(rssBoundBytes('amplification', setting(60))).toBe(32 * MB + 150 * 2200 * 81);
  });

  it('a slow reader may be seen with its send-buffer cap queued, and one sweep more, but no further', () => {
    expect(judge('slow-readers', { peakQueuedBytes: 6 * MB }).ok).toBe(true);
    expect(judge('slow-readers', { peakQueuedBytes: 6 * MB + 1 }).ok).toBe(false);
  });

  it('a knocker let in, knocks past the waiting-room cap, or whole lists sent to moderators count against the knock flood', () => {
    const knocks = { knocksAccepted: 100, lobbyCharsPerModerator: 100 * 300 };
    expect(judge('knock-flood', knocks).ok).toBe(true);
    expect(judge('knock-flood', { ...knocks, joined: 1 }).why).toEqual(['1 knocker(s) let in']);
    expect(judge('knock-flood', { ...knocks, knocksAccepted: 101 }).ok).toBe(false);
    expect(judge('knock-flood', { ...knocks, lobbyCharsPerModerator: 100 * 1025 }).ok).toBe(false);
  });

  it('the summary names the run of every finding', () => {
    const s = summarizeAttack('flood', [pair(1, window()), pair(2, window(), { connectedAtEnd: 2 })], setting(5));
    expect(s.got).toEqual({ ok: false, why: ['run 2: 2 socket(s) still connected at the end'] });
  });
});

describe('attacker addresses', () => {
  it('every attacked window comes from its own loopback address, so no per-IP budget or cool-down carries over', () => {
    const all = [0, 1].flatMap((attempt) =>
      [1, 2, 3].flatMap((run) => [0, 1, 2, 3].map((i) => attackerAddress(run, i, attempt))),
    );
    expect(new Set(all).size).toBe(24);
    expect(all.every((ip) => ip.startsWith('127.') && ip !== '127.0.0.1')).toBe(true);
  });
});
