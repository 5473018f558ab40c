/** Builds (once, cached by source hash) and drives the C RTP sink (rtp-sink.c). */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { histogram, type Histogram } from '../lib/hdr';
import { CORES, NICE } from '../lib/proc';

const SOURCE = path.resolve(import.meta.dirname, 'rtp-sink.c');

/** Path of the compiled sink; throws with the compiler's message if there is no C compiler. */
export function buildSink(): string {
  const src = readFileSync(SOURCE);
  const dir = path.join(os.tmpdir(), 'convene-bench');
  const bin = path.join(dir, `rtp-sink-${createHash('sha256').update(src).digest('hex').slice(0, 12)}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const cc = process.env.CC ?? 'cc';
  const r = spawnSync(cc, ['-O2', '-o', bin, SOURCE], { encoding: 'utf8' });
  if (r.status !== 0)
    throw new Error(
      `cannot build the RTP sink with ${cc} (the SFU bench needs a C compiler): ${r.error?.message ?? r.stderr}`,
    );
  return bin;
}

export interface SinkReport {
  received: number;
  outside: number;
  rtcp: number;
  bad: number;
  latency: Histogram;
}

export class RtpSink {
  readonly #proc: ChildProcess;
  readonly #lines: string[] = [];
  readonly #waiters: Array<(line: string) => void> = [];
  ports: number[] = [];

  private constructor(proc: ChildProcess) {
    this.#proc = proc;
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      const w = this.#waiters.shift();
      if (w) w(line);
      else this.#lines.push(line);
    });
  }

  static async start(sockets = 4): Promise<RtpSink> {
    const bin = buildSink();
    const argv = [bin, String(sockets)];
    const pinned = CORES.pinned ? ['taskset', '-c', String(CORES.generator), ...argv] : argv;
    const full = NICE !== 0 && process.getuid?.() === 0 ? ['nice', '-n', String(NICE), ...pinned] : pinned;
    const sink = new RtpSink(spawn(full[0]!, full.slice(1), { stdio: ['pipe', 'pipe', 'inherit'] }));
    const first = await sink.#next();
    sink.ports = first.split(' ').slice(1).map(Number);
    return sink;
  }

  get pid(): number {
    return this.#proc.pid!;
  }

  #next(): Promise<string> {
    const line = this.#lines.shift();
    if (line !== undefined) return Promise.resolve(line);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Counts packets whose scheduled send time lies in [startNs, endNs) from now on. */
  async window(startNs: number, endNs: number): Promise<void> {
    this.#proc.stdin!.write(`W ${Math.round(startNs)} ${Math.round(endNs)}\n`);
    await this.#next();
  }

  async report(): Promise<SinkReport> {
    this.#proc.stdin!.write('R\n');
    const r = JSON.parse(await this.#next()) as {
      received: number;
      outside: number;
      rtcp: number;
      bad: number;
      hist: [number, number][];
    };
    const latency = histogram();
    for (const [us, count] of r.hist) latency.recordValueWithCount(Math.max(1, us), count);
    return { received: r.received, outside: r.outside, rtcp: r.rtcp, bad: r.bad, latency };
  }

  close(): void {
    this.#proc.stdin!.end('Q\n');
  }
}

/** Kernel drop counters (/proc/net/udp "drops") of local UDP ports on 127.0.0.1, summed. */
export function udpDrops(ports: number[]): number {
  const want = new Set(ports.map((p) => `0100007F:${p.toString(16).toUpperCase().padStart(4, '0')}`));
  let drops = 0;
  for (const line of readFileSync('/proc/net/udp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1] && want.has(f[1])) drops += Number(f[f.length - 1]);
  }
  return drops;
}
