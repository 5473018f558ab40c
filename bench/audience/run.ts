/**
 * The audience suite on its own (also part of `npm run bench` as BENCH_SUITES=audience):
 *   node --import tsx bench/audience/run.ts
 * BENCH_AUDIENCE_N=5000  BENCH_AUDIENCE_RATE=100  BENCH_RUNS=2  BENCH_QUICK=1 (tiny, for developing the bench)
 * Writes bench/results/audience-<timestamp>.json and prints the markdown section.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { audienceOptions } from './options';
import { audienceMarkdown, runAudienceSuite } from './suite';
import { machine } from '../lib/stats';
import { CORES } from '../lib/proc';

const started = Date.now();
const log = (line: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${line}`);
const env = machine(CORES.pinned);
log(`load average at start: ${env.loadAverageAtStart.join(' ')}`);
const result = await runAudienceSuite(audienceOptions(log));
const dir = path.resolve(import.meta.dirname, '..', 'results');
mkdirSync(dir, { recursive: true });
const file = path.join(dir, `audience-${new Date(started).toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  file,
  JSON.stringify({ startedAt: new Date(started).toISOString(), machine: env, audience: result }, null, 2),
);
console.log(`\n${audienceMarkdown(result)}\n\n(${file})`);
