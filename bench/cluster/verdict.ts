/**
 * The cluster suite's rules: how its windows and kills are summed up, and when
 * each target of issue 13 counts as met. Pure functions (test/bench/cluster.test.ts).
 */
import { median, round } from '../lib/stats';
import type { KillResult } from './failover';
import type { OutageWindow } from './outage';
import type { Placement, PlacementRun } from './signaling';

/** Issue 13's targets. */
export const TARGETS = {
  /** Two nodes with room-affine traffic: CPU per delivered message, against one node on the same Redis. */
  cpuRatio: 1.2,
  detectionMs: 2_000,
  mediaBackP95Ms: 3_000,
  kills: 5,
  outageMs: 60_000,
};

/**
 * "Unaffected" by the outage, on a shared machine: no more loss than with
 * Redis up (0.1 percentage point of slack for media, none for chat, every
 * chat ack ok), and a p99 no worse than 1.5× Redis-up's plus 5 ms.
 */
export const UNAFFECTED = { mediaLossSlack: 0.001, p99Factor: 1.5, p99SlackMs: 5 };

export interface PlacementSummary {
  placement: Placement;
  windows: number;
  joinP99: number;
  chatP50: number;
  chatP99: number;
  delivery: number;
  /** All nodes' CPU over all their deliveries: the mean per-node CPU per message, weighted by deliveries. */
  cpuMsPer1000: number;
  /** The node with the highest CPU per message, and its share of the deliveries. */
  worstNodeCpuMsPer1000: number;
  worstNodeShare: number;
  redisCpuMsPer1000: number;
  affinity: number;
}

/** Medians over every window of every run of one placement. */
export function summarizePlacement(runs: PlacementRun[], placement: Placement): PlacementSummary {
  const w = runs.filter((r) => r.placement === placement).flatMap((r) => r.windows);
  const cpu = (x: (typeof w)[number]) => x.nodes.reduce((a, n) => a + n.cpuMs, 0);
  const worst = (x: (typeof w)[number]) => [...x.nodes].sort((a, b) => b.cpuMsPer1000 - a.cpuMsPer1000)[0];
  return {
    placement,
    windows: w.length,
    joinP99: median(w.map((x) => x.joinP99)),
    chatP50: median(w.map((x) => x.chatP50)),
    chatP99: median(w.map((x) => x.chatP99)),
    delivery: Math.min(...w.map((x) => x.delivery)),
    cpuMsPer1000: round(median(w.map((x) => (cpu(x) / Math.max(1, x.delivered)) * 1000)), 2),
    worstNodeCpuMsPer1000: median(w.map((x) => worst(x)?.cpuMsPer1000 ?? NaN)),
    worstNodeShare: round(median(w.map((x) => (worst(x)?.delivered ?? NaN) / Math.max(1, x.delivered))), 3),
    redisCpuMsPer1000: median(w.map((x) => x.redisCpuMsPer1000)),
    affinity: Math.min(...w.map((x) => x.affinity)),
  };
}

/** Nearest-rank percentile; a participant whose media never came back (null) ranks above every figure. */
export function percentile(values: Array<number | null>, p: number): number {
  if (values.length === 0) return NaN;
  const v = values.map((x) => x ?? Infinity).sort((a, b) => a - b);
  return v[Math.min(v.length - 1, Math.max(0, Math.ceil((p / 100) * v.length) - 1))]!;
}

export interface FailoverSummary {
  kills: number;
  participants: number;
  neverBack: number;
  detectionP50Ms: number;
  detectionMaxMs: number;
  leasesMovedP50Ms: number;
  toldP50Ms: number;
  backP50Ms: number;
  backP95Ms: number;
  backMaxMs: number;
  /** Media back for those whose socket died with the node, and for those who only heard media-reset. */
  reconnectedBackP95Ms: number;
  resetBackP95Ms: number;
  errors: number;
}

