/**
 * The server under test for the audience suite, in its own (pinned) process:
 *   node --expose-gc --import tsx bench/audience/server.ts floor|convene
 * `convene`: Convene as `npm start` runs it (memory store, production logging
 * to /dev/null) without Next or media, and with rate limits no load reaches
 * (every bench client is 127.0.0.1). `floor`: a bare Socket.IO server whose
 * join only enters the room and acks, and whose chat fans out to the room —
 * the least any server could do for the same traffic.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emitEvent, serve } from '../lib/rpc';
import { SelfMeter } from '../lib/stats';

const kind = process.argv[2];
if (kind !== 'floor' && kind !== 'convene') throw new Error('usage: server.ts floor|convene');

let meeting: (stageLimit: number) => Promise<string>;
let port: number;

if (kind === 'convene') {
  const { createConveneServer } = await import('../../server/app');
  const { guestIdentity } = await import('../../server/auth/identity');
  const { MeetingService } = await import('../../server/rooms/meetings');
  const { benchConfig, benchLogger } = await import('../lib/convene-config');
  const config = benchConfig();
  const logger = benchLogger();
  const server = await createConveneServer(config, { next: false, media: false, logger });
  const meetings = new MeetingService(server.store, config);
  port = server.port;
  let n = 0;
  meeting = async (stageLimit) =>
    (
      await meetings.create(guestIdentity(`bench-creator-${++n}`), {
        title: 'Town hall',
        settings: { audience: { mode: 'overflow', stageLimit } },
      })
    ).code;
} else {
  const { Server } = await import('socket.io');
  const http = createServer();
  const io = new Server(http, { maxHttpBufferSize: 32 * 1024 });
  let seq = 0;
  io.on('connection', (socket) => {
    let room: string | null = null;
    socket.on('join-room', (payload: { roomCode: string }, ack: (r: unknown) => void) => {
      room = payload.roomCode;
      void socket.join(room);
      ack({ ok: true, self: { participantId: socket.id } });
    });
    socket.on('send-message', (payload: { text: string }, ack?: (r: unknown) => void) => {
      if (!room) return;
      const message = { id: String(++seq), from: { participantId: socket.id }, text: payload.text, sentAt: Date.now() };
      io.to(room).emit('new-message', message);
      ack?.({ ok: true, id: message.id });
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  port = (http.address() as AddressInfo).port;
  let n = 0;
  meeting = () => Promise.resolve(`room-${++n}`);
}

const meter = new SelfMeter();
const gc = (globalThis as { gc?: () => void }).gc;

const api = {
  ping: () => true,
  meeting: ({ stageLimit }: { stageLimit: number }) => meeting(stageLimit),
  mark: () => meter.start(),
  read: () => meter.read(),
  memory: () => {
    gc?.();
    gc?.();
    const m = process.memoryUsage();
    return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, externalBytes: m.external, gcRan: Boolean(gc) };
  },
};
export type AudienceServerApi = typeof api;
serve(api);
emitEvent('ready', { port, kind, pid: process.pid });
