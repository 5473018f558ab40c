/**
 * The recorder end to end, without browsers: a participant's mic and camera
 * are real Opus and VP8 from ffmpeg (a beep and a flash together every 1.1 s),
 * through a real SFU worker, recorded by real ffmpeg, composed, downloaded
 * over HTTP and measured with ffprobe/ffmpeg. (test/recording/browser.test.ts
 * does the same journey with two Chromium pages.)
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingInfo } from '../../lib/protocol';
import type { ConveneServer } from '../../server/app';
import { loadSfuConfig } from '../../server/sfu';
import { LAYOUT_FILE, type Box } from '../../server/recording/compose';
import { expectOk } from '../helpers/ack';
import { beepOnsets, flashOnsets, maxVolume, median, offsets, probe } from '../helpers/av-analysis';
import { createMeeting, creatorCookie, emit, guestCookieHeader, joined, next } from '../helpers/server';
import { syntheticSender } from '../helpers/synthetic-av';
import { sleep, until } from '../helpers/wait';

const exec = promisify(execFile);
let server: ConveneServer;
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'convene-rec-'));
  server = await startRecordingServer(dir);
});
afterAll(async () => {
  await server.close();
  // Composing goes on after close (a shutdown does not wait for it); its ffmpeg still writes here.
  await server.recorder?.composed();
  if (!process.env.KEEP_RECORDINGS) await rm(dir, { recursive: true, force: true });
});

async function startRecordingServer(d: string) {
  const { startServer } = await import('../helpers/server');
  return startServer(
    { reconnectGraceMs: 0, recordings: { dir: d, ttlMs: 3_600_000 } },
    { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1' }) },
  );
}

/** A host, and a member whose mic and camera are synthetic (its producers go through signaling). */
async function meetingWithSender() {
  const code = await createMeeting(server);
  const host = await joined(server, code, 'Host', { cookie: creatorCookie() });
  const memberCookie = guestCookieHeader(`member-${code}`);
  const member = await joined(server, code, 'Member', { cookie: memberCookie });
  const media = await server.sfu!.room(code);
  await emit(member.socket, 'get-router-capabilities');
  const sender = await syntheticSender(media, member.self.participantId);
  const ids: Record<string, string> = {};
  for (const r of sender.requests) {
    const source = r.kind === 'audio' ? 'mic' : 'camera';
    ids[source] = expectOk(await emit(member.socket, 'produce', { ...r, appData: { source } })).producerId;
  }
  await sleep(800); // packets flowing before the recording starts
  return { code, host, member, memberCookie, media, sender, ids };
}

/**
 * Resolves once every track of the meeting's recording has its first packet:
 * starting a track's ffmpeg takes ~0.2 s on a quiet machine, seconds on a
 * loaded one, and the scripted timeline must not run ahead of it.
 */
async function capturing(code: string, tracks: number): Promise<number> {
  const t = await until(
    'every track capturing',
    () => {
      const all = server.recorder!.session(code)?.tracks ?? [];
      const t0s = all.map((x) => x.runs[0]?.t0 ?? null);
      return all.length >= tracks && t0s.every((x) => x !== null) ? Math.max(...t0s) : null;
    },
    (x) => x !== null,
    30_000,
  );
  return t!;
}

async function ready(code: string): Promise<RecordingInfo> {
  let info: RecordingInfo | undefined;
  const list = async (cookie: string) =>
    (await (await fetch(`${server.url}/api/rooms/${code}/recordings`, { headers: { cookie } })).json()) as {
      ok: boolean;
      recordings: RecordingInfo[];
    };
  await until(
    'recording composed',
    async () => {
      info = (await list(creatorCookie())).recordings[0];
      return info?.status === 'ready' || info?.status === 'failed';
    },
    Boolean,
    90_000,
  );
  expect(info!.status).toBe('ready');
  return info!;
}

/** Where compose.ts put each video, from the layout it wrote beside the file. */
async function boxes(code: string, id: string): Promise<Record<string, Box>> {
  return JSON.parse(await readFile(path.join(dir, code, id, LAYOUT_FILE), 'utf8')) as Record<string, Box>;
}

/** A box in ffmpeg's crop syntax (w:h:x:y). */
const crop = (b: Box) => `${b.w}:${b.h}:${b.x}:${b.y}`;

async function download(url: string, cookie: string, to: string): Promise<void> {
  const res = await fetch(`${server.url}${url}`, { headers: { cookie } });
  expect(res.status).toBe(200);
  await writeFile(to, Buffer.from(await res.arrayBuffer()));
}

