import type { types as ms } from 'mediasoup';
import { ConveneError } from '../../lib/protocol/errors';
import type { SfuConfig } from './config';
import { consumerParams } from './consume';
import { mediaCall } from './errors';
import { webRtcTransportOptions } from './transport-options';
import type { ConsumerParams, ProducerAppData, SfuLogger, TransportParams } from './types';
import type { Placement, WorkerPool } from './worker-pool';

/** Where a PipeTransport listens: what the other node connects to. */
export interface PipeTuple {
  ip: string;
  port: number;
}

/** A pipe copy of one of the owner's producers, as the owner describes it. */
export interface PipedProducer {
  producerId: string;
  kind: ms.MediaKind;
  rtpParameters: ms.RtpParameters;
  paused: boolean;
  appData: ProducerAppData;
}

/** What a node does for the part of a meeting another node owns (remote-legs.ts is the other end). */
export const LEG_OPS = [
  'open',
  'createTransport',
  'connect',
  'restartIce',
  'pipe',
  'pipeState',
  'consume',
  'consumer',
  'closeTransport',
  'close',
] as const;
export type LegOp = (typeof LEG_OPS)[number];

type LegConfig = Pick<
  SfuConfig,
  'listenIp' | 'announcedAddress' | 'rtcMinPort' | 'rtcMaxPort' | 'maxConsumersPerWorker'
>;

/** The options of a PipeTransport between nodes: on the media address, RTX on (a loss between nodes is repaired). */
export function pipeTransportOptions(
  config: Pick<SfuConfig, 'listenIp' | 'announcedAddress' | 'rtcMinPort' | 'rtcMaxPort'>,
): ms.PipeTransportOptions {
  return {
    listenInfo: {
      protocol: 'udp',
      ip: config.listenIp,
      ...(config.announcedAddress && { announcedAddress: config.announcedAddress }),
      portRange: { min: config.rtcMinPort, max: config.rtcMaxPort },
    },
    enableRtx: true,
    enableSrtp: false,
    enableSctp: false,
  };
}

/** The address the other node sends to: the announced one when set. */
export const tupleOf = (t: ms.PipeTransport): PipeTuple => ({ ip: t.tuple.localAddress, port: t.tuple.localPort });

/** One meeting's leg on this node: a router with receive transports, fed over one PipeTransport from the owner. */
class HostedLeg {
  readonly producers = new Map<string, ms.Producer<ProducerAppData>>();
  readonly transports = new Map<string, ms.WebRtcTransport>();
  readonly consumers = new Map<string, ms.Consumer>();

  constructor(
    readonly owner: string,
    readonly placement: Placement,
    readonly pipe: ms.PipeTransport,
  ) {}

  close(): void {
    this.placement.router.close();
  }
}

/**
 * The receiving end of a meeting that spread past its owner node: receive
 * transports and consumers for participants of a meeting owned elsewhere,
 * fed by PipeTransport copies of the owner's producers (same producer ids).
 * Every request comes from the owner node, which has already checked who may
 * do what; this node holds no room state of its own. If this node's worker
 * dies, the owner is told (`onLost`) and its receivers set up again.
 */
