/** The audience suite's sizes, from the environment (shared by bench/run.ts and bench/audience/run.ts). */
import type { AudienceOptions } from './suite';

export function audienceOptions(log: (line: string) => void): AudienceOptions {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    n: Number(process.env.BENCH_AUDIENCE_N ?? (quick ? 300 : 5000)),
    stage: 10,
    // Convene's join costs ~1–2 ms of server CPU on this machine: 250/s leaves the stage's chat room to breathe.
    rate: Number(process.env.BENCH_AUDIENCE_RATE ?? 250),
    chatRate: 10,
    windowMs: quick ? 2000 : 5000,
    runs: Number(process.env.BENCH_RUNS ?? (quick ? 1 : 2)),
    sample: 50,
    log,
  };
}
