import type { types as ms } from 'mediasoup';
import { MEDIA_CODECS } from './codecs';
import type { SfuConfig } from './config';
import { ConveneError } from '../../lib/protocol/errors';
import { mediaCall } from './errors';
import type { SfuLogger } from './types';
import { loadMediasoup } from './worker-bin';

/** A live worker and what runs on it. */
interface PoolEntry {
  worker: ms.Worker;
  /** Present when config.webRtcServerPort is set: all transports of this worker share its port. */
  webRtcServer?: ms.WebRtcServer;
  /** Slot i owns WebRtcServer port webRtcServerPort + i; a replacement reuses the dead worker's slot. */
  slot: number;
  /** Router -> owner (the room code); the router count is the placement load. */
  routers: Map<ms.Router, string>;
  /** Routers being created; counted as load so concurrent placements spread out. */
  pending: number;
  /** Consumers on this worker, shared with every Placement on it (RoomMedia counts them). */
  load: WorkerLoad;
}

/** What a worker forwards: every consumer on it, pipe consumers to other workers included. */
export interface WorkerLoad {
  consumers: number;
}

/** A router placed on a worker, with the worker's WebRtcServer if any. */
export interface Placement {
  router: ms.Router;
  webRtcServer?: ms.WebRtcServer;
  workerPid: number;
  /** The worker's consumer count; the holder of the placement adds and removes its consumers. */
  load: WorkerLoad;
}

export interface WorkerDiedInfo {
  pid: number;
  /** Owners (room codes) whose routers were on the dead worker. */
  owners: string[];
}

const RESTART_RETRY_MS = 5_000;

/**
 * One mediasoup worker per configured count. Routers go to the worker with
 * the fewest routers. When a worker dies, its routers are gone: the pool logs
 * it, starts a replacement in the same slot, and tells onWorkerDied listeners
 * which owners lost their router so they can rebuild.
 */
export class WorkerPool {
  readonly #entries: PoolEntry[] = [];
  /** Replacement starts in flight; placement waits for them so load evens out. */
  readonly #starting = new Set<Promise<PoolEntry | undefined>>();
  readonly #diedListeners = new Set<(info: WorkerDiedInfo) => void>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #closed = false;
  #capabilities: Promise<ms.RtpCapabilities> | null = null;

  private constructor(
    private readonly config: SfuConfig,
    private readonly logger: SfuLogger,
  ) {}