export function summarizeFailover(kills: KillResult[]): FailoverSummary {
  const all = kills.flatMap((k) => k.participants);
  const back = (ps: typeof all) => ps.map((p) => p.backMs);
  const detections = kills.map((k) => (Number.isFinite(k.detectionMs) ? k.detectionMs : Infinity));
  return {
    kills: kills.length,
    participants: all.length,
    neverBack: all.filter((p) => p.backMs === null).length,
    detectionP50Ms: median(kills.map((k) => k.detectionMs)),
    detectionMaxMs: Math.max(...detections),
    leasesMovedP50Ms: median(kills.map((k) => k.leasesMovedMs)),
    toldP50Ms: median(all.map((p) => p.toldMs)),
    backP50Ms: percentile(back(all), 50),
    backP95Ms: percentile(back(all), 95),
    backMaxMs: percentile(back(all), 100),
    reconnectedBackP95Ms: percentile(back(all.filter((p) => p.reconnected)), 95),
    resetBackP95Ms: percentile(back(all.filter((p) => !p.reconnected)), 95),
    errors: kills.reduce((a, k) => a + k.errors.length, 0),
  };
}

/** Whether the outage window's media and chat were as good as the Redis-up window's (see UNAFFECTED). */
export function outageVerdict(up: OutageWindow, down: OutageWindow): { media: boolean; chat: boolean; why: string[] } {
  const why: string[] = [];
  const p99Bound = (x: number) => x * UNAFFECTED.p99Factor + UNAFFECTED.p99SlackMs;
  const mediaLoss = (w: OutageWindow) => 1 - w.media.delivery;
  if (!(mediaLoss(down) <= mediaLoss(up) + UNAFFECTED.mediaLossSlack))
    why.push(`media loss ${pct(mediaLoss(down))} with Redis down against ${pct(mediaLoss(up))} up`);
  if (!(down.media.latency.p99 <= p99Bound(up.media.latency.p99)))
    why.push(`media p99 ${down.media.latency.p99} ms with Redis down against ${up.media.latency.p99} ms up`);
  const media = why.length === 0;
  if (!(down.chat.delivery >= up.chat.delivery && down.chat.delivery === 1))
    why.push(`chat delivery ${pct(down.chat.delivery)} with Redis down`);
  if (down.chat.ackFailed > 0) why.push(`${down.chat.ackFailed} chat acks not ok: ${down.chat.ackErrors[0] ?? ''}`);
  if (!(down.chat.latency.p99 <= p99Bound(up.chat.latency.p99)))
    why.push(`chat p99 ${down.chat.latency.p99} ms with Redis down against ${up.chat.latency.p99} ms up`);
  if (down.media.scheduled === 0 || down.chat.sent === 0) why.push('nothing was sent while Redis was down');
  return { media: media && down.media.scheduled > 0, chat: why.length === 0, why };
}

const pct = (x: number) => `${round(x * 100, 3)}%`;

export interface Verdict {
  name: string;
  met: boolean;
  why?: string;
}

export function verdicts(s: {
  single: PlacementSummary;
  affine: PlacementSummary;
  failover: FailoverSummary | null;
  outage: { up: OutageWindow; down: OutageWindow } | null;
}): Verdict[] {
  const ratio = s.affine.cpuMsPer1000 / s.single.cpuMsPer1000;
  const out: Verdict[] = [{ name: 'cpu', met: ratio <= TARGETS.cpuRatio, why: `${round(ratio, 2)}×` }];
  if (s.failover) {
    const f = s.failover;
    out.push(
      { name: 'kills', met: f.kills >= TARGETS.kills, why: `${f.kills} kills` },
      { name: 'detection', met: f.detectionMaxMs <= TARGETS.detectionMs, why: `max ${f.detectionMaxMs} ms` },
      { name: 'media-back', met: f.backP95Ms <= TARGETS.mediaBackP95Ms, why: `p95 ${f.backP95Ms} ms` },
    );
  }
  if (s.outage) {
    const v = outageVerdict(s.outage.up, s.outage.down);
    const long = s.outage.down.durationMs >= TARGETS.outageMs;
    out.push(
      { name: 'outage-length', met: long, why: `${s.outage.down.durationMs / 1000} s` },
      { name: 'outage-media', met: v.media, why: v.why.join('; ') },
      { name: 'outage-chat', met: v.chat, why: v.why.join('; ') },
    );
  }
  return out;
}
