import type { types as ms } from 'mediasoup';
import { ConveneError } from '../../lib/protocol/errors';
import { mediaCall } from './errors';
import { pipeTransportOptions, tupleOf, type LegOp, type PipeTuple, type PipedProducer } from './leg-host';
import type { PeerMedia, Peers } from './peer-media';
import type { ConsumerParams, Producer, SfuLogger, TransportParams } from './types';
import type { Placement } from './worker-pool';
import type { RoomMediaOptions } from './room-media';

/** How an owner node reaches the other nodes of the cluster (server/cluster wires it to NodeRpc). */
export interface LegLink {
  /** This node's id: leg hosts answer to it. */
  readonly self: string;
  /** Other live nodes that could carry receive transports, least loaded first. */
  candidates(): string[];
  /** Runs leg operation `op` of meeting `code` on `node` (leg-host.ts). */
  call(node: string, code: string, op: LegOp, args: unknown[]): Promise<unknown>;
}

export interface RemoteLegsEvents {
  /** These remote consumers closed because their producer closed (participant → consumer ids). */
  consumersGone(gone: { participantId: string; consumerId: string; producerId: string }[]): void;
}

/** The owner's end of one other node's leg: a PipeTransport on the home router, and what goes through it. */
class RemoteLeg {
  pipe: ms.PipeTransport | null = null;
  /** Pipe consumers feeding the other node, by producer id. */
  readonly pipes = new Map<string, Promise<ms.Consumer>>();
  /** Receive transports there: transport id → participant id. */
  readonly transports = new Map<string, string>();
  /** Consumers there: consumer id → whose, and of which producer. */
  readonly consumers = new Map<string, { participantId: string; producerId: string }>();

  /** Settles once both ends are connected. */
  ready: Promise<void> = Promise.resolve();

  constructor(readonly node: string) {}
}

type LegOptions = Pick<RoomMediaOptions, 'listenIp' | 'announcedAddress' | 'rtcMinPort' | 'rtcMaxPort'>;

/**
 * A meeting past what its owner node's workers carry continues on other
 * nodes: new receive transports are created there (leg-host.ts), and each
 * producer a receiver there consumes is sent over a PipeTransport pair (RTX
 * on), one pair per node, with the same producer id. The owner stays the one
 * authority: every request still reaches it first, it checks who may do what,
 * and only then asks the leg node. A producer's pause, resume and close
 * follow it to its copies (RTP stops at the owner's pipe consumer at once;
 * the copy is told so that consumers there report it too).
 */
export class RemoteLegs {
  readonly #legs = new Map<string, RemoteLeg>();

  constructor(
    private readonly code: string,
    private readonly link: LegLink,
    private readonly home: () => Placement,
    private readonly options: LegOptions,
    private readonly events: RemoteLegsEvents,
    private readonly logger: SfuLogger,
  ) {}

