import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sfu } from '../../server/sfu/sfu';
import type { RoomMediaEvents } from '../../server/sfu/types';
import { sleep, until } from '../helpers/wait';
import { plainConsumer, plainProducer, startSfu } from './helpers';

let sfu: Sfu;
beforeAll(async () => {
  ({ sfu } = await startSfu());
});
afterAll(() => sfu.close());

/** How many packets reach `b` in `ms`, after letting the ones already in flight land. */
async function packetsDuring(b: { received: number }, ms: number): Promise<number> {
  await sleep(100);
  const before = b.received;
  await sleep(ms);
  return b.received - before;
}

describe('host pause in the SFU', () => {
  it("a host pause stops A's mic at the SFU: the room hears producer-paused by host and B gets no packets while A keeps sending", async () => {
    const room = await sfu.room('host-pause');
    const paused: RoomMediaEvents['producer-paused'][] = [];
    room.on('producer-paused', (e) => paused.push(e));
    const a = await plainProducer(room, 'A', 'mic', 2001);
    const producerId = await a.produce();
    const b = await plainConsumer(room, 'B');
    await b.consume(producerId);
    a.start();
    await until('packets before the pause', () => b.received >= 5);

    expect(await room.hostPause('A', 'mic')).toBe(true);
    expect(paused).toEqual([{ participantId: 'A', producerId, source: 'mic', by: 'host' }]);
    expect(room.producers()).toMatchObject([{ producerId, paused: true }]);
    const sentBefore = a.sent;
    expect(await packetsDuring(b, 500)).toBe(0);
    expect(a.sent).toBeGreaterThan(sentBefore + 20);
    a.close();
    b.close();
    await sfu.closeRoom('host-pause');
  });

  it('after a host pause A may resume its own producer (the SFU keeps no lock; the room permissions are checked by signaling)', async () => {
    const room = await sfu.room('host-pause-resume');
    const resumed: RoomMediaEvents['producer-resumed'][] = [];
    room.on('producer-resumed', (e) => resumed.push(e));
    const a = await plainProducer(room, 'A', 'mic', 2002);
    const producerId = await a.produce();
    const b = await plainConsumer(room, 'B');
    await b.consume(producerId);
    a.start();
    await room.hostPause('A', 'mic');
    expect(await packetsDuring(b, 300)).toBe(0);

    await room.resumeProducer('A', producerId);
    expect(resumed).toEqual([{ participantId: 'A', producerId, source: 'mic' }]);
    expect(await packetsDuring(b, 300)).toBeGreaterThan(5);
    a.close();
    b.close();
    await sfu.closeRoom('host-pause-resume');
  });

  it("a host pause of a mic A already muted returns true but announces nothing twice, and can't be resumed by anyone but A", async () => {
    const room = await sfu.room('host-pause-muted');
    const paused: RoomMediaEvents['producer-paused'][] = [];
    room.on('producer-paused', (e) => paused.push(e));
    const a = await plainProducer(room, 'A', 'mic', 2003);
    const producerId = await a.produce();
    await room.pauseProducer('A', producerId);

    expect(await room.hostPause('A', 'mic')).toBe(true);
    expect(paused).toEqual([{ participantId: 'A', producerId, source: 'mic', by: 'owner' }]);
    await expect(room.resumeProducer('B', producerId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(room.producers()).toMatchObject([{ producerId, paused: true }]);
    a.close();
    await sfu.closeRoom('host-pause-muted');
  });

  it("a host pause of a source A is not sending pauses nothing, announces nothing and leaves nothing behind: A's later produce is live", async () => {
    const room = await sfu.room('host-pause-nothing');
    const events: unknown[] = [];
    room.on('producer-paused', (e) => events.push(e));
    const mic = await plainProducer(room, 'A', 'mic', 2004);
    const micId = await mic.produce();

    expect(await room.hostPause('A', 'camera')).toBe(false);
    expect(await room.hostPause('Nobody', 'mic')).toBe(false);
    expect(events).toEqual([]);
    expect(room.producers()).toMatchObject([{ producerId: micId, paused: false }]);

    const camera = await plainProducer(room, 'A', 'camera', 2005, mic);
    const cameraId = await camera.produce();
    expect(room.producers().find((p) => p.producerId === cameraId)).toMatchObject({ source: 'camera', paused: false });
    mic.close();
    await sfu.closeRoom('host-pause-nothing');
  });
});

describe('host stop-share in the SFU', () => {
  it("a host stop-share closes A's screen and screen audio, and B's consumer is closed", async () => {
    const room = await sfu.room('stop-share');
    const closedProducers: RoomMediaEvents['producer-closed'][] = [];
    const closedConsumers: RoomMediaEvents['consumer-closed'][] = [];
    room.on('producer-closed', (e) => closedProducers.push(e));
    room.on('consumer-closed', (e) => closedConsumers.push(e));
    const screen = await plainProducer(room, 'A', 'screen', 2006);
    const screenId = await screen.produce();
    const audio = await plainProducer(room, 'A', 'screen-audio', 2007, screen);
    const audioId = await audio.produce();
    const mic = await plainProducer(room, 'A', 'mic', 2008, screen);
    const micId = await mic.produce();
    const b = await plainConsumer(room, 'B');
    const { id: consumerId } = await b.consume(screenId);

    expect(room.closeSource('A', 'screen')).toBe(true);
    expect(room.producers().map((p) => p.producerId)).toEqual([micId]);
    expect(closedProducers).toEqual([
      { participantId: 'A', producerId: screenId, source: 'screen', reason: 'closed-by-host' },
      { participantId: 'A', producerId: audioId, source: 'screen-audio', reason: 'closed-by-host' },
    ]);
    await until('consumer-closed', () => closedConsumers.length === 1);
    expect(closedConsumers).toEqual([{ participantId: 'B', consumerId, producerId: screenId }]);
    expect(room.closeSource('A', 'screen')).toBe(false);
    screen.close();
    b.close();
    await sfu.closeRoom('stop-share');
  });
});
