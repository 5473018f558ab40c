/**
 * Clients that stop reading their socket: what the server queues for them is
 * capped, they are dropped, and the meeting carries on without them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { ConveneServer } from '../../server/app';
import { queuedBytes } from '../../server/signaling/connection-guard';
import { expectOk } from '../helpers/ack';
import { createMeeting, emit, joined, recorder, startServer, testConfig, type Client } from '../helpers/server';
import { sleep, until } from '../helpers/wait';

const CAP = 512 * 1024;
const TEXT = 'x'.repeat(2_000);

/** A raw Engine.IO/Socket.IO client that joins the meeting, then never reads its socket again. */
async function slowReader(server: { port: number }, roomCode: string, name: string): Promise<WebSocket> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/socket.io/?EIO=4&transport=websocket`);
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      const text = data.toString();
      if (text.startsWith('0{')) ws.send('40');
      else if (text.startsWith('40{')) ws.send(`420${JSON.stringify(['join-room', { roomCode, displayName: name }])}`);
      else if (text.startsWith('430')) resolve();
    });
  });
  ws.pause();
  return ws;
}

/** Bytes queued for all connections of the server. */
const queued = (server: ConveneServer) =>
  [...server.io.of('/').sockets.values()].reduce((sum, s) => sum + queuedBytes(s.conn), 0);

describe('clients that never read', () => {
  let server: ConveneServer;
  const lots: [number, number] = [1_000_000, 1];
  beforeAll(async () => {
    server = await startServer({
      reconnectGraceMs: 300,
      rateLimits: { ...testConfig().rateLimits, chat: lots },
      caps: { ...testConfig().caps, sendBufferBytes: CAP, roomBroadcasts: lots },
    });
  });
  afterAll(() => server.close());

  it('are dropped while the room chats heavily; the memory they held returns, and the others see them leave and keep chatting', async () => {
    const code = await createMeeting(server);
    const talkers = await Promise.all([0, 1, 2].map((i) => joined(server, code, `Talker ${i}`)));
    const readers = await Promise.all([0, 1, 2].map((i) => slowReader(server, code, `Slow ${i}`)));
    const slowIds = (await server.store.listParticipants(code))
      .filter((p) => p.displayName.startsWith('Slow'))
      .map((p) => p.id);
    await sleep(100);
    const saw = recorder(talkers[0]!.socket);

    // What the server holds for its connections, sampled throughout. (Process RSS is no
    // measure here: it follows the V8 heap, which grows with the chat traffic itself.)
    let peakQueued = 0;
    const sampler = setInterval(() => (peakQueued = Math.max(peakQueued, queued(server))), 20);
    // ~15 MB of chat for each slow reader: far past the kernel's socket buffers and the cap.
    const talk = async (t: Client, n: number) => {
      for (let i = 0; i < n; i += 25)
        await Promise.all(Array.from({ length: 25 }, () => emit(t, 'send-message', { text: TEXT })));
    };
    await Promise.all(talkers.map((t) => talk(t.socket, 2_500)));
    await until(
      'the talkers saw every slow reader leave',
      () => saw.filter((e) => e.event === 'user-left').map((e) => (e.data as { participantId: string }).participantId),
      (left) => slowIds.every((id) => left.includes(id)),
      10_000,
    );
    clearInterval(sampler);

    // Each slow reader was held to the cap plus what one check interval let in (generously: the
    // check runs on the same busy event loop); unchecked, each would hold ~10 MB, all of it.
    expect(peakQueued).toBeLessThan(3 * (CAP + 2 * 1024 * 1024));
    expect(server.io.of('/').sockets.size).toBe(3);
    expect(server.io.engine.clientsCount).toBe(3);
    await until(
      'nothing is queued any more',
      () => queued(server),
      (q) => q === 0,
    );

    // The meeting carries on: a message goes round at once.
    await sleep(500); // the talkers' own backlog of the storm drains first
    const got = new Promise<void>((resolve) =>
      talkers[2]!.socket.on('new-message', (m) => m.text === 'after the storm' && resolve()),
    );
    const started = performance.now();
    expectOk(await emit(talkers[1]!.socket, 'send-message', { text: 'after the storm' }));
    await got;
    expect(performance.now() - started).toBeLessThan(2_000);
    for (const r of readers) r.terminate();
    for (const t of talkers) t.socket.disconnect();
  }, 120_000);
});
