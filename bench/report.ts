/** Turns a bench result into markdown: the headline table with targets, then the detail per N / M. */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Machine } from './lib/stats';
import type { BenchResult, SfuResult, SignalingResult } from './result';

type PerN = SignalingResult['convene']['perN'][number];

const fmt = (x: unknown, digits = 1): string => {
  if (typeof x !== 'number' || !Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 100) return String(Math.round(x));
  return String(Math.round(x * 10 ** digits) / 10 ** digits);
};
const kb = (bytes: number | undefined) =>
  bytes !== undefined && Number.isFinite(bytes) ? `${fmt(bytes / 1024)} KB` : '—';
const mark = (ok: boolean | null) => (ok === null ? 'n/a' : ok ? '**met**' : '**missed**');
const ratio = (a: number | undefined, b: number | undefined) =>
  a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${fmt(a / b, 2)}×` : '—';
/** Whether a figure meets an upper bound; one not measured (NaN, or no row for that N) does not. */
const atMost = (x: number | undefined, max: number) => x !== undefined && x <= max;

export function signalingHeadline(s: SignalingResult, refN: number): string[] {
  const b = s.baseline;
  const c = s.convene;
  const atB: Partial<PerN> = b.perN.find((x) => x.n === refN) ?? {};
  const atC: Partial<PerN> = c.perN.find((x) => x.n === refN) ?? {};
  const capB = `${b.capacity}${b.capacityIsLowerBound ? '+' : ''}`;
  const capC = `${c.capacity}${c.capacityIsLowerBound ? '+' : ''}`;
  // Memory is read once per run, at its last step: compare at the largest N both servers have
  // (the per-participant cost falls with N), else each at its own largest.
  const measured = (x: PerN | undefined) => x !== undefined && Number.isFinite(x.rssBytesPerParticipant);
  const largest = (perN: PerN[]): Partial<PerN> => [...perN].reverse().find(measured) ?? {};
  const common = [...c.perN].reverse().find((x) => measured(x) && measured(b.perN.find((y) => y.n === x.n)));
  const memN = common ?? largest(c.perN);
  const memB = (common && b.perN.find((x) => x.n === common.n)) ?? largest(b.perN);
  return [
    `| Signaling capacity (participants per process) | ${capB} | ${capC} | ${ratio(c.capacity, b.capacity)} | ≥ 0.8× baseline | ${mark(c.capacity >= 0.8 * b.capacity)} |`,
    `| Signaling capacity, absolute | | ${capC} | | ≥ 5,000 | ${mark(c.capacity >= 5000)} |`,
    `| join → room-joined p50 / p99 at N=${refN} | ${fmt(atB.joinP50)} / ${fmt(atB.joinP99)} ms | ${fmt(atC.joinP50)} / ${fmt(atC.joinP99)} ms | ${ratio(atC.joinP99, atB.joinP99)} (p99) | p99 ≤ 25 ms | ${mark(atMost(atC.joinP99, 25))} |`,
    `| chat fan-out p50 / p99 / p99.9 at N=${refN} | ${fmt(atB.chatP50)} / ${fmt(atB.chatP99)} / ${fmt(atB.chatP999)} ms | ${fmt(atC.chatP50)} / ${fmt(atC.chatP99)} / ${fmt(atC.chatP999)} ms | ${ratio(atC.chatP99, atB.chatP99)} (p99) | p99 ≤ 25 ms | ${mark(atMost(atC.chatP99, 25))} |`,
    `| delivery ratio at N=${refN} | ${fmt((atB.delivery ?? NaN) * 100, 3)}% | ${fmt((atC.delivery ?? NaN) * 100, 3)}% | | 100% | ${mark(atC.delivery === 1)} |`,
    `| server event-loop delay p99 at N=${refN} | ${fmt(atB.serverEldP99Ms)} ms | ${fmt(atC.serverEldP99Ms)} ms | ${ratio(atC.serverEldP99Ms, atB.serverEldP99Ms)} | — | |`,
    `| idle-process event-loop delay p99 (machine noise floor) at N=${refN} | ${fmt(atB.floorEldP99Ms)} ms | ${fmt(atC.floorEldP99Ms)} ms | | — | |`,
    `| server CPU-ms per 1,000 delivered messages at N=${refN} | ${fmt(atB.cpuMsPer1000Delivered)} | ${fmt(atC.cpuMsPer1000Delivered)} | ${ratio(atC.cpuMsPer1000Delivered, atB.cpuMsPer1000Delivered)} | — | |`,
    `| server CPU-ms per join (connect + join-room, during the ramp to N=${refN}) | ${fmt(atB.cpuMsPerJoin, 2)} | ${fmt(atC.cpuMsPerJoin, 2)} | ${ratio(atC.cpuMsPerJoin, atB.cpuMsPerJoin)} | — | |`,
    `| RSS / heap per participant at N=${memN.n ?? '—'} | ${kb(memB.rssBytesPerParticipant)} / ${kb(memB.heapBytesPerParticipant)}${memB.n !== memN.n ? ` (N=${memB.n})` : ''} | ${kb(memN.rssBytesPerParticipant)} / ${kb(memN.heapBytesPerParticipant)} | ${ratio(memN.rssBytesPerParticipant, memB.rssBytesPerParticipant)} (RSS) | ≤ 40 KB | ${mark(atMost(memN.rssBytesPerParticipant, 40 * 1024))} (RSS) |`,
  ];
}

export function signalingDetail(s: SignalingResult): string[] {
  const lines = [
    '| N | server | runs | ramp settled after | join p50 / p99 | chat p50 / p99 / p99.9 | delivery | server ELD p99 | noise floor ELD p99 | CPU-ms / 1k msgs | CPU-ms / join | RSS / heap per participant |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const kind of ['baseline', 'convene'] as const) {
    for (const x of s[kind].perN) {
      if (!x.runs) continue;
      lines.push(
        `| ${x.n} | ${kind} | ${x.runs} | ${fmt(x.settleMs / 1000, 1)} s | ${fmt(x.joinP50)} / ${fmt(x.joinP99)} | ${fmt(x.chatP50)} / ${fmt(x.chatP99)} / ${fmt(x.chatP999)} | ${fmt(x.delivery * 100, 3)}% | ${fmt(x.serverEldP99Ms)} | ${fmt(x.floorEldP99Ms)} | ${fmt(x.cpuMsPer1000Delivered)} | ${fmt(x.cpuMsPerJoin, 2)} | ${kb(x.rssBytesPerParticipant)} / ${kb(x.heapBytesPerParticipant)} |`,
      );
    }
  }
  lines.push('', 'Why each run stopped:', '');
  for (const r of s.runs) {
    const last = r.steps.at(-1);
    const why = last && !last.pass ? `N=${last.n}: ${last.why.join('; ')}` : `reached the last step (N=${last?.n})`;
    lines.push(`- ${r.kind} run ${r.run}: capacity ${r.capacity}${r.capacityIsLowerBound ? '+' : ''} — ${why}`);
  }
  if (s.redis) {
    const r = s.redis;
    lines.push(
      '',
      `**Redis (two Convene processes, one Redis, N=${r.n}, participants alternating between the processes):** ` +
        `join p50/p99 ${fmt(r.join.p50)} / ${fmt(r.join.p99)} ms, chat p50/p99/p99.9 ${fmt(r.chat.p50)} / ${fmt(r.chat.p99)} / ${fmt(r.chat.p999)} ms, ` +
        `delivery ${fmt(r.chat.delivery * 100, 3)}%, both servers' CPU-ms per 1,000 delivered ${fmt(r.cpuMsPer1000Delivered)} (+ Redis ${fmt(r.redisCpuMsPer1000Delivered)}), ` +
        `worst server ELD p99 ${fmt(r.serverEldP99Ms)} ms.`,
    );
    const single = s.convene.perN.find((x) => x.n === r.n);
    if (single) {
      lines.push(
        `Against one Convene process with the memory store at the same N: join p99 ${fmt(single.joinP99)} → ${fmt(r.join.p99)} ms, ` +
          `chat p50 ${fmt(single.chatP50)} → ${fmt(r.chat.p50)} ms, chat p99 ${fmt(single.chatP99)} → ${fmt(r.chat.p99)} ms, ` +
          `CPU-ms per 1,000 delivered ${fmt(single.cpuMsPer1000Delivered)} → ${fmt(r.cpuMsPer1000Delivered)} (two processes) + ${fmt(r.redisCpuMsPer1000Delivered)} (Redis).`,
      );
    }
  }
  return lines;
}