describe('the recorder', () => {
  it('records ~8 s with a screen share in the middle and a host mute: one file, A/V in sync, the muted span silent', async () => {
    const m = await meetingWithSender();
    const { recording } = expectOk(await emit(m.host.socket, 'start-recording', {}));
    const start = recording.startedAt!;
    // The script runs from when both tracks capture (see capturing()); times are from the recording's start.
    const base = (await capturing(m.code, 2)) - start;
    console.info(`tracks capturing ${base} ms after the start`);
    const at = (s: number) => sleep(Math.max(0, start + base + s * 1000 - Date.now()));

    await at(2.5);
    expectOk(
      await emit(m.host.socket, 'mute-participant', { participantId: m.member.self.participantId, kind: 'audio' }),
    );
    const mutedAt = (Date.now() - start) / 1000;
    await at(2.8);
    await emit(m.host.socket, 'get-router-capabilities');
    const screen = await syntheticSender(m.media, m.host.self.participantId, {
      videoOnly: true,
      size: '640x360',
      gop: 5,
    });
    const screenId = expectOk(
      await emit(m.host.socket, 'produce', { ...screen.requests[0]!, appData: { source: 'screen' } }),
    ).producerId;
    await at(4.5);
    expectOk(await emit(m.member.socket, 'resume-producer', { producerId: m.ids.mic! }));
    const unmutedAt = (Date.now() - start) / 1000;
    await at(6);
    expectOk(await emit(m.host.socket, 'close-producer', { producerId: screenId }));
    screen.stop();
    await at(7.5);
    const wall = (Date.now() - start) / 1000;
    expectOk(await emit(m.host.socket, 'stop-recording', {}));
    m.sender.stop();

    const info = await ready(m.code);
    expect(info.tracks.map((t) => t.source).sort()).toEqual(['camera', 'mic', 'screen']);
    const file = path.join(dir, `${m.code}.mp4`);
    await download(info.url!, creatorCookie(), file);

    const { duration, streams } = await probe(file);
    expect(streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Math.abs(duration - wall)).toBeLessThan(1);

    // Host-muted: nothing the member sent reaches the file (a beep every 1.1 s otherwise).
    const muted = await maxVolume(file, mutedAt + 0.3, unmutedAt - 0.1);
    const loud = await maxVolume(file, unmutedAt + 0.3, unmutedAt + 2.5);
    // lavfi's sine is at 1/8 of full scale, beeps at half that: about -24 dBFS; silence is -91.
    expect(muted).toBeLessThan(-60);
    expect(loud).toBeGreaterThan(-35);

    // The camera's flashes against the beeps.
    const beeps = await beepOnsets(file);
    // The share is large on the left, the camera in the column beside it.
    const placed = await boxes(m.code, info.id);
    expect(placed[`${m.host.self.participantId}:screen`]).toEqual({ x: 0, y: 0, w: 960, h: 720 });
    const flashes = await flashOnsets(file, crop(placed[`${m.member.self.participantId}:camera`]!));
    console.info(`file ${file}\nbeeps ${beeps.join(' ')}\nflashes ${flashes.join(' ')}`);
    const av = offsets(beeps, flashes);
    console.info(`A/V offsets (audio - video, ms): ${av.map((x) => Math.round(x * 1000)).join(' ')}`);
    expect(av.length).toBeGreaterThanOrEqual(3);
    expect(Math.abs(median(av))).toBeLessThan(0.1);
    // One flash is seen only at a frame boundary of the 15 fps source: each pair may be off by one frame more.
    for (const x of av) expect(Math.abs(x)).toBeLessThan(0.1 + 1 / 15);

    // The per-track files are kept beside the composed one.
    const files = await readdir(path.join(dir, m.code, info.id));
    for (const source of ['mic', 'camera', 'screen'])
      expect(files.some((f) => f.includes(`-${source}-r0-`) && f.endsWith('.webm'))).toBe(true);

    // Range requests, for the host; a participant gets 403 for the list and the file.
    const part = await fetch(`${server.url}${info.url}`, { headers: { cookie: creatorCookie(), range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${info.size}`);
    expect((await part.arrayBuffer()).byteLength).toBe(100);
    for (const url of [`/api/rooms/${m.code}/recordings`, info.url!])
      expect((await fetch(`${server.url}${url}`, { headers: { cookie: m.memberCookie } })).status).toBe(403);
    expect((await fetch(`${server.url}${info.url}`)).status).toBe(403);
    m.host.socket.disconnect();
    m.member.socket.disconnect();
  }, 120_000);

  it('kill -9 of a track recorder midway loses at most one segment: the host is told, the track restarts, the recording goes on', async () => {
    const m = await meetingWithSender();
    const { recording } = expectOk(await emit(m.host.socket, 'start-recording', {}));
    const start = recording.startedAt!;
    const warned = next(m.host.socket, 'recording-error', 30_000);
    const captured = await capturing(m.code, 2);
    await sleep(captured + 2_500 - Date.now());
    const { stdout } = await exec('pgrep', ['-f', `${m.member.self.participantId}-mic-r0.sdp`]);
    process.kill(Number(stdout.trim().split('\n')[0]), 'SIGKILL');
    const warning = await warned;
    expect(warning.stopped).toBe(false);
    expect(warning.message).toContain('Member');
    // What the UI words in its reader's language.
    expect(warning.problem).toEqual({ kind: 'track-restarted', displayName: 'Member', source: 'mic' });
    expect((await server.store.getMeeting(m.code))!.recording).not.toBeNull();
    await sleep(captured + 8_000 - Date.now());
    expectOk(await emit(m.host.socket, 'stop-recording', {}));
    m.sender.stop();

    const info = await ready(m.code);
    const file = path.join(dir, `${m.code}-crash.mp4`);
    await download(info.url!, creatorCookie(), file);
    const from = (captured - start) / 1000; // seconds into the file when both tracks had begun
    const beeps = (await beepOnsets(file)).filter((t) => t > from + 0.3);
    expect(beeps.length).toBeGreaterThanOrEqual(3);
    const gaps = beeps.slice(1).map((t, i) => t - beeps[i]!);
    const lost = Math.max(...gaps) - 1.1;
    console.info(`beeps ${beeps.map((t) => t.toFixed(2)).join(' ')}; lost ≈ ${lost.toFixed(2)} s`);
    // One 2 s segment, plus the moment the track takes to restart.
    expect(lost).toBeLessThan(2.5);
    const files = await readdir(path.join(dir, m.code, info.id));
    expect(files.some((f) => f.includes('-mic-r1-'))).toBe(true);
    m.host.socket.disconnect();
    m.member.socket.disconnect();
  }, 120_000);
});
