/**
 * Recording as a host control, over real sockets with a real SFU worker and
 * real ffmpeg: who may start and stop it, who hears about it (the audience
 * too), late joiners, and the stops nobody asked for (meeting ended, last
 * moderator gone). A refused start changes nothing anyone can observe.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConveneServer } from '../../server/app';
import { loadSfuConfig } from '../../server/sfu';
import { expectErr, expectOk } from '../helpers/ack';
import { match } from '../helpers/match';
import { createMeeting, creatorCookie, emit, joined, next, recorder, startServer } from '../helpers/server';
import { sleep, until } from '../helpers/wait';

let server: ConveneServer;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'convene-rec-'));
  server = await startServer(
    { reconnectGraceMs: 0, recordings: { dir, ttlMs: 3_600_000 } },
    { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1' }) },
  );
});
afterAll(async () => {
  await server.close();
  // Composing goes on after close (a shutdown does not wait for it); its ffmpeg still writes here.
  await server.recorder?.composed();
  await rm(dir, { recursive: true, force: true });
});

/** A host, a participant and an audience member (the meeting seats the uninvited in its audience). */
async function meeting() {
  const code = await createMeeting(server);
  const host = await joined(server, code, 'Host', { cookie: creatorCookie() });
  const member = await joined(server, code, 'Member');
  expectOk(await emit(host.socket, 'set-audience', { mode: 'invited' }));
  const watcher = await joined(server, code, 'Watcher');
  expect(watcher.self.role).toBe('audience');
  const close = () => [host, member, watcher].forEach((s) => s.socket.disconnect());
  return { code, host, member, watcher, close };
}

