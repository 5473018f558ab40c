/**
 * A node of a multi-node deployment (REDIS_URL set): its registry entry, the
 * leases of the rooms it owns, RPC to other nodes, and moving rooms when a
 * node dies or drains. docs/cluster.md describes each failure case.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { randomId } from '../random-id';
import { RoomLeases, nodeRoomsKey } from './leases';
import { NodeRegistry } from './nodes';
import { Placement } from './placement';
import { closeConnection, logConnectionErrors } from './redis-errors';
import { NodeRpc, NotOwner } from './rpc';

/** How long a node waits for another node's answer before UNAVAILABLE. */
const RPC_TIMEOUT_MS = 5_000;

export interface ClusterHooks {
  /** This node took a room: rebuild what lived on its previous owner (media, grace timers). */
  taken(code: string): void;
  /** A node died: release what this node's rooms still hold for it (its participants' seats, its knocks). */
  nodeDead(nodeId: string, ownedHere: string[]): void;
  /** Now and then, with every room owned here: let go of those nobody is in. */
  sweep(ownedHere: string[]): void;
}

/** How often owned rooms are checked for being idle. */
const SWEEP_MS = 30_000;

export class ClusterNode {
  #sweeper: NodeJS.Timeout | null = null;

  private constructor(
    readonly nodeId: string,
    readonly placement: Placement,
    readonly nodes: NodeRegistry,
    readonly leases: RoomLeases,
    private readonly rpc: NodeRpc,
    private readonly redis: Redis,
    private readonly connections: Redis[],
    private readonly log: Logger,
  ) {}

  static async start(redis: Redis, log: Logger): Promise<ClusterNode> {
    const nodeId = randomId(9);
    // Requests fail at once while Redis is away (UNAVAILABLE), instead of queueing behind it.
    const pub = redis.duplicate({ lazyConnect: true, enableOfflineQueue: false });
    logConnectionErrors(pub, log, 'rpc-pub');
    await pub.connect();
    const sub = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    logConnectionErrors(sub, log, 'rpc-sub');
    const rpc = await NodeRpc.start(nodeId, pub, sub, RPC_TIMEOUT_MS, log);
    const leases = new RoomLeases(nodeId, redis, log);
    const nodes = new NodeRegistry(nodeId, redis, () => leases.count, log);
    const placement = new Placement(nodeId, leases, nodes, rpc, log);
    const node = new ClusterNode(nodeId, placement, nodes, leases, rpc, redis, [pub, sub], log.child({ node: nodeId }));
    return node;
  }

  /** Joins the cluster; `hooks` run on this node for the rooms it owns. */
  async join(hooks: ClusterHooks): Promise<void> {
    this.placement.onTaken((code) => hooks.taken(code));
    this.nodes.onDead((id, claimed) => {
      hooks.nodeDead(id, this.leases.codes());
      if (claimed) void this.#moveRoomsOf(id);
    });
    await this.nodes.start();
    this.leases.start();
    this.#sweeper = setInterval(() => hooks.sweep(this.leases.codes()), SWEEP_MS);
    this.#sweeper.unref();
    this.log.info('joined the cluster');
  }

  /** Why this node cannot take new sessions, if it cannot. */
  notReady(): string[] {
    return this.redis.status === 'ready' ? [] : [`redis ${this.redis.status}`];
  }

  /** Graceful stop: hand every room this node owns to the least loaded other node, then leave. */
  async drain(): Promise<string[]> {
    const moved: string[] = [];
    await this.nodes.stop();
    const extra = new Map<string, number>();
    for (const code of this.leases.codes()) {
      // A node that turns out unreachable is dropped from the choice and the next one tried.
      for (let attempt = 0; attempt < 3 && this.leases.holds(code); attempt++) {
        const target = this.nodes.leastLoaded({ extra, withoutSelf: true });
        if (target === this.nodeId) {
          this.log.warn({ room: code }, 'no other node to hand the room to');
          break;
        }
        const ok = await this.placement.moveTo(target, code, this.nodeId).catch((err: unknown) => {
          if (err instanceof NotOwner && err.unreachable) this.nodes.unreachable(target);
          else this.log.warn({ err, room: code, target }, 'handing a room over failed');
          return false;
        });
        if (!ok) continue;
        extra.set(target, (extra.get(target) ?? 0) + 1);
        this.leases.forget(code);
        moved.push(code);
      }
    }
    return moved;
  }

  async close(): Promise<void> {
    if (this.#sweeper) clearInterval(this.#sweeper);
    this.leases.stop();
    for (const code of this.leases.codes()) await this.placement.release(code);
    await this.nodes.stop();
    this.rpc.close();
    await Promise.all(this.connections.map(closeConnection));
  }

  /** This node claimed a dead node: its rooms go, one by one, to the least loaded live node. */
  async #moveRoomsOf(deadId: string): Promise<void> {
    const codes = await this.redis.smembers(nodeRoomsKey(deadId)).catch(() => []);
    const extra = new Map<string, number>();
    for (const code of codes) {
      const target = this.nodes.leastLoaded({ extra });
      extra.set(target, (extra.get(target) ?? 0) + 1);
      await this.placement
        .moveTo(target, code, deadId)
        .catch((err: unknown) => this.log.warn({ err, room: code, target }, 'moving a dead node room failed'));
    }
    await this.redis.del(nodeRoomsKey(deadId)).catch(() => undefined);
    if (codes.length) this.log.warn({ dead: deadId, rooms: codes.length }, "moved a dead node's rooms");
  }
}
