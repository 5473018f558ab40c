/**
 * Suite: recording (issue 16). In this process, a Convene server with one
 * mediasoup worker and the real recorder (ffmpeg):
 *  1. CPU of a 4-person room (mic + camera each: real Opus and VP8 from
 *     test/helpers/synthetic-av.ts), not recorded, then recorded: worker +
 *     this process + the recorder's ffmpeg processes (not the senders'), per
 *     second of wall time. Alternated.
 *  2. Compose time per minute of meeting: 4 participants with real Opus/VP8
 *     from ffmpeg (test/helpers/synthetic-av.ts), recorded, then composed.
 *  3. A/V offset: one participant whose mic beeps when its camera flashes,
 *     recorded and composed; offset = beep onset - flash onset in the file.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ConveneServer } from '../../server/app';
import { loadSfuConfig, type RoomMedia } from '../../server/sfu';
import { ensureWorkerBinEnv } from '../../server/sfu/worker-bin';
import { beepOnsets, flashOnsets, offsets, median } from '../../test/helpers/av-analysis';
import { createMeeting, creatorCookie, emit, joined, startServer } from '../../test/helpers/server';
import { syntheticSender } from '../../test/helpers/synthetic-av';
import { procCpuMs, sleep } from '../lib/proc';

export interface RecordingBenchOptions {
  runs: number;
  windowMs: number;
  composeSeconds: number;
  log: (line: string) => void;
}

export interface RecordingBenchResult {
  /** Cores used by the room (worker + server process + ffmpeg), per run. */
  cpu: { plain: number[]; recorded: number[]; addedCores: number; ffmpegCores: number };
  compose: { meetingSeconds: number; composeSeconds: number; perMinuteSeconds: number; sizeBytes: number };
  av: { offsetsMs: number[]; medianMs: number; maxAbsMs: number };
  markdown: string;
}

const ffmpegChildren = () =>
  readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .flatMap((d) => {
      try {
        const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        return ppid === process.pid && stat.includes('(ffmpeg)') ? [Number(d)] : [];
      } catch {
        return [];
      }
    });

const cpuMs = (pids: number[]) => pids.reduce((sum, pid) => sum + (() => { try { return procCpuMs(pid); } catch { return 0; } })(), 0); // prettier-ignore
const selfMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function recordingServer(dir: string): Promise<ConveneServer> {
  return startServer(
    { reconnectGraceMs: 0, recordings: { dir, ttlMs: 3_600_000 }, logLevel: 'warn' },
    { media: loadSfuConfig({ MEDIASOUP_NUM_WORKERS: '1' }) },
  );
}

/**
 * A meeting of `count` people (the first its host), each sending real Opus and
 * VP8 from its own ffmpeg (test/helpers/synthetic-av.ts): the recorder's
 * ffmpeg ignores keyframe requests, so its source must be decodable as it is.
 */
async function meetingWithSenders(server: ConveneServer, count: number) {
  const code = await createMeeting(server);
  const host = await joined(server, code, 'Host', { cookie: creatorCookie() });
  const media: RoomMedia = await server.sfu!.room(code);
  const others = await Promise.all(Array.from({ length: count - 1 }, (_, i) => joined(server, code, `P${i + 1}`)));
  const people = [host, ...others];
  const senders: Array<Awaited<ReturnType<typeof syntheticSender>>> = [];
  for (const p of people) {
    await emit(p.socket, 'get-router-capabilities');
    const sender = await syntheticSender(media, p.self.participantId);
    for (const r of sender.requests)
      await emit(p.socket, 'produce', { ...r, appData: { source: r.kind === 'audio' ? 'mic' : 'camera' } });
    senders.push(sender);
  }
  return { code, host, media, people, senders };
}

async function cpuPhase(server: ConveneServer, record: boolean, windowMs: number) {
  const { host, media, people, senders } = await meetingWithSenders(server, 4);
  // The senders' own ffmpeg processes (the encoders) are not counted.
  const senderPids = new Set(senders.map((x) => x.child.pid));
  const recorders = () => ffmpegChildren().filter((pid) => !senderPids.has(pid));
  await sleep(1_000);
  if (record) await emit(host.socket, 'start-recording', {});
  await sleep(1_500); // the recorder's processes settle
  const pids = () => [media.workerPid, ...recorders()];
  const before = { t: Date.now(), procs: cpuMs(pids()), self: selfMs(), ff: cpuMs(recorders()) };
  await sleep(windowMs);
  const after = { t: Date.now(), procs: cpuMs(pids()), self: selfMs(), ff: cpuMs(recorders()) };
  const seconds = (after.t - before.t) / 1000;
  const cores = (after.procs - before.procs + after.self - before.self) / 1000 / seconds;
  const ffmpegCores = (after.ff - before.ff) / 1000 / seconds;
  if (record) await emit(host.socket, 'stop-recording', {});
  for (const sender of senders) sender.stop();
  // Composing runs as this process's (niced) ffmpeg: let it finish, or the next window would count it.
  await server.recorder?.composed();
  await emit(host.socket, 'end-meeting', {});
  for (const p of people) p.socket.disconnect();
  return { cores, ffmpegCores };
}