describe('recording over signaling', () => {
  it('room-joined says nothing is recorded, and that this server can record (so does /healthz)', async () => {
    const m = await meeting();
    expect(m.host.roomJoined.recording).toEqual({ active: false, startedAt: null, by: null });
    expect(m.host.roomJoined.recordingAvailable).toBe(true);
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { recording: unknown };
    expect(health.recording).toEqual({ available: true });
    m.close();
  });

  it('without ffmpeg the control is hidden (room-joined, /healthz says why) and a start is refused, changing nothing', async () => {
    process.env.FFMPEG_PATH = '/nonexistent/ffmpeg';
    const bare = await startServer(
      { recordings: { dir, ttlMs: 3_600_000 } },
      { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1' }) },
    ).finally(() => delete process.env.FFMPEG_PATH);
    try {
      const health = (await (await fetch(`${bare.url}/healthz`)).json()) as {
        recording: { available: boolean; reason: string };
      };
      expect(health.recording).toEqual({ available: false, reason: expect.stringContaining('ffmpeg') as string });
      const code = await createMeeting(bare);
      const host = await joined(bare, code, 'Host', { cookie: creatorCookie() });
      const other = await joined(bare, code, 'Other');
      expect(host.roomJoined.recordingAvailable).toBe(false);
      const seen = recorder(other.socket);
      const refused = expectErr(await emit(host.socket, 'start-recording', {}), 'MEDIA_UNAVAILABLE');
      expect(refused.error.message).toContain('ffmpeg');
      await sleep(100);
      expect(seen).toEqual([]);
      expect((await bare.store.getMeeting(code))!.recording ?? null).toBeNull();
      expect(await bare.store.listRecordings(code)).toEqual([]);
      host.socket.disconnect();
      other.socket.disconnect();
    } finally {
      await bare.close();
    }
  });

  it('a host starts recording: everyone, the audience included, gets recording-state; a late joiner gets it in room-joined', async () => {
    const m = await meeting();
    const heard = [m.host, m.member, m.watcher].map((s) => next(s.socket, 'recording-state'));
    const before = Date.now();
    const ack = expectOk(await emit(m.host.socket, 'start-recording', {}));
    const state = { active: true, startedAt: match.any(Number), by: m.host.self.participantId };
    expect(ack.recording).toEqual(state);
    expect(ack.recording.startedAt).toBeGreaterThanOrEqual(before);
    for (const h of heard) expect(await h).toEqual(ack.recording);
    expect((await server.store.getMeeting(m.code))!.recording).toMatchObject({ by: m.host.self.participantId });
    expect(await server.store.listRecordings(m.code)).toEqual([
      expect.objectContaining({ status: 'recording', by: 'Host', node: match.any(String) }),
    ]);

    const late = await joined(server, m.code, 'Late');
    expect(late.roomJoined.recording).toEqual(ack.recording);
    expect(late.ack).toMatchObject({ recording: ack.recording });

    // Starting again changes nothing and tells nobody.
    const seen = [m.member, m.watcher].map((s) => recorder(s.socket));
    expect(expectOk(await emit(m.host.socket, 'start-recording', {})).recording).toEqual(ack.recording);
    await sleep(100);
    expect(seen.flat()).toEqual([]);

    const stopped = [m.member, m.watcher].map((s) => next(s.socket, 'recording-state'));
    expect(expectOk(await emit(m.host.socket, 'stop-recording', {})).recording).toEqual({
      active: false,
      startedAt: null,
      by: null,
    });
    for (const s of stopped) expect(await s).toEqual({ active: false, startedAt: null, by: null, reason: 'stopped' });
    await until(
      'recording composed',
      async () => ['ready', 'failed'].includes((await server.store.listRecordings(m.code))[0]!.status),
      Boolean,
      30_000,
    );
    m.close();
    late.socket.disconnect();
  });

  it("a participant's or an audience member's start and stop are FORBIDDEN and change nothing", async () => {
    const m = await meeting();
    const seen = [m.host, m.member, m.watcher].map((s) => recorder(s.socket));
    const before = await server.store.getMeeting(m.code);
    for (const s of [m.member, m.watcher]) {
      expectErr(await emit(s.socket, 'start-recording', {}), 'FORBIDDEN');
      expectErr(await emit(s.socket, 'stop-recording', {}), 'FORBIDDEN');
    }
    await sleep(100);
    expect(seen.flat()).toEqual([]);
    expect(await server.store.getMeeting(m.code)).toEqual(before);
    expect(await server.store.listRecordings(m.code)).toEqual([]);

    // Nor can they stop one a host started.
    expectOk(await emit(m.host.socket, 'start-recording', {}));
    await sleep(50);
    expectErr(await emit(m.member.socket, 'stop-recording', {}), 'FORBIDDEN');
    expect((await server.store.getMeeting(m.code))!.recording).not.toBeNull();
    m.close();
  });

  it('a co-host may start it too', async () => {
    const m = await meeting();
    expectOk(await emit(m.host.socket, 'set-role', { participantId: m.member.self.participantId, role: 'cohost' }));
    const heard = next(m.watcher.socket, 'recording-state');
    expectOk(await emit(m.member.socket, 'start-recording', {}));
    expect(await heard).toMatchObject({ active: true, by: m.member.self.participantId });
    m.close();
  });

  it('ending the meeting stops the recording, and everyone hears it before meeting-ended', async () => {
    const m = await meeting();
    const started = next(m.watcher.socket, 'recording-state');
    expectOk(await emit(m.host.socket, 'start-recording', {}));
    await started;
    const order: string[] = [];
    m.member.socket.onAny((event: string) => order.push(event));
    const heard = next(m.watcher.socket, 'recording-state');
    expectOk(await emit(m.host.socket, 'end-meeting', {}));
    expect(await heard).toEqual({ active: false, startedAt: null, by: null, reason: 'meeting-ended' });
    await until('meeting-ended at the member', () => order.includes('meeting-ended'));
    expect(order.indexOf('recording-state')).toBeLessThan(order.indexOf('meeting-ended'));
    expect((await server.store.getMeeting(m.code))!.recording).toBeNull();
    await until(
      'recording stopped',
      async () => (await server.store.listRecordings(m.code))[0]?.status !== 'recording',
    );
    m.close();
  });

  it('the last moderator leaving stops the recording for everyone left', async () => {
    const m = await meeting();
    const started = [m.member, m.watcher].map((s) => next(s.socket, 'recording-state'));
    expectOk(await emit(m.host.socket, 'start-recording', {}));
    await Promise.all(started);
    const heard = [m.member, m.watcher].map((s) => next(s.socket, 'recording-state'));
    expectOk(await emit(m.host.socket, 'leave-room', {}));
    for (const h of heard)
      expect(await h).toEqual({ active: false, startedAt: null, by: null, reason: 'no-moderator' });
    expect((await server.store.getMeeting(m.code))!.recording).toBeNull();
    await until(
      'recording stopped',
      async () => (await server.store.listRecordings(m.code))[0]?.status !== 'recording',
    );
    m.close();
  });

  it('bad payloads are refused and start nothing', async () => {
    const m = await meeting();
    const seen = recorder(m.member.socket);
    // @ts-expect-error deliberately wrong payload
    expectErr(await emit(m.host.socket, 'start-recording', 'now'), 'INVALID_PAYLOAD');
    await sleep(100);
    expect(seen).toEqual([]);
    expect((await server.store.getMeeting(m.code))!.recording ?? null).toBeNull();
    m.close();
  });
});
