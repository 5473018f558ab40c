/**
 * Child processes for the bench: pinned to a core with taskset where the OS
 * allows, driven by JSON lines (requests on stdin, replies and events on
 * stdout). Also CPU accounting from /proc, which works for any pid.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { createInterface } from 'node:readline';
import type { Handlers } from './rpc';

const HAS_TASKSET = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
/**
 * The machine is shared with other engineers' test runs. Raising the bench's
 * priority (root only) keeps their load from showing up as our latency;
 * BENCH_NICE=0 turns it off.
 */
export const NICE = Number(process.env.BENCH_NICE ?? -10);
const HAS_NICE = NICE !== 0 && spawnSync('nice', ['-n', String(NICE), 'true']).status === 0 && process.getuid?.() === 0;
const CLK_TCK = 100;

/** The cores we pin to: load generator on one, the system under test on another. */
export const CORES = (() => {
  const n = os.cpus().length;
  return { generator: 0, server: n > 1 ? 1 : 0, pinned: HAS_TASKSET && n > 1 };
})();

/** What command `C` of a child with handlers `Api` takes, and replies with. */
type Args<Api extends Handlers, C extends keyof Api> = Api[C] extends (args: infer A) => unknown ? A : never;
type Reply<Api extends Handlers, C extends keyof Api> = Awaited<ReturnType<Api[C]>>;

/** A spawned child; `Api` is the `typeof` of the handlers it serve()s (none by default). */
export interface Child<Api extends Handlers = Record<never, never>> {
  proc: ChildProcess;
  pid: number;
  /** Sends a request and resolves with the child's reply to it. */
  call<C extends keyof Api & string>(cmd: C, args?: Args<Api, C>, timeoutMs?: number): Promise<Reply<Api, C>>;
  /** Resolves with the next `{ event }` line the child prints; `T` is what that event carries (declared, not checked). */
  nextEvent<T>(event: string, timeoutMs?: number): Promise<T>;
  kill(): Promise<void>;
}

/**
 * Runs `node --import tsx <script>` (pinned to `core` when possible) and
 * speaks the JSON-line protocol of bench/lib/rpc.ts with it.
 */
export function spawnNode<Api extends Handlers = Record<never, never>>(
  script: string,
  opts: { core?: number; args?: string[]; env?: Record<string, string>; nodeArgs?: string[] } = {},
): Child<Api> {
  const node = [process.execPath, ...(opts.nodeArgs ?? []), '--import', 'tsx', script, ...(opts.args ?? [])];
  const pinned = CORES.pinned && opts.core !== undefined ? ['taskset', '-c', String(opts.core), ...node] : node;
  const argv = HAS_NICE ? ['nice', '-n', String(NICE), ...pinned] : pinned;
  const proc = spawn(argv[0]!, argv.slice(1), {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, ...opts.env },
  });
  // Replies and events arrive as parsed JSON; call() and nextEvent() give them their declared types.
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const waiters = new Map<string, Array<(v: unknown) => void>>();
  let seq = 0;
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  proc.once('exit', (code, signal) => {
    for (const p of pending.values()) p.reject(new Error(`${script} exited (${code ?? signal})`));
    pending.clear();
  });
  createInterface({ input: proc.stdout }).on('line', (line) => {
    if (!line.startsWith('{')) return void process.stderr.write(`[${script}] ${line}\n`);
    const msg = JSON.parse(line) as {
      id?: number;
      ok?: boolean;
      result?: unknown;
      error?: string;
      event?: string;
      data?: unknown;
    };
    if (msg.event) {
      const list = waiters.get(msg.event);
      const w = list?.shift();
      if (w) w(msg.data);
      return;
    }
    const p = pending.get(msg.id!);
    if (!p) return;
    pending.delete(msg.id!);
    if (msg.ok) p.resolve(msg.result);
    else p.reject(new Error(`${script}: ${msg.error}`));
  });
  return {
    proc,
    pid: proc.pid!,
    call<C extends keyof Api & string>(cmd: C, args?: Args<Api, C>, timeoutMs = 300_000) {
      const id = ++seq;
      return new Promise<Reply<Api, C>>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${script}: ${cmd} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, {
          // The child's serve() replied with what its handler for `cmd` returned.
          resolve: (v) => (clearTimeout(timer), resolve(v as Reply<Api, C>)),
          reject: (e) => (clearTimeout(timer), reject(e)),
        });
        proc.stdin.write(`${JSON.stringify({ id, cmd, args: args ?? {} })}\n`);
      });
    },
    nextEvent<T>(event: string, timeoutMs = 60_000) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${script}: no '${event}' within ${timeoutMs} ms`)), timeoutMs);
        const list = waiters.get(event) ?? [];
        list.push((v) => (clearTimeout(timer), resolve(v as T)));
        waiters.set(event, list);
      });
    },
    async kill() {
      // Closing stdin asks a serve()d child to exit normally, which is when --cpu-prof
      // writes its profile; a child that does not go within 5 s is killed.
      proc.stdin.end();
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
  };
}

/** User+system CPU of a process (all its threads) in milliseconds, from /proc/<pid>/stat. */
export function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Field 2 (comm) may contain spaces; everything after its closing paren is space-separated from field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return ((utime + stime) * 1000) / CLK_TCK;
}

/** Pins an already running process (and all its threads) to a core at the bench's priority; false if the OS does not allow it. */
export function pinPid(pid: number, core: number): boolean {
  if (HAS_NICE) spawnSync('renice', ['-n', String(NICE), '-p', String(pid)]);
  if (!CORES.pinned) return false;
  return spawnSync('taskset', ['-a', '-c', '-p', String(core), String(pid)]).status === 0;
}

export const PRIORITY = { nice: HAS_NICE ? NICE : 0 };

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
