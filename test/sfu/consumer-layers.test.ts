import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sfu } from '../../server/sfu/sfu';
import { plainConsumer, plainProducer, startSfu } from './helpers';

let sfu: Sfu;
beforeAll(async () => {
  ({ sfu } = await startSfu());
});
afterAll(() => sfu.close());

/** A camera sent as three simulcast encodings of three temporal layers each, like the browser's CAMERA_ENCODINGS. */
async function simulcastCamera(sfuRoom: Awaited<ReturnType<Sfu['room']>>) {
  const transport = await sfuRoom.createPlainTransport('A', 'send');
  await transport.connect({ ip: '127.0.0.1', port: 9 });
  return sfuRoom.produce(
    'A',
    {
      transportId: transport.id,
      kind: 'video',
      source: 'camera',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000 }],
        encodings: [
          { ssrc: 7001, scalabilityMode: 'L1T3' },
          { ssrc: 7002, scalabilityMode: 'L1T3' },
          { ssrc: 7003, scalabilityMode: 'L1T3' },
        ],
      },
    },
    { allowed: true },
  );
}

describe('set-consumer-layers', () => {
  it('asks mediasoup for the spatial layer, clamped to the encodings sent, and the top temporal layer when none is named', async () => {
    const room = await sfu.room('layers');
    const producerId = await simulcastCamera(room);
    const b = await plainConsumer(room, 'B');
    let consumer: ms.Consumer | undefined;
    b.transport.observer.once('newconsumer', (c) => (consumer = c));
    const params = await b.consume(producerId);
    expect(params.type).toBe('simulcast');

    await room.setConsumerLayers('B', params.id, { spatialLayer: 0 });
    expect(consumer?.preferredLayers).toEqual({ spatialLayer: 0, temporalLayer: 2 });
    await room.setConsumerLayers('B', params.id, { spatialLayer: 3 });
    expect(consumer?.preferredLayers).toEqual({ spatialLayer: 2, temporalLayer: 2 });
    // Since mediasoup 3.26 a named temporal layer is also a ceiling when the SFU falls back to a lower spatial layer.
    await room.setConsumerLayers('B', params.id, { spatialLayer: 1, temporalLayer: 0 });
    expect(consumer?.preferredLayers).toEqual({ spatialLayer: 1, temporalLayer: 0 });
    b.close();
    await sfu.closeRoom('layers');
  });

  it('refuses layers for an audio consumer with INVALID_PAYLOAD', async () => {
    const room = await sfu.room('layers-audio');
    const a = await plainProducer(room, 'A', 'mic', 7101);
    const b = await plainConsumer(room, 'B');
    const params = await b.consume(await a.produce());

    await expect(room.setConsumerLayers('B', params.id, { spatialLayer: 0 })).rejects.toMatchObject({
      code: 'INVALID_PAYLOAD',
    });
    a.close();
    b.close();
    await sfu.closeRoom('layers-audio');
  });
});
