/**
 * A real multi-node deployment for tests: one redis-server, N Convene node
 * processes each on its own loopback address (127.0.0.2, 127.0.0.3, …) with
 * its own media address, and HAProxy in front running deploy/haproxy.cfg,
 * configured through the same environment variables README.md ("Several
 * nodes") gives. Every process it starts is killed by stop(), and by a
 * last-resort exit hook if the test process dies first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureNextBuild } from './next-build';
import { freePort, startRedis, type RedisInstance } from './redis';
import { TEST_SECRET } from './server';
import { until } from './wait';

const root = path.resolve(import.meta.dirname, '../..');

export interface ClusterOptions {
  /** How many nodes (at most 9, the slots deploy/haproxy.cfg has). Default 3. */
  nodes?: number;
  /** Run the SFU on each node, listening and announced on the node's own address. Default false (always on with `next`). */
  media?: boolean;
  /**
   * Serve the Next pages too: each node is then the real `npm start` entry
   * point (server/index.ts, production build). Default false: the same server
   * and environment without Next (test/helpers/cluster-node.ts), seconds faster per node.
   */
  next?: boolean;
  /** Extra environment for every node (LOG_LEVEL, RECONNECT_GRACE_MS…). */
  env?: Record<string, string>;
  /** Extra environment for one node (its own RECORDINGS_DIR…), by its address. */
  envOf?: (address: string) => Record<string, string>;
  /** Another entry point for the nodes, run with the same environment (the bench's nodes add a hook of their own). */
  entry?: string;
}

/** HAProxy's view of one node: its check status (`UP`, `DOWN`, `UP 1/2`…) and how many sessions it has been given. */
export interface FrontView {
  status: string;
  sessions: number;
}

export interface NodeProcess {
  /** HAProxy's name for it: node1, node2… */
  name: string;
  address: string;
  port: number;
  /** The node itself, bypassing HAProxy. */
  url: string;
  /** The running process's id; undefined while it is stopped. */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Sends `signal` (default SIGTERM) and resolves once the process has exited. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same address and port; resolves once it listens and HAProxy counts it up. */
  restart(): Promise<void>;
  /** What the process printed (stdout and stderr), for failure messages. */
  output(): string;
}

export interface Cluster {
  redis: RedisInstance;
  nodes: NodeProcess[];
  /** HAProxy's front, where clients connect. */
  frontUrl: string;
  /** HAProxy's view of every node, by name. */
  front(): Promise<Record<string, FrontView>>;
  /** Waits until HAProxy's check status of `node` is exactly `status`; resolves with the ms it took. */
  waitForFront(node: NodeProcess, status: 'UP' | 'DOWN', ms?: number): Promise<number>;
  /** HAProxy's output (its log of errors, retries and redispatches). */
  haproxyOutput(): string;
  /** Kills every node, HAProxy and Redis. Safe to call twice. */
  stop(): Promise<void>;
}

