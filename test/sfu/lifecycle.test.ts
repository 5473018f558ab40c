import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sfu } from '../../server/sfu/sfu';
import type { RoomMediaEvents } from '../../server/sfu/types';
import { until } from '../helpers/wait';
import { memoryLogger, plainConsumer, plainProducer, startSfu } from './helpers';
import { match } from '../helpers/match';

let sfu: Sfu;
const logger = memoryLogger();
beforeAll(async () => {
  ({ sfu } = await startSfu({}, logger));
});
afterAll(() => sfu.close());

describe('SFU lifecycle', () => {
  it('two simultaneous requests for a new room get the same RoomMedia and one router', async () => {
    const [r1, r2] = await Promise.all([sfu.room('race'), sfu.room('race')]);
    expect(r1).toBe(r2);
    const [worker] = await sfu.dumpWorkers();
    expect(worker?.routerIds).toHaveLength(1);
    await sfu.closeRoom('race');
  });

  it('leaves no transports, producers or consumers behind when participants leave, and no router once the room closes', async () => {
    const room = await sfu.room('leaks');
    const closed: RoomMediaEvents['producer-closed'][] = [];
    const consumerClosed: RoomMediaEvents['consumer-closed'][] = [];
    room.on('producer-closed', (e) => closed.push(e));
    room.on('consumer-closed', (e) => consumerClosed.push(e));
    const a = await plainProducer(room, 'A', 'mic', 3001);
    const producerId = await a.produce();
    const webrtc = await room.createWebRtcTransport('A', 'recv');
    const b = await plainConsumer(room, 'B');
    const { id: consumerId } = await b.consume(producerId);

    expect(room.closeParticipant('A')).toBe(true);
    expect(closed).toEqual([{ participantId: 'A', producerId, source: 'mic', reason: 'participant-left' }]);
    await until("B's consumer-closed", () => consumerClosed.length === 1);
    expect(consumerClosed).toEqual([{ participantId: 'B', consumerId, producerId }]);

    const dump = await room.dump();
    expect(dump.transportIds).toEqual([b.transport.id]);
    expect(dump.transportIds).not.toContain(a.transport.id);
    expect(dump.transportIds).not.toContain(webrtc.id);
    expect(dump.mapProducerIdConsumerIds).toEqual([]);
    expect(dump.mapConsumerIdProducerId).toEqual([]);
    expect(room.isEmpty()).toBe(false);

    room.closeParticipant('B');
    expect(room.isEmpty()).toBe(true);
    expect((await room.dump()).transportIds).toEqual([]);

    await sfu.closeRoom('leaks');
    const [worker] = await sfu.dumpWorkers();
    expect(worker?.routerIds).toEqual([]);
    expect(sfu.workerStats()).toEqual([{ pid: match.any(Number), routers: 0, consumers: 0 }]);
    a.close();
    b.close();
  });

  it('a participant who leaves while its transport is being created does not come back', async () => {
    const room = await sfu.room('late-transport');
    const creating = room.createWebRtcTransport('A', 'send');
    expect(room.closeParticipant('A')).toBe(true);
    await expect(creating).rejects.toMatchObject({ code: 'MEDIA_UNAVAILABLE' });
    expect(room.isEmpty()).toBe(true);
    expect((await room.dump()).transportIds).toEqual([]);
    await sfu.closeRoom('late-transport');
  });

  it('a killed worker is replaced, the room gets a new router, onRoomMediaReset fires and media flows again', async () => {
    const room = await sfu.room('phoenix');
    const a = await plainProducer(room, 'A', 'mic', 4001);
    const b = await plainConsumer(room, 'B');
    await b.consume(await a.produce());
    const deadPid = room.workerPid;
    const reset = new Promise<string>((resolve) => sfu.onRoomMediaReset(resolve));

    process.kill(deadPid, 'SIGKILL');

    expect(await reset).toBe('phoenix');
    expect(await sfu.room('phoenix')).toBe(room);
    expect(room.workerPid).not.toBe(deadPid);
    expect(sfu.workerStats()).toEqual([{ pid: room.workerPid, routers: 1, consumers: 0 }]);
    expect(room.producers()).toEqual([]);
    expect(logger.lines.some((l) => l.level === 'error' && l.msg === 'mediasoup worker died')).toBe(true);
    a.close();
    b.close();

    const a2 = await plainProducer(room, 'A', 'mic', 4002);
    const b2 = await plainConsumer(room, 'B');
    await b2.consume(await a2.produce());
    a2.start();
    await until('packets after the restart', () => b2.received >= 10);
    expect(b2.intact).toBe(b2.received);
    a2.close();
    b2.close();
    await sfu.closeRoom('phoenix');
  });
});
