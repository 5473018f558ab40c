/**
 * One producer recorded as it is: a mediasoup consumer on a plain transport
 * sends its RTP to an ffmpeg that copies the codec into ~2 s segments, so a
 * crash loses at most the segment being written. If ffmpeg dies the track
 * starts a new run (new ports, new process) and the host is told.
 *
 * Timing: ffmpeg stamps the first RTP packet it receives 0 and follows the RTP
 * timestamps from there, so a paused producer (no packets) leaves a gap that
 * composing fills with silence or the last frame. The wall-clock time of that
 * first packet (`t0`) is taken from the consumer's first `rtp` trace event,
 * which the worker stamps when it sends the packet.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { ffmpegBin, containerFor, freePortPair, listening, sdpFor } from './ffmpeg';
import type { RunManifest, TrackInfo } from './manifest';

export const SEGMENT_SECONDS = 2;
/** How long ffmpeg gets to close its last segment after SIGINT (seconds on a loaded machine). */
const STOP_WAIT_MS = 8_000;

export interface Tap {
  transport: ms.PlainTransport;
  consumer: ms.Consumer;
}

export interface TrackDeps {
  dir: string;
  log: Logger;
  /** A new tap on the producer, sending to 127.0.0.1:port (RoomMedia.recordTap). */
  tap: (port: number) => Promise<Tap>;
  /** ffmpeg died while recording (not on stop): the host hears of it; the track restarts on its own. */
  onCrash: (track: TrackInfo, detail: string) => void;
}

interface Current {
  child: ChildProcess;
  tap: Tap;
  timer: NodeJS.Timeout | null;
  exited: Promise<void>;
}

export class TrackRecorder {
  readonly runs: RunManifest[] = [];
  #stopping = false;
  #producerGone = false;
  #current: Current | null = null;
  #restarts = 0;

  constructor(
    readonly info: TrackInfo,
    private readonly deps: TrackDeps,
  ) {}

  get stopping(): boolean {
    return this.#stopping;
  }

  /** The ffmpeg process recording now (tests kill it to check crash recovery). */
  get pid(): number | undefined {
    return this.#current?.child.pid;
  }

  async start(): Promise<void> {
    if (this.#stopping) return;
    const n = this.runs.length;
    const port = await freePortPair();
    const tap = await this.deps.tap(port);
    const { consumer, transport } = tap;
    // stop() may have come while we awaited the tap.
    if (this.stopping) {
      transport.close();
      return;
    }
    const { format, ext } = containerFor(consumer.rtpParameters);
    const base = `${this.info.participantId}-${this.info.source}-r${n}`;
    const sdp = path.join(this.deps.dir, `${base}.sdp`);
    await writeFile(sdp, sdpFor(consumer.rtpParameters, this.info.kind, port));
    const run: RunManifest = {
      run: n,
      t0: null,
      codec: consumer.rtpParameters.codecs[0]!.mimeType,
      pattern: `${base}-%05d.${ext}`,
      list: `${base}.csv`,
    };
    this.runs.push(run);
    // prettier-ignore
    const args = [
      '-hide_banner', '-nostdin', '-loglevel', 'error',
      '-protocol_whitelist', 'file,udp,rtp',
      '-i', sdp,
      '-map', '0', '-c', 'copy',
      '-f', 'segment', '-segment_time', String(SEGMENT_SECONDS), '-segment_format', format,
      '-reset_timestamps', '0',
      '-segment_list', path.join(this.deps.dir, run.list), '-segment_list_type', 'csv',
      path.join(this.deps.dir, run.pattern),
    ];
    const child = spawn(ffmpegBin(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const current: Current = { child, tap, timer: null, exited };
    this.#current = current;
    child.once('error', (err) => this.deps.log.error({ err, track: base }, 'recorder could not start ffmpeg'));
    void exited.then(() => this.#exited(current, child, stderr));
    consumer.once('producerclose', () => {
      // The producer closed (its owner stopped it or left): this track is done.
      this.#producerGone = true;
      void this.stop();
    });

    if (!(await listening(port)))
      this.deps.log.warn({ track: base }, 'recorder ffmpeg slow to listen; starting anyway');
    await consumer.enableTraceEvent(['rtp']);
    consumer.on('trace', (trace) => {
      if (trace.type !== 'rtp' || run.t0 !== null) return;
      // The worker stamps the event with its monotonic clock (uv_hrtime, in ms), the
      // clock process.hrtime reads: the packet's wall time, however late the event arrives here.
      const sinceMs = Number(process.hrtime.bigint() / 1_000_000n) - trace.timestamp;
      run.t0 = Date.now() - Math.max(0, sinceMs);
      void consumer.enableTraceEvent([]).catch(() => undefined);
    });
    await consumer.resume();
    if (this.info.kind === 'video') {
      // A keyframe now starts the first segment; one every segment length lets ffmpeg cut there.
      const keyframe = () => void consumer.requestKeyFrame().catch(() => undefined);
      keyframe();
      current.timer = setInterval(keyframe, SEGMENT_SECONDS * 1_000);
    }
  }

  #exited(current: Current, child: ChildProcess, stderr: string): void {
    if (current.timer) clearInterval(current.timer);
    current.tap.transport.close();
    if (this.#current === current) this.#current = null;
    if (this.#stopping || this.#producerGone) return;
    const detail = `ffmpeg exited (${child.signalCode ?? child.exitCode})${stderr ? `: ${stderr.trim().slice(-300)}` : ''}`;
    this.deps.log.error({ track: this.info, detail }, 'recorder crashed; restarting the track');
    this.deps.onCrash(this.info, detail);
    if (++this.#restarts > 5) return;
    void this.start().catch((err: unknown) =>
      this.deps.log.error({ err, track: this.info }, 'recorder could not restart the track'),
    );
  }

  /** Stops recording: ffmpeg closes its last segment and list (SIGINT), killed if it hangs. Idempotent. */
  async stop(): Promise<void> {
    this.#stopping = true;
    const current = this.#current;
    if (!current) return;
    if (current.timer) clearInterval(current.timer);
    current.child.kill('SIGINT');
    const killer = setTimeout(() => current.child.kill('SIGKILL'), STOP_WAIT_MS);
    await current.exited;
    clearTimeout(killer);
  }
}