/** Every child process alive, so a test process that dies early still takes them with it. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const proc of live) proc.kill('SIGKILL');
});

function track(proc: ChildProcess): { output: () => string; exited: Promise<void> } {
  live.add(proc);
  let out = '';
  const keep = (chunk: Buffer) => {
    out = (out + chunk.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) =>
    proc.once('exit', () => {
      live.delete(proc);
      resolve();
    }),
  );
  return { output: () => out, exited };
}

function exitedWith(proc: ChildProcess): boolean {
  return proc.exitCode !== null || proc.signalCode !== null;
}

/** Resolves once `proc` prints `marker`; rejects if it exits first or takes longer than `ms`. */
function printed(proc: ChildProcess, marker: string, output: () => string, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms} ms:\n${output()}`)), ms);
    const check = () => {
      if (!output().includes(marker)) return;
      clearTimeout(timer);
      resolve();
    };
    proc.stdout?.on('data', check);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot start ${what}: ${err.message}`));
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited (${code ?? signal}) before it was ready:\n${output()}`));
    });
  });
}

function stopProcess(proc: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals, graceMs = 12_000) {
  if (exitedWith(proc)) return Promise.resolve();
  const force = setTimeout(() => proc.kill('SIGKILL'), graceMs);
  proc.kill(signal);
  return exited.then(() => clearTimeout(force));
}

/** The environment a node gets: what README.md's "Several nodes" tells each node to set. */
/** Where the cluster's nodes are, and the temporary directory that holds each node's RECORDINGS_DIR. */
interface Site {
  redisUrl: string;
  recordingsRoot: string;
}

function nodeEnv(address: string, port: number, site: Site, opts: ClusterOptions): NodeJS.ProcessEnv {
  return {
    // Each node's own, never the checkout's data/ (envOf may name another).
    RECORDINGS_DIR: path.join(site.recordingsRoot, address),
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: address,
    PORT: String(port),
    REDIS_URL: site.redisUrl,
    NEXTAUTH_SECRET: TEST_SECRET,
    // HAProxy reaches the nodes from 127.0.0.1, loopback's source address.
    TRUST_PROXY: '127.0.0.1',
    MEDIASOUP_LISTEN_IP: address,
    MEDIASOUP_ANNOUNCED_ADDRESS: address,
    MEDIASOUP_NUM_WORKERS: '1',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
    ...(!opts.next && !opts.media ? { CLUSTER_NODE_MEDIA: '0' } : {}),
    ...opts.env,
    ...opts.envOf?.(address),
  };
}

function startNode(
  name: string,
  address: string,
  port: number,
  site: Site,
  opts: ClusterOptions,
): { proc: ChildProcess; output: () => string; exited: Promise<void>; ready: Promise<void> } {
  const entry = opts.entry ?? (opts.next ? 'server/index.ts' : 'test/helpers/cluster-node.ts');
  const proc = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: nodeEnv(address, port, site, opts),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { output, exited } = track(proc);
  const ready = printed(proc, 'Convene is running', output, 60_000, `${name} (${address}:${port})`);
  return { proc, output, exited, ready };
}

/** Parses HAProxy's CSV stats into a view per server of `backend`. */
function parseStats(csv: string, backend: string): Record<string, FrontView> {
  const [header = '', ...rows] = csv.trim().split('\n');
  const cols = header.replace(/^# /, '').split(',');
  const col = (name: string) => cols.indexOf(name);
  const view: Record<string, FrontView> = {};
  for (const row of rows) {
    const cells = row.split(',');
    if (cells[col('pxname')] !== backend) continue;
    const server = cells[col('svname')] ?? '';
    if (server === 'BACKEND' || server === 'FRONTEND') continue;
    view[server] = { status: cells[col('status')] ?? '', sessions: Number(cells[col('stot')] ?? 0) };
  }
  return view;
}

export async function startCluster(opts: ClusterOptions = {}): Promise<Cluster> {
  const count = opts.nodes ?? 3;
  if (count < 1 || count > 9) throw new Error('deploy/haproxy.cfg has slots for 1 to 9 nodes');
  if (opts.next) ensureNextBuild();

  const cleanups: Array<() => Promise<void>> = [];
  const stop = async () => {
    await Promise.all(cleanups.splice(0).map((c) => c().catch(() => undefined)));
  };
  const recordingsRoot = mkdtempSync(path.join(os.tmpdir(), 'convene-cluster-'));
  // After the nodes are killed (cleanups run together): retried while a dying recorder still writes.
  cleanups.push(() => rm(recordingsRoot, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }));
  try {
    const redis = await startRedis();
    cleanups.push(() => redis.stop());

    const site: Site = { redisUrl: redis.url, recordingsRoot };
    const addresses = Array.from({ length: count }, (_, i) => `127.0.0.${i + 2}`);
    const ports = await Promise.all(addresses.map((a) => freePort(a)));
    const [frontPort, statsPort] = [await freePort(), await freePort()];
    const statsUrl = `http://127.0.0.1:${statsPort}/stats;csv`;

    const front = async (): Promise<Record<string, FrontView>> =>
      parseStats(await (await fetch(statsUrl)).text(), 'convene_nodes');
    const waitForFront = async (node: NodeProcess, status: 'UP' | 'DOWN', ms = 10_000) => {
      const began = Date.now();
      await until(
        `HAProxy to count ${node.name} ${status}`,
        // HAProxy may not answer yet while it starts.
        async () => (await front().catch((): Record<string, FrontView> => ({})))[node.name]?.status,
        (s) => s === status,
        ms,
      );
      return Date.now() - began;
    };

    const firstStarts: Array<Promise<void>> = [];
    const nodes = addresses.map((address, i): NodeProcess => {
      const name = `node${i + 1}`;
      const port = ports[i]!;
      let current = startNode(name, address, port, site, opts);
      firstStarts.push(current.ready);
      cleanups.push(() => stopProcess(current.proc, current.exited, 'SIGKILL'));
      const node: NodeProcess = {
        name,
        address,
        port,
        url: `http://${address}:${port}`,
        get pid() {
          return exitedWith(current.proc) ? undefined : current.proc.pid;
        },
        get running() {
          return !exitedWith(current.proc);
        },
        kill: (signal = 'SIGTERM') => stopProcess(current.proc, current.exited, signal),
        restart: async () => {
          if (!exitedWith(current.proc)) throw new Error(`${name} is still running; kill it first`);
          current = startNode(name, address, port, site, opts);
          await current.ready;
          await waitForFront(node, 'UP');
        },
        output: () => current.output(),
      };
      return node;
    });
    // A node that fails to start rejects here; the others are awaited below, once HAProxy runs too.
    for (const started of firstStarts) started.catch(() => undefined);

    const haproxy = spawn('haproxy', ['-f', path.join(root, 'deploy/haproxy.cfg')], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'production', // unread by HAProxy; ProcessEnv's type asks for it
        CONVENE_FRONT: `127.0.0.1:${frontPort}`,
        CONVENE_STATS: `127.0.0.1:${statsPort}`,
        ...Object.fromEntries(nodes.map((n) => [`CONVENE_${n.name.toUpperCase()}`, `${n.address}:${n.port}`])),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const haproxyRun = track(haproxy);
    cleanups.push(() => stopProcess(haproxy, haproxyRun.exited, 'SIGTERM', 2_000));
    const haproxyFailed = new Promise<never>((_, reject) => {
      const fail = (why: string) => reject(new Error(`haproxy ${why}:\n${haproxyRun.output()}`));
      haproxy.once('error', (err) =>
        fail(`could not start (is it installed? apt-get install haproxy): ${err.message}`),
      );
      haproxy.once('exit', (code) => fail(`exited (${code})`));
    });
    haproxyFailed.catch(() => undefined);

    const cluster: Cluster = {
      redis,
      nodes,
      frontUrl: `http://127.0.0.1:${frontPort}`,
      front,
      waitForFront,
      haproxyOutput: haproxyRun.output,
      stop,
    };
    await Promise.race([
      haproxyFailed,
      (async () => {
        await Promise.all(firstStarts);
        for (const node of nodes) await waitForFront(node, 'UP', 15_000);
      })(),
    ]);
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}
