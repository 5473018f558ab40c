import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sfu } from '../../server/sfu/sfu';
import type { RoomMediaEvents } from '../../server/sfu/types';
import { plainConsumer, plainProducer, sleep, startSfu, until } from './helpers';

let sfu: Sfu;
beforeAll(async () => {
  ({ sfu } = await startSfu());
});
afterAll(() => sfu?.close());

describe('host controls enforced in the SFU', () => {
  it("a host mute stops A's mic reaching B and A cannot unmute until the lock is lifted", async () => {
    const room = await sfu.room('host-mute');
    const paused: RoomMediaEvents['producer-paused'][] = [];
    room.on('producer-paused', (e) => paused.push(e));
    const a = await plainProducer(room, 'A', 'mic', 2001);
    const producerId = await a.produce();
    const b = await plainConsumer(room, 'B');
    await b.consume(producerId);
    a.start();
    await until(() => b.received >= 5, 3000, 'packets before the mute');

    expect(await room.lockSource('A', 'mic')).toBe(true);
    expect(paused).toEqual([{ participantId: 'A', producerId, source: 'mic', by: 'host' }]);
    await sleep(100); // let packets already in flight arrive
    const before = b.received;
    await sleep(500); // A keeps sending all along
    expect(b.received).toBe(before);

    await expect(room.resumeProducer('A', producerId)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await sleep(200);
    expect(b.received).toBe(before);

    expect(room.unlockSource('A', 'mic')).toBe(true);
    await room.resumeProducer('A', producerId);
    await until(() => b.received >= before + 5, 3000, 'packets after the unlock');
    a.close();
    b.close();
    await sfu.closeRoom('host-mute');
  });

  it('a locked source cannot be produced again to get around the mute', async () => {
    const room = await sfu.room('lock-produce');
    const a = await plainProducer(room, 'A', 'mic', 2002);
    await a.produce();
    await room.lockSource('A', 'mic');
    await expect(a.produce()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(room.producers()).toHaveLength(1);
    expect(room.producers()[0]?.paused).toBe(true);
    a.close();
    await sfu.closeRoom('lock-produce');
  });

  it('a lock placed before A produces still applies, and survives A leaving and coming back', async () => {
    const room = await sfu.room('lock-early');
    await room.lockSource('A', 'camera');
    const a = await plainProducer(room, 'A', 'camera', 2003);
    await expect(a.produce()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    room.closeParticipant('A');
    a.close();
    const again = await plainProducer(room, 'A', 'camera', 2004);
    await expect(again.produce()).rejects.toMatchObject({ code: 'FORBIDDEN' });
    again.close();
    await sfu.closeRoom('lock-early');
  });

  it("a host stop-share closes A's screen and screen audio, and B's consumer is closed", async () => {
    const room = await sfu.room('stop-share');
    const closedProducers: RoomMediaEvents['producer-closed'][] = [];
    const closedConsumers: RoomMediaEvents['consumer-closed'][] = [];
    room.on('producer-closed', (e) => closedProducers.push(e));
    room.on('consumer-closed', (e) => closedConsumers.push(e));
    const screen = await plainProducer(room, 'A', 'screen', 2005);
    const screenId = await screen.produce();
    const audio = await plainProducer(room, 'A', 'screen-audio', 2006, screen);
    const audioId = await audio.produce();
    const mic = await plainProducer(room, 'A', 'mic', 2007, screen);
    const micId = await mic.produce();
    const b = await plainConsumer(room, 'B');
    const { id: consumerId } = await b.consume(screenId);

    expect(room.closeSource('A', 'screen')).toBe(true);
    expect(room.producers().map((p) => p.producerId)).toEqual([micId]);
    expect(closedProducers).toEqual([
      { participantId: 'A', producerId: screenId, source: 'screen', reason: 'closed-by-host' },
      { participantId: 'A', producerId: audioId, source: 'screen-audio', reason: 'closed-by-host' },
    ]);
    await until(() => closedConsumers.length === 1, 2000, 'consumer-closed');
    expect(closedConsumers).toEqual([{ participantId: 'B', consumerId, producerId: screenId }]);
    expect(room.closeSource('A', 'screen')).toBe(false);
    screen.close();
    b.close();
    await sfu.closeRoom('stop-share');
  });
});
