/**
 * Suite (b): SFU forwarding. For each profile, runs alternate bare mediasoup,
 * Convene and bare mediasoup of the older version (bench/sfu/versions.ts;
 * skipped if it cannot run here), each a fresh process with its own pinned
 * worker, and report medians: Convene against bare mediasoup, and the
 * installed mediasoup against the older one. Then transport + consumer
 * creation through Convene's signaling, also over several runs.
 */
import { ensureWorkerBinEnv } from '../../server/sfu/worker-bin';
import { decode, merge, summarize } from '../lib/hdr';
import { CORES, spawnNode } from '../lib/proc';
import { median, ratio, round } from '../lib/stats';
import type { CreationRun } from './creation';
import type { Profile } from './generator';
import { findOldMediasoup, OLD_MEDIASOUP, type OldMediasoup } from './versions';

export interface SfuOptions {
  profiles: Profile[];
  /**
   * Profiles in which bare mediasoup of the older version (bench/sfu/versions.ts) also runs,
   * alternating with the others; each adds a forwarder process per run (~15 s).
   */
  compareProfiles: Profile[];
  runs: number;
  /** Consumer counts to step through, per profile (audio goes further: it costs less per consumer). */
  steps: Record<Profile, number[]>;
  windowMs: number;
  warmMs: number;
  maxLoss: number;
  maxAddedP50Ms: number;
  creation: { participants: number; rate: number; runs: number };
  /**
   * One room over two workers (Convene only), in this profile, alternating
   * with the single-worker runs; its own steps, since it should go further.
   */
  multiWorker: { profile: Profile; steps: number[] } | null;
  log: (line: string) => void;
}

/** bare: the installed mediasoup; bare-old: the older one of bench/sfu/versions.ts; convene-2w: Convene, one room over two workers. */
type Impl = 'bare' | 'bare-old' | 'convene' | 'convene-2w';

interface Step {
  consumers: number;
  loss: number;
  valid: boolean;
  addedP50Ms: number;
  addedP99Ms: number;
  latency: { p50: number; p99: number };
  workerCpuUsPerPacket: number;
  workerCpuShare: number;
  /** Per worker, the producer's first. */
  workerCpuShares: number[];
  generatorCpuShare: number;
  sinkCpuShare: number;
  /** Packets the sink got in the window (all consumers). */
  received: number;
  sinkSocketDrops: number;
  ingressPackets: number | null;
  scheduled: number;
  generatorEldP99Ms: number;
}

interface ForwarderResult {
  impl: Impl;
  profile: Profile;
  mediasoupVersion: string;
  run: number;
  capacity: number;
  capacityIsLowerBound: boolean;
  workerPinned: boolean;
  floor: { latency: { p50: number; p99: number } };
  steps: Step[];
  directCreateMs: { p50: number; p99: number };
}

/** Which mediasoup package and worker a forwarder process runs. */
interface Build {
  impl: Impl;
  /** MEDIASOUP_WORKER_BIN for the child (Convene resolves its own, as the server does). */
  workerBin?: string;
  mediasoupPackage?: string;
}