export function sfuHeadline(f: SfuResult, refM: Record<string, number | undefined>): string[] {
  const lines: string[] = [];
  for (const p of f.profiles) {
    const label = p.profile === 'video' ? 'video (110 pkt/s × 1,200 B)' : 'Opus-like (50 pkt/s × 100 B)';
    const cap = (x: { capacity: number; lowerBound: boolean }) => `${x.capacity}${x.lowerBound ? '+' : ''}`;
    lines.push(
      `| SFU consumers per worker, ${label} | ${cap(p.bare)} | ${cap(p.convene)} | ${ratio(p.convene.capacity, p.bare.capacity)} | ≥ 1,000 and ≥ 0.95× bare | ${mark(p.convene.capacity >= 1000 && p.convene.capacity >= 0.95 * p.bare.capacity)}${p.convene.capacity < 1000 && p.bare.capacity < 1000 && p.convene.capacity >= 0.95 * p.bare.capacity ? ' (≥ 0.95× met; bare mediasoup also under 1,000: see notes)' : ''} |`,
    );
    const m = refM[p.profile];
    const row = p.perM.find((x) => x.consumers === m);
    if (row) {
      lines.push(
        `| added latency over floor p50 / p99, ${p.profile}, M=${m} | ${fmt(row.bare.addedP50Ms, 2)} / ${fmt(row.bare.addedP99Ms, 2)} ms | ${fmt(row.convene.addedP50Ms, 2)} / ${fmt(row.convene.addedP99Ms, 2)} ms | ${ratio(row.convene.addedP50Ms, row.bare.addedP50Ms)} (p50) | — | |`,
        `| worker CPU-µs per forwarded packet, ${p.profile}, M=${m} | ${fmt(row.bare.workerCpuUsPerPacket, 2)} | ${fmt(row.convene.workerCpuUsPerPacket, 2)} | ${ratio(row.convene.workerCpuUsPerPacket, row.bare.workerCpuUsPerPacket)} | — | |`,
      );
    }
  }
  if (f.directCreation) {
    const d = f.directCreation;
    lines.push(
      `| plain transport + consumer, in process (no signaling) p50 / p99 | ${fmt(d.bare.p50, 2)} / ${fmt(d.bare.p99, 2)} ms | ${fmt(d.convene.p50, 2)} / ${fmt(d.convene.p99, 2)} ms | ${ratio(d.convene.p99, d.bare.p99)} (p99) | — | |`,
    );
  }
  if (f.creation) {
    const c = f.creation;
    lines.push(
      `| create-transport p50 / p99 via signaling (${c.samples ?? '?'} per figure, all runs merged) | | ${fmt(c.createTransportP50)} / ${fmt(c.createTransportP99)} ms | | — | |`,
      `| consume p50 / p99 via signaling | | ${fmt(c.consumeP50)} / ${fmt(c.consumeP99)} ms | | consumer creation p99 ≤ 20 ms | ${mark(c.consumeP99 <= 20)} |`,
      `| create-transport + consume p50 / p99 via signaling | | ${fmt(c.transportPlusConsumerP50)} / ${fmt(c.transportPlusConsumerP99)} ms | | (≤ 20 ms) | ${mark(c.transportPlusConsumerP99 <= 20)} |`,
    );
  }
  return lines;
}

