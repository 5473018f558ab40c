/** The cluster suite's rules: percentiles of media back, the failover summary, and when an outage counts as unaffected. */
import { describe, expect, it } from 'vitest';
import type { KillResult } from '../../bench/cluster/failover';
import type { OutageWindow } from '../../bench/cluster/outage';
import type { PlacementRun } from '../../bench/cluster/signaling';
import {
  outageVerdict,
  percentile,
  summarizeFailover,
  summarizePlacement,
  verdicts,
} from '../../bench/cluster/verdict';

const latency = (p99: number) => ({ count: 100, p50: 1, p99, p999: p99, max: p99 });

const outageWindow = (
  redis: 'up' | 'down',
  over: { mediaDelivery?: number; mediaP99?: number; chatDelivery?: number; chatP99?: number; ackFailed?: number } = {},
): OutageWindow => ({
  redis,
  durationMs: 60_000,
  media: {
    scheduled: 3000,
    expected: 9000,
    received: Math.round(9000 * (over.mediaDelivery ?? 1)),
    delivery: over.mediaDelivery ?? 1,
    latency: latency(over.mediaP99 ?? 4),
  },
  chat: {
    sent: 60,
    expected: 240,
    received: Math.round(240 * (over.chatDelivery ?? 1)),
    delivery: over.chatDelivery ?? 1,
    ackFailed: over.ackFailed ?? 0,
    ackErrors: over.ackFailed ? ['UNAVAILABLE: no Redis'] : [],
    latency: latency(over.chatP99 ?? 10),
  },
  hdr: { media: '', chat: '' },
});

const participant = (backMs: number | null, reconnected = false) => ({
  reconnected,
  toldMs: 1500,
  rebuiltMs: 1600,
  backMs,
});

const kill = (detectionMs: number, backs: Array<number | null>): KillResult => ({
  kill: 1,
  node: 'node1',
  roomsMoved: 1,
  detectionMs,
  leasesMovedMs: detectionMs,
  participants: backs.map((b, i) => participant(b, i === 0)),
  errors: [],
});

describe('media back percentiles', () => {
  it('takes the nearest rank, so the p95 of 20 samples is the 19th', () => {
    const values = Array.from({ length: 20 }, (_, i) => (i + 1) * 100);
    expect(percentile(values, 95)).toBe(1900);
    expect(percentile(values, 50)).toBe(1000);
    expect(percentile(values, 100)).toBe(2000);
  });

  it('ranks a participant whose media never came back above every figure', () => {
    const values = [...Array.from({ length: 19 }, () => 1000), null];
    expect(percentile(values, 95)).toBe(1000);
    expect(percentile([...values, null], 95)).toBe(Infinity);
  });
});

describe('the failover summary', () => {
  it('misses detection when any single kill took longer than 2 s, even if the median is fine', () => {
    const s = summarizeFailover([kill(1200, [2000]), kill(1300, [2000]), kill(2100, [2000])]);
    expect(s.detectionP50Ms).toBe(1300);
    expect(s.detectionMaxMs).toBe(2100);
    const v = verdicts({ single: placement(10), affine: placement(10), failover: s, outage: null });
    expect(v.find((x) => x.name === 'detection')?.met).toBe(false);
  });

  it('counts a kill whose detection was never seen as too slow', () => {
    expect(summarizeFailover([kill(NaN, [2000])]).detectionMaxMs).toBe(Infinity);
  });

  it('misses media back when more than 5% of participants never got media back', () => {
    const backs = [...Array.from({ length: 18 }, () => 2000), null, null];
    const s = summarizeFailover([kill(1000, backs)]);
    expect(s.neverBack).toBe(2);
    expect(s.backP95Ms).toBe(Infinity);
    const v = verdicts({ single: placement(10), affine: placement(10), failover: s, outage: null });
    expect(v.find((x) => x.name === 'media-back')?.met).toBe(false);
  });

  it('splits participants who reconnected from those who heard media-reset', () => {
    const s = summarizeFailover([kill(1000, [2900, 1500, 1600])]);
    expect(s.reconnectedBackP95Ms).toBe(2900);
    expect(s.resetBackP95Ms).toBe(1600);
  });

  it('needs at least five kills', () => {
    const s = summarizeFailover([kill(1000, [2000])]);
    const v = verdicts({ single: placement(10), affine: placement(10), failover: s, outage: null });
    expect(v.find((x) => x.name === 'kills')?.met).toBe(false);
  });
});

