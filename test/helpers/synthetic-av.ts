/**
 * A participant's mic and camera made by ffmpeg (real Opus and VP8, from one
 * lavfi clock, so the two are in sync at the source): a short beep and a white
 * flash together every `periodSec`. Both RTP streams reach the SFU through one
 * UDP socket, as a plain send transport (comedia) takes one remote address.
 * Used by the recording tests and the recording bench. Cheap on purpose (15 fps,
 * VP8 at its fastest setting): audio and video are encoded in one ffmpeg loop,
 * so a video encoder falling behind on a busy machine would hold the audio back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import type { RoomMedia } from '../../server/sfu';

const OPUS_PT = 100;
const VP8_PT = 101;

function udp(): Promise<dgram.Socket> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}

export interface SyntheticOptions {
  /** Seconds between beep+flash pairs (default 1.1, so they drift across output frames). */
  periodSec?: number;
  /** Length of each beep and flash (default 0.1 s). */
  pulseSec?: number;
  /** Video only, a test pattern without flashes (a screen share). */
  videoOnly?: boolean;
  size?: string;
  /**
   * Frames between keyframes (default 15, one a second). ffmpeg ignores the
   * SFU's keyframe requests, so a short track whose keyframe is lost on a
   * busy machine needs the next one soon.
   */
  gop?: number;
}

/**
 * Starts ffmpeg sending to a new plain send transport of `participantId`, and
 * returns the produce requests (send them with the `produce` event) and a stop().
 */
export async function syntheticSender(
  media: RoomMedia,
  participantId: string,
  opts: SyntheticOptions = {},
): Promise<{
  requests: Array<{ transportId: string; kind: 'audio' | 'video'; rtpParameters: Record<string, unknown> }>;
  child: ChildProcess;
  stop: () => void;
}> {
  const period = opts.periodSec ?? 1.1;
  const pulse = opts.pulseSec ?? 0.1;
  const transport = await media.createPlainTransport(participantId, 'send', { comedia: true });
  const [out, inAudio, inVideo] = await Promise.all([udp(), udp(), udp()]);
  const forward = (m: Buffer) => out.send(m, transport.tuple.localPort, '127.0.0.1');
  inAudio.on('message', forward);
  inVideo.on('message', forward);
  const on = `lt(mod(t,${period}),${pulse})`;
  const picture = opts.videoOnly
    ? `testsrc2=s=${opts.size ?? '320x240'}:r=15` // a screen: moving, no flashes
    : `color=c=black:s=${opts.size ?? '320x240'}:r=15,drawbox=c=white:t=fill:enable='${on}'`;
  const graph = `${picture}[out0];` + `sine=f=880:r=48000,volume=eval=frame:volume='if(${on},0.5,0)'[out1]`;
  // prettier-ignore
  const video = ['-map', '0:v', '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '16', '-b:v', '200k',
    '-g', String(opts.gop ?? 15), '-auto-alt-ref', '0', '-payload_type', String(VP8_PT), '-ssrc', '2222', '-f', 'rtp',
    `rtp://127.0.0.1:${inVideo.address().port}`];
  // prettier-ignore
  const audio = ['-map', '0:a', '-c:a', 'libopus', '-ac', '2', '-b:a', '48k', '-application', 'lowdelay',
    '-payload_type', String(OPUS_PT), '-ssrc', '1111', '-f', 'rtp', `rtp://127.0.0.1:${inAudio.address().port}`];
  const args = ['-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', graph, ...video];
  if (!opts.videoOnly) args.push(...audio);
  const child = spawn('ffmpeg', args, { stdio: ['ignore', 'ignore', 'inherit'] });
  const requests: Array<{ transportId: string; kind: 'audio' | 'video'; rtpParameters: Record<string, unknown> }> = [
    {
      transportId: transport.id,
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000 }],
        encodings: [{ ssrc: 2222 }],
      },
    },
  ];
  if (!opts.videoOnly)
    requests.unshift({
      transportId: transport.id,
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: OPUS_PT, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: 1111 }],
      },
    });
  return {
    requests,
    child,
    stop: () => {
      child.kill('SIGKILL');
      for (const s of [out, inAudio, inVideo]) s.close();
    },
  };
}
