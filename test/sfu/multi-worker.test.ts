import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sfu } from '../../server/sfu/sfu';
import type { RoomMediaEvents } from '../../server/sfu/types';
import { sleep, until } from '../helpers/wait';
import { plainConsumer, plainProducer, startSfu } from './helpers';

// Two real workers and a cap of 2 consumers per worker: the third receiver of a room goes to the second worker.
let sfu: Sfu;
beforeAll(async () => {
  ({ sfu } = await startSfu({ MEDIASOUP_NUM_WORKERS: '2', MEDIASOUP_MAX_CONSUMERS_PER_WORKER: '2' }));
});
afterAll(() => sfu.close());

const consumersOn = (pid: number) => sfu.workerStats().find((w) => w.pid === pid)?.consumers;

/** How many packets reach `r` in `ms`, after letting the ones already in flight land. */
async function packetsDuring(r: { received: number }, ms: number): Promise<number> {
  await sleep(100);
  const before = r.received;
  await sleep(ms);
  return r.received - before;
}

/** A presenter A sending its mic, B and C receiving it on the home worker, D and E on the second one. */
async function spreadRoom(code: string, ssrc: number) {
  const room = await sfu.room(code);
  const a = await plainProducer(room, 'A', 'mic', ssrc);
  const producerId = await a.produce();
  const receivers = {} as Record<'B' | 'C' | 'D' | 'E', Awaited<ReturnType<typeof plainConsumer>>>;
  for (const id of ['B', 'C', 'D', 'E'] as const) {
    receivers[id] = await plainConsumer(room, id);
    await receivers[id].consume(producerId);
  }
  const home = room.workerPid;
  const leg = room.receiveWorkerPid('D')!;
  return { room, a, producerId, ...receivers, home, leg };
}

function closeAll(...things: { close(): void }[]) {
  for (const t of things) t.close();
}

