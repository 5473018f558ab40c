/**
 * With several nodes, what a socket's node broadcasts reaches that node's own
 * sockets before the ack it sends back, as on a single node: a sender sees
 * its own chat message before the ack.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { startRedis, type RedisInstance } from '../helpers/redis';
import { createMeeting, joined, startServer } from '../helpers/server';

let redis: RedisInstance;
let servers: ConveneServer[] = [];

beforeAll(async () => {
  redis = await startRedis();
  servers = [await startServer({ redisUrl: redis.url }), await startServer({ redisUrl: redis.url })];
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await redis.stop();
});

it("a sender's own copy of its broadcast arrives before its ack when other nodes share the meeting", async () => {
  const [one, two] = servers as [ConveneServer, ConveneServer];
  const code = await createMeeting(one);
  const alice = await joined(one, code, 'Alice');
  const bob = await joined(two, code, 'Bob');
  const order: string[] = [];
  alice.socket.on('new-message', (m) => order.push(`event:${m.text}`));

  for (const text of ['first', 'second', 'third']) {
    // Noted in the ack callback itself: an awaited ack would be noted a microtask late,
    // after an event that arrived in the same read.
    await new Promise<void>((acked) =>
      alice.socket.emit('send-message', { text }, (ack: { ok: boolean }) => {
        order.push(`ack:${ack.ok ? text : 'refused'}`);
        acked();
      }),
    );
  }
  expect(order).toEqual(['event:first', 'ack:first', 'event:second', 'ack:second', 'event:third', 'ack:third']);

  alice.socket.disconnect();
  bob.socket.disconnect();
});
