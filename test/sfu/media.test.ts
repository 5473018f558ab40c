import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConveneError } from '../../lib/protocol/errors';
import type { Sfu } from '../../server/sfu/sfu';
import type { RoomMediaEvents } from '../../server/sfu/types';
import { sleep, until } from '../helpers/wait';
import { plainConsumer, plainProducer, startSfu } from './helpers';
import { match } from '../helpers/match';

let sfu: Sfu;
beforeAll(async () => {
  ({ sfu } = await startSfu());
});
afterAll(() => sfu.close());

describe('RoomMedia media path', () => {
  it("forwards RTP sent into A's producer to B's consumer with the payload intact", async () => {
    const room = await sfu.room('round-trip');
    const a = await plainProducer(room, 'A', 'mic', 1111);
    const producerId = await a.produce();
    const b = await plainConsumer(room, 'B');
    const params = await b.consume(producerId);
    expect(params).toMatchObject({ producerId, participantId: 'A', source: 'mic', kind: 'audio' });

    a.start();
    await until('20 packets at B', () => b.received >= 20);
    a.stop();
    expect(b.intact).toBe(b.received);
    expect(b.received).toBeLessThanOrEqual(a.sent);
    a.close();
    b.close();
    await sfu.closeRoom('round-trip');
  });

  it('tells the room about new producers and lists them for late joiners', async () => {
    const room = await sfu.room('listing');
    const seen: RoomMediaEvents['new-producer'][] = [];
    room.on('new-producer', (e) => seen.push(e));
    const a = await plainProducer(room, 'A', 'camera', 2222);
    const producerId = await a.produce();
    expect(seen).toEqual([{ participantId: 'A', producerId, source: 'camera', kind: 'video', paused: false }]);
    expect(room.producers()).toEqual([
      { producerId, participantId: 'A', source: 'camera', kind: 'video', paused: false },
    ]);
    a.close();
    await sfu.closeRoom('listing');
  });

  it('refuses a produce for a disallowed source and leaves no producer behind', async () => {
    const room = await sfu.room('refused');
    const a = await plainProducer(room, 'A', 'camera', 3333);
    const announced: unknown[] = [];
    room.on('new-producer', (e) => announced.push(e));

    await expect(a.produce(false)).rejects.toMatchObject({ name: 'ConveneError', code: 'FORBIDDEN' });

    expect(room.producers()).toEqual([]);
    expect(announced).toEqual([]);
    const dump = await room.dump();
    expect(dump.mapProducerIdConsumerIds).toEqual([]);
    const transportDump = await a.transport.dump();
    expect(transportDump.producerIds).toEqual([]);
    a.close();
    await sfu.closeRoom('refused');
  });

  it('refuses a produce whose kind does not match its source with INVALID_PAYLOAD', async () => {
    const room = await sfu.room('kind-mismatch');
    const a = await plainProducer(room, 'A', 'mic', 4444);
    await expect(room.produce('A', { ...a.request, source: 'camera' }, { allowed: true })).rejects.toMatchObject({
      code: 'INVALID_PAYLOAD',
    });
    a.close();
    await sfu.closeRoom('kind-mismatch');
  });

  it("refuses B's screen share while A shares with SHARE_LIMIT_REACHED, and allows it after A stops", async () => {
    const room = await sfu.room('share-limit');
    const a = await plainProducer(room, 'A', 'screen', 5555);
    const b = await plainProducer(room, 'B', 'screen', 6666);
    await a.produce();

    await expect(b.produce()).rejects.toMatchObject({ code: 'SHARE_LIMIT_REACHED' });
    expect(room.producers().map((p) => p.participantId)).toEqual(['A']);

    expect(room.closeSource('A', 'screen')).toBe(true);
    await expect(b.produce()).resolves.toEqual(match.any(String));
    a.close();
    b.close();
    await sfu.closeRoom('share-limit');
  });

  it('lets only one of two simultaneous screen shares through', async () => {
    const room = await sfu.room('share-race');
    const a = await plainProducer(room, 'A', 'screen', 7777);
    const b = await plainProducer(room, 'B', 'screen', 8888);
    const results = await Promise.allSettled([a.produce(), b.produce()]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(rejected.reason).toMatchObject({ code: 'SHARE_LIMIT_REACHED' });
    a.close();
    b.close();
    await sfu.closeRoom('share-race');
  });

  it('replaces the earlier producer when a participant produces the same source again', async () => {
    const room = await sfu.room('replace');
    const closed: RoomMediaEvents['producer-closed'][] = [];
    room.on('producer-closed', (e) => closed.push(e));
    const a = await plainProducer(room, 'A', 'mic', 9999);
    const first = await a.produce();
    // A re-published track has a new SSRC (mediasoup refuses a duplicate one on a transport).
    const second = await (await plainProducer(room, 'A', 'mic', 9998, a)).produce();
    expect(room.producers().map((p) => p.producerId)).toEqual([second]);
    expect(closed).toEqual([{ participantId: 'A', producerId: first, source: 'mic', reason: 'replaced' }]);
    a.close();
    await sfu.closeRoom('replace');
  });

  it("refuses to let B pause, close or consume through A's objects (FORBIDDEN) and reports unknown ids as NOT_FOUND", async () => {
    const room = await sfu.room('ownership');
    const a = await plainProducer(room, 'A', 'mic', 1212);
    const producerId = await a.produce();
    const b = await plainConsumer(room, 'B');
    const { id: consumerId } = await b.consume(producerId);

    await expect(room.pauseProducer('B', producerId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(room.closeProducer('B', producerId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(room.pauseConsumer('A', consumerId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(room.restartIce('B', a.transport.id)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(room.produce('B', a.request, { allowed: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(room.pauseProducer('A', 'no-such-id')).rejects.toBeInstanceOf(ConveneError);
    await expect(room.pauseProducer('A', 'no-such-id')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(room.producers()[0]?.paused).toBe(false);
    a.close();
    b.close();
    await sfu.closeRoom('ownership');
  });

  it("a participant's second send transport replaces the first, closing its producers", async () => {
    const room = await sfu.room('replace-transport');
    const closed: RoomMediaEvents['producer-closed'][] = [];
    room.on('producer-closed', (e) => closed.push(e));
    const first = await plainProducer(room, 'A', 'mic', 1313);
    const producerId = await first.produce();
    const second = await plainProducer(room, 'A', 'camera', 1414);
    expect(first.transport.closed).toBe(true);
    expect(closed).toEqual([{ participantId: 'A', producerId, source: 'mic', reason: 'transport-closed' }]);
    expect((await room.dump()).transportIds).toEqual([second.transport.id]);
    first.close();
    second.close();
    await sfu.closeRoom('replace-transport');
  });

  it('creates WebRTC transports with ICE candidates on the listen address', async () => {
    const room = await sfu.room('webrtc');
    const t = await room.createWebRtcTransport('A', 'send');
    expect(t.iceParameters.usernameFragment).toEqual(match.any(String));
    expect(t.dtlsParameters.fingerprints.length).toBeGreaterThan(0);
    expect(t.iceCandidates.map((c) => [c.protocol, c.address])).toEqual(
      match.arrayContaining([
        ['udp', '127.0.0.1'],
        ['tcp', '127.0.0.1'],
      ]),
    );
    const ice = await room.restartIce('A', t.id);
    expect(ice.usernameFragment).not.toBe(t.iceParameters.usernameFragment);
    await sleep(0);
    await sfu.closeRoom('webrtc');
  });
});
