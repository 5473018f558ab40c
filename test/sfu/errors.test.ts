import { NotFoundError, UnsupportedError, WorkerClosedError } from 'mediasoup/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConveneError } from '../../lib/protocol/errors';
import { fromMediasoupError } from '../../server/sfu/errors';
import type { Sfu } from '../../server/sfu/sfu';
import { plainConsumer, plainProducer, startSfu } from './helpers';

let sfu: Sfu;
beforeAll(async () => {
  ({ sfu } = await startSfu());
});
afterAll(() => sfu.close());

describe("mediasoup's errors become protocol errors", () => {
  it.each([
    [new TypeError('invalid rtpParameters'), 'INVALID_PAYLOAD'],
    [new UnsupportedError('codec not supported'), 'INVALID_PAYLOAD'],
    [new NotFoundError('Consumer not found [method:CONSUMER_RESUME]'), 'NOT_FOUND'],
    [new WorkerClosedError('Channel closed, pending request aborted'), 'MEDIA_UNAVAILABLE'],
  ])('%s → %s', (err, code) => {
    const mapped = fromMediasoupError(err, 'resumeConsumer');
    expect(mapped).toBeInstanceOf(ConveneError);
    expect(mapped).toMatchObject({ code, cause: err });
  });

  it("passes any other error through unchanged (it reaches clients as INTERNAL, without mediasoup's message)", () => {
    const err = new Error('request too big');
    expect(fromMediasoupError(err, 'produce')).toBe(err);
  });

  it('a consume racing the producer closing answers NOT_FOUND, which the client ignores', async () => {
    const room = await sfu.room('consume-race');
    const a = await plainProducer(room, 'A', 'camera', 5151);
    const producerId = await a.produce();
    const b = await plainConsumer(room, 'B');

    // consume() checks that the producer exists, then awaits mediasoup; the owner closes it meanwhile.
    const consuming = room.consume('B', producerId, room.rtpCapabilities);
    await room.closeProducer('A', producerId);

    await expect(consuming).rejects.toMatchObject({ name: 'ConveneError', code: 'NOT_FOUND' });
    expect((await b.transport.dump()).consumerIds).toEqual([]);
    a.close();
    b.close();
    await sfu.closeRoom('consume-race');
  });
});