async function forwarder(
  build: Build,
  profile: Profile,
  run: number,
  o: SfuOptions,
  steps = o.steps[profile],
): Promise<ForwarderResult> {
  const { impl } = build;
  const opts = {
    steps,
    windowMs: o.windowMs,
    warmMs: o.warmMs,
    maxLoss: o.maxLoss,
    maxAddedP50Ms: o.maxAddedP50Ms,
    ...(build.mediasoupPackage && { mediasoupPackage: build.mediasoupPackage }),
  };
  const child = spawnNode('bench/sfu/forwarder.ts', {
    core: CORES.generator,
    args: [impl, profile, JSON.stringify(opts)],
    ...(build.workerBin && { env: { MEDIASOUP_WORKER_BIN: build.workerBin } }),
  });
  try {
    const r = await child.nextEvent<Omit<ForwarderResult, 'run'>>('result', 300_000);
    o.log(
      `  ${impl} (mediasoup ${r.mediasoupVersion}) ${profile} run ${run}: ${r.capacity}${r.capacityIsLowerBound ? '+' : ''} consumers (floor p50 ${r.floor.latency.p50} ms)`,
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

/** The M values every run of these implementations passed, in this profile. */
function commonSteps(results: ForwarderResult[], o: SfuOptions, profile: Profile, impls: Impl[]): number[] {
  const passed = (r: ForwarderResult) =>
    r.steps.filter((s) => s.consumers <= r.capacity && s.valid).map((s) => s.consumers);
  const runs = results.filter((r) => r.profile === profile && impls.includes(r.impl));
  return o.steps[profile].filter((m) => runs.every((r) => passed(r).includes(m)));
}

/** One implementation's medians over its runs of a profile. */
function side(results: ForwarderResult[], profile: Profile, impl: Impl) {
  const of = results.filter((r) => r.profile === profile && r.impl === impl);
  const at = (m: number, pick: (s: Step) => number) =>
    median(of.flatMap((r) => r.steps.filter((s) => s.consumers === m).map(pick)));
  return {
    capacity: median(of.map((r) => r.capacity)),
    capacities: of.map((r) => `${r.capacity}${r.capacityIsLowerBound ? '+' : ''}`),
    lowerBound: of.some((r) => r.capacityIsLowerBound),
    floorP50Ms: median(of.map((r) => r.floor.latency.p50)),
    /**
     * Worker CPU over packets forwarded, summed over every run's windows at these M. /proc counts
     * CPU in 10 ms ticks, ~0.5 µs per packet in one video window at M=200: pooling many windows
     * resolves differences that the median of single windows rounds away.
     */
    pooledUsPerPacket: (ms: number[]) => {
      const steps = of.flatMap((r) => r.steps.filter((s) => ms.includes(s.consumers) && s.received > 0));
      const cpuUs = steps.reduce((a, s) => a + s.workerCpuUsPerPacket * s.received, 0);
      return round(cpuUs / steps.reduce((a, s) => a + s.received, 0), 2);
    },
    atM: (m: number) => ({
      addedP50Ms: round(
        at(m, (s) => s.addedP50Ms),
        3,
      ),
      addedP99Ms: round(
        at(m, (s) => s.addedP99Ms),
        3,
      ),
      workerCpuUsPerPacket: round(
        at(m, (s) => s.workerCpuUsPerPacket),
        2,
      ),
      workerCpuShare: round(
        at(m, (s) => s.workerCpuShare),
        3,
      ),
      loss: at(m, (s) => s.loss),
    }),
  };
}

export async function runSfuSuite(o: SfuOptions) {
  // Bare mediasoup runs the very worker binary Convene's Sfu picks; the older version its own.
  const builds: Build[] = [{ impl: 'bare', workerBin: ensureWorkerBinEnv({ ...process.env }) }, { impl: 'convene' }];
  const compared = o.profiles.filter((p) => o.compareProfiles.includes(p));
  const old: OldMediasoup =
    compared.length > 0
      ? findOldMediasoup()
      : { ok: false, version: OLD_MEDIASOUP.version, reason: 'no profile asked for it (BENCH_SFU_COMPARE)' };
  if (old.ok) builds.push({ impl: 'bare-old', workerBin: old.workerBin, mediasoupPackage: old.pkg });
  else o.log(`  mediasoup ${old.version} comparison skipped: ${old.reason}`);
  const results: ForwarderResult[] = [];
  for (let run = 1; run <= o.runs; run++) {
    for (const profile of o.profiles) {
      for (const build of builds) {
        if (build.impl === 'bare-old' && !compared.includes(profile)) continue;
        results.push(await forwarder(build, profile, run, o));
      }
      if (o.multiWorker?.profile === profile)
        results.push(await forwarder({ impl: 'convene-2w' }, profile, run, o, o.multiWorker.steps));
    }
  }
  const summary = (profile: Profile) => {
    // Latency and CPU are compared at every M both implementations passed in every run.
    const common = commonSteps(results, o, profile, ['bare', 'convene']);
    const [bare, convene] = [side(results, profile, 'bare'), side(results, profile, 'convene')];
    const perM = common.map((m) => ({ consumers: m, bare: bare.atM(m), convene: convene.atM(m) }));
    return {
      profile,
      bare: { capacity: bare.capacity, lowerBound: bare.lowerBound, floorP50Ms: bare.floorP50Ms },
      convene: { capacity: convene.capacity, lowerBound: convene.lowerBound, floorP50Ms: convene.floorP50Ms },
      capacityRatio: ratio(convene.capacity, bare.capacity),
      perM,
    };
  };
  const profiles = o.profiles.map(summary);
  const versions = old.ok ? compareVersions(results, o, compared) : { old: old.version, skipped: old.reason };
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
    multiWorker: o.multiWorker ? multiWorker(results, o, o.multiWorker.profile) : null,
    versions,
    directCreation,
    creation: created,
  };
}

/**
 * One room over two workers against one worker, Convene both: capacity ratio,
 * and at every M both passed in every run, latency above the floor and its
 * difference (what the pipe hop and the shared core add).
 */
function multiWorker(results: ForwarderResult[], o: SfuOptions, profile: Profile) {
  const [one, two] = [side(results, profile, 'convene'), side(results, profile, 'convene-2w')];
  const perM = commonSteps(results, o, profile, ['convene', 'convene-2w']).map((m) => {
    const [a, b] = [one.atM(m), two.atM(m)];
    return { consumers: m, one: a, two: b, addedP99DeltaMs: round(b.addedP99Ms - a.addedP99Ms, 3) };
  });
  const of = results.filter((r) => r.profile === profile && r.impl === 'convene-2w');
  // At each two-worker run's own capacity: the worst latency and loss it passed with, and the cores' shares.
  const atCapacity = of.map((r) => {
    const s = r.steps.find((x) => x.consumers === r.capacity);
    return s
      ? {
          run: r.run,
          consumers: s.consumers,
          loss: s.loss,
          addedP99Ms: s.addedP99Ms,
          workerCpuShares: s.workerCpuShares,
          generatorCpuShare: s.generatorCpuShare,
          sinkCpuShare: s.sinkCpuShare,
        }
      : { run: r.run, consumers: 0 };
  });
  const single = { capacity: one.capacity, capacities: one.capacities, lowerBound: one.lowerBound };
  const dual = { capacity: two.capacity, capacities: two.capacities, lowerBound: two.lowerBound };
  return { profile, single, two: dual, capacityRatio: ratio(two.capacity, one.capacity), perM, atCapacity };
}

/** The installed mediasoup against the older one, bare forwarder against bare forwarder: ratios are new / old. */
function compareVersions(results: ForwarderResult[], o: SfuOptions, compared: Profile[]) {
  const version = (impl: Impl) => results.find((r) => r.impl === impl)?.mediasoupVersion ?? '?';
  const profiles = compared.map((profile) => {
    const [oldSide, newSide] = [side(results, profile, 'bare-old'), side(results, profile, 'bare')];
    const common = commonSteps(results, o, profile, ['bare', 'bare-old']);
    const perM = common.map((m) => {
      const [atOld, atNew] = [oldSide.atM(m), newSide.atM(m)];
      return {
        consumers: m,
        old: atOld,
        new: atNew,
        cpuRatio: ratio(atNew.workerCpuUsPerPacket, atOld.workerCpuUsPerPacket),
      };
    });
    const summary = (x: typeof oldSide) => ({
      capacity: x.capacity,
      capacities: x.capacities,
      lowerBound: x.lowerBound,
      floorP50Ms: x.floorP50Ms,
      workerCpuUsPerPacket: x.pooledUsPerPacket(common),
    });
    const [o1, n1] = [summary(oldSide), summary(newSide)];
    return {
      profile,
      old: o1,
      new: n1,
      capacityRatio: ratio(n1.capacity, o1.capacity),
      cpuRatio: ratio(n1.workerCpuUsPerPacket, o1.workerCpuUsPerPacket),
      perM,
    };
  });
  return { old: version('bare-old'), new: version('bare'), profiles };
}