  /** Nodes carrying part of this meeting (tests, diagnostics). */
  nodes(): string[] {
    return [...this.#legs.keys()];
  }

  /**
   * A receive transport for `participantId` on another node: one already
   * carrying this meeting first, then the least loaded. Undefined when no
   * other node has room.
   */
  async createTransport(participantId: string): Promise<{ node: string; params: TransportParams } | undefined> {
    const others = this.link.candidates();
    const order = [...others.filter((n) => this.#legs.has(n)), ...others.filter((n) => !this.#legs.has(n))];
    for (const node of order) {
      try {
        const leg = this.#open(node);
        await leg.ready;
        const params = (await this.link.call(node, this.code, 'createTransport', [participantId])) as TransportParams;
        leg.transports.set(params.id, participantId);
        return { node, params };
      } catch (err) {
        this.logger.info({ err, roomCode: this.code, node }, 'another node could not take receivers of this meeting');
        this.#retireIfIdle(node);
      }
    }
    return undefined;
  }

  /**
   * Give `peer` a receive transport on another node, replacing the one it had
   * (here or there). Undefined when no other node has room.
   */
  async receiveElsewhere(peer: PeerMedia): Promise<TransportParams | undefined> {
    const got = await this.createTransport(peer.participantId);
    if (!got) return undefined;
    if (peer.closed) {
      this.closeTransport(got.node, got.params.id);
      throw new ConveneError('MEDIA_UNAVAILABLE', 'participant left while creating the transport');
    }
    this.drop(peer);
    peer.transportFor('recv')?.close();
    peer.remoteRecv = { node: got.node, transportId: got.params.id };
    return got.params;
  }

  /** The participant's receive transport elsewhere goes (it left, or has one here now). */
  drop(peer: PeerMedia): void {
    const r = peer.remoteRecv;
    if (!r) return;
    peer.remoteRecv = null;
    peer.remoteConsumers.clear();
    this.closeTransport(r.node, r.transportId);
  }

  /** The node of the participant's transport if it is elsewhere; FORBIDDEN if it is someone else's. */
  transportNode(peers: Peers, participantId: string, transportId: string): string | undefined {
    const own = peers.get(participantId)?.remoteRecv;
    if (own?.transportId === transportId) return own.node;
    for (const p of peers.values())
      if (p.remoteRecv?.transportId === transportId)
        throw new ConveneError('FORBIDDEN', 'that transport belongs to another participant');
    return undefined;
  }

  /** The node of the participant's consumer if it is elsewhere; FORBIDDEN if it is someone else's. */
  consumerNode(peers: Peers, participantId: string, consumerId: string): string | undefined {
    const own = peers.get(participantId);
    if (own?.remoteConsumers.has(consumerId)) return own.remoteRecv?.node;
    for (const p of peers.values())
      if (p.remoteConsumers.has(consumerId))
        throw new ConveneError('FORBIDDEN', 'that consumer belongs to another participant');
    return undefined;
  }

  /** Receive `producer` on the peer's transport elsewhere (the caller holds the consumer slot). */
  async consumeFor(peer: PeerMedia, producer: Producer, rtpCapabilities: ms.RtpCapabilities): Promise<ConsumerParams> {
    const r = peer.remoteRecv!;
    const params = await this.consume(r.node, peer.participantId, r.transportId, producer, rtpCapabilities);
    if (peer.closed || peer.remoteRecv !== r)
      throw new ConveneError('NOT_FOUND', 'the transport closed while consuming');
    peer.remoteConsumers.add(params.id);
    return params;
  }

  /** `node` is gone: its receivers in `peers` lose their transport there; returns who must set up again. */
  lostIn(peers: Peers, node: string): string[] {
    this.lost(node);
    const reset: string[] = [];
    for (const peer of peers.values()) {
      if (peer.remoteRecv?.node !== node) continue;
      peer.remoteRecv = null;
      peer.remoteConsumers.clear();
      reset.push(peer.participantId);
    }
    return reset;
  }

  /** Same as RoomMedia.connectTransport etc., on the node that has the transport. */
  call(node: string, op: LegOp, args: unknown[]): Promise<unknown> {
    return this.link.call(node, this.code, op, args);
  }

  /** Receive `producer` on the participant's transport on `node`, piping it there first. */
  async consume(
    node: string,
    participantId: string,
    transportId: string,
    producer: Producer,
    rtpCapabilities: ms.RtpCapabilities,
  ): Promise<ConsumerParams> {
    const leg = this.#legs.get(node);
    if (!leg) throw new ConveneError('MEDIA_UNAVAILABLE', 'no receive transport: create one first');
    await this.#pipeTo(leg, producer);
    const params = (await this.link.call(node, this.code, 'consume', [
      transportId,
      producer.id,
      rtpCapabilities,
    ])) as ConsumerParams;
    leg.consumers.set(params.id, { participantId, producerId: producer.id });
    return params;
  }

  /** The participant's receive transport there closes (it left, or got a new one). */
  closeTransport(node: string, transportId: string): void {
    const leg = this.#legs.get(node);
    if (!leg?.transports.delete(transportId)) return;
    // Its consumers closed with it there (unless the participant has a newer transport on that node).
    for (const [id, c] of leg.consumers) if (!this.#hasTransportOf(leg, c)) leg.consumers.delete(id);
    this.link.call(node, this.code, 'closeTransport', [transportId]).catch(() => undefined);
    this.#retireIfIdle(node);
  }

  /** `node` died or lost its worker: forget its leg; returns the participants that must set up receiving again. */
  lost(node: string): string[] {
    const leg = this.#legs.get(node);
    if (!leg) return [];
    this.#legs.delete(node);
    leg.pipe?.close();
    const participants = [...new Set(leg.transports.values())];
    this.logger.warn(
      { roomCode: this.code, node, participants: participants.length },
      'a node carrying part of this meeting is gone; its receivers set up again',
    );
    return participants;
  }

  /** Close every leg (the room closed, or its home router was replaced). */
  closeAll(): void {
    for (const [node, leg] of this.#legs) {
      leg.pipe?.close();
      this.link.call(node, this.code, 'close', [this.link.self]).catch(() => undefined);
    }
    this.#legs.clear();
  }

  #hasTransportOf(leg: RemoteLeg, c: { participantId: string }): boolean {
    for (const pid of leg.transports.values()) if (pid === c.participantId) return true;
    return false;
  }

  #open(node: string): RemoteLeg {
    const existing = this.#legs.get(node);
    if (existing) return existing;
    const leg = new RemoteLeg(node);
    const ready = (async () => {
      const { router } = this.home();
      const pipe = await mediaCall('createPipeTransport', () =>
        router.createPipeTransport(pipeTransportOptions(this.options)),
      );
      leg.pipe = pipe;
      const theirs = (await this.link.call(node, this.code, 'open', [this.link.self, tupleOf(pipe)])) as PipeTuple;
      await mediaCall('connectPipeTransport', () => pipe.connect(theirs));
      this.logger.info({ roomCode: this.code, node }, 'meeting continues on another node');
    })();
    leg.ready = ready;
    this.#legs.set(node, leg);
    ready.catch(() => {
      if (this.#legs.get(node) !== leg) return;
      this.#legs.delete(node);
      leg.pipe?.close();
    });
    return leg;
  }

  #retireIfIdle(node: string): void {
    const leg = this.#legs.get(node);
    if (!leg || leg.transports.size > 0) return;
    this.#legs.delete(node);
    leg.pipe?.close();
    this.link.call(node, this.code, 'close', [this.link.self]).catch(() => undefined);
  }

  /** One pipe consumer per producer and node; its pause, resume and close are passed on. */
  #pipeTo(leg: RemoteLeg, producer: Producer): Promise<ms.Consumer> {
    const existing = leg.pipes.get(producer.id);
    if (existing) return existing;
    const piped = (async () => {
      const pipe = leg.pipe;
      if (!pipe) throw new ConveneError('MEDIA_UNAVAILABLE', 'the link to the other node is closed');
      const consumer = await mediaCall('pipeConsume', () => pipe.consume({ producerId: producer.id }));
      const described: PipedProducer = {
        producerId: producer.id,
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters,
        paused: consumer.producerPaused,
        appData: producer.appData,
      };
      try {
        await this.link.call(leg.node, this.code, 'pipe', [described]);
      } catch (err) {
        consumer.close();
        throw err;
      }
      const { load } = this.home();
      load.consumers++;
      const tell = (state: 'paused' | 'resumed' | 'closed') =>
        this.link.call(leg.node, this.code, 'pipeState', [producer.id, state]).catch(() => undefined);
      consumer.on('producerpause', () => void tell('paused'));
      consumer.on('producerresume', () => void tell('resumed'));
      consumer.observer.once('close', () => {
        load.consumers--;
        if (leg.pipes.get(producer.id) === piped) leg.pipes.delete(producer.id);
        if (this.#legs.get(leg.node) !== leg) return;
        void tell('closed');
        const gone = [...leg.consumers]
          .filter(([, c]) => c.producerId === producer.id)
          .map(([consumerId, c]) => ({ consumerId, participantId: c.participantId, producerId: c.producerId }));
        for (const g of gone) leg.consumers.delete(g.consumerId);
        if (gone.length) this.events.consumersGone(gone);
      });
      return consumer;
    })();
    leg.pipes.set(producer.id, piped);
    piped.catch(() => {
      if (leg.pipes.get(producer.id) === piped) leg.pipes.delete(producer.id);
    });
    return piped;
  }
}