/** One room over two workers against one worker, Convene both (issue 14). */
export function sfuMultiWorker(f: SfuResult): string[] {
  const m = f.multiWorker;
  if (!m) return [];
  const cap = (x: { capacity: number; lowerBound: boolean }) => `${x.capacity}${x.lowerBound ? '+' : ''}`;
  const pct = (x: number | undefined) => (x === undefined ? '?' : `${Math.round(x * 100)}%`);
  const lines = [
    `**${m.profile}**, one presenter → M plain-RTP consumers: capacity one worker ${cap(m.single)} (runs ${m.single.capacities.join(', ')}), two workers ${cap(m.two)} (runs ${m.two.capacities.join(', ')}): **${m.capacityRatio}×** (target ≥ 1.7×). The producer's worker is pinned to core 1; the second worker shares core 0 with the generator and the sink.`,
    '',
    '| M | one worker: added p50 / p99 | two workers: added p50 / p99 | p99 two − one | worker µs/pkt one / two |',
    '|---|---|---|---|---|',
    ...m.perM.map(
      (r) =>
        `| ${r.consumers} | ${fmt(r.one.addedP50Ms, 2)} / ${fmt(r.one.addedP99Ms, 2)} ms | ${fmt(r.two.addedP50Ms, 2)} / ${fmt(r.two.addedP99Ms, 2)} ms | ${fmt(r.addedP99DeltaMs, 2)} ms | ${fmt(r.one.workerCpuUsPerPacket, 2)} / ${fmt(r.two.workerCpuUsPerPacket, 2)} |`,
    ),
    '',
    ...m.atCapacity.map(
      (c) =>
        `- two workers, run ${c.run}, at its capacity M=${c.consumers}: loss ${c.loss === undefined ? '?' : `${fmt(c.loss * 100, 3)}%`}, added p99 ${fmt(c.addedP99Ms ?? NaN, 2)} ms, workers ${c.workerCpuShares?.map(pct).join(' + ') ?? '?'}, generator ${pct(c.generatorCpuShare)}, sink ${pct(c.sinkCpuShare)}`,
    ),
  ];
  return lines;
}

