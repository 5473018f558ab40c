/**
 * Renders a saved full run again, without re-running it:
 *   node --import tsx bench/render.ts bench/results/<timestamp>.json
 * Writes bench/results/latest.md and the results section of BENCHMARKS.md
 * (after a change to the report, or to publish a run other than the last).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { markdown, updateBenchmarksMd } from './report';
import { BenchResultSchema } from './result';

const file = process.argv[2];
if (!file) throw new Error('usage: bench/render.ts <result.json>');
const result = BenchResultSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
if (result.quick || !result.signaling || !result.sfu || !result.browser)
  throw new Error(`${file} is not a full run of all three suites`);
const md = markdown(result);
writeFileSync(path.resolve(import.meta.dirname, 'results', 'latest.md'), md);
updateBenchmarksMd(md);
console.log(md);
