/**
 * HDR histograms of latencies in microseconds, and the summary we report.
 * Histograms cross process boundaries as compressed base64 so percentiles are
 * computed from merged data, never averaged.
 */
import { build, decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';

export type { Histogram };

/** 1 µs .. 120 s at 3 significant digits. */
export function histogram(): Histogram {
  return build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: 120_000_000,
    numberOfSignificantValueDigits: 3,
    useWebAssembly: false,
  });
}

/** Records a latency given in milliseconds (floats welcome). Negative values (clock skew) are clamped to 0 µs. */
export function recordMs(h: Histogram, ms: number): void {
  h.recordValue(Math.max(1, Math.min(120_000_000, Math.round(ms * 1000))));
}

export const encode = (h: Histogram): string => encodeIntoCompressedBase64(h);
export const decode = (s: string): Histogram => decodeFromCompressedBase64(s, 32, false);

export function merge(parts: Histogram[]): Histogram {
  const h = histogram();
  for (const p of parts) h.add(p);
  return h;
}

export interface LatencySummary {
  count: number;
  p50: number;
  p99: number;
  p999: number;
  max: number;
}

/** Percentiles in milliseconds. */
export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, p50: NaN, p99: NaN, p999: NaN, max: NaN };
  return {
    count: h.totalCount,
    p50: ms(h.getValueAtPercentile(50)),
    p99: ms(h.getValueAtPercentile(99)),
    p999: ms(h.getValueAtPercentile(99.9)),
    max: ms(h.maxValue),
  };
}
