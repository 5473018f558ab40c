import type { types as ms } from 'mediasoup';
import { ConveneError } from '../../lib/protocol/errors';
import type { Leg, RoomLegs } from './legs';
import type { PeerMedia } from './peer-media';
import type { Consumer, ConsumerParams, Producer, Transport } from './types';

/** What one consume needs from its room, after RoomMedia checked who may do what. */
export interface ConsumeContext {
  peer: PeerMedia;
  /** The participant's receive transport, and the leg (router) it is on. */
  transport: Transport;
  leg: Leg;
  legs: RoomLegs;
  /** The home producer to receive. */
  producer: Producer;
  homeRouter: ms.Router;
  /** A mediasoup call, errors translated (RoomMedia's #call). */
  call: <T>(fn: () => Promise<T>) => Promise<T>;
  /** The consumer closed because its producer went away (not with its transport). */
  onProducerGone: (consumerId: string) => void;
}

/**
 * Create a paused consumer of `producer` on the participant's receive
 * transport. On a leg other than home the producer is piped there first (one
 * copy per leg, held while any consumer of it there lives). Counts the
 * consumer in its worker's load. The caller holds the participant's consumer
 * slot (peer.pendingConsumers) around this call.
 */
export async function consumeOn(ctx: ConsumeContext, rtpCapabilities: ms.RtpCapabilities): Promise<ConsumerParams> {
  const { peer, transport, leg, producer } = ctx;
  const producerId = producer.id;
  const { source, participantId: producerOwnerId } = producer.appData;
  let consumer: Consumer;
  let release: (() => void) | undefined;
  try {
    // Home: no await before canConsume, so a producer closing meanwhile is seen by mediasoup, not missed.
    release = leg.home ? () => {} : await ctx.legs.hold(leg, producerId);
    const canConsume = await ctx.call(async () => leg.router.canConsume({ producerId, rtpCapabilities }));
    if (!canConsume && producer.closed) throw new ConveneError('NOT_FOUND', 'the producer closed while consuming');
    if (!canConsume) throw new ConveneError('INVALID_PAYLOAD', 'these RTP capabilities cannot receive this producer');
    consumer = await ctx.call(() =>
      transport.consume({
        producerId,
        rtpCapabilities,
        paused: true,
        appData: { participantId: peer.participantId, source, producerOwnerId },
      }),
    );
  } catch (err) {
    release?.();
    throw err;
  }
  const { load } = leg.placement;
  load.consumers++;
  consumer.observer.once('close', () => {
    load.consumers--;
    release();
  });
  if (peer.closed || transport.closed || consumer.closed || ctx.homeRouter.closed) {
    consumer.close();
    throw new ConveneError('NOT_FOUND', 'the producer or transport closed while consuming');
  }
  peer.consumers.set(consumer.id, consumer);
  consumer.on('transportclose', () => peer.consumers.delete(consumer.id));
  consumer.on('producerclose', () => {
    if (peer.consumers.delete(consumer.id)) ctx.onProducerGone(consumer.id);
  });
  return consumerParams(consumer, producerOwnerId);
}

/** What a client needs to receive `consumer` (the same wherever the consumer lives: a worker here or another node). */
export function consumerParams(
  consumer: ms.Consumer<{ source: ConsumerParams['source'] }>,
  producerOwnerId: string,
): ConsumerParams {
  return {
    id: consumer.id,
    producerId: consumer.producerId,
    participantId: producerOwnerId,
    source: consumer.appData.source,
    kind: consumer.kind,
    rtpParameters: consumer.rtpParameters,
    type: consumer.type,
    producerPaused: consumer.producerPaused,
  };
}
