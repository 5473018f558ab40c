/**
 * Running out of media ports: a real worker with its port range narrowed to a
 * handful, filled by participants' transports, then a real user asking for one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { types as ms } from 'mediasoup';
import type { ConveneServer } from '../../server/app';
import { loadMediasoup, loadSfuConfig } from '../../server/sfu';
import { expectErr, expectOk } from '../helpers/ack';
import { LEVEL, memoryLogger } from '../helpers/log';
import { createMeeting, emit, joined, next, recorder, startServer, type Client } from '../helpers/server';
import { sleep, until } from '../helpers/wait';
import { match } from '../helpers/match';

// Four ports (each WebRTC transport takes one UDP and one TCP port), away from other suites' ranges.
const MIN_PORT = 28_000 + Math.floor(Math.random() * 240) * 4;
const log = memoryLogger();
let server: ConveneServer;
beforeAll(async () => {
  const media = loadSfuConfig({
    MEDIASOUP_NUM_WORKERS: '1',
    MEDIASOUP_RTC_MIN_PORT: String(MIN_PORT),
    MEDIASOUP_RTC_MAX_PORT: String(MIN_PORT + 3),
  });
  server = await startServer({}, { media, logger: log.logger });
});
afterAll(() => server.close());

/** Every WebRtcServer that workers create while it listens, through mediasoup's public observer. */
async function watchWebRtcServers(): Promise<{ servers: ms.WebRtcServer[]; stop: () => void }> {
  const mediasoup = await loadMediasoup();
  const servers: ms.WebRtcServer[] = [];
  const onWorker = (worker: ms.Worker) =>
    worker.observer.on('newwebrtcserver', (s: ms.WebRtcServer) => void servers.push(s));
  mediasoup.observer.on('newworker', onWorker);
  return { servers, stop: () => mediasoup.observer.off('newworker', onWorker) };
}

/** Joins people who each take both their transports until the range is used up; returns them. */
async function fillPorts(code: string): Promise<Client[]> {
  const fillers: Client[] = [];
  for (let i = 0; i < 8; i++) {
    const { socket } = await joined(server, code, `Filler ${i}`);
    fillers.push(socket);
    for (const direction of ['send', 'recv'] as const) {
      const res = await emit(socket, 'create-transport', { direction });
      if (!res.ok) return fillers;
    }
  }
  throw new Error('the port range never filled up');
}

describe('media ports used up', () => {
  it("a real user's create-transport gets MEDIA_UNAVAILABLE with a clear message, nobody else hears of it, and it works once someone leaves", async () => {
    const code = await createMeeting(server);
    const fillers = await fillPorts(code);
    const heard = fillers.map((f) => next(f, 'user-joined'));
    const user = await joined(server, code, 'Real user');
    await Promise.all(heard);
    const seen = [...fillers, user.socket].map(recorder);
    log.lines.length = 0;

    const refused = expectErr(await emit(user.socket, 'create-transport', { direction: 'send' }), 'MEDIA_UNAVAILABLE');
    expect(refused.error.message).toMatch(/no free network port/);
    // Logged for the operator at warn, with mediasoup's reason and no stack; nothing at error.
    const warned = log.lines.filter((l) => l.level === LEVEL.warn);
    expect(warned).toEqual([
      match.objectContaining({
        msg: match.stringMatching(/no free media port/),
        reason: match.stringMatching(/ports/),
      }),
    ]);
    expect(warned[0]).not.toHaveProperty('err');
    expect(log.lines.filter((l) => l.level >= LEVEL.error)).toEqual([]);
    await sleep(200);
    expect(seen.flat()).toEqual([]);

    // One filler leaves: their two ports are free again for the user.
    expectOk(await emit(fillers[0]!, 'leave-room'));
    const ok = await until(
      "the user's transport",
      () => emit(user.socket, 'create-transport', { direction: 'send' }),
      (res) => res.ok,
      10_000,
    );
    expect(expectOk(ok).iceCandidates).not.toEqual([]);
    for (const s of [...fillers, user.socket]) s.disconnect();
  });

  it('with MEDIASOUP_WEBRTC_SERVER_PORT, a WebRtcServer that is gone answers MEDIA_UNAVAILABLE, not INTERNAL', async () => {
    const port = 30_000 + Math.floor(Math.random() * 1000);
    const watch = await watchWebRtcServers();
    const local = await startServer(
      {},
      { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1', MEDIASOUP_WEBRTC_SERVER_PORT: String(port) }) },
    );
    try {
      const code = await createMeeting(local);
      const a = await joined(local, code, 'A');
      expectOk(await emit(a.socket, 'create-transport', { direction: 'send' }));
      expect(watch.servers).toHaveLength(1);
      for (const s of watch.servers) s.close();
      const res = expectErr(await emit(a.socket, 'create-transport', { direction: 'recv' }), 'MEDIA_UNAVAILABLE');
      expect(res.error.message).toMatch(/no free network port/);
      a.socket.disconnect();
    } finally {
      watch.stop();
      await local.close();
    }
  });
});
