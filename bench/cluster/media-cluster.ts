/**
 * A real cluster for the failover and outage measures (test/helpers/cluster.ts:
 * redis-server, N nodes on 127.0.0.2… with their own media addresses, HAProxy
 * running deploy/haproxy.cfg), every process of it pinned to the server core,
 * with its meetings and emulated participants (participant.ts).
 */
import { spawnSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { guestIdentity } from '../../server/auth/identity';
import { MeetingService } from '../../server/rooms/meetings';
import { RedisRoomStore } from '../../server/store/redis';
import { startCluster, type Cluster, type NodeProcess } from '../../test/helpers/cluster';
import { freePort } from '../../test/helpers/redis';
import { CORES, pinPid, sleep } from '../lib/proc';
import { EmulatedParticipant, type ParticipantSink } from './participant';

const HOUR = 3_600_000;

/**
 * Every bench participant comes from 127.0.0.1 (directly or through HAProxy):
 * the per-IP caps that would count them as one office are lifted, as the other suites do.
 */
const UNCAPPED = {
  MAX_CONNECTIONS_PER_IP: '100000',
  MAX_MEDIA_PARTICIPANTS_PER_IP: '100000',
  JOINS_PER_IP_PER_SECOND: '10000',
  JOIN_BURST_PER_IP: '10000',
  JOIN_QUEUE_PER_IP: '10000',
  IP_BROADCASTS_PER_10S: '1000000',
  IP_BROADCASTS_PER_SECOND: '100000',
  ROOM_BROADCASTS_PER_10S: '1000000',
};

export interface BenchCluster {
  cluster: Cluster;
  redis: Redis;
  hookPort: number;
  /** Pins every process the cluster runs (nodes, their mediasoup workers, Redis, HAProxy) to the server core. */
  pin(): void;
  /** The node whose media address is `address`. */
  nodeAt(address: string): NodeProcess;
  /** The node id in a room's lease (`<node>/<fence>`), or null if nobody holds it. */
  leaseOf(code: string): Promise<string | null>;
  meeting(title: string): Promise<string>;
  stop(): Promise<void>;
}

function descendants(pid: number): number[] {
  const out = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' }).stdout;
  const children = out.split('\n').filter(Boolean).map(Number);
  return children.flatMap((c) => [c, ...descendants(c)]);
}

export async function startBenchCluster(nodes: number): Promise<BenchCluster> {
  const hookPort = await freePort();
  const cluster = await startCluster({
    nodes,
    media: true,
    entry: 'bench/cluster/node.ts',
    env: { ...UNCAPPED, BENCH_HOOK_PORT: String(hookPort), LOG_LEVEL: 'warn' },
  });
  const redis = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1, enableOfflineQueue: false });
  await new Promise((r) => redis.once('ready', r));
  redis.on('error', () => undefined); // the outage measure stops Redis on purpose
  const store = new RedisRoomStore(redis, { liveStateTtlMs: HOUR });
  const meetings = new MeetingService(store, { meetingTtlMs: HOUR, roomCapacity: 100, maxScreenShares: 1 });
  const bench: BenchCluster = {
    cluster,
    redis,
    hookPort,
    // This process runs on the generator core; what it started must not.
    pin: () => void descendants(process.pid).forEach((pid) => pinPid(pid, CORES.server)),
    nodeAt: (address) => {
      const node = cluster.nodes.find((n) => n.address === address);
      if (!node) throw new Error(`no node at ${address}`);
      return node;
    },
    leaseOf: async (code) => (await redis.get(`convene:{${code}}:owner`))?.split('/')[0] ?? null,
    meeting: async (title) => (await meetings.create(guestIdentity('bench-host'), { title })).code,
    stop: async () => {
      redis.disconnect();
      await cluster.stop();
    },
  };
  bench.pin();
  return bench;
}

/** Makes `count` participants of `code` through `url`, one after another, each joined. */
export async function joinRoom(
  c: BenchCluster,
  code: string,
  urls: (i: number) => string,
  count: number,
  firstIndex: number,
  sink: ParticipantSink,
): Promise<EmulatedParticipant[]> {
  const members: EmulatedParticipant[] = [];
  for (let i = 0; i < count; i++) {
    const p = new EmulatedParticipant(firstIndex + i, code, urls(i), c.hookPort, sink);
    await p.bind();
    await p.join(`bench ${firstIndex + i}`);
    members.push(p);
  }
  return members;
}

/** Sends every participant's mic packet each 20 ms, on one timer. */
export function startMics(all: () => EmulatedParticipant[], onTick?: (p: EmulatedParticipant) => void): () => void {
  const timer = setInterval(() => {
    for (const p of all()) {
      p.tick();
      onTick?.(p);
    }
  }, 20);
  return () => clearInterval(timer);
}

/** Resolves once `done()` holds (checked every 20 ms), or with false after `ms`. */
export async function waitFor(done: () => boolean, ms: number): Promise<boolean> {
  const end = performance.now() + ms;
  while (!done()) {
    if (performance.now() > end) return false;
    await sleep(20);
  }
  return true;
}
