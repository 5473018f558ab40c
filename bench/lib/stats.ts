/** Small statistics helpers and machine facts for reports. */
import { execSync } from 'node:child_process';
import os from 'node:os';
import { monitorEventLoopDelay, type ELDHistogram } from 'node:perf_hooks';

export function median(values: number[]): number {
  const v = values.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = Math.floor(v.length / 2);
  return v.length % 2 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2;
}

export const round = (x: number, digits = 2) => (Number.isFinite(x) ? Math.round(x * 10 ** digits) / 10 ** digits : x);

/** Ratio a/b rounded, NaN-safe. */
export const ratio = (a: number, b: number) => (b > 0 && Number.isFinite(a) ? round(a / b, 2) : NaN);

export interface Machine {
  cores: number;
  cpuModel: string;
  node: string;
  platform: string;
  kernel: string;
  memoryGiB: number;
  pinned: boolean;
  loadAverageAtStart: number[];
}

export function machine(pinned: boolean): Machine {
  let kernel = os.release();
  try {
    kernel = execSync('uname -r').toString().trim();
  } catch {
    /* os.release() is good enough */
  }
  return {
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    kernel,
    memoryGiB: round(os.totalmem() / 2 ** 30, 1),
    pinned,
    loadAverageAtStart: os.loadavg().map((x) => round(x, 2)),
  };
}

/** CPU and event-loop delay of this process over a window: start(), then read(). */
export class SelfMeter {
  #cpu = process.cpuUsage();
  #t = performance.now();
  readonly #eld: ELDHistogram = monitorEventLoopDelay({ resolution: 5 });

  constructor() {
    this.#eld.enable();
  }

  start(): void {
    this.#cpu = process.cpuUsage();
    this.#t = performance.now();
    this.#eld.reset();
  }

  read(): { cpuMs: number; wallMs: number; cpuShare: number; eldP99Ms: number; eldMaxMs: number } {
    const c = process.cpuUsage(this.#cpu);
    const cpuMs = (c.user + c.system) / 1000;
    const wallMs = performance.now() - this.#t;
    return {
      cpuMs: round(cpuMs, 1),
      wallMs: round(wallMs, 1),
      cpuShare: round(cpuMs / wallMs, 3),
      eldP99Ms: round(this.#eld.percentile(99) / 1e6, 2),
      eldMaxMs: round(this.#eld.max / 1e6, 2),
    };
  }
}
