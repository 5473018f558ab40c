/** The audience suite's sizes, from the environment (shared by bench/run.ts and bench/audience/run.ts). */
import type { AudienceOptions } from './suite';

export function audienceOptions(log: (line: string) => void): AudienceOptions {
  const quick = process.env.BENCH_QUICK === '1';
  return {
    n: Number(process.env.BENCH_AUDIENCE_N ?? (quick ? 300 : 5000)),
    stage: 10,
    // A connect and join cost Convene ~2 ms of one core here: 100/s (5,000 in 50 s, a town hall filling
    // up) keeps the server under saturation, so the figures are latency, not a queue.
    rate: Number(process.env.BENCH_AUDIENCE_RATE ?? 100),
    // Each message also goes to every audience member (5,000 × 4 = 20,000 deliveries a second).
    chatRate: 4,
    windowMs: quick ? 2000 : 10_000,
    runs: Number(process.env.BENCH_RUNS ?? (quick ? 1 : 2)),
    sample: 50,
    log,
  };
}
