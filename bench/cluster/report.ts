/** The cluster suite's section of BENCHMARKS.md, rendered from its summaries. */
import type { OutageResult } from './outage';
import { TARGETS, UNAFFECTED, type FailoverSummary, type PlacementSummary, type Verdict } from './verdict';

const f = (x: number | null | undefined, digits = 1): string => {
  if (typeof x !== 'number' || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return 'never';
  if (Math.abs(x) >= 100) return String(Math.round(x));
  return String(Math.round(x * 10 ** digits) / 10 ** digits);
};
const pct = (x: number) => (Number.isFinite(x) ? `${f(x * 100, 3)}%` : '—');
const mark = (v: Verdict | undefined) => (!v ? 'n/a' : v.met ? '**met**' : `**missed** (${v.why})`);

export function clusterMarkdown(s: {
  startedAt: string;
  machineLine: string;
  n: number;
  placements: Record<'single' | 'affine' | 'spread', PlacementSummary>;
  failover: FailoverSummary | null;
  outage: OutageResult | null;
  verdicts: Verdict[];
}): string[] {
  const v = (name: string) => s.verdicts.find((x) => x.name === name);
  const { single, affine, spread } = s.placements;
  const row = (label: string, pick: (p: PlacementSummary) => string, target = '', verdict = '') =>
    `| ${label} | ${pick(single)} | ${pick(affine)} | ${pick(spread)} | ${target} | ${verdict} |`;
  const lines = [
    `Run ${s.startedAt}. ${s.machineLine}`,
    '',
    `**Signaling across nodes** (N=${s.n} participants in all, medians over ${affine.windows} windows per placement):`,
    '',
    '| | 1 node on Redis | 2 nodes, room-affine | 2 nodes, spread | Target | |',
    '|---|---|---|---|---|---|',
    row('join → room-joined p99', (p) => `${f(p.joinP99)} ms`),
    row('chat fan-out p50 / p99', (p) => `${f(p.chatP50)} / ${f(p.chatP99)} ms`),
    row('delivery (chat and toggles, worst window)', (p) => pct(p.delivery)),
    row(
      'CPU-ms per 1,000 delivered, all nodes',
      (p) => f(p.cpuMsPer1000),
      `room-affine ≤ ${TARGETS.cpuRatio}× 1 node`,
      mark(v('cpu')),
    ),
    row(
      '… the busiest node per message (its share of deliveries)',
      (p) => `${f(p.worstNodeCpuMsPer1000)} (${pct(p.worstNodeShare)})`,
    ),
    row('Redis CPU-ms per 1,000 delivered', (p) => f(p.redisCpuMsPer1000)),
    row("sockets on their room's owner node", (p) => pct(p.affinity)),
  ];
  if (s.failover) {
    const x = s.failover;
    lines.push(
      '',
      `**Failover** (kill -9 of the node owning the most rooms, ${x.kills} kills, ${x.participants} participants of the moved rooms; ms from the kill):`,
      '',
      '| | p50 | p95 | max | Target | |',
      '|---|---|---|---|---|---|',
      `| detection (a live node takes the dead one out of the node set) | ${f(x.detectionP50Ms)} | | ${f(x.detectionMaxMs)} | ≤ ${TARGETS.detectionMs} ms | ${mark(v('detection'))} |`,
      `| every moved room's lease on a live node | ${f(x.leasesMovedP50Ms)} | | | | |`,
      `| participant told (media-reset, or resumed after reconnecting) | ${f(x.toldP50Ms)} | | | | |`,
      `| **media back** (RTP from every other participant on new transports) | ${f(x.backP50Ms)} | ${f(x.backP95Ms)} | ${f(x.backMaxMs)} | p95 ≤ ${TARGETS.mediaBackP95Ms} ms | ${mark(v('media-back'))} |`,
      `| … whose socket was on the killed node (reconnected through HAProxy) | | ${f(x.reconnectedBackP95Ms)} | | | |`,
      `| … whose socket was on a live node (media-reset) | | ${f(x.resetBackP95Ms)} | | | |`,
      '',
      `Kills: ${x.kills} (${mark(v('kills'))}, at least ${TARGETS.kills}); participants never back within the timeout: ${x.neverBack}; client errors: ${x.errors}.`,
    );
  }
  if (s.outage) {
    const o = s.outage;
    lines.push(
      '',
      `**Redis outage** (${o.rooms} meetings of ${o.perRoom}, every socket on its room's owner; the same measures with Redis up, then stopped):`,
      '',
      '| Redis | window | media delivered | media p50 / p99 | chat delivered | chat p50 / p99 | chat acks not ok |',
      '|---|---|---|---|---|---|---|',
      ...o.windows.map(
        (w) =>
          `| ${w.redis} | ${f(w.durationMs / 1000)} s | ${pct(w.media.delivery)} of ${w.media.expected} | ${f(w.media.latency.p50, 2)} / ${f(w.media.latency.p99)} ms | ${pct(w.chat.delivery)} of ${w.chat.expected} | ${f(w.chat.latency.p50)} / ${f(w.chat.latency.p99)} ms | ${w.chat.ackFailed} |`,
      ),
      '',
      `Outage of at least ${TARGETS.outageMs / 1000} s: ${mark(v('outage-length'))}; media unaffected: ${mark(v('outage-media'))}; ` +
        `same-node chat unaffected: ${mark(v('outage-chat'))} (no more loss than with Redis up, p99 ≤ ${UNAFFECTED.p99Factor}× Redis-up's + ${UNAFFECTED.p99SlackMs} ms). ` +
        `Redis started again (empty) → a new participant joined through HAProxy: ${f(o.recoveredMs)} ms.`,
    );
  }
  return lines;
}
