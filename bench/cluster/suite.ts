/**
 * Suite (e): several nodes (issue 13). Signaling across two nodes against one
 * node on the same Redis (signaling.ts), kill -9 of owner nodes (failover.ts)
 * and a Redis outage (outage.ts), each with its baseline in the same run.
 */
import { CORES, spawnNode } from '../lib/proc';
import type { MediaApi } from './media';
import type { OutageWindow } from './outage';
import { runClusterSignaling, type ClusterSignalingOptions } from './signaling';
import { summarizeFailover, summarizePlacement, verdicts } from './verdict';

export interface ClusterSuiteOptions {
  signaling: Omit<ClusterSignalingOptions, 'log'>;
  failover: { kills: number; nodes: number; rooms: number; perRoom: number; timeoutMs: number };
  outage: { windowMs: number; rooms: number; perRoom: number; chatPeriodMs: number };
  log: (line: string) => void;
}

export async function runClusterSuite(o: ClusterSuiteOptions) {
  o.log(`  signaling: N=${o.signaling.n}, ${o.signaling.runs} runs of single / affine / spread`);
  const runs = await runClusterSignaling({ ...o.signaling, log: o.log });
  const placements = {
    single: summarizePlacement(runs, 'single'),
    affine: summarizePlacement(runs, 'affine'),
    spread: summarizePlacement(runs, 'spread'),
  };
  // The emulated participants run in their own process on the generator core.
  const media = spawnNode<MediaApi>('bench/cluster/media.ts', { core: CORES.generator });
  try {
    await media.nextEvent('ready', 60_000);
    o.log(`  failover: ${o.failover.kills} kills of the owner node among ${o.failover.nodes}`);
    const kills = await media.call('failover', o.failover, 30 * 60_000);
    o.log(`  Redis outage: ${o.outage.windowMs / 1000} s up, then ${o.outage.windowMs / 1000} s down`);
    const outage = await media.call('outage', o.outage, 30 * 60_000);
    const failover = summarizeFailover(kills);
    const up = outage.windows.find((w) => w.redis === 'up') as OutageWindow;
    const down = outage.windows.find((w) => w.redis === 'down') as OutageWindow;
    return {
      options: { ...o, log: undefined },
      signaling: { runs, placements },
      failover: { kills, summary: failover },
      outage,
      verdicts: verdicts({ ...placements, failover, outage: { up, down } }),
    };
  } finally {
    await media.kill();
  }
}
