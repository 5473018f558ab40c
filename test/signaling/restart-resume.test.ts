import { afterAll, beforeAll, expect, it } from 'vitest';
import { MeetingConnection } from '../../lib/client/meeting-socket';
import type { RoomJoined } from '../../lib/protocol';
import type { ConveneServer } from '../../server/app';
import { startRedis, type RedisInstance } from '../helpers/redis';
import { createMeeting, joined, next, recorder, startServer } from '../helpers/server';
import { until } from '../helpers/wait';

let redis: RedisInstance;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(() => redis.stop());

it('a client resumes as the same participant when its server restarts, and the others see no leave', async () => {
  const first = await startServer({ redisUrl: redis.url });
  const port = first.port;
  const other = await startServer({ redisUrl: redis.url });
  let second: ConveneServer | null = null;
  try {
    const code = await createMeeting(first);
    const watcher = await joined(other, code, 'Watcher');
    const conn = new MeetingConnection(first.url, { transports: ['websocket'], forceNew: true, reconnectionDelay: 50 });
    const announced = next(watcher.socket, 'user-joined');
    const ack = await conn.join(code, 'Traveller');
    if (!ack.ok || !('self' in ack)) throw new Error('join failed');
    await announced;
    const watcherSaw = recorder(watcher.socket);
    const states: string[] = [];
    conn.onStateChange((s) => states.push(s));
    const rejoined = new Promise<RoomJoined>((resolve) => conn.socket.once('room-joined', resolve));

    await first.close();
    second = await startServer({ redisUrl: redis.url, port }); // the replacement, at the same address
    const again = await rejoined;

    expect(again.self.participantId).toBe(ack.self.participantId);
    expect(again.resumed).toBe(true);
    await until('connected again', () => states.at(-1) === 'connected');
    expect(states).toEqual(['reconnecting', 'connected']);
    expect(watcherSaw.filter((e) => e.event === 'user-left' || e.event === 'user-joined')).toEqual([]);
    conn.close();
    watcher.socket.disconnect();
  } finally {
    await Promise.all([second?.close(), other.close(), first.close()]);
  }
});
