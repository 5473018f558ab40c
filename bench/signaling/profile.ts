/**
 * Profiles one signaling server under the bench load:
 *   node --import tsx bench/signaling/profile.ts [convene|baseline] [N]
 * Runs the server with --cpu-prof through a ramp to N and one steady window,
 * then prints self time by package and the hottest functions.
 */
import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { summarizeProfile } from '../lib/cpuprofile';
import { CORES, spawnNode } from '../lib/proc';
import type { LoadgenApi } from './loadgen';
import type { ServerApi } from './server';

const kind = process.argv[2] ?? 'convene';
const n = Number(process.argv[3] ?? 1000);
const dir = path.resolve('bench/results/profiles', `${kind}-${Date.now()}`);
mkdirSync(dir, { recursive: true });

const server = spawnNode<ServerApi>('bench/signaling/server.ts', {
  core: CORES.server,
  args: [kind],
  nodeArgs: [
    '--expose-gc',
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    ...(process.env.BENCH_TRACE_GC === '1' ? ['--trace-gc'] : []),
  ],
});
const gen = spawnNode<LoadgenApi>('bench/signaling/loadgen.ts', { core: CORES.generator });
const { port } = await server.nextEvent<{ port: number }>('ready');
const codes = await server.call('rooms', { count: Math.ceil(n / 8) + 2 });
await gen.call('init', { urls: [`http://127.0.0.1:${port}`], rooms8: codes.slice(1), bigRoom: codes[0] });
const grown = await gen.call('grow', { to: n, rate: Number(process.env.RAMP ?? 500) });
const w = await gen.call('window', { durationMs: 8000, drainMs: 1000, probeRate: 10 });
console.log(
  `${kind} N=${n}: ramp join p50/p99 ${grown.join.p50}/${grown.join.p99} ms; probe join p99 ${w.probe.latency.p99} ms; chat p99 ${w.chat.latency.p99} ms`,
);
await gen.kill();
// Closing stdin makes the server exit normally, which is when V8 writes the profile.
server.proc.stdin!.end();
await new Promise((r) => server.proc.once('exit', r));
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
if (!file) throw new Error('no profile written');
const summary = summarizeProfile(path.join(dir, file));
console.log(`profile: ${path.join(dir, file)} (${summary.totalMs} ms of CPU)`);
console.table(summary.byPackage.slice(0, 15));
console.table(summary.topFunctions);
