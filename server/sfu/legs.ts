import type { types as ms } from 'mediasoup';
import { mediaCall } from './errors';
import type { SfuLogger, Transport } from './types';
import type { Placement } from './worker-pool';

/**
 * One router of a room. The home leg holds every send transport, producer and
 * the ActiveSpeakerObserver, and receive transports while its worker has room.
 * Other legs, each on another worker, hold only receive transports and their
 * consumers, fed by pipe copies of the home producers (`router.pipeToRouter`,
 * same producer ids).
 */
export class Leg {
  /** Receive transports on this leg: transport id → participant id. */
  readonly transports = new Map<string, string>();
  /** Pipe copies of home producers, by producer id (mediasoup keeps the id). */
  readonly pipes = new Map<string, Promise<ms.Producer>>();
  /** Consumers on this leg, consumes in flight included, per producer id: the copy closes at 0. */
  readonly refs = new Map<string, number>();

  constructor(
    readonly placement: Placement,
    readonly home: boolean,
  ) {}

  get router(): ms.Router {
    return this.placement.router;
  }
}

export interface LegsOptions {
  roomCode: string;
  /** Consumers a worker carries before new receive transports go elsewhere. */
  maxConsumersPerWorker: number;
  /** A router on a worker other than `avoidPids` with fewer than the cap's consumers, if any. */
  newRouter: (avoidPids: number[]) => Promise<Placement | undefined>;
  /** A leg's worker died: these participants lost their receive transport (and its consumers), nothing else. */
  onLost: (participantIds: string[]) => void;
  logger: SfuLogger;
}

/**
 * The routers a room spreads over within this process. Receive transports go
 * to the first leg whose worker is under the cap, else to a new leg on the
 * least-loaded worker under it, else (every worker full) to the room's
 * least-loaded leg. A transport's consumers stay with it.
 *
 * Teardown: a pipe copy closes when its leg has no consumer of it left, a
 * leg's router when no receive transport is left on it. A producer closing on
 * the home router closes its copies (mediasoup: pipe consumer → pipe producer),
 * and pause/resume travel the same way.
 */
export class RoomLegs {
  #home: Leg;
  readonly #others = new Set<Leg>();
  #creating: Promise<Leg | undefined> | undefined;
  /** Bumped when the home router is replaced or the room closes: a leg created meanwhile is dropped. */
  #generation = 0;

  constructor(
    home: Placement,
    private readonly options: LegsOptions,
  ) {
    this.#home = new Leg(home, true);
  }

  get home(): Leg {
    return this.#home;
  }