export class LegHost {
  readonly #legs = new Map<string, HostedLeg>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly config: LegConfig,
    private readonly logger: SfuLogger,
    /** This node's leg of `code` is gone (its worker died): tell `owner`. */
    private readonly onLost: (code: string, owner: string) => void,
  ) {}

  /** Rooms with a leg here (tests, diagnostics). */
  codes(): string[] {
    return [...this.#legs.keys()];
  }

  /** Runs one operation the owner node sent; `args` are the JSON arguments of the LEG_OPS method. */
  serve(code: string, op: string, args: unknown[]): Promise<unknown> {
    const leg = () => {
      const found = this.#legs.get(code);
      if (!found) throw new ConveneError('MEDIA_UNAVAILABLE', 'this part of the meeting is no longer here');
      return found;
    };
    const name = op as LegOp;
    switch (name) {
      case 'open':
        return this.#open(code, args[0] as string, args[1] as PipeTuple);
      case 'close':
        return Promise.resolve(this.close(code, args[0] as string | undefined));
      case 'createTransport':
        return this.#createTransport(leg(), args[0] as string);
      case 'connect': {
        const t = this.#transport(leg(), args[0] as string);
        return mediaCall('connectTransport', () => t.connect({ dtlsParameters: args[1] as ms.DtlsParameters }));
      }
      case 'restartIce': {
        const t = this.#transport(leg(), args[0] as string);
        return mediaCall('restartIce', () => t.restartIce());
      }
      case 'pipe':
        return this.#pipe(leg(), args[0] as PipedProducer);
      case 'pipeState':
        return this.#pipeState(leg(), args[0] as string, args[1] as 'paused' | 'resumed' | 'closed');
      case 'consume':
        return this.#consume(leg(), args[0] as string, args[1] as string, args[2] as ms.RtpCapabilities);
      case 'consumer':
        return this.#consumer(leg(), args[0] as string, args[1] as 'resume' | 'pause' | 'layers', args[2]);
      case 'closeTransport':
        leg()
          .transports.get(args[0] as string)
          ?.close();
        return Promise.resolve(true);
      default:
        name satisfies never;
        throw new ConveneError('INTERNAL', `unknown leg operation ${op}`);
    }
  }

  /** Close this node's leg of `code` (if `owner` is given, only one opened by that owner). */
  close(code: string, owner?: string): boolean {
    const leg = this.#legs.get(code);
    if (!leg || (owner !== undefined && leg.owner !== owner)) return false;
    this.#legs.delete(code);
    leg.close();
    return true;
  }

  /** The owner node died: its meetings' legs here have nothing to carry any more. */
  ownerGone(owner: string): void {
    for (const [code, leg] of this.#legs) if (leg.owner === owner) this.close(code);
  }

  /** This node stops: every owner is told that its receivers here must set up again elsewhere. */
  closeAll(): void {
    for (const [code, leg] of [...this.#legs]) {
      this.close(code);
      this.onLost(code, leg.owner);
    }
  }

  async #open(code: string, owner: string, ownerTuple: PipeTuple): Promise<PipeTuple> {
    // A leg from an earlier owner (the room moved) has nothing left to carry.
    this.close(code);
    const placement = await this.pool.createLegRouter(`leg:${code}`, [], this.config.maxConsumersPerWorker);
    if (!placement) throw new ConveneError('LIMIT_REACHED', 'every media worker on this node is full');
    let pipe: ms.PipeTransport;
    try {
      pipe = await mediaCall('createPipeTransport', () =>
        placement.router.createPipeTransport(pipeTransportOptions(this.config)),
      );
      await mediaCall('connectPipeTransport', () => pipe.connect(ownerTuple));
    } catch (err) {
      placement.router.close();
      throw err;
    }
    const leg = new HostedLeg(owner, placement, pipe);
    this.#legs.set(code, leg);
    placement.router.observer.once('close', () => {
      if (this.#legs.get(code) !== leg) return;
      this.#legs.delete(code);
      this.logger.warn({ roomCode: code, owner }, "this node's part of a meeting closed with its worker");
      this.onLost(code, owner);
    });
    this.logger.info(
      { roomCode: code, owner, workerPid: placement.workerPid },
      'carrying part of a meeting owned elsewhere',
    );
    return tupleOf(pipe);
  }

  async #createTransport(leg: HostedLeg, participantId: string): Promise<TransportParams> {
    const { placement } = leg;
    // The owner then asks another node (or opens a leg elsewhere) rather than overloading this worker.
    if (placement.load.consumers >= this.config.maxConsumersPerWorker)
      throw new ConveneError('LIMIT_REACHED', "this node's part of the meeting is full");
    const t = await mediaCall('createTransport', () =>
      placement.router.createWebRtcTransport(
        webRtcTransportOptions(placement, this.config, { participantId, direction: 'recv' }),
      ),
    );
    leg.transports.set(t.id, t);
    t.observer.once('close', () => leg.transports.delete(t.id));
    return {
      id: t.id,
      iceParameters: t.iceParameters,
      iceCandidates: t.iceCandidates,
      dtlsParameters: t.dtlsParameters,
    };
  }

  #transport(leg: HostedLeg, transportId: string): ms.WebRtcTransport {
    const t = leg.transports.get(transportId);
    if (!t) throw new ConveneError('MEDIA_UNAVAILABLE', 'no receive transport: create one first');
    return t;
  }

  async #pipe(leg: HostedLeg, p: PipedProducer): Promise<boolean> {
    if (leg.producers.has(p.producerId)) return true;
    const producer = await mediaCall('pipeProduce', () =>
      leg.pipe.produce({
        id: p.producerId,
        kind: p.kind,
        rtpParameters: p.rtpParameters,
        paused: p.paused,
        appData: p.appData,
      }),
    );
    leg.producers.set(producer.id, producer);
    producer.observer.once('close', () => leg.producers.delete(producer.id));
    return true;
  }

  /** The owner's producer paused, resumed or closed: its copy here follows, and with it every consumer. */
  async #pipeState(leg: HostedLeg, producerId: string, state: 'paused' | 'resumed' | 'closed'): Promise<boolean> {
    const p = leg.producers.get(producerId);
    if (!p) return false;
    if (state === 'closed') p.close();
    else if (state === 'paused') await mediaCall('pauseProducer', () => p.pause());
    else await mediaCall('resumeProducer', () => p.resume());
    return true;
  }

  async #consume(
    leg: HostedLeg,
    transportId: string,
    producerId: string,
    rtpCapabilities: ms.RtpCapabilities,
  ): Promise<ConsumerParams> {
    const transport = this.#transport(leg, transportId);
    const producer = leg.producers.get(producerId);
    if (!producer) throw new ConveneError('NOT_FOUND', 'the producer closed while consuming');
    if (!leg.placement.router.canConsume({ producerId, rtpCapabilities }))
      throw new ConveneError('INVALID_PAYLOAD', 'these RTP capabilities cannot receive this producer');
    const { participantId: producerOwnerId, source } = producer.appData;
    const participantId = (transport.appData as { participantId: string }).participantId;
    const consumer = await mediaCall('consume', () =>
      transport.consume({
        producerId,
        rtpCapabilities,
        paused: true,
        appData: { participantId, source, producerOwnerId },
      }),
    );
    const { load } = leg.placement;
    load.consumers++;
    leg.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => {
      load.consumers--;
      leg.consumers.delete(consumer.id);
    });
    return consumerParams(consumer, producerOwnerId);
  }

  async #consumer(leg: HostedLeg, consumerId: string, action: 'resume' | 'pause' | 'layers', layers: unknown) {
    const c = leg.consumers.get(consumerId);
    if (!c) throw new ConveneError('NOT_FOUND', 'no such consumer');
    if (action === 'resume') await mediaCall('resumeConsumer', () => c.resume());
    else if (action === 'pause') await mediaCall('pauseConsumer', () => c.pause());
    else await mediaCall('setConsumerLayers', () => c.setPreferredLayers(layers as ms.ConsumerLayers));
    return true;
  }
}
