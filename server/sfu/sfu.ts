import type { types as ms } from 'mediasoup';
import type { IceServer, SfuConfig } from './config';
import { ConveneError } from '../../lib/protocol/errors';
import { fromMediasoupError } from './errors';
import { LegHost } from './leg-host';
import type { LegLink } from './remote-legs';
import { RoomMedia, type RoomMediaOptions } from './room-media';
import { silentLogger, type SfuLogger } from './types';
import { WorkerPool, type WorkerDiedInfo } from './worker-pool';

/**
 * The media side of the server: a WorkerPool and one RoomMedia per room code.
 * Room creation is serialised per code (concurrent joins share one promise, so
 * never two routers), and rooms whose worker died are rebuilt on a new router
 * before onRoomMediaReset listeners hear about it.
 */
export class Sfu {
  readonly #rooms = new Map<string, Promise<RoomMedia>>();
  readonly #resetListeners = new Set<(roomCode: string) => void>();
  readonly #roomOptions: RoomMediaOptions;
  #legHost: LegHost | null = null;
  #closed = false;

  private constructor(
    private readonly config: SfuConfig,
    private readonly pool: WorkerPool,
    private readonly logger: SfuLogger,
  ) {
    const { listenIp, announcedAddress, rtcMinPort, rtcMaxPort, maxScreenShares, maxConsumersPerParticipant } = config;
    this.#roomOptions = {
      listenIp,
      rtcMinPort,
      rtcMaxPort,
      maxScreenShares,
      maxConsumersPerParticipant,
      maxConsumersPerWorker: config.maxConsumersPerWorker,
      newLegRouter: (owner, avoidPids, max) => pool.createLegRouter(owner, avoidPids, max),
      logger,
      ...(announcedAddress !== undefined && { announcedAddress }),
    };
    pool.onWorkerDied((info) => this.#onWorkerDied(info));
  }

  /** Start the workers. Rejects (MEDIA_UNAVAILABLE) if the worker binary is missing. */
  static async create(config: SfuConfig, logger: SfuLogger = silentLogger): Promise<Sfu> {
    const pool = await WorkerPool.create(config, logger);
    return new Sfu(config, pool, logger);
  }

  /** STUN/TURN servers for clients' RTCPeerConnections. */
  get iceServers(): IceServer[] {
    return this.config.iceServers;
  }

  /** What every room's router answers to get-router-capabilities, without creating a room. */
  routerCapabilities(): Promise<ms.RtpCapabilities> {
    if (this.#closed) return Promise.reject(new ConveneError('MEDIA_UNAVAILABLE', 'media server is shutting down'));
    return this.pool.routerCapabilities();
  }

  /** The room's media, created on the least-loaded worker on first use. */
  room(roomCode: string): Promise<RoomMedia> {
    if (this.#closed) return Promise.reject(new ConveneError('MEDIA_UNAVAILABLE', 'media server is shutting down'));
    const existing = this.#rooms.get(roomCode);
    if (existing) return existing;
    const created = (async () => {
      const placement = await this.pool.createRouter(roomCode);
      try {
        return await RoomMedia.create(roomCode, placement, this.#roomOptions);
      } catch (err) {
        throw fromMediasoupError(err, 'create room media');
      }
    })();
    this.#rooms.set(roomCode, created);
    // A failed creation must not poison the code: the next call tries again.
    created.catch((err: unknown) => {
      if (this.#rooms.get(roomCode) === created) this.#rooms.delete(roomCode);
      this.logger.error({ err, roomCode }, 'room media creation failed');
    });
    return created;
  }

  /** The room's media if it exists (or is being created); never creates. */
  existingRoom(roomCode: string): Promise<RoomMedia> | undefined {
    return this.#rooms.get(roomCode);
  }

  /**
   * Several nodes: rooms created from now on spread their receivers to other
   * nodes over `link` once this node's workers are at the cap, and this node
   * carries receivers of rooms owned elsewhere (`serveLeg`). `onLegLost` is
   * told when such a part dies with its worker here.
   */
  linkNodes(link: LegLink, onLegLost: (roomCode: string, owner: string) => void): void {
    this.#roomOptions.legLink = link;
    this.#legHost = new LegHost(this.pool, this.config, this.logger, onLegLost);
  }

  /** Runs a leg operation another node (the room's owner) asked of this node. */
  serveLeg(roomCode: string, op: string, args: unknown[]): Promise<unknown> {
    if (!this.#legHost) return Promise.reject(new ConveneError('MEDIA_UNAVAILABLE', 'not part of a cluster'));
    return this.#legHost.serve(roomCode, op, args);
  }

  /** Rooms owned elsewhere that this node carries receivers of (tests, diagnostics). */
  hostedLegs(): string[] {
    return this.#legHost?.codes() ?? [];
  }

  /** Node `node` is gone: rooms here stop sending to it, and legs here that it owned close. */
  nodeGone(node: string): void {
    this.#legHost?.ownerGone(node);
    for (const pending of this.#rooms.values())
      void pending.then(
        (room) => room.remoteLost(node),
        () => undefined,
      );
  }

  /** Close the room's router and everything on it. Safe to call for unknown codes. */
  async closeRoom(roomCode: string): Promise<void> {
    const pending = this.#rooms.get(roomCode);
    if (!pending) return;
    this.#rooms.delete(roomCode);
    const room = await pending.catch(() => undefined);
    room?.close();
  }

  /** Called with the room code after its media was rebuilt (or dropped) because its worker died. */
  onRoomMediaReset(listener: (roomCode: string) => void): () => void {
    this.#resetListeners.add(listener);
    return () => this.#resetListeners.delete(listener);
  }

  /** Per-worker load: routers, and consumers (pipes to other workers included). */
  workerStats(): { pid: number; routers: number; consumers: number }[] {
    return this.pool.stats();
  }

  /** worker.dump() of every live worker. */
  dumpWorkers(): Promise<ms.WorkerDump[]> {
    return this.pool.dump();
  }

  /** Close every room and worker. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#rooms.values())
      void pending.then(
        (room) => room.close(),
        () => undefined,
      );
    this.#rooms.clear();
    this.#resetListeners.clear();
    this.#legHost?.closeAll();
    this.pool.close();
  }

  #onWorkerDied(info: WorkerDiedInfo): void {
    for (const roomCode of info.owners) void this.#rebuild(roomCode);
  }

  async #rebuild(roomCode: string): Promise<void> {
    const pending = this.#rooms.get(roomCode);
    const room = await pending?.catch(() => undefined);
    // Only a leg of the room died: RoomMedia itself told that leg's receivers (receive-reset).
    if (!pending || !room || !room.homeLost) return;
    try {
      const placement = await this.pool.createRouter(roomCode);
      await room.reset(placement);
      this.logger.warn({ roomCode, workerPid: placement.workerPid }, 'room media moved to a new worker');
    } catch (err) {
      // Give up on this RoomMedia; the next sfu.room(code) creates a fresh one.
      this.logger.error({ err, roomCode }, 'room media rebuild failed');
      if (this.#rooms.get(roomCode) === pending) this.#rooms.delete(roomCode);
      room.close();
    }
    if (this.#closed) return;
    for (const listener of [...this.#resetListeners]) {
      try {
        listener(roomCode);
      } catch (err) {
        this.logger.error({ err, roomCode }, 'onRoomMediaReset listener threw');
      }
    }
  }
}
