import type { types as ms } from 'mediasoup';
import type { SfuConfig } from './config';
import { TypedEmitter } from './emitter';
import { ConveneError } from '../../lib/protocol/errors';
import { fromMediasoupError, mediaCall } from './errors';
import { isShareSource, kindOf, Peers, type PeerMedia } from './peer-media';
import type {
  Consumer,
  ConsumerParams,
  MediaSourceName,
  PlainTransport,
  ProduceRequest,
  Producer,
  ProducerCloseReason,
  ProducerInfo,
  RoomMediaEvents,
  SfuLogger,
  Transport,
  TransportDirection,
  TransportParams,
  WebRtcTransport,
} from './types';
import { webRtcTransportOptions } from './transport-options';
import { MEDIA_SOURCES } from '../../lib/protocol/schemas';
import type { Placement } from './worker-pool';
import { RoomLegs, type Leg } from './legs';
import { consumeOn } from './consume';
import { RemoteLegs, type LegLink } from './remote-legs';

export type RoomMediaOptions = Pick<
  SfuConfig,
  | 'listenIp'
  | 'announcedAddress'
  | 'rtcMinPort'
  | 'rtcMaxPort'
  | 'maxScreenShares'
  | 'maxConsumersPerParticipant'
  | 'maxConsumersPerWorker'
> & {
  logger: SfuLogger;
  /** A router for `owner` on another worker under the cap (WorkerPool.createLegRouter); without it a room stays on one worker. */
  newLegRouter?: (owner: string, avoidPids: number[], maxConsumers: number) => Promise<Placement | undefined>;
  /** Other nodes (several-node deployments): receive transports go there once every worker here is at the cap. */
  legLink?: LegLink;
};

/**
 * A room's media: a home Router with the producers and an
 * ActiveSpeakerObserver, further routers on other workers for receive
 * transports once the home worker is full (legs.ts), and a PeerMedia per
 * participant. Every method takes the acting participant's id
 * and only lets it touch its own transports, producers and consumers
 * (FORBIDDEN otherwise). Host enforcement (hostPause, closeSource) is
 * separate and unconditional: the caller has already checked the host's role.
 *
 * Events (see RoomMediaEvents) are emitted after the state change happened.
 * Get a RoomMedia from Sfu.room(code) per request rather than holding it: if
 * its worker dies the Sfu rebuilds it in place, or replaces it if that fails.
 */
export class RoomMedia {
  readonly #events: TypedEmitter<RoomMediaEvents>;
  readonly #peers = new Peers();
  #placement: Placement;
  readonly #legs: RoomLegs;
  readonly #remote: RemoteLegs | null;
  #speakers!: ms.ActiveSpeakerObserver;
  #closed = false;

