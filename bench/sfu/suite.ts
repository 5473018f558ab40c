/**
 * Suite (b): SFU forwarding. For each profile, runs alternate bare mediasoup
 * and Convene (bare, Convene, bare, Convene, ...), each a fresh process with
 * its own pinned worker, and report medians. Then transport + consumer
 * creation through Convene's signaling, also over several runs.
 */
import { decode, merge, summarize } from '../lib/hdr';
import { CORES, spawnNode } from '../lib/proc';
import { median, ratio, round } from '../lib/stats';
import type { CreationRun } from './creation';
import type { Profile } from './generator';

export interface SfuOptions {
  profiles: Profile[];
  runs: number;
  /** Consumer counts to step through, per profile (audio goes further: it costs less per consumer). */
  steps: Record<Profile, number[]>;
  windowMs: number;
  warmMs: number;
  maxLoss: number;
  maxAddedP50Ms: number;
  creation: { participants: number; rate: number; runs: number };
  log: (line: string) => void;
}

type Impl = 'bare' | 'convene';

interface Step {
  consumers: number;
  loss: number;
  valid: boolean;
  addedP50Ms: number;
  addedP99Ms: number;
  latency: { p50: number; p99: number };
  workerCpuUsPerPacket: number;
  workerCpuShare: number;
  sinkSocketDrops: number;
  ingressPackets: number | null;
  scheduled: number;
  generatorEldP99Ms: number;
}

interface ForwarderResult {
  impl: Impl;
  profile: Profile;
  run: number;
  capacity: number;
  capacityIsLowerBound: boolean;
  workerPinned: boolean;
  floor: { latency: { p50: number; p99: number } };
  steps: Step[];
  directCreateMs: { p50: number; p99: number };
}

async function forwarder(impl: Impl, profile: Profile, run: number, o: SfuOptions): Promise<ForwarderResult> {
  const opts = {
    steps: o.steps[profile],
    windowMs: o.windowMs,
    warmMs: o.warmMs,
    maxLoss: o.maxLoss,
    maxAddedP50Ms: o.maxAddedP50Ms,
  };
  const child = spawnNode('bench/sfu/forwarder.ts', {
    core: CORES.generator,
    args: [impl, profile, JSON.stringify(opts)],
  });
  try {
    const r = await child.nextEvent<Omit<ForwarderResult, 'run'>>('result', 300_000);
    o.log(
      `  ${impl} ${profile} run ${run}: ${r.capacity}${r.capacityIsLowerBound ? '+' : ''} consumers (floor p50 ${r.floor.latency.p50} ms)`,
    );
    return { ...r, run };
  } finally {
    await child.kill();
  }
}

async function creation(o: SfuOptions) {
  const runs: CreationRun[] = [];
  for (let r = 1; r <= o.creation.runs; r++) {
    const child = spawnNode('bench/sfu/creation.ts', { core: CORES.generator, args: [JSON.stringify(o.creation)] });
    try {
      const res = await child.nextEvent<CreationRun>('result', 120_000);
      o.log(
        `  creation run ${r}: create-transport p99 ${res.createTransport.p99} ms, consume p99 ${res.consume.p99} ms, both p99 ${res.transportPlusConsumer.p99} ms`,
      );
      runs.push(res);
    } finally {
      await child.kill();
    }
  }
  // Percentiles of all runs' creations together (merged histograms, never averaged):
  // a p99 of one run's 100 samples would be its single worst.
  const all = (key: 'createTransport' | 'consume' | 'transportPlusConsumer') =>
    summarize(merge(runs.map((r) => decode(r.hdr[key]))));
  const [t, c, both] = [all('createTransport'), all('consume'), all('transportPlusConsumer')];
  return {
    runs: runs.map((r) => ({ ...r, hdr: undefined })),
    samples: c.count,
    createTransportP50: t.p50,
    createTransportP99: t.p99,
    consumeP50: c.p50,
    consumeP99: c.p99,
    transportPlusConsumerP50: both.p50,
    transportPlusConsumerP99: both.p99,
    failed: runs.reduce((a, r) => a + r.failed, 0),
  };
}

export async function runSfuSuite(o: SfuOptions) {
  const results: ForwarderResult[] = [];
  for (let run = 1; run <= o.runs; run++) {
    for (const profile of o.profiles) {
      for (const impl of ['bare', 'convene'] as const) results.push(await forwarder(impl, profile, run, o));
    }
  }
  const summary = (profile: Profile) => {
    const of = (impl: Impl) => results.filter((r) => r.profile === profile && r.impl === impl);
    const capacity = (impl: Impl) => median(of(impl).map((r) => r.capacity));
    // Latency and CPU are compared at every M both implementations passed in every run.
    const passed = (r: ForwarderResult) =>
      r.steps.filter((s) => s.consumers <= r.capacity && s.valid).map((s) => s.consumers);
    const common = o.steps[profile].filter((m) =>
      results.filter((r) => r.profile === profile).every((r) => passed(r).includes(m)),
    );
    const at = (impl: Impl, m: number, pick: (s: Step) => number) =>
      median(of(impl).flatMap((r) => r.steps.filter((s) => s.consumers === m).map(pick)));
    const atM = (impl: Impl, m: number) => ({
      addedP50Ms: round(
        at(impl, m, (s) => s.addedP50Ms),
        3,
      ),
      addedP99Ms: round(
        at(impl, m, (s) => s.addedP99Ms),
        3,
      ),
      workerCpuUsPerPacket: round(
        at(impl, m, (s) => s.workerCpuUsPerPacket),
        2,
      ),
      workerCpuShare: round(
        at(impl, m, (s) => s.workerCpuShare),
        3,
      ),
      loss: at(impl, m, (s) => s.loss),
    });
    const perM = common.map((m) => ({ consumers: m, bare: atM('bare', m), convene: atM('convene', m) }));
    return {
      profile,
      bare: {
        capacity: capacity('bare'),
        lowerBound: of('bare').some((r) => r.capacityIsLowerBound),
        floorP50Ms: median(of('bare').map((r) => r.floor.latency.p50)),
      },
      convene: {
        capacity: capacity('convene'),
        lowerBound: of('convene').some((r) => r.capacityIsLowerBound),
        floorP50Ms: median(of('convene').map((r) => r.floor.latency.p50)),
      },
      capacityRatio: ratio(capacity('convene'), capacity('bare')),
      perM,
    };
  };
  const profiles = o.profiles.map(summary);
  // Creation without signaling, same runs: what mediasoup itself takes for a transport + consumer,
  // bare and through Convene's RoomMedia (the baseline of the signaling figures below).
  const direct = (impl: Impl) => {
    const of = results.filter((r) => r.impl === impl);
    return { p50: median(of.map((r) => r.directCreateMs.p50)), p99: median(of.map((r) => r.directCreateMs.p99)) };
  };
  const directCreation = { bare: direct('bare'), convene: direct('convene') };
  const created = o.creation.runs > 0 ? await creation(o) : null;
  return {
    options: { ...o, log: undefined },
    runs: results.map((r) => ({ ...r, steps: r.steps })),
    profiles,
    directCreation,
    creation: created,
  };
}