export function sfuDetail(f: SfuResult): string[] {
  const lines: string[] = [];
  for (const p of f.profiles) {
    lines.push(
      '',
      `**${p.profile}** — capacity bare ${p.bare.capacity}, Convene ${p.convene.capacity}; floor (generator → sink directly) p50 ${fmt(p.bare.floorP50Ms, 2)} ms.`,
      '',
      '| M | bare: added p50 / p99 | Convene: added p50 / p99 | bare: worker µs/pkt (CPU) | Convene: worker µs/pkt (CPU) |',
      '|---|---|---|---|---|',
    );
    for (const x of p.perM) {
      lines.push(
        `| ${x.consumers} | ${fmt(x.bare.addedP50Ms, 2)} / ${fmt(x.bare.addedP99Ms, 2)} ms | ${fmt(x.convene.addedP50Ms, 2)} / ${fmt(x.convene.addedP99Ms, 2)} ms | ${fmt(x.bare.workerCpuUsPerPacket, 2)} (${fmt(x.bare.workerCpuShare * 100, 0)}%) | ${fmt(x.convene.workerCpuUsPerPacket, 2)} (${fmt(x.convene.workerCpuShare * 100, 0)}%) |`,
      );
    }
  }
  lines.push('', 'Why each run stopped:', '');
  for (const r of f.runs) {
    const last = r.steps.at(-1);
    const reason = !last
      ? 'no step'
      : !last.valid
        ? `M=${last.consumers}: generator or sink saturated (run invalid beyond this)`
        : last.consumers > r.capacity
          ? `M=${last.consumers}: loss ${fmt(last.loss * 100, 3)}%, added p50 ${fmt(last.addedP50Ms)} ms, worker CPU ${fmt(last.workerCpuShare * 100, 0)}%`
          : `reached the last step (M=${last.consumers})`;
    const version = r.mediasoupVersion ? ` (mediasoup ${r.mediasoupVersion})` : '';
    lines.push(
      `- ${r.impl}${version} ${r.profile} run ${r.run}: ${r.capacity}${r.capacityIsLowerBound ? '+' : ''} — ${reason}`,
    );
  }
  return lines;
}