  private constructor(
    readonly roomCode: string,
    placement: Placement,
    private readonly options: RoomMediaOptions,
  ) {
    this.#placement = placement;
    this.#events = new TypedEmitter((event, err) =>
      options.logger.error({ err, event, roomCode }, 'RoomMedia listener threw'),
    );
    const { newLegRouter } = options;
    this.#legs = new RoomLegs(placement, {
      roomCode,
      // With no way to get another router, every transport stays home.
      maxConsumersPerWorker: newLegRouter ? options.maxConsumersPerWorker : Number.POSITIVE_INFINITY,
      newRouter: async (avoid) => newLegRouter?.(roomCode, avoid, options.maxConsumersPerWorker),
      onLost: (participantIds) => this.#receiveLost(participantIds),
      logger: options.logger,
    });
    this.#remote = options.legLink
      ? new RemoteLegs(
          roomCode,
          options.legLink,
          () => this.#placement,
          options,
          { consumersGone: (gone) => this.#remoteConsumersGone(gone) },
          options.logger,
        )
      : null;
  }

  /** Wrap a freshly placed router. Closes the router if setup fails. */
  static async create(roomCode: string, placement: Placement, options: RoomMediaOptions): Promise<RoomMedia> {
    const room = new RoomMedia(roomCode, placement, options);
    await room.#attach(placement);
    return room;
  }

  get closed(): boolean {
    return this.#closed;
  }
  get rtpCapabilities(): ms.RtpCapabilities {
    return this.#placement.router.rtpCapabilities;
  }
  /** Pid of the worker process hosting this room's producers (diagnostics, tests). */
  get workerPid(): number {
    return this.#placement.workerPid;
  }
  /** Pids of the workers this room's routers are on, home first (diagnostics, tests). */
  get workerPids(): number[] {
    return this.#legs.all().map((l) => l.placement.workerPid);
  }
  /** Pid of the worker carrying the participant's receive transport, if it has one. */
  receiveWorkerPid(participantId: string): number | undefined {
    const t = this.#peers.get(participantId)?.transportFor('recv');
    return t && this.#legs.legOf(t.id).placement.workerPid;
  }
  /** The node carrying the participant's receive transport when another node does (tests, diagnostics). */
  receiveNode(participantId: string): string | undefined {
    return this.#peers.get(participantId)?.remoteRecv?.node;
  }
  /** True when the home router's worker died and Sfu must rebuild the room (a leg's death is handled here). */
  get homeLost(): boolean {
    return !this.#closed && this.#placement.router.closed;
  }

  /** Subscribe to a room media event; returns the unsubscribe function. */
  on<K extends keyof RoomMediaEvents>(event: K, listener: (payload: RoomMediaEvents[K]) => void): () => void {
    return this.#events.on(event, listener);
  }

  /** A WebRTC transport for mediasoup-client. UDP preferred, TCP as fallback. Replaces an earlier one of the same direction. */
  async createWebRtcTransport(participantId: string, direction: TransportDirection): Promise<TransportParams> {
    this.#live();
    // Every worker here is at the cap: the receiver goes to another node, if one has room.
    if (direction === 'recv' && this.#remote && !(await this.#legs.forReceive(false))) {
      const remote = await this.#remote.receiveElsewhere(this.#peers.getOrCreate(participantId));
      if (remote) return remote;
    }
    const t = await this.#newTransport(participantId, direction, ({ placement }) =>
      placement.router.createWebRtcTransport(
        webRtcTransportOptions(placement, this.options, { participantId, direction }),
      ),
    );
    t.on('dtlsstatechange', (state) => {
      if (state === 'failed')
        this.options.logger.warn({ roomCode: this.roomCode, participantId, transportId: t.id }, 'DTLS failed');
    });
    return {
      id: t.id,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
      ...(t.sctpParameters && { sctpParameters: t.sctpParameters }),
    };
  }

  /**
   * Test and benchmark path: a plain RTP transport owned by the participant,
   * used like a WebRTC one by produce/consume. The caller connects it itself
   * (`transport.connect({ ip, port })`). Not for client traffic.
   */
  async createPlainTransport(
    participantId: string,
    direction: TransportDirection,
    opts: { comedia?: boolean } = {},
  ): Promise<PlainTransport> {
    this.#live();
    return this.#newTransport(participantId, direction, ({ router }) =>
      router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: this.options.listenIp },
        rtcpMux: true,
        comedia: opts.comedia ?? false,
        appData: { participantId, direction },
      }),
    );
  }

  async connectTransport(participantId: string, transportId: string, dtlsParameters: ms.DtlsParameters): Promise<void> {
    const node = this.#remoteNode(participantId, transportId);
    if (node) return void (await this.#remote!.call(node, 'connect', [transportId, dtlsParameters]));
    const t = this.#own(participantId, 'transport', transportId);
    if (t.type !== 'webrtc') throw new ConveneError('INVALID_PAYLOAD', 'not a WebRTC transport');
    await this.#call('connectTransport', participantId, () => (t as WebRtcTransport).connect({ dtlsParameters }));
  }

  async restartIce(participantId: string, transportId: string): Promise<ms.IceParameters> {
    const node = this.#remoteNode(participantId, transportId);
    if (node) return (await this.#remote!.call(node, 'restartIce', [transportId])) as ms.IceParameters;
    const t = this.#own(participantId, 'transport', transportId);
    if (t.type !== 'webrtc') throw new ConveneError('INVALID_PAYLOAD', 'not a WebRTC transport');
    return this.#call('restartIce', participantId, () => (t as WebRtcTransport).restartIce());
  }

  /**
   * Start sending `source`. Refused if the participant may not send it
   * (policy, FORBIDDEN), or if it is a screen
   * share and maxScreenShares others already share (SHARE_LIMIT_REACHED).
   * Producing a source the participant already sends *replaces* the old
   * producer (closed with reason 'replaced'), so a client that re-publishes
   * after a glitch never leaves a stale tile behind.
   */
  async produce(
    participantId: string,
    req: ProduceRequest,
    policy: { allowed: boolean; maxScreenShares?: number },
  ): Promise<string> {
    const { router } = this.#live();
    if (!MEDIA_SOURCES.includes(req.source)) throw new ConveneError('INVALID_PAYLOAD', 'unknown media source');
    if (req.kind !== kindOf(req.source))
      throw new ConveneError('INVALID_PAYLOAD', `${req.source} must be ${kindOf(req.source)}`);
    if (!policy.allowed) throw new ConveneError('FORBIDDEN', `not allowed to send ${req.source}`);
    const transport = this.#own(participantId, 'transport', req.transportId);
    if (transport.appData.direction !== 'send') throw new ConveneError('INVALID_PAYLOAD', 'not a send transport');
    const peer = this.#peers.get(participantId)!;
    const share = isShareSource(req.source);
    // The meeting's own setting wins over the deployment default.
    if (
      share &&
      this.#peers.sharersOtherThan(participantId) >= (policy.maxScreenShares ?? this.options.maxScreenShares)
    ) {
      throw new ConveneError('SHARE_LIMIT_REACHED', 'someone else is already sharing their screen');
    }
    // Reserve the share slot synchronously: two concurrent shares must not both pass the check above.
    const release = share ? this.#peers.reserveShare(participantId) : undefined;
    let producer: Producer;
    try {
      producer = await this.#call('produce', participantId, () =>
        transport.produce({
          kind: req.kind,
          rtpParameters: req.rtpParameters,
          appData: { participantId, source: req.source },
        }),
      );
    } finally {
      release?.();
    }
    // The participant may have left, or the router may have died while we
    // awaited: commit nothing in that case.
    if (peer.closed || transport.closed || router.closed || this.#closed) {
      producer.close();
      throw new ConveneError('MEDIA_UNAVAILABLE', 'transport closed while producing');
    }
    const previous = peer.producerFor(req.source);
    peer.producers.set(producer.id, producer);
    producer.on('transportclose', () => this.#forgetProducer(peer, producer, 'transport-closed'));
    if (previous) this.#closeProducer(peer, previous, 'replaced');
    if (req.source === 'mic') {
      this.#speakers
        .addProducer({ producerId: producer.id })
        .catch((err: unknown) =>
          this.options.logger.warn({ err, producerId: producer.id }, 'active speaker observer refused producer'),
        );
    }
    this.#events.emit('new-producer', {
      participantId,
      producerId: producer.id,
      source: req.source,
      kind: producer.kind,
      paused: producer.paused,
    });
    return producer.id;
  }

  /**
   * Receive another participant's producer on this participant's recv
   * transport. The consumer starts paused. Refused with LIMIT_REACHED once the
   * participant holds maxConsumersPerParticipant consumers: each one is a
   * stream the SFU forwards, so the cap bounds what one client can make the
   * server send.
   */
  async consume(
    participantId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
  ): Promise<ConsumerParams> {
    const { router } = this.#live();
    const peer = this.#peer(participantId);
    const transport = peer.transportFor('recv');
    const remote = peer.remoteRecv;
    // Not NOT_FOUND: a client must tell "my transport is gone, rebuild" from "that producer just closed".
    if (!transport && !remote) throw new ConveneError('MEDIA_UNAVAILABLE', 'no receive transport: create one first');
    const producer = this.#peers.findProducer(producerId);
    if (!producer) throw new ConveneError('NOT_FOUND', 'no such producer');
    const cap = this.options.maxConsumersPerParticipant;
    if (peer.consumers.size + peer.remoteConsumers.size + peer.pendingConsumers >= cap)
      throw new ConveneError('LIMIT_REACHED', `You already receive ${cap} streams, the most this server allows`);
    // The slot is held from the check on, so concurrent consumes cannot all pass the cap while they await.
    peer.pendingConsumers++;
    try {
      if (!transport) return await this.#remote!.consumeFor(peer, producer, rtpCapabilities);
      return await consumeOn(
        {
          peer,
          transport: transport,
          // The transport's leg: the home router, or another worker's, where the producer is piped first.
          leg: this.#legs.legOf(transport.id),
          legs: this.#legs,
          producer,
          homeRouter: router,
          call: (fn) => this.#call('consume', participantId, fn),
          onProducerGone: (consumerId) =>
            this.#events.emit('consumer-closed', { participantId, consumerId, producerId }),
        },
        rtpCapabilities,
      );
    } finally {
      peer.pendingConsumers--;
    }
  }

  async resumeConsumer(participantId: string, consumerId: string): Promise<void> {
    const node = this.#remoteConsumerNode(participantId, consumerId);
    if (node) return void (await this.#remote!.call(node, 'consumer', [consumerId, 'resume']));
    const c = this.#own(participantId, 'consumer', consumerId);
    await this.#call('resumeConsumer', participantId, () => c.resume());
  }

  /** Stop forwarding to this participant (e.g. a hidden tile) without closing the consumer. */
  async pauseConsumer(participantId: string, consumerId: string): Promise<void> {
    const node = this.#remoteConsumerNode(participantId, consumerId);
    if (node) return void (await this.#remote!.call(node, 'consumer', [consumerId, 'pause']));
    const c = this.#own(participantId, 'consumer', consumerId);
    await this.#call('pauseConsumer', participantId, () => c.pause());
  }

  /** Pick the simulcast/SVC layer forwarded to this participant (small tile -> low layer). */
  async setConsumerLayers(
    participantId: string,
    consumerId: string,
    layers: { spatialLayer: number; temporalLayer?: number },
  ): Promise<void> {
    const node = this.#remoteConsumerNode(participantId, consumerId);
    const c = node ? null : this.#own(participantId, 'consumer', consumerId);
    const ok = (n: unknown) => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 15;
    if (!ok(layers.spatialLayer) || (layers.temporalLayer !== undefined && !ok(layers.temporalLayer))) {
      throw new ConveneError('INVALID_PAYLOAD', 'layers must be small non-negative integers');
    }
    if (c && c.kind !== 'video') throw new ConveneError('INVALID_PAYLOAD', 'only video consumers have layers');
    const preferred = {
      spatialLayer: layers.spatialLayer,
      ...(layers.temporalLayer !== undefined && { temporalLayer: layers.temporalLayer }),
    };
    if (!c) return void (await this.#remote!.call(node!, 'consumer', [consumerId, 'layers', preferred]));
    await this.#call('setConsumerLayers', participantId, () => c.setPreferredLayers(preferred));
  }

  /** The owner mutes (pauses) its own producer. */
  async pauseProducer(participantId: string, producerId: string): Promise<void> {
    const p = this.#own(participantId, 'producer', producerId);
    await this.#pause(p, 'owner');
  }

  /**
   * The owner unmutes, after a host mute too (as in Google Meet). The caller
   * has checked the room's permissions: with canUnmute off a host mute holds.
   */
  async resumeProducer(participantId: string, producerId: string): Promise<void> {
    const p = this.#own(participantId, 'producer', producerId);
    if (!p.paused) return;
    await this.#call('resumeProducer', participantId, () => p.resume());
    this.#events.emit('producer-resumed', { participantId, producerId, source: p.appData.source });
  }

  async closeProducer(participantId: string, producerId: string): Promise<void> {
    const p = this.#own(participantId, 'producer', producerId);
    this.#closeProducer(this.#peers.get(participantId)!, p, 'closed-by-owner');
  }

  /**
   * Host enforcement: pause the participant's `source` producer, so the SFU
   * stops forwarding it now whatever the client does. Returns whether there
   * was a producer to pause.
   */
  async hostPause(participantId: string, source: MediaSourceName): Promise<boolean> {
    const p = this.#peers.get(participantId)?.producerFor(source);
    if (!p) return false;
    await this.#pause(p, 'host');
    return true;
  }

  /** Host enforcement: close the participant's producer for `source`; 'screen' also closes 'screen-audio'. Returns whether anything closed. */
  closeSource(participantId: string, source: MediaSourceName): boolean {
    const peer = this.#peers.get(participantId);
    if (!peer) return false;
    const sources: MediaSourceName[] = source === 'screen' ? ['screen', 'screen-audio'] : [source];
    let closed = false;
    for (const s of sources) {
      const p = peer.producerFor(s);
      if (p) closed = this.#closeProducer(peer, p, 'closed-by-host') || closed;
    }
    return closed;
  }

  /** Every live producer, for a late joiner to consume. */
  producers(): ProducerInfo[] {
    return [...this.#peers.values()].flatMap((peer) =>
      [...peer.producers.values()].map((p) => ({
        producerId: p.id,
        participantId: peer.participantId,
        source: p.appData.source,
        kind: p.kind,
        paused: p.paused,
      })),
    );
  }

  /**
   * The recorder's tap on one producer: a plain RTP transport on the home
   * router (comedia off, RTCP muxed) sending to `remote`, and a paused
   * consumer of the producer on it. The caller owns both: it resumes the
   * consumer once its receiver listens, and closes the transport when done.
   */
  async recordTap(
    producerId: string,
    remote: { ip: string; port: number },
  ): Promise<{ transport: ms.PlainTransport; consumer: ms.Consumer }> {
    const { router } = this.#live();
    if (!this.#peers.findProducer(producerId)) throw new ConveneError('NOT_FOUND', 'no such producer');
    const transport = await router.createPlainTransport({
      listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
      rtcpMux: true,
      comedia: false,
      appData: { recorder: true },
    });
    try {
      await transport.connect({ ip: remote.ip, port: remote.port });
      const consumer = await transport.consume({ producerId, rtpCapabilities: router.rtpCapabilities, paused: true });
      return { transport, consumer };
    } catch (err) {
      transport.close();
      throw fromMediasoupError(err, 'recordTap');
    }
  }

  /** The participant left: close its producers (others are told), then its transports and consumers. */
  closeParticipant(participantId: string): boolean {
    const peer = this.#peers.take(participantId);
    if (!peer) return false;
    for (const p of [...peer.producers.values()]) this.#closeProducer(peer, p, 'participant-left');
    this.#remote?.drop(peer);
    peer.close();
    return true;
  }

  /** No participant has media state here; the caller decides whether to close the room. */
  isEmpty(): boolean {
    return this.#peers.size === 0;
  }

  /** The router's dump (leak checks, diagnostics). */
  dump(): Promise<ms.RouterDump> {
    return this.#placement.router.dump();
  }

  /** Close the router and everything under it. Idempotent; emits nothing. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#peers.dropAll();
    this.#legs.dropOthers();
    this.#remote?.closeAll();
    this.#placement.router.close();
    this.#events.removeAllListeners();
  }

  /**
   * Called by Sfu after the worker hosting this room died: move onto a new
   * router. All transports, producers and consumers are gone (clients must
   * re-create them); listeners stay.
   */
  async reset(placement: Placement): Promise<void> {
    if (this.#closed) {
      placement.router.close();
      return;
    }
    this.#peers.dropAll();
    this.#legs.reset(placement);
    this.#remote?.closeAll();
    this.#placement = placement;
    await this.#attach(placement);
  }

  async #attach(placement: Placement): Promise<void> {
    const { router } = placement;
    try {
      this.#speakers = await router.createActiveSpeakerObserver();
    } catch (err) {
      router.close();
      throw fromMediasoupError(err, 'createActiveSpeakerObserver');
    }
    this.#speakers.on('dominantspeaker', ({ producer }) => {
      const participantId = (producer.appData as { participantId?: string }).participantId;
      if (participantId) this.#events.emit('active-speaker', { participantId });
    });
    // A router closing while we did not close the room means its worker died:
    // drop the (already closed) media state now so nothing refers to it.
    router.observer.once('close', () => {
      if (this.#closed || this.#placement.router !== router) return;
      this.#peers.dropAll();
      // The producers are gone, so are their copies: the other legs close and everyone starts over.
      this.#legs.dropOthers();
      this.#remote?.closeAll();
    });
  }

  #live(): Placement {
    if (this.#closed) throw new ConveneError('NOT_FOUND', 'room media is closed');
    if (this.#placement.router.closed)
      throw new ConveneError('MEDIA_UNAVAILABLE', 'media server restarting, retry shortly');
    return this.#placement;
  }

  #peer(participantId: string): PeerMedia {
    const peer = this.#peers.get(participantId);
    if (!peer) throw new ConveneError('NOT_FOUND', 'no media for this participant; create a transport first');
    return peer;
  }

  /**
   * Create a transport and make it the participant's one for its direction
   * (closing an earlier one). The peer entry exists before the await so that a
   * closeParticipant meanwhile is noticed and the new transport closed, rather
   * than bringing the participant back.
   */
  async #newTransport<T extends Transport>(
    participantId: string,
    direction: TransportDirection,
    create: (leg: Leg) => Promise<T>,
  ): Promise<T> {
    const peer = this.#peers.getOrCreate(participantId);
    let leg: Leg | undefined;
    let t: T;
    try {
      // Send transports stay home with the producers; receive transports go where a worker has room.
      leg = direction === 'recv' ? await this.#legs.forReceive(true) : this.#legs.home;
      const chosen = leg;
      if (chosen.router.closed) throw new ConveneError('MEDIA_UNAVAILABLE', 'media server restarting, retry shortly');
      t = await this.#call('createTransport', participantId, () => create(chosen));
    } catch (err) {
      if (peer.transports.size === 0 && this.#peers.get(participantId) === peer)
        this.#peers.take(participantId)?.close();
      if (leg) this.#legs.retireIfIdle(leg);
      throw err;
    }
    if (peer.closed || this.#closed) {
      t.close();
      this.#legs.retireIfIdle(leg);
      throw new ConveneError('MEDIA_UNAVAILABLE', 'participant or room media closed while creating the transport');
    }
    if (direction === 'recv') {
      this.#legs.adopt(leg, t);
      this.#remote?.drop(peer);
    }
    const previous = peer.transportFor(t.appData.direction);
    peer.transports.set(t.id, t);
    t.observer.once('close', () => peer.transports.delete(t.id));
    previous?.close();
    return t;
  }

  /** Another node carrying receivers of this room died or lost its worker: they set up receiving again. */
  remoteLost(node: string): void {
    if (!this.#remote || this.#closed) return;
    for (const participantId of this.#remote.lostIn(this.#peers, node))
      this.#events.emit('receive-reset', { participantId });
  }

  #remoteNode(participantId: string, transportId: string): string | undefined {
    return this.#remote?.transportNode(this.#peers, participantId, transportId);
  }

  #remoteConsumerNode(participantId: string, consumerId: string): string | undefined {
    return this.#remote?.consumerNode(this.#peers, participantId, consumerId);
  }

  #remoteConsumersGone(gone: { participantId: string; consumerId: string; producerId: string }[]): void {
    for (const g of gone) {
      if (this.#peers.get(g.participantId)?.remoteConsumers.delete(g.consumerId))
        this.#events.emit('consumer-closed', g);
    }
  }

  /** A leg's worker died: these participants' receive transports and consumers are gone, nothing else. */
  #receiveLost(participantIds: string[]): void {
    if (this.#closed || this.#placement.router.closed) return;
    for (const participantId of participantIds) {
      const peer = this.#peers.get(participantId);
      if (!peer || peer.transportFor('recv')) continue; // left, or already on a new receive transport
      this.#events.emit('receive-reset', { participantId });
    }
  }

  /** A mediasoup call for this participant: errors translated, client refusals logged at warn without a stack. */
  #call<T>(what: string, participantId: string, fn: () => Promise<T>): Promise<T> {
    return mediaCall(what, fn, { logger: this.options.logger, context: { roomCode: this.roomCode, participantId } });
  }

  #own(participantId: string, entity: 'transport', id: string): Transport;
  #own(participantId: string, entity: 'producer', id: string): Producer;
  #own(participantId: string, entity: 'consumer', id: string): Consumer;
  #own(
    participantId: string,
    entity: 'transport' | 'producer' | 'consumer',
    id: string,
  ): Transport | Producer | Consumer {
    this.#live();
    return this.#peers.own(participantId, entity as 'transport', id);
  }

  async #pause(p: Producer, by: 'owner' | 'host'): Promise<void> {
    if (p.paused) return;
    const { participantId, source } = p.appData;
    await this.#call('pauseProducer', participantId, () => p.pause());
    this.#events.emit('producer-paused', { participantId, producerId: p.id, source, by });
  }

  #closeProducer(peer: PeerMedia, p: Producer, reason: ProducerCloseReason): boolean {
    p.close();
    return this.#forgetProducer(peer, p, reason);
  }

  /** The one place a producer leaves the room's state, so producer-closed is emitted exactly once. */
  #forgetProducer(peer: PeerMedia, p: Producer, reason: ProducerCloseReason): boolean {
    if (!peer.producers.delete(p.id)) return false;
    // Router gone (worker died, room closed): clients hear about it via the media reset instead.
    if (this.#closed || this.#placement.router.closed) return true;
    const { participantId, source } = p.appData;
    this.#events.emit('producer-closed', { participantId, producerId: p.id, source, reason });
    return true;
  }
}