type Nodes = PlacementRun['windows'][number]['nodes'];

/** The summary of one room-affine window whose nodes did this. */
const affine = (nodes: Nodes) =>
  summarizePlacement(
    [
      {
        placement: 'affine',
        run: 1,
        windows: [{ ...placementWindow(), delivered: nodes.reduce((a, n) => a + n.delivered, 0), nodes }],
      },
    ],
    'affine',
  );

const placement = (cpuMsPer1000: number) =>
  affine([
    { cpuMs: cpuMsPer1000 * 0.75, delivered: 750, cpuMsPer1000 },
    { cpuMs: cpuMsPer1000 * 0.25, delivered: 250, cpuMsPer1000 },
  ]);

describe('CPU per message across nodes', () => {
  it('weighs each node by the messages it delivered', () => {
    const s = affine([
      { cpuMs: 30, delivered: 900, cpuMsPer1000: 33.33 },
      { cpuMs: 20, delivered: 100, cpuMsPer1000: 200 },
    ]);
    expect(s.cpuMsPer1000).toBe(50);
    expect(s.worstNodeCpuMsPer1000).toBe(200);
    expect(s.worstNodeShare).toBe(0.1);
  });

  it('meets the target at 1.2× the single node and misses it above', () => {
    const at = verdicts({ single: placement(10), affine: placement(12), failover: null, outage: null });
    const above = verdicts({ single: placement(10), affine: placement(12.1), failover: null, outage: null });
    expect(at.find((x) => x.name === 'cpu')?.met).toBe(true);
    expect(above.find((x) => x.name === 'cpu')?.met).toBe(false);
  });
});

function placementWindow() {
  return {
    joinP50: 1,
    joinP99: 5,
    joinFailed: 0,
    chatP50: 1,
    chatP99: 5,
    chatP999: 6,
    delivery: 1,
    redisCpuMsPer1000: 1,
    affinity: 1,
    errors: [],
  };
}

describe('a Redis outage counts as unaffected', () => {
  it('when media and chat are as good as with Redis up, within the noise allowance', () => {
    const v = outageVerdict(outageWindow('up'), outageWindow('down', { mediaP99: 10, chatP99: 20 }));
    expect(v).toEqual({ media: true, chat: true, why: [] });
  });

  it('not when media lost more than 0.1 percentage point more than with Redis up', () => {
    const v = outageVerdict(
      outageWindow('up', { mediaDelivery: 0.999 }),
      outageWindow('down', { mediaDelivery: 0.997 }),
    );
    expect(v.media).toBe(false);
    expect(v.why[0]).toMatch(/media loss/);
  });

  it('not when media p99 grew past 1.5× Redis-up plus 5 ms', () => {
    expect(outageVerdict(outageWindow('up'), outageWindow('down', { mediaP99: 11.1 })).media).toBe(false);
  });

  it('not when a single chat message was lost or an ack refused, though media was fine', () => {
    const lost = outageVerdict(outageWindow('up'), outageWindow('down', { chatDelivery: 239 / 240 }));
    expect(lost).toMatchObject({ media: true, chat: false });
    const refused = outageVerdict(outageWindow('up'), outageWindow('down', { ackFailed: 1 }));
    expect(refused.chat).toBe(false);
    expect(refused.why.join()).toMatch(/UNAVAILABLE/);
  });

  it('not when the outage was shorter than 60 s', () => {
    const short = { ...outageWindow('down'), durationMs: 30_000 };
    const v = verdicts({
      single: placement(10),
      affine: placement(10),
      failover: null,
      outage: { up: outageWindow('up'), down: short },
    });
    expect(v.find((x) => x.name === 'outage-length')?.met).toBe(false);
  });
});