/** The installed mediasoup against the older one: bare forwarder against bare forwarder, same run. */
export function sfuVersions(f: SfuResult): string[] {
  const v = f.versions;
  if (!v) return [];
  if ('skipped' in v) return [`Comparison with mediasoup ${v.old} skipped: ${v.skipped}.`];
  const cap = (x: { capacity: number; lowerBound: boolean }) => `${x.capacity}${x.lowerBound ? '+' : ''}`;
  const runs = (x: { capacities: string[] }) => x.capacities.join(', ');
  const lines = [
    `Bare mediasoup ${v.new} (installed) against bare mediasoup ${v.old} (\`bench/sfu/versions.ts\`), the same forwarder and worker pinning, alternating runs (bare ${v.new}, Convene, bare ${v.old}, ...). Ratios are ${v.new} / ${v.old}: below 1× means ${v.new} spends less CPU per packet. Worker µs/pkt in this table is the worker's CPU over the packets it forwarded, summed over every window at every M both versions passed in every run.`,
    '',
    `| Profile | capacity ${v.old} (per run) | capacity ${v.new} (per run) | ${v.new} / ${v.old} | worker µs/pkt ${v.old} | worker µs/pkt ${v.new} | ${v.new} / ${v.old} |`,
    '|---|---|---|---|---|---|---|',
    ...v.profiles.map(
      (p) =>
        `| ${p.profile} | ${cap(p.old)} (${runs(p.old)}) | ${cap(p.new)} (${runs(p.new)}) | ${ratio(p.new.capacity, p.old.capacity)} | ${fmt(p.old.workerCpuUsPerPacket, 2)} | ${fmt(p.new.workerCpuUsPerPacket, 2)} | ${ratio(p.new.workerCpuUsPerPacket, p.old.workerCpuUsPerPacket)} |`,
    ),
  ];
  for (const p of v.profiles) {
    lines.push(
      '',
      `**${p.profile}**, every M both versions passed in every run (medians):`,
      '',
      `| M | ${v.old}: added p50 / p99 | ${v.new}: added p50 / p99 | ${v.old}: worker µs/pkt (CPU) | ${v.new}: worker µs/pkt (CPU) | µs/pkt ${v.new} / ${v.old} |`,
      '|---|---|---|---|---|---|',
    );
    for (const x of p.perM) {
      lines.push(
        `| ${x.consumers} | ${fmt(x.old.addedP50Ms, 2)} / ${fmt(x.old.addedP99Ms, 2)} ms | ${fmt(x.new.addedP50Ms, 2)} / ${fmt(x.new.addedP99Ms, 2)} ms | ${fmt(x.old.workerCpuUsPerPacket, 2)} (${fmt(x.old.workerCpuShare * 100, 0)}%) | ${fmt(x.new.workerCpuUsPerPacket, 2)} (${fmt(x.new.workerCpuShare * 100, 0)}%) | ${ratio(x.new.workerCpuUsPerPacket, x.old.workerCpuUsPerPacket)} |`,
      );
    }
  }
  return lines;
}

export function machineLine(m: Machine, nice: number): string {
  return `${m.cores} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, Linux ${m.kernel}; processes ${m.pinned ? 'pinned with taskset (generator core 0, server/worker core 1)' : 'not pinned'}, nice ${nice}; load average at start ${m.loadAverageAtStart.join(' / ')}`;
}

/** The whole results section: headline table, then the detail per suite that ran. */
export function markdown(r: BenchResult): string {
  const quick = r.quick ?? false;
  const out = [
    `Run ${r.startedAt}, ${r.durationS} s${quick ? ' (BENCH_QUICK: development sizes, not results)' : ''}.`,
    '',
    `Machine: ${machineLine(r.machine, r.nice)}.`,
    '',
    '| Metric | Baseline | Convene | Convene / baseline | Target | |',
    '|---|---|---|---|---|---|',
  ];
  if (r.signaling) out.push(...signalingHeadline(r.signaling, quick ? 250 : 1000));
  if (r.sfu) out.push(...sfuHeadline(r.sfu, { video: quick ? 100 : 200, audio: quick ? 100 : 400 }));
  if (r.browser) out.push(...r.browser.headline);
  if (r.signaling) out.push('', '### Signaling, every N (medians over runs)', '', ...signalingDetail(r.signaling));
  if (r.sfu) out.push('', '### SFU forwarding, every M passed by all runs (medians)', ...sfuDetail(r.sfu));
  if (r.sfu?.versions) out.push('', '### mediasoup versions, bare against bare (same run)', '', ...sfuVersions(r.sfu));
  if (r.sfu?.multiWorker) out.push('', '### One room over two workers (same run)', '', ...sfuMultiWorker(r.sfu));
  if (r.browser) out.push('', '### Browser end to end', '', ...r.browser.detail);
  return `${out.join('\n')}\n`;
}

/** Replaces the section between one pair of markers of BENCHMARKS.md (the rest is hand-written). */
export function updateBenchmarksMd(
  md: string,
  section: 'results' | 'abuse' | 'cluster' | 'audience' | 'join' | 'recording' = 'results',
): void {
  const file = path.resolve(import.meta.dirname, '..', 'BENCHMARKS.md');
  const start = `<!-- bench:${section}:start -->`;
  const end = `<!-- bench:${section}:end -->`;
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return;
  }
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) return;
  writeFileSync(file, `${text.slice(0, a + start.length)}\n${md}${text.slice(b)}`);
}
