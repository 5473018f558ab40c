/**
 * RTP through the SFU driven by signaling: A produces and B consumes with
 * protocol events; RTP enters and leaves over PlainTransports (RoomMedia's
 * test path, since a socket client has no WebRTC stack).
 */
import { expect } from 'vitest';
import type { ConveneServer } from '../../server/app';
import type { MediaSource } from '../../server/sfu';
import { plainConsumer, plainProducer, until } from '../sfu/helpers';
import { emit, next, type Client } from './server';

export async function signaledRoundTrip(
  server: ConveneServer,
  code: string,
  a: Client,
  aId: string,
  b: Client,
  bId: string,
  ssrc: number,
  source: MediaSource = 'mic',
) {
  await emit(a, 'get-router-capabilities');
  const media = await server.sfu!.room(code);
  const sender = await plainProducer(media, aId, source, ssrc);
  const announced = next(b, 'new-producer');
  const produced = await emit(a, 'produce', { ...sender.request, appData: { source } });
  expect(produced).toEqual({ ok: true, producerId: expect.any(String) });
  expect(await announced).toMatchObject({ participantId: aId, producerId: produced.producerId, source });

  const receiver = await plainConsumer(media, bId);
  const consumer = await emit(b, 'consume', {
    producerId: produced.producerId,
    rtpCapabilities: media.rtpCapabilities,
  });
  expect(consumer).toMatchObject({ ok: true, producerId: produced.producerId, participantId: aId, source });
  receiver.ssrc = consumer.rtpParameters.encodings[0].ssrc;
  expect(await emit(b, 'resume-consumer', { consumerId: consumer.id })).toEqual({ ok: true });
  sender.start();
  await until(() => receiver.intact >= 10, 3000, 'packets at B');
  return { media, sender, receiver, producerId: produced.producerId as string, consumerId: consumer.id as string };
}
