/**
 * RTP through the SFU driven by signaling: A produces and B consumes with
 * protocol events; RTP enters and leaves over PlainTransports (RoomMedia's
 * test path, since a socket client has no WebRTC stack).
 */
import type { types as ms } from 'mediasoup';
import { expect } from 'vitest';
import type { ConveneServer } from '../../server/app';
import type { MediaSourceName } from '../../server/sfu';
import { plainConsumer, plainProducer } from '../sfu/helpers';
import { expectOk } from './ack';
import { emit, next, type Client } from './server';
import { until } from './wait';
import { match } from './match';

export async function signaledRoundTrip(
  server: ConveneServer,
  code: string,
  a: Client,
  aId: string,
  b: Client,
  bId: string,
  ssrc: number,
  source: MediaSourceName = 'mic',
) {
  await emit(a, 'get-router-capabilities');
  const media = await server.sfu!.room(code);
  const sender = await plainProducer(media, aId, source, ssrc);
  const announced = next(b, 'new-producer');
  const produced = await emit(a, 'produce', { ...sender.request, appData: { source } });
  expect(produced).toEqual({ ok: true, producerId: match.any(String) });
  const { producerId } = expectOk(produced);
  expect(await announced).toMatchObject({ participantId: aId, producerId, source });

  const receiver = await plainConsumer(media, bId);
  const consumer = expectOk(await emit(b, 'consume', { producerId, rtpCapabilities: media.rtpCapabilities }));
  expect(consumer).toMatchObject({ producerId, participantId: aId, source });
  receiver.ssrc = (consumer.rtpParameters as ms.RtpParameters).encodings?.[0]?.ssrc ?? -1;
  expect(await emit(b, 'resume-consumer', { consumerId: consumer.id })).toEqual({ ok: true });
  sender.start();
  await until('packets at B', () => receiver.intact >= 10);
  return { media, sender, receiver, producerId, consumerId: consumer.id };
}
