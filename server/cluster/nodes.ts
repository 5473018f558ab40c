/**
 * Which nodes are alive, found through Redis with no list to configure: each
 * node keeps a key with a short TTL (its heartbeat, carrying its load) and is
 * a member of one set. A member whose key has expired is dead; every node sees
 * that on its next poll, within NODE_TTL_MS + POLL_MS.
 */
import os from 'node:os';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** A node is dead once its heartbeat is this old. Issue 13: noticed within 2 s. */
export const NODE_TTL_MS = 1_500;
const BEAT_MS = 400;
const POLL_MS = 400;

const NODES = 'convene:nodes';
const nodeKey = (id: string) => `convene:node:${id}`;

/** Where other nodes reach this one when NODE_URL is not set: its own address, or its host name when bound to all. */
export function nodeUrlFor(host: string, port: number): string {
  const name = host === '0.0.0.0' || host === '::' ? os.hostname() : host.includes(':') ? `[${host}]` : host;
  return `http://${name}:${port}`;
}

export interface NodeInfo {
  id: string;
  /** Rooms this node owns: placement puts a new room on the least loaded node. */
  load: number;
  /** When the node wrote this (its clock). */
  at: number;
  /** Where other nodes reach its HTTP port (NODE_URL), once it listens: recordings are streamed from it. */
  url?: string;
}

export class NodeRegistry {
  #alive = new Map<string, NodeInfo>();
  #timers: NodeJS.Timeout[] = [];
  #deadListeners: Array<(id: string, claimed: boolean) => void> = [];
  #stopped = false;
  #url: string | undefined;
  /**
   * Rooms this node placed on others since their last heartbeat, by node: a
   * burst of new meetings would otherwise all go to the node whose heartbeat
   * still says it is empty.
   */
  readonly #placed = new Map<string, number[]>();
  /**
   * No node is declared dead before this time: after Redis was unreachable
   * (or came back empty) every node needs one heartbeat to be seen again.
   */
  #quietUntil = 0;

  constructor(
    readonly id: string,
    private readonly redis: Redis,
    private readonly load: () => number,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.#beat();
    await this.#poll();
    this.#timers.push(
      setInterval(() => void this.#beat(), BEAT_MS),
      setInterval(() => void this.#poll(), POLL_MS),
    );
    for (const t of this.#timers) t.unref();
  }

  /**
   * Called once per dead node on every live node that saw it. `claimed` is
   * true on exactly one of them (the one whose SREM took it out of the set):
   * that node moves the dead node's rooms.
   */
  onDead(fn: (id: string, claimed: boolean) => void): void {
    this.#deadListeners.push(fn);
  }

  /** Live nodes as of the last poll, this one included. */
  alive(): NodeInfo[] {
    return [...this.#alive.values()];
  }

  /** Sets the HTTP address this node's heartbeat gives the others (after it listens). */
  advertise(url: string): void {
    this.#url = url;
  }

  /** Where a live node's HTTP port is, if it said. */
  urlOf(id: string): string | undefined {
    return id === this.id ? this.#url : this.#alive.get(id)?.url;
  }

  isAlive(id: string): boolean {
    return id === this.id || this.#alive.has(id);
  }

  /**
   * Asks Redis whether a node beats now: for a node this one has not seen yet
   * (it started after the last poll), before treating it as dead.
   */
  async beating(id: string): Promise<boolean> {
    return this.isAlive(id) || (await this.redis.exists(nodeKey(id))) === 1;
  }

  /**
   * The least loaded live node (this one on a tie): where a new room goes.
   * `extra` adds load not yet in the heartbeats (rooms being moved right now);
   * without this node, it answers this node only when no other is alive.
   */
  leastLoaded(opts: { extra?: Map<string, number>; withoutSelf?: boolean } = {}): string {
    const load = (n: NodeInfo) => n.load + (opts.extra?.get(n.id) ?? 0) + (this.#placed.get(n.id)?.length ?? 0);
    let best: NodeInfo | null = opts.withoutSelf ? null : { id: this.id, load: this.load(), at: Date.now() };
    for (const n of this.#alive.values()) {
      if (n.id === this.id) continue;
      if (!best || load(n) < load(best)) best = n;
    }
    return best?.id ?? this.id;
  }

  /**
   * A request to `id` reached nobody: it is gone, whatever its heartbeat said
   * at the last poll (a node killed just before this one started is still
   * listed for up to one TTL). Placement stops choosing it at once.
   */
  unreachable(id: string): void {
    if (id !== this.id) this.#alive.delete(id);
  }

  /** This node just placed a room on `id`: count it there until its next heartbeat does. */
  placedOn(id: string): void {
    if (id === this.id) return;
    const times = this.#placed.get(id) ?? [];
    times.push(Date.now());
    this.#placed.set(id, times);
  }

  /** Leaves the set at once, so others do not wait for the TTL (graceful stop). */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) clearInterval(t);
    await this.redis
      .multi()
      .del(nodeKey(this.id))
      .srem(NODES, this.id)
      .exec()
      .catch(() => undefined);
  }

  async #beat(): Promise<void> {
    if (this.#stopped) return;
    const info: NodeInfo = { id: this.id, load: this.load(), at: Date.now(), url: this.#url };
    await this.redis
      .multi()
      .set(nodeKey(this.id), JSON.stringify(info), 'PX', NODE_TTL_MS)
      .sadd(NODES, this.id)
      .exec()
      .catch((err: unknown) => this.log.debug({ err: (err as Error).message }, 'heartbeat not written'));
  }

  async #poll(): Promise<void> {
    if (this.#stopped) return;
    try {
      const ids = await this.redis.smembers(NODES);
      const beats = ids.length ? await this.redis.mget(ids.map(nodeKey)) : [];
      const alive = new Map<string, NodeInfo>();
      const dead = new Set<string>();
      ids.forEach((id, i) => {
        const beat = beats[i];
        if (beat) alive.set(id, JSON.parse(beat) as NodeInfo);
        else if (id !== this.id) dead.add(id);
      });
      // Another node may have taken a dead one out of the set already: what
      // this node saw alive last time and no longer does is dead for it too.
      for (const id of this.#alive.keys()) if (!alive.has(id) && id !== this.id) dead.add(id);
      if (Date.now() < this.#quietUntil) {
        // Just after an outage: keep what we knew until everyone had time to beat again.
        for (const [id, info] of this.#alive) if (!alive.has(id)) alive.set(id, info);
        this.#alive = alive;
        return;
      }
      this.#alive = alive;
      for (const [id, times] of this.#placed) {
        const beat = alive.get(id);
        // Later than its last beat (clocks may differ a little: none kept past 2 s).
        const pending = beat ? times.filter((t) => t > beat.at && Date.now() - t < 2_000) : [];
        if (pending.length) this.#placed.set(id, pending);
        else this.#placed.delete(id);
      }
      for (const id of dead) {
        const claimed = (await this.redis.srem(NODES, id)) === 1;
        this.log.warn({ node: id, claimed }, 'node is dead');
        for (const fn of this.#deadListeners) fn(id, claimed);
      }
    } catch (err) {
      this.#quietUntil = Date.now() + NODE_TTL_MS + 2 * BEAT_MS;
      this.log.debug({ err: (err as Error).message }, 'node poll failed');
    }
  }
}
