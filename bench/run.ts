/**
 * `npm run bench`: the three suites of issue 6, the abuse suite of issue 12, the cluster suite of issue 13, the audience suite of issue 14
 * and the join suite of issue 15,
 * baselines in the same run.
 * Writes bench/results/<timestamp>.json and latest.json (git-ignored), and
 * bench/results/latest.md, and (full runs of all three suites only) refreshes
 * the results section of BENCHMARKS.md; a full run of the abuse suite, or of the cluster suite, refreshes its own section
 * (the audience and join suites too).
 *
 * BENCH_SUITES=signaling,sfu,browser,abuse,cluster,audience,join,recording  which suites (default all)
 * BENCH_JOIN_RUNS=7                    late joiners per flow and condition in the join suite
 * BENCH_JOIN_VERBOSE=1                 the join suite also logs each run's milestones and long tasks
 * BENCH_AUDIENCE_N=5000, BENCH_AUDIENCE_RATE=100  the audience suite's size and join rate
 * BENCH_ABUSE_ATTACKS=flood,knock-flood     which attacks the abuse suite runs (default all four)
 * BENCH_QUICK=1                       tiny sizes, one run: for developing the bench, not for results
 * BENCH_NICE=-10                      priority of the bench processes (0 = leave alone)
 * BENCH_RUNS, BENCH_SIGNALING_STEPS=500,1000, BENCH_REDIS_N=0   override sizes (A/B checks)
 * BENCH_SERVER_NODE_ARGS=--trace-gc     extra node flags for the signaling servers (diagnosis; output on stderr)
 * BENCH_SFU_COMPARE=video              SFU profiles that also run the older mediasoup (video,audio = both; empty = none)
 * BENCH_SFU_MULTI=0                    skip the SFU suite's one-room-over-two-workers runs (video)
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ATTACKS } from './abuse/attacks';
import { runAbuseSuite } from './abuse/suite';
import { audienceOptions } from './audience/options';
import { audienceMarkdown, runAudienceSuite } from './audience/suite';
import { runBrowserSuite } from './browser/suite';
import { runJoinSuite } from './join/suite';
import { clusterMarkdown } from './cluster/report';
import { runClusterSuite } from './cluster/suite';
import { CORES, NICE, PRIORITY } from './lib/proc';
import { machine } from './lib/stats';
import { abuseMarkdown } from './abuse/report';
import { machineLine, markdown, updateBenchmarksMd } from './report';
import type { BenchResult } from './result';
import type { Profile } from './sfu/generator';
import { runSfuSuite } from './sfu/suite';
import { runSignalingSuite } from './signaling/suite';
import { runRecordingSuite } from './recording/suite';

const ROOT = path.resolve(import.meta.dirname, '..');
const RESULTS = path.join(ROOT, 'bench', 'results');
const quick = process.env.BENCH_QUICK === '1';
const suites = new Set(
  (process.env.BENCH_SUITES ?? 'signaling,sfu,browser,abuse,cluster,audience,join,recording')
    .split(',')
    .map((s) => s.trim()),
);
const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);

// Autogroup scheduling shares the CPU between sessions, so a per-process nice
// alone does nothing against other sessions' load; the group's nice does.
let restoreAutogroup: string | null = null;
if (NICE !== 0 && process.getuid?.() === 0) {
  try {
    restoreAutogroup = /nice (-?\d+)/.exec(readFileSync('/proc/self/autogroup', 'utf8'))?.[1] ?? null;
    writeFileSync('/proc/self/autogroup', String(NICE));
  } catch {
    restoreAutogroup = null;
  }
}

const env = machine(CORES.pinned);
log(`machine: ${machineLine(env, PRIORITY.nice)}`);
// Saved whole (every suite's full output, in this key order); the report reads the part BenchResult names.
const result: BenchResult = {
  startedAt: new Date(started).toISOString(),
  quick,
  machine: env,
  nice: PRIORITY.nice,
};

try {
  if (suites.has('signaling')) {
    log('suite (a): signaling — bare Socket.IO baseline vs Convene, alternating runs');
    result.signaling = await runSignalingSuite({
      // Finer where capacities land (4,000–6,000 on the machines measured), coarser below: the suite must fit ~10 minutes.
      steps:
        process.env.BENCH_SIGNALING_STEPS?.split(',').map(Number) ??
        (quick ? [100, 250] : [1000, 2500, 4000, 5000, 6000]),
      runs: Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3)),
      windowMs: quick ? 3000 : 4000,
      drainMs: 1000,
      probeRate: 10,
      // Convene's server spends ~3.5 ms per connect + join on this machine (~280 joins/s at most):
      // a faster ramp would measure the ramp's backlog, not the steady state.
      rampRate: 250,
      redisN: Number(process.env.BENCH_REDIS_N ?? (quick ? 100 : 1000)),
      log,
    });
  }
  if (suites.has('sfu')) {
    log('suite (b): SFU forwarding — floor, bare mediasoup vs Convene vs bare older mediasoup, alternating runs');
    result.sfu = await runSfuSuite({
      profiles: ['video', 'audio'],
      // Video only by default: its capacity is the CPU-bound one, and audio too would take the bench past ~10 minutes.
      compareProfiles: (process.env.BENCH_SFU_COMPARE ?? 'video')
        .split(',')
        .map((p) => p.trim())
        .filter((p): p is Profile => p === 'video' || p === 'audio'),
      runs: quick ? 1 : 3,
      steps: quick
        ? { video: [50, 100], audio: [50, 100] }
        : { video: [200, 400, 600, 800, 1000, 1200, 1600], audio: [400, 800, 1200, 2000, 3200] },
      windowMs: 1000,
      warmMs: 300,
      maxLoss: 0.001,
      maxAddedP50Ms: 50,
      creation: { participants: quick ? 30 : 100, rate: 25, runs: quick ? 1 : 3 },
      // One room over two workers (issue 14): the single worker's steps, then on past its capacity.
      multiWorker:
        process.env.BENCH_SFU_MULTI === '0'
          ? null
          : {
              profile: 'video',
              steps: quick ? [50, 100, 200] : [200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000, 2400],
            },
      log,
    });
  }
  if (suites.has('browser')) {
    log('suite (c): browser end to end — P2P baseline vs Convene');
    result.browser = await runBrowserSuite({ runs: quick ? 1 : 3, log });
  }
  if (suites.has('join')) {
    log('suite (g): join — a late joiner, click → first screen-share frame, the flow before issue 15 against now');
    const join = await runJoinSuite({ runs: Number(process.env.BENCH_JOIN_RUNS ?? (quick ? 2 : 7)), log });
    result.join = { markdown: join.markdown, conditions: join.conditions, errors: join.errors };
  }
  if (suites.has('abuse')) {
    log('suite (d): abuse — the victims of one meeting without and with each attacker, alternating windows');
    const only = process.env.BENCH_ABUSE_ATTACKS?.split(',').map((a) => a.trim());
    result.abuse = await runAbuseSuite({
      runs: Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3)),
      windowMs: quick ? 2500 : 4000,
      drainMs: 500,
      attacks: ATTACKS.filter((a) => !only || only.includes(a)),
      sizes: { flood: 5, amplification: 60, 'slow-readers': 3, 'knock-flood': quick ? 150 : 300 },
      slowReaders: { maxLeadMs: quick ? 2000 : 30_000, leadUntilQueued: 0.5, maxTailMs: quick ? 0 : 10_000 },
      victims: { participants: 20, cohosts: 3, chatPeriodMs: 2000, hostPeriodMs: 250, chatChars: 100 },
      log,
    });
  }
  if (suites.has('cluster')) {
    log('suite (e): cluster — 2 nodes against 1 on Redis, kill -9 of owner nodes, a Redis outage');
    const cluster = await runClusterSuite({
      signaling: {
        n: quick ? 200 : 1000,
        runs: Number(process.env.BENCH_RUNS ?? (quick ? 1 : 3)),
        windows: quick ? 1 : 2,
        windowMs: quick ? 3000 : 5000,
        drainMs: 1000,
        probeRate: 10,
        rampRate: 250,
      },
      failover: { kills: quick ? 2 : 6, nodes: 3, rooms: quick ? 3 : 6, perRoom: 4, timeoutMs: 15_000 },
      outage: { windowMs: quick ? 5000 : 60_000, rooms: 3, perRoom: 4, chatPeriodMs: 1000 },
      log,
    });
    const n = cluster.options.signaling.n;
    const markdown = clusterMarkdown({
      startedAt: result.startedAt,
      machineLine: machineLine(env, PRIORITY.nice),
      n,
      placements: cluster.signaling.placements,
      failover: cluster.failover.summary,
      outage: cluster.outage,
      verdicts: cluster.verdicts,
    });
    result.cluster = { ...cluster, markdown };
  }
  if (suites.has('audience')) {
    log(
      'suite (f): audience — N audience members join one meeting while its stage chats, against a bare Socket.IO floor',
    );
    const audience = await runAudienceSuite(audienceOptions(log));
    result.audience = { ...audience, markdown: audienceMarkdown(audience) };
  }
  if (suites.has('recording')) {
    log('suite: recording — CPU added by recording a 4-person room, compose time, A/V offset');
    result.recording = {
      ...(await runRecordingSuite({
        runs: quick ? 1 : 3,
        windowMs: quick ? 3_000 : 10_000,
        composeSeconds: quick ? 10 : 30,
        log,
      })),
    };
  }
} finally {
  if (restoreAutogroup !== null) writeFileSync('/proc/self/autogroup', restoreAutogroup);
}

result.durationS = Math.round((Date.now() - started) / 1000);
log(`done in ${result.durationS} s`);
mkdirSync(RESULTS, { recursive: true });
const json = JSON.stringify(result, null, 1);
writeFileSync(path.join(RESULTS, `${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`), json);
writeFileSync(path.join(RESULTS, 'latest.json'), json);
// The headline table is the first three suites'; the abuse suite has its own.
const md = ['signaling', 'sfu', 'browser'].some((s) => suites.has(s)) ? markdown(result) : '';
const abuseMd = result.abuse ? abuseMarkdown(result) : '';
const clusterMd = result.cluster ? `${result.cluster.markdown.join('\n')}\n` : '';
const audienceMd = result.audience ? `${result.audience.markdown}\n` : '';
const joinMd = result.join?.markdown ?? '';
const recordingMd = result.recording ? result.recording.markdown : '';
writeFileSync(
  path.join(RESULTS, 'latest.md'),
  [md, abuseMd, clusterMd, audienceMd, joinMd, recordingMd].filter(Boolean).join('\n'),
);
// A partial run would replace the published tables with a third of them.
const full = ['signaling', 'sfu', 'browser'].every((s) => suites.has(s));
if (!quick && full) updateBenchmarksMd(md);
// The abuse section is its own: all four attacks refresh it.
if (!quick && result.abuse?.attacks.length === ATTACKS.length) updateBenchmarksMd(abuseMd, 'abuse');
if (!quick && clusterMd) updateBenchmarksMd(clusterMd, 'cluster');
if (!quick && audienceMd) updateBenchmarksMd(audienceMd, 'audience');
if (!quick && result.join?.conditions.length) updateBenchmarksMd(joinMd, 'join');
if (!quick && recordingMd) updateBenchmarksMd(recordingMd, 'recording');
console.log(`\n${[md, abuseMd, clusterMd, audienceMd, joinMd, recordingMd].filter(Boolean).join('\n')}`);
