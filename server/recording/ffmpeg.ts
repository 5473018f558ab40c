/**
 * ffmpeg as the recorder: whether it is installed, the SDP that tells it what
 * one RTP stream carries, and a pair of free UDP ports for it to listen on.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { types as ms } from 'mediasoup';

/** The binaries, from the PATH unless FFMPEG_PATH / FFPROBE_PATH name others (read when used, so tests can point them elsewhere). */
export const ffmpegBin = () => process.env.FFMPEG_PATH || 'ffmpeg';
export const ffprobeBin = () => process.env.FFPROBE_PATH || 'ffprobe';

export type Availability = { available: true; version: string } | { available: false; reason: string };

/** Asked once at startup: recording is offered only when ffmpeg (and ffprobe, for composing) run. */
export function ffmpegAvailability(): Availability {
  for (const bin of [ffmpegBin(), ffprobeBin()]) {
    const r = spawnSync(bin, ['-version'], { encoding: 'utf8', timeout: 10_000 });
    if (r.error || r.status !== 0)
      return {
        available: false,
        reason: `${bin} not found or not runnable (${r.error?.message ?? `exit ${r.status}`}); install Debian's ffmpeg package to record meetings`,
      };
  }
  const version = /ffmpeg version (\S+)/.exec(spawnSync(ffmpegBin(), ['-version'], { encoding: 'utf8' }).stdout)?.[1];
  return { available: true, version: version ?? 'unknown' };
}

/** The SDP for one RTP stream as a mediasoup consumer sends it to 127.0.0.1:`port`. */
export function sdpFor(rtp: ms.RtpParameters, kind: 'audio' | 'video', port: number): string {
  const codec = rtp.codecs[0]!;
  const [, name] = codec.mimeType.split('/');
  const rtpmap = `${name}/${codec.clockRate}${codec.channels && codec.channels > 1 ? `/${codec.channels}` : ''}`;
  const fmtp = Object.entries(codec.parameters ?? {})
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(';');
  return [
    'v=0',
    'o=- 0 0 IN IP4 127.0.0.1',
    's=convene-recording',
    'c=IN IP4 127.0.0.1',
    't=0 0',
    `m=${kind} ${port} RTP/AVP ${codec.payloadType}`,
    `a=rtpmap:${codec.payloadType} ${rtpmap}`,
    ...(fmtp ? [`a=fmtp:${codec.payloadType} ${fmtp}`] : []),
    'a=recvonly',
    '',
  ].join('\n');
}

/** The container a codec is copied into as it is: WebM for VP8/VP9/Opus, Matroska otherwise (H264). */
export function containerFor(rtp: ms.RtpParameters): { format: 'webm' | 'matroska'; ext: 'webm' | 'mkv' } {
  const mime = rtp.codecs[0]!.mimeType.toLowerCase();
  return /vp8|vp9|opus/.test(mime) ? { format: 'webm', ext: 'webm' } : { format: 'matroska', ext: 'mkv' };
}

function bind(port: number): Promise<Socket | null> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.once('error', () => resolve(null));
    s.bind(port, '127.0.0.1', () => resolve(s));
  });
}

/**
 * A port p with p+1 free too (ffmpeg opens RTP on p and RTCP on p+1; mediasoup
 * muxes RTCP onto p, which ffmpeg also reads there). Free when checked: taken
 * by someone else before ffmpeg binds it, the recorder sees ffmpeg fail and retries.
 */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const first = await bind(0);
    if (!first) continue;
    const port = first.address().port;
    const second = port < 65535 ? await bind(port + 1) : null;
    first.close();
    second?.close();
    if (second) return port;
  }
  throw new Error('no free UDP port pair for the recorder');
}

/** Resolves once something listens on UDP 127.0.0.1:`port` (ffmpeg has opened its input), or after `ms`. */
export async function listening(port: number, ms = 5_000): Promise<boolean> {
  // ffmpeg binds the SDP's port on every address (00000000) or on 127.0.0.1 (0100007F).
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const bound = (table: string) => table.includes(`00000000:${hexPort} `) || table.includes(`0100007F:${hexPort} `);
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const table = await readFile('/proc/net/udp', 'utf8').catch(() => null);
    if (table === null) {
      await new Promise((r) => setTimeout(r, 300)); // not Linux: give ffmpeg a moment
      return true;
    }
    if (bound(table)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

const SETPRIV = '/usr/bin/setpriv';

/**
 * The command that runs `bin` so that it dies with this process. A node
 * killed with SIGKILL cannot stop its children, and a recorder's ffmpeg,
 * waiting for packets that no longer come, ran on for ever (PPID 1), holding
 * its last segment open; a composing one would race the restarted node's.
 * util-linux's setpriv (part of every Debian) sets the parent-death signal and
 * execs `bin` in its place, same pid. Without it, `bin` runs as it is.
 */
export function diesWithParent(bin: string, args: string[]): [string, string[]] {
  return existsSync(SETPRIV) ? [SETPRIV, ['--pdeathsig', 'SIGKILL', '--', bin, ...args]] : [bin, args];
}

/** Runs ffmpeg/ffprobe to completion; rejects with the end of its stderr on failure. */
export function run(bin: string, args: string[], opts: { nice?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = opts.nice ? diesWithParent('nice', ['-n', '10', bin, ...args]) : diesWithParent(bin, args);
    const child: ChildProcess = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4_000)));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${bin} exited ${code}: ${err.trim().slice(-800)}`)),
    );
  });
}
