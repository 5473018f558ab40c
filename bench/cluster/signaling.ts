/**
 * Signaling across nodes: the signaling suite's servers (bench/signaling/
 * server.ts, Convene without Next or media) and its raw load generator, at
 * one N, in three placements on one Redis, runs alternating:
 *   single  one node on Redis: the baseline;
 *   affine  two nodes, each participant on its room's owner node (what a
 *           front door that routes by meeting would do);
 *   spread  two nodes, participants alternating between them, so every room
 *           has sockets on both and half of all signaling is relayed.
 * Nodes and Redis share the server core; the generator has the other. CPU is
 * read from /proc per process; per node it is divided by the fan-out events
 * delivered to that node's sockets in the window.
 */
import { execSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { startRedis } from '../../test/helpers/redis';
import { CORES, pinPid, procCpuMs, sleep, spawnNode, type Child } from '../lib/proc';
import { round } from '../lib/stats';
import { RawClient } from '../signaling/client';
import type { LoadgenApi } from '../signaling/loadgen';
import type { ServerApi } from '../signaling/server';
import { redisPidCpu, roomsFor, serverProcess, settle } from '../signaling/suite';

/** Rooms placed at once, and the pause after them (a heartbeat and a poll: server/cluster/nodes.ts). */
const PLACE_ROUND = 8;
const HEARTBEAT_AGE_MS = 900;

export const PLACEMENTS = ['single', 'affine', 'spread'] as const;
export type Placement = (typeof PLACEMENTS)[number];

export interface ClusterSignalingOptions {
  n: number;
  runs: number;
  windows: number;
  windowMs: number;
  drainMs: number;
  probeRate: number;
  rampRate: number;
  log: (line: string) => void;
}

export interface PlacementWindow {
  joinP50: number;
  joinP99: number;
  joinFailed: number;
  chatP50: number;
  chatP99: number;
  chatP999: number;
  delivery: number;
  delivered: number;
  /** Per node: its CPU-ms over the window per 1,000 fan-out events delivered to its own sockets. */
  nodes: Array<{ cpuMs: number; delivered: number; cpuMsPer1000: number }>;
  redisCpuMsPer1000: number;
  /** Share of participants whose socket is on their room's owner node. */
  affinity: number;
  errors: string[];
}

export interface PlacementRun {
  placement: Placement;
  run: number;
  windows: PlacementWindow[];
}

/** Room codes by owner node id, read from the leases (`convene:{code}:owner` = `<node>/<fence>`). */
async function owners(redis: Redis, codes: string[]): Promise<Map<string, string>> {
  const leases = await redis.mget(codes.map((c) => `convene:{${c}}:owner`));
  return new Map(codes.map((c, i) => [c, leases[i]?.split('/')[0] ?? '']));
}

/**
 * Places every room before the ramp: placers join the rooms through the nodes
 * in turn (the first join places a room on the least loaded node), and the
 * leases say where each landed. In rounds, a heartbeat apart: a node sees the
 * others' load from heartbeats up to ~800 ms old, so a burst of new rooms all
 * goes to whichever node looked least loaded (see BENCHMARKS.md). The placers
 * leave once the ramp has filled the rooms, so no room empties (which would
 * release its lease).
 */
async function place(redis: Redis, urls: string[], ids: string[], codes: string[]) {
  const placers: RawClient[] = [];
  for (let i = 0; i < codes.length; i += PLACE_ROUND) {
    const round = codes.slice(i, i + PLACE_ROUND);
    placers.push(
      ...(await Promise.all(
        round.map(async (code, j) => {
          const c = new RawClient();
          await c.connect(urls[(i + j) % urls.length]!);
          await c.request('join-room', { roomCode: code, displayName: 'placer' }, 10_000);
          return c;
        }),
      )),
    );
    await sleep(HEARTBEAT_AGE_MS);
  }
  const byCode = await owners(redis, codes);
  const roomUrls = Object.fromEntries(codes.map((c) => [c, urls[ids.indexOf(byCode.get(c)!)] ?? urls[0]!]));
  const leave = async () => {
    await Promise.all(placers.map((p) => p.request('leave-room', {}, 10_000).catch(() => undefined)));
    for (const p of placers) p.close();
  };
  return { roomUrls, leave };
}

async function oneRun(placement: Placement, run: number, o: ClusterSignalingOptions): Promise<PlacementRun> {
  const redisServer = await startRedis();
  const redis = new Redis(redisServer.url);
  pinPid(Number(execSync(`pgrep -f "redis-server.*${redisServer.port}" | head -1`).toString().trim()), CORES.server);
  const servers: Child<ServerApi>[] = [];
  const gen = spawnNode<LoadgenApi>('bench/signaling/loadgen.ts', { core: CORES.generator });
  try {
    // One after the other, so each node's id is the one new in the node set.
    const ids: string[] = [];
    const ports: number[] = [];
    for (let i = 0; i < (placement === 'single' ? 1 : 2); i++) {
      const s = serverProcess('convene', CORES.server, { REDIS_URL: redisServer.url });
      servers.push(s);
      ports.push((await s.nextEvent<{ port: number }>('ready', 60_000)).port);
      ids.push((await redis.smembers('convene:nodes')).find((id) => !ids.includes(id))!);
    }
    const urls = ports.map((p) => `http://127.0.0.1:${p}`);
    const codes = await servers[0]!.call('rooms', { count: roomsFor(o.n) + 1 });
    const placed = placement === 'affine' ? await place(redis, urls, ids, codes) : null;
    await gen.call('init', { urls, rooms8: codes.slice(1), bigRoom: codes[0], roomUrls: placed?.roomUrls });
    const grown = await gen.call('grow', { to: o.n, rate: o.rampRate });
    await placed?.leave();
    await settle(servers);
    const byCode = await owners(redis, codes);
    const windows: PlacementWindow[] = [];
    for (let k = 0; k < o.windows; k++) {
      const pids = servers.map((s) => s.pid);
      const cpu0 = pids.map(procCpuMs);
      const redis0 = redisPidCpu(redisServer.port);
      const w = await gen.call('window', { durationMs: o.windowMs, drainMs: o.drainMs, probeRate: o.probeRate });
      const cpu = pids.map((pid, i) => procCpuMs(pid) - cpu0[i]!);
      const redisCpu = redisPidCpu(redisServer.port) - redis0;
      const nodes = urls.map((u, i) => {
        const delivered = w.deliveredByUrl[u] ?? 0;
        return { cpuMs: cpu[i]!, delivered, cpuMsPer1000: round((cpu[i]! / Math.max(1, delivered)) * 1000, 2) };
      });
      const affine = await gen.call('placement');
      windows.push({
        joinP50: w.probe.latency.p50,
        joinP99: w.probe.latency.p99,
        joinFailed: w.probe.failed,
        chatP50: w.chat.latency.p50,
        chatP99: w.chat.latency.p99,
        chatP999: w.chat.latency.p999,
        delivery: round(Math.min(w.chat.delivery, w.toggle.delivery), 6),
        delivered: w.deliveredAll,
        nodes,
        redisCpuMsPer1000: round((redisCpu / Math.max(1, w.deliveredAll)) * 1000, 2),
        affinity: round(
          affine.filter((a) => urls[ids.indexOf(byCode.get(a.code) ?? '')] === a.url).length /
            Math.max(1, affine.length),
          4,
        ),
        errors: [...grown.failures, ...w.errors],
      });
      const x = windows.at(-1)!;
      o.log(
        `  ${placement} run ${run} window ${k + 1}: join p99 ${x.joinP99} ms, chat p50/p99 ${x.chatP50}/${x.chatP99} ms, delivery ${x.delivery}, ` +
          `CPU-ms/1k per node ${nodes.map((n) => `${n.cpuMsPer1000} (${n.cpuMs} ms, ${n.delivered})`).join(' / ')} (+ Redis ${x.redisCpuMsPer1000}), on owner ${Math.round(x.affinity * 100)}%` +
          (x.errors.length ? ` — ${x.errors.length} error(s): ${x.errors[0]}` : ''),
      );
    }
    await gen.call('stop').catch(() => undefined);
    return { placement, run, windows };
  } finally {
    await Promise.all([gen.kill(), ...servers.map((s) => s.kill())]);
    redis.disconnect();
    await redisServer.stop();
  }
}

export async function runClusterSignaling(o: ClusterSignalingOptions): Promise<PlacementRun[]> {
  const runs: PlacementRun[] = [];
  for (let r = 1; r <= o.runs; r++) for (const p of PLACEMENTS) runs.push(await oneRun(p, r, o));
  return runs;
}