describe('one meeting over two workers', () => {
  it('a room past its per-worker cap puts new receivers on the other worker, piping the producer once, and a plain-RTP receiver on each worker gets the packets intact', async () => {
    const { room, a, producerId, B, C, D, E, home, leg } = await spreadRoom('spread', 7001);

    expect(leg).not.toBe(home);
    expect(room.workerPids).toEqual([home, leg]);
    expect(['B', 'C', 'D', 'E'].map((id) => room.receiveWorkerPid(id))).toEqual([home, home, leg, leg]);
    // Home: B, C and one pipe to the other worker; D and E share that one copy.
    expect(consumersOn(home)).toBe(3);
    expect(consumersOn(leg)).toBe(2);
    a.start();
    await until('packets on both workers', () => [B, C, D, E].every((r) => r.received >= 10));
    for (const r of [B, C, D, E]) expect(r.intact).toBe(r.received);
    // Same producer as every receiver knows it: nothing tells a receiver which worker it is on.
    expect(room.producers()).toEqual([{ producerId, participantId: 'A', source: 'mic', kind: 'audio', paused: false }]);
    closeAll(a, B, C, D, E);
    await sfu.closeRoom('spread');
    expect(sfu.workerStats().map((w) => [w.routers, w.consumers])).toEqual([
      [0, 0],
      [0, 0],
    ]);
  });

  it('a host mute stops the stream on both workers at once, and the owner resuming restarts both', async () => {
    const { room, a, producerId, B, C, D, E } = await spreadRoom('spread-mute', 7002);
    const paused: RoomMediaEvents['producer-paused'][] = [];
    room.on('producer-paused', (e) => paused.push(e));
    a.start();
    await until('packets on both workers', () => B.received >= 5 && D.received >= 5);

    expect(await room.hostPause('A', 'mic')).toBe(true);
    const [home, leg] = await Promise.all([packetsDuring(B, 500), packetsDuring(D, 500)]);
    expect({ home, leg }).toEqual({ home: 0, leg: 0 });
    expect(paused).toEqual([{ participantId: 'A', producerId, source: 'mic', by: 'host' }]);
    // The copy on the other worker is paused too (mediasoup's pipe wiring): a consumer created there now says so.
    const F = await plainConsumer(room, 'F');
    expect((await F.consume(producerId)).producerPaused).toBe(true);
    expect(room.receiveWorkerPid('F')).toBe(room.receiveWorkerPid('D'));

    await room.resumeProducer('A', producerId);
    const [home2, leg2] = await Promise.all([packetsDuring(B, 300), packetsDuring(D, 300)]);
    expect(home2).toBeGreaterThan(5);
    expect(leg2).toBeGreaterThan(5);
    expect(await packetsDuring(F, 300)).toBeGreaterThan(5);
    closeAll(a, B, C, D, E, F);
    await sfu.closeRoom('spread-mute');
  });

  it("a producer paused before a receiver lands on the other worker stays paused there: that receiver gets nothing until it's resumed", async () => {
    const room = await sfu.room('spread-paused');
    const a = await plainProducer(room, 'A', 'mic', 7003);
    const producerId = await a.produce();
    await room.hostPause('A', 'mic');
    const receivers = [];
    for (const id of ['B', 'C', 'D']) {
      const r = await plainConsumer(room, id);
      const params = await r.consume(producerId);
      expect(params.producerPaused).toBe(true);
      receivers.push(r);
    }
    const D = receivers[2]!;
    expect(room.receiveWorkerPid('D')).not.toBe(room.workerPid);
    a.start();
    expect(await packetsDuring(D, 400)).toBe(0);
    await room.resumeProducer('A', producerId);
    await until('packets on the other worker after the resume', () => D.received >= 5);
    closeAll(a, ...receivers);
    await sfu.closeRoom('spread-paused');
  });

  it('a host closing the producer closes the consumers on both workers (consumer-closed to each receiver) and removes the copy', async () => {
    const { room, a, producerId, B, C, D, E, home, leg } = await spreadRoom('spread-close', 7004);
    const closed: RoomMediaEvents['consumer-closed'][] = [];
    room.on('consumer-closed', (e) => closed.push(e));

    expect(room.closeSource('A', 'mic')).toBe(true);
    await until('consumer-closed on both workers', () => closed.length === 4);
    expect(closed.map((e) => [e.participantId, e.producerId]).sort()).toEqual(
      ['B', 'C', 'D', 'E'].map((id) => [id, producerId]),
    );
    await until('no consumer left', () => consumersOn(home) === 0 && consumersOn(leg) === 0);
    closeAll(a, B, C, D, E);
    await sfu.closeRoom('spread-close');
  });

  it('when the last receiver on the other worker leaves, the copy and that router close; the home receivers keep receiving', async () => {
    const { room, a, B, C, D, E, home, leg } = await spreadRoom('spread-teardown', 7005);
    a.start();
    room.closeParticipant('D');
    await until('D gone', () => consumersOn(leg) === 1);
    expect(room.workerPids).toEqual([home, leg]);
    room.closeParticipant('E');
    await until('leg closed', () => room.workerPids.length === 1);
    expect(sfu.workerStats().find((w) => w.pid === leg)).toMatchObject({ routers: 0, consumers: 0 });
    expect(consumersOn(home)).toBe(2);
    const legDump = (await sfu.dumpWorkers()).find((d) => d.pid === leg)!;
    expect(legDump.routerIds).toEqual([]);
    // The pipe transport on the home router went with its other end.
    await until('no pipe transport at home', async () => (await room.dump()).transportIds.length === 3);
    expect(await packetsDuring(B, 300)).toBeGreaterThan(5);
    closeAll(a, B, C, D, E);
    await sfu.closeRoom('spread-teardown');
  });

  it('killing the second worker rebuilds only its receivers: receive-reset to D and E, the home receivers miss no packet, and the room is not reset', async () => {
    const { room, a, producerId, B, C, D, E, home, leg } = await spreadRoom('spread-kill', 7006);
    const receiveResets: string[] = [];
    const roomResets: string[] = [];
    room.on('receive-reset', (e) => receiveResets.push(e.participantId));
    const off = sfu.onRoomMediaReset((code) => roomResets.push(code));
    a.start();
    await until('packets on both workers', () => B.received >= 5 && D.received >= 5);
    const [sent0, b0, c0] = [a.sent, B.received, C.received];

    process.kill(leg, 'SIGKILL');
    await until('receive-reset', () => receiveResets.length === 2);
    await sleep(1000);

    expect(receiveResets.sort()).toEqual(['D', 'E']);
    // Every packet sent since the kill reached B and C, bar the last few still in flight.
    const sent = a.sent - sent0;
    expect(sent).toBeGreaterThan(40);
    expect(B.received - b0).toBeGreaterThanOrEqual(sent - 3);
    expect(C.received - c0).toBeGreaterThanOrEqual(sent - 3);
    expect(roomResets).toEqual([]);
    expect(room.workerPid).toBe(home);
    expect(room.producers()).toMatchObject([{ producerId, paused: false }]);
    expect(room.receiveWorkerPid('D')).toBeUndefined();
    expect(consumersOn(home)).toBe(2);

    // D sets up its receive side again and lands on the worker that replaced the dead one.
    await until('replacement worker', () => sfu.workerStats().length === 2);
    D.close();
    const D2 = await plainConsumer(room, 'D');
    await D2.consume(producerId);
    expect(room.receiveWorkerPid('D')).not.toBe(home);
    expect(room.receiveWorkerPid('D')).not.toBe(leg);
    await until('D receives again', () => D2.received >= 5);
    off();
    closeAll(a, B, C, D2, E);
    await sfu.closeRoom('spread-kill');
  });

  it('killing the home worker resets the whole room once (its producers are gone) and closes the other router, with no receive-reset', async () => {
    await until('two workers', () => sfu.workerStats().length === 2);
    const { room, a, B, C, D, E, home } = await spreadRoom('spread-home', 7007);
    const receiveResets: string[] = [];
    room.on('receive-reset', (e) => receiveResets.push(e.participantId));
    const roomResets: string[] = [];
    const off = sfu.onRoomMediaReset((code) => roomResets.push(code));

    process.kill(home, 'SIGKILL');
    await until('room reset', () => roomResets.length === 1);
    await sleep(200);

    expect(roomResets).toEqual(['spread-home']);
    expect(receiveResets).toEqual([]);
    expect(room.workerPids).toHaveLength(1);
    expect(room.producers()).toEqual([]);
    // The room's one router now: the new home (the other router closed), with nothing on it yet.
    expect(sfu.workerStats().reduce((n, w) => n + w.routers, 0)).toBe(1);
    expect(sfu.workerStats().every((w) => w.consumers === 0 && w.pid !== home)).toBe(true);
    expect(room.workerPid).not.toBe(home);
    off();
    closeAll(a, B, C, D, E);
    await sfu.closeRoom('spread-home');
  });
});
