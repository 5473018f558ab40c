/**
 * One producer recorded as it is: a mediasoup consumer on a plain transport
 * sends its RTP to an ffmpeg that copies the codec into ~2 s segments, so a
 * crash loses at most the segment being written. If ffmpeg dies the track
 * starts a new run (new ports, new process) and the host is told.
 *
 * Timing: ffmpeg stamps the first RTP packet it receives 0 and follows the RTP
 * timestamps from there, so a paused producer (no packets) leaves a gap that
 * composing fills with silence or the last frame. `t0` is the wall-clock time
 * that first packet's RTP timestamp stands for. One packet's arrival would
 * carry its own delay (a busy sender or encoder, a queue), so the consumer's
 * `rtp` trace events are read for SYNC_WINDOW_MS: each packet's send time,
 * less how far its RTP timestamp is past the first one, is an upper bound on
 * t0, and the least of them is the packet that waited least (the usual
 * receiver's clock estimate without sender reports).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { types as ms } from 'mediasoup';
import type { Logger } from 'pino';
import { ffmpegBin, containerFor, diesWithParent, freePortPair, listening, sdpFor } from './ffmpeg';
import type { RunManifest, TrackInfo } from './manifest';

export const SEGMENT_SECONDS = 2;
/** How long the packets' timing is read to place the track on the meeting's clock. */
const SYNC_WINDOW_MS = 3_000;
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
  /** ffmpeg's RTP port. */
  port: number;
  /** Set by the first stop(). */
  stopped?: Promise<void>;
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
    const child = spawn(...diesWithParent(ffmpegBin(), args), { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2_000)));
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    const current: Current = { child, tap, port, timer: null, exited };
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
    await this.#syncClock(consumer, run);
    await consumer.resume();
    if (this.info.kind === 'video') {
      // A keyframe now starts the first segment; one every segment length lets ffmpeg cut there.
      const keyframe = () => void consumer.requestKeyFrame().catch(() => undefined);
      keyframe();
      current.timer = setInterval(keyframe, SEGMENT_SECONDS * 1_000);
    }
  }

  /** Sets and then refines `run.t0` from the consumer's packets (see the file's comment). */
  #syncClock(consumer: ms.Consumer, run: RunManifest): Promise<void> {
    const clockRate = consumer.rtpParameters.codecs[0]!.clockRate;
    let first: number | null = null;
    let unwrapped = 0;
    let last = 0;
    let until = 0;
    const onTrace = (trace: ms.ConsumerTraceEventData) => {
      const packet = (trace.info as { rtpPacket?: { timestamp: number }; isRtx?: boolean } | undefined) ?? {};
      if (trace.type !== 'rtp' || !packet.rtpPacket || packet.isRtx) return;
      // The worker stamps the event with its monotonic clock (uv_hrtime, in ms), the
      // clock process.hrtime reads: the packet's wall time, however late the event arrives here.
      const sent = Date.now() - Math.max(0, Number(process.hrtime.bigint() / 1_000_000n) - trace.timestamp);
      const ts = packet.rtpPacket.timestamp;
      if (first === null) {
        first = ts;
        last = ts;
        until = sent + SYNC_WINDOW_MS;
      }
      // RTP timestamps wrap at 2^32; a step is taken as signed 32-bit, as receivers do.
      unwrapped += (ts - last) | 0;
      last = ts;
      const estimate = sent - (unwrapped / clockRate) * 1_000;
      if (run.t0 === null || estimate < run.t0) run.t0 = estimate;
      if (sent >= until) stop();
    };
    const stop = () => {
      consumer.off('trace', onTrace);
      void consumer.enableTraceEvent([]).catch(() => undefined);
    };
    consumer.on('trace', onTrace);
    // Before the consumer resumes: its first packet must be traced.
    return consumer.enableTraceEvent(['rtp']);
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

  /**
   * Stops recording: ffmpeg closes its last segment and list, killed if it
   * hangs. SIGINT alone is not enough: ffmpeg checks for it only between
   * packets, and a closed producer sends none, so ffmpeg is also sent an RTCP
   * BYE, which ends its input as the stream's sender would (then it finishes
   * the file and exits). A second SIGINT must never follow: ffmpeg would exit
   * at once, without finishing the segment. Idempotent (a producer that
   * closes and the session stopping both call this).
   */
  stop(): Promise<void> {
    this.#stopping = true;
    const current = this.#current;
    if (!current) return Promise.resolve();
    return (current.stopped ??= (async () => {
      if (current.timer) clearInterval(current.timer);
      current.child.kill('SIGINT');
      await sendBye(current.port).catch(() => undefined);
      const killer = setTimeout(() => current.child.kill('SIGKILL'), STOP_WAIT_MS);
      await current.exited;
      clearTimeout(killer);
    })());
  }
}

/**
 * An RTCP BYE sent to ffmpeg's RTP port, where it also reads RTCP: a compound
 * packet (RFC 3550 §6.1), an empty receiver report then the BYE, 16 bytes
 * (ffmpeg ignores anything shorter than an RTP header, 12).
 */
async function sendBye(port: number): Promise<void> {
  // prettier-ignore
  const bye = Buffer.from([
    0x80, 201, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // RR, no report blocks
    0x81, 203, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, // BYE, one SSRC
  ]);
  const socket = createSocket('udp4');
  try {
    await new Promise<void>((resolve, reject) =>
      socket.send(bye, port, '127.0.0.1', (err) => (err ? reject(err) : resolve())),
    );
  } finally {
    socket.close();
  }
}