  static async create(config: SfuConfig, logger: SfuLogger): Promise<WorkerPool> {
    const pool = new WorkerPool(config, logger);
    try {
      for (let slot = 0; slot < config.numWorkers; slot++) pool.#entries.push(await pool.#startWorker(slot));
    } catch (err) {
      pool.close();
      throw err;
    }
    return pool;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Subscribe to worker deaths; returns the unsubscribe function. */
  onWorkerDied(listener: (info: WorkerDiedInfo) => void): () => void {
    this.#diedListeners.add(listener);
    return () => this.#diedListeners.delete(listener);
  }

  /**
   * The RTP capabilities every router of this pool has (they follow from MEDIA_CODECS alone), from
   * one short-lived router made on first use: what a client loads its device with before joining.
   */
  routerCapabilities(): Promise<ms.RtpCapabilities> {
    if (this.#capabilities) return this.#capabilities;
    const made = (async () => {
      const { router } = await this.createRouter('capabilities');
      const caps = router.rtpCapabilities;
      router.close();
      return caps;
    })();
    this.#capabilities = made;
    // A failure (no worker yet) is not remembered: the next call tries again.
    made.catch(() => {
      if (this.#capabilities === made) this.#capabilities = null;
    });
    return made;
  }

  /** Create a router on the least-loaded live worker, recorded as belonging to `owner`. */
  async createRouter(owner: string): Promise<Placement> {
    if (this.#starting.size > 0) await Promise.all(this.#starting);
    if (this.#closed) throw new ConveneError('MEDIA_UNAVAILABLE', 'media server is shutting down');
    const load = (e: PoolEntry) => e.routers.size + e.pending;
    const entry = this.#entries.reduce<PoolEntry | undefined>(
      (best, e) => (!best || load(e) < load(best) ? e : best),
      undefined,
    );
    if (!entry) throw new ConveneError('MEDIA_UNAVAILABLE', 'no media worker is running');
    return this.#routerOn(entry, owner);
  }

  /**
   * A further router for `owner` on the worker with the fewest consumers among
   * those not in `avoidPids` and under `maxConsumers`; undefined when there is
   * none (every other worker is as full: the caller stays where it is).
   */
  async createLegRouter(owner: string, avoidPids: number[], maxConsumers: number): Promise<Placement | undefined> {
    if (this.#starting.size > 0) await Promise.all(this.#starting);
    if (this.#closed) throw new ConveneError('MEDIA_UNAVAILABLE', 'media server is shutting down');
    const entry = this.#entries
      .filter((e) => !avoidPids.includes(e.worker.pid) && !e.worker.died && e.load.consumers < maxConsumers)
      .reduce<PoolEntry | undefined>(
        (best, e) => (!best || e.load.consumers < best.load.consumers ? e : best),
        undefined,
      );
    return entry && this.#routerOn(entry, owner);
  }

  async #routerOn(entry: PoolEntry, owner: string): Promise<Placement> {
    entry.pending++;
    let router: ms.Router;
    try {
      router = await mediaCall('createRouter', () => entry.worker.createRouter({ mediaCodecs: MEDIA_CODECS }));
    } finally {
      entry.pending--;
    }
    entry.routers.set(router, owner);
    // On worker death mediasoup closes the routers *before* emitting 'died';
    // keep them then, so #onDied can still tell which owners were affected.
    router.observer.once('close', () => {
      if (!entry.worker.died) entry.routers.delete(router);
    });
    return {
      router,
      ...(entry.webRtcServer && { webRtcServer: entry.webRtcServer }),
      workerPid: entry.worker.pid,
      load: entry.load,
    };
  }

  /** Per-worker load, for logs, metrics and tests. */
  stats(): { pid: number; routers: number; consumers: number }[] {
    return this.#entries.map((e) => ({ pid: e.worker.pid, routers: e.routers.size, consumers: e.load.consumers }));
  }

  /** worker.dump() of every live worker (leak checks in tests and diagnostics). */
  dump(): Promise<ms.WorkerDump[]> {
    return Promise.all(this.#entries.map((e) => e.worker.dump()));
  }

  /** Close every worker (and with them every router). Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    for (const e of this.#entries.splice(0)) e.worker.close();
    this.#diedListeners.clear();
  }

  async #startWorker(slot: number): Promise<PoolEntry> {
    const mediasoup = await loadMediasoup();
    const { config } = this;
    const worker = await mediasoup.createWorker({
      logLevel: config.logLevel,
      rtcMinPort: config.rtcMinPort,
      rtcMaxPort: config.rtcMaxPort,
    });
    let webRtcServer: ms.WebRtcServer | undefined;
    if (config.webRtcServerPort !== undefined) {
      const port = config.webRtcServerPort + slot;
      const base = {
        ip: config.listenIp,
        port,
        ...(config.announcedAddress && { announcedAddress: config.announcedAddress }),
      };
      try {
        webRtcServer = await worker.createWebRtcServer({
          listenInfos: [
            { ...base, protocol: 'udp' },
            { ...base, protocol: 'tcp' },
          ],
        });
      } catch (err) {
        worker.close();
        throw err;
      }
    }
    const entry: PoolEntry = {
      worker,
      slot,
      routers: new Map(),
      pending: 0,
      load: { consumers: 0 },
      ...(webRtcServer && { webRtcServer }),
    };
    worker.on('died', (error) => this.#onDied(entry, error));
    this.logger.info(
      { pid: worker.pid, slot, webRtcServerPort: config.webRtcServerPort && config.webRtcServerPort + slot },
      'mediasoup worker started',
    );
    return entry;
  }

  #onDied(entry: PoolEntry, error: Error): void {
    const index = this.#entries.indexOf(entry);
    if (index !== -1) this.#entries.splice(index, 1);
    const owners = [...new Set(entry.routers.values())];
    entry.routers.clear();
    this.logger.error({ pid: entry.worker.pid, slot: entry.slot, err: error, owners }, 'mediasoup worker died');
    if (this.#closed) return;
    this.#replace(entry.slot);
    for (const listener of [...this.#diedListeners]) {
      try {
        listener({ pid: entry.worker.pid, owners });
      } catch (err) {
        this.logger.error({ err }, 'onWorkerDied listener threw');
      }
    }
  }

  #replace(slot: number): void {
    const attempt: Promise<PoolEntry | undefined> = this.#startWorker(slot).then(
      (entry) => {
        if (this.#closed) {
          entry.worker.close();
          return undefined;
        }
        this.#entries.push(entry);
        return entry;
      },
      (err: unknown) => {
        this.logger.error(
          { err, slot },
          `replacement mediasoup worker failed to start; retrying in ${RESTART_RETRY_MS} ms`,
        );
        const timer = setTimeout(() => {
          this.#timers.delete(timer);
          if (!this.#closed) this.#replace(slot);
        }, RESTART_RETRY_MS);
        timer.unref();
        this.#timers.add(timer);
        return undefined;
      },
    );
    this.#starting.add(attempt);
    void attempt.finally(() => this.#starting.delete(attempt));
  }
}
