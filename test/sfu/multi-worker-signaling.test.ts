/**
 * One meeting over two workers, seen through signaling: when the worker
 * carrying only part of the meeting's receivers dies, exactly those receivers
 * hear receive-reset (with the producers to consume again), and nobody hears
 * media-reset. RTP over PlainTransports as in test/media-signaling.test.ts.
 */
import type { types as ms } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { loadSfuConfig } from '../../server/sfu';
import { expectOk } from '../helpers/ack';
import { signaledRoundTrip } from '../helpers/media';
import { createMeeting, emit, joined, next, recorder, startServer, type Client } from '../helpers/server';
import { sleep, until } from '../helpers/wait';
import { plainConsumer } from './helpers';

let server: ConveneServer;
beforeAll(async () => {
  // A cap of 1 consumer per worker: the second receiver of a meeting lands on the other worker.
  server = await startServer(
    {},
    { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '2', MEDIASOUP_MAX_CONSUMERS_PER_WORKER: '1' }) },
  );
});
afterAll(() => server.close());

async function receive(code: string, socket: Client, participantId: string, producerId: string) {
  const media = await server.sfu!.room(code);
  const r = await plainConsumer(media, participantId);
  const consumer = expectOk(await emit(socket, 'consume', { producerId, rtpCapabilities: media.rtpCapabilities }));
  r.ssrc = (consumer.rtpParameters as ms.RtpParameters).encodings?.[0]?.ssrc ?? -1;
  expectOk(await emit(socket, 'resume-consumer', { consumerId: consumer.id }));
  return r;
}

describe('one meeting over two workers, through signaling', () => {
  it('the death of the worker carrying only C’s receive side sends receive-reset to C alone; C consumes again and A→B never stopped', async () => {
    const code = await createMeeting(server);
    const [a, b, c] = [
      await joined(server, code, 'A'),
      await joined(server, code, 'B'),
      await joined(server, code, 'C'),
    ];
    const rt = await signaledRoundTrip(
      server,
      code,
      a.socket,
      a.self.participantId,
      b.socket,
      b.self.participantId,
      8101,
    );
    const atC = await receive(code, c.socket, c.self.participantId, rt.producerId);
    await until('packets at C', () => atC.intact >= 5);
    const media = await server.sfu!.room(code);
    const legPid = media.receiveWorkerPid(c.self.participantId)!;
    expect(legPid).not.toBe(media.workerPid);
    expect(media.receiveWorkerPid(b.self.participantId)).toBe(media.workerPid);
    const seenByAB = [a, b].map((p) => recorder(p.socket));
    const reset = next(c.socket, 'receive-reset', 5000);
    const [sent0, b0] = [rt.sender.sent, rt.receiver.received];

    process.kill(legPid, 'SIGKILL');

    expect(await reset).toEqual({
      producers: [{ participantId: a.self.participantId, producerId: rt.producerId, source: 'mic', paused: false }],
    });
    await sleep(500);
    const resets = seenByAB.flat().filter((e) => e.event === 'media-reset' || e.event === 'receive-reset');
    expect(resets).toEqual([]);
    expect(rt.receiver.received - b0).toBeGreaterThanOrEqual(rt.sender.sent - sent0 - 3);

    atC.close();
    await until('replacement worker', () => server.sfu!.workerStats().length === 2);
    const again = await receive(code, c.socket, c.self.participantId, rt.producerId);
    await until('packets at C again', () => again.intact >= 5);
    rt.sender.close();
    rt.receiver.close();
    again.close();
    for (const p of [a, b, c]) p.socket.disconnect();
  });
});