async function syntheticRecording(server: ConveneServer, participants: number, seconds: number) {
  const { code, host, people, senders } = await meetingWithSenders(server, participants);
  await sleep(1_000);
  await emit(host.socket, 'start-recording', {});
  await sleep(seconds * 1000);
  await emit(host.socket, 'stop-recording', {});
  const stoppedAt = Date.now();
  for (const s of senders) s.stop();
  // Composing starts right after the stop; wait for it through the metadata.
  let rec = (await server.store.listRecordings(code))[0]!;
  while (rec.status !== 'ready' && rec.status !== 'failed') {
    await sleep(100);
    rec = (await server.store.listRecordings(code))[0]!;
  }
  const composeSeconds = (Date.now() - stoppedAt) / 1000;
  for (const p of people) p.socket.disconnect();
  return { code, rec, composeSeconds };
}

export async function runRecordingSuite(o: RecordingBenchOptions): Promise<RecordingBenchResult> {
  ensureWorkerBinEnv();
  const dir = await mkdtemp(path.join(os.tmpdir(), 'convene-rec-bench-'));
  const server = await recordingServer(dir);
  try {
    const plain: number[] = [];
    const recorded: number[] = [];
    const ff: number[] = [];
    for (let run = 0; run < o.runs; run++) {
      plain.push((await cpuPhase(server, false, o.windowMs)).cores);
      const r = await cpuPhase(server, true, o.windowMs);
      recorded.push(r.cores);
      ff.push(r.ffmpegCores);
      o.log(
        `recording cpu run ${run + 1}: plain ${plain.at(-1)!.toFixed(3)} cores, recorded ${r.cores.toFixed(3)} (ffmpeg ${r.ffmpegCores.toFixed(3)})`,
      );
    }
    const addedCores = median(recorded) - median(plain);

    o.log(`recording compose: 4 participants for ${o.composeSeconds} s`);
    const c = await syntheticRecording(server, 4, o.composeSeconds);
    const meetingSeconds = c.rec.durationSec;
    const compose = {
      meetingSeconds,
      composeSeconds: c.composeSeconds,
      perMinuteSeconds: (c.composeSeconds / meetingSeconds) * 60,
      sizeBytes: c.rec.size,
    };

    o.log('recording A/V offset: one participant, flash + beep every 1.1 s, 20 s');
    const a = await syntheticRecording(server, 1, 20);
    const file = path.join(dir, a.code, a.rec.id, a.rec.file!);
    // One camera fills the canvas (layout: a single grid cell); take its centre.
    const av = offsets(await beepOnsets(file), await flashOnsets(file, '640:360:320:180')).map((x) => x * 1000);
    const result = {
      cpu: { plain, recorded, addedCores, ffmpegCores: median(ff) },
      compose,
      av: { offsetsMs: av, medianMs: median(av), maxAbsMs: Math.max(...av.map(Math.abs)) },
    };
    return { ...result, markdown: recordingMarkdown(result) };
  } finally {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export function recordingMarkdown(r: Omit<RecordingBenchResult, 'markdown'>): string {
  const f = (x: number, d = 3) => x.toFixed(d);
  return [
    '### Recording (issue 16)',
    '',
    '| Measure | Value |',
    '| --- | --- |',
    `| 4-person room (mic + camera each, real Opus + VP8), not recorded | ${f(median(r.cpu.plain))} cores (runs: ${r.cpu.plain.map((x) => f(x)).join(', ')}) |`,
    `| The same room, recorded | ${f(median(r.cpu.recorded))} cores (runs: ${r.cpu.recorded.map((x) => f(x)).join(', ')}) |`,
    `| **Added by recording** (target ≤ 0.1) | **${f(r.cpu.addedCores)} cores**, of which the 8 ffmpeg processes ${f(r.cpu.ffmpegCores)} |`,
    `| Compose, 4 cameras + 4 mics, ${f(r.compose.meetingSeconds, 1)} s of meeting | ${f(r.compose.composeSeconds, 1)} s → **${f(r.compose.perMinuteSeconds, 1)} s per minute of meeting** (${(r.compose.sizeBytes / 1e6).toFixed(1)} MB) |`,
    `| A/V offset in the composed file (beep − flash, ${r.av.offsetsMs.length} pairs) | median **${f(r.av.medianMs, 0)} ms**, worst ${f(r.av.maxAbsMs, 0)} ms |`,
    '',
  ].join('\n');
}