  all(): Leg[] {
    return [this.#home, ...this.#others];
  }

  /** The leg for a new receive transport; with `overflow` false, undefined when every worker is at the cap. */
  forReceive(overflow: true): Promise<Leg>;
  forReceive(overflow: false): Promise<Leg | undefined>;
  async forReceive(overflow: boolean): Promise<Leg | undefined> {
    const cap = this.options.maxConsumersPerWorker;
    const open = this.all().find((l) => !l.router.closed && l.placement.load.consumers < cap);
    if (open) return open;
    // Concurrent transports wait for one new leg rather than each creating one.
    this.#creating ??= this.#add().finally(() => (this.#creating = undefined));
    const added = await this.#creating;
    if (added && !added.router.closed) return added;
    if (!overflow) return undefined;
    const live = this.all().filter((l) => !l.router.closed);
    return live.reduce((a, b) => (b.placement.load.consumers < a.placement.load.consumers ? b : a), this.#home);
  }

  /** The leg of a receive transport (home for anything not on another leg). */
  legOf(transportId: string): Leg {
    for (const leg of this.#others) if (leg.transports.has(transportId)) return leg;
    return this.#home;
  }

  /** Record a receive transport on its leg; the leg retires when its last transport closes. */
  adopt(leg: Leg, t: Transport): void {
    leg.transports.set(t.id, t.appData.participantId);
    t.observer.once('close', () => {
      // Closed with its router (worker death): #lost reports the leg's participants.
      if (leg.router.closed) return;
      leg.transports.delete(t.id);
      this.retireIfIdle(leg);
    });
  }

  /** Close a leg other than home that has no receive transport left. */
  retireIfIdle(leg: Leg): void {
    if (leg.home || leg.transports.size > 0 || leg.router.closed || !this.#others.has(leg)) return;
    this.#others.delete(leg);
    leg.router.close();
    this.options.logger.debug(
      { roomCode: this.options.roomCode, workerPid: leg.placement.workerPid },
      'room leg closed: no receive transport left',
    );
  }

  /**
   * Make `producerId` consumable on `leg` (piping it there on first use) and
   * hold it until the returned release is called, once per consumer. Not for
   * the home leg: its producers are there already.
   */
  async hold(leg: Leg, producerId: string): Promise<() => void> {
    leg.refs.set(producerId, (leg.refs.get(producerId) ?? 0) + 1);
    const pipe = leg.pipes.get(producerId) ?? this.#pipe(leg, producerId);
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      const n = (leg.refs.get(producerId) ?? 1) - 1;
      if (n > 0) return void leg.refs.set(producerId, n);
      leg.refs.delete(producerId);
      // Closed once it exists, unless a consume took it again meanwhile.
      void pipe.then(
        (copy) => {
          if (leg.refs.has(producerId) || leg.pipes.get(producerId) !== pipe) return;
          leg.pipes.delete(producerId);
          copy.close();
        },
        () => undefined,
      );
    };
    try {
      await pipe;
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }

  #pipe(leg: Leg, producerId: string): Promise<ms.Producer> {
    const home = this.#home.placement;
    const pipe = mediaCall('pipeToRouter', () =>
      // RTX on the pipe: a packet lost between workers is retransmitted (mediasoup's default is off).
      home.router.pipeToRouter({ producerId, router: leg.router, enableRtx: true, enableSctp: false }),
    ).then(({ pipeConsumer, pipeProducer }) => {
      if (!pipeConsumer || !pipeProducer) throw new Error('pipeToRouter returned no producer copy');
      // The pipe consumer forwards the stream once more on the home worker: it counts as a consumer there.
      home.load.consumers++;
      pipeConsumer.observer.once('close', () => home.load.consumers--);
      pipeProducer.observer.once('close', () => {
        if (leg.pipes.get(producerId) === pipe) leg.pipes.delete(producerId);
      });
      return pipeProducer;
    });
    leg.pipes.set(producerId, pipe);
    pipe.catch(() => {
      if (leg.pipes.get(producerId) === pipe) leg.pipes.delete(producerId);
    });
    return pipe;
  }

  async #add(): Promise<Leg | undefined> {
    const generation = this.#generation;
    const placement = await this.options.newRouter(this.all().map((l) => l.placement.workerPid));
    if (!placement) return undefined;
    if (generation !== this.#generation || this.#home.router.closed) {
      placement.router.close();
      return undefined;
    }
    const leg = new Leg(placement, false);
    this.#others.add(leg);
    placement.router.once('workerclose', () => this.#lost(leg));
    this.options.logger.info(
      { roomCode: this.options.roomCode, workerPid: placement.workerPid, legs: this.#others.size + 1 },
      'room spread to another worker',
    );
    return leg;
  }

  #lost(leg: Leg): void {
    if (!this.#others.delete(leg)) return;
    const participants = [...new Set(leg.transports.values())];
    leg.transports.clear();
    this.options.logger.warn(
      { roomCode: this.options.roomCode, workerPid: leg.placement.workerPid, participants: participants.length },
      'a worker carrying part of a room died; its receivers rebuild their receive side only',
    );
    this.options.onLost(participants);
  }

  /** Close every leg but home (home router lost, or the room closing). */
  dropOthers(): void {
    this.#generation++;
    for (const leg of this.#others) leg.router.close();
    this.#others.clear();
  }

  /** After the home worker died: the room starts over on `home`. */
  reset(home: Placement): void {
    this.dropOthers();
    this.#home = new Leg(home, true);
  }
}
