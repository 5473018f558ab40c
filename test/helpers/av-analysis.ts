/**
 * Measuring a composed recording with ffprobe/ffmpeg: its streams and length,
 * how loud a span is, and when beeps and flashes begin (to measure A/V offset).
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export async function probe(file: string): Promise<{ duration: number; streams: Array<{ codec_type: string }> }> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_format', '-show_streams', '-of', 'json', file]);
  const j = JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_type: string }> };
  return { duration: Number(j.format.duration), streams: j.streams };
}

/** Loudest sample (dBFS) between `from` and `to` seconds; -91 is digital silence. */
export async function maxVolume(file: string, from: number, to: number): Promise<number> {
  const { stderr } = await exec('ffmpeg', [
    '-hide_banner', '-ss', String(from), '-t', String(to - from), '-i', file,
    '-map', '0:a', '-af', 'volumedetect', '-f', 'null', '-',
  ]); // prettier-ignore
  return Number(/max_volume: (-?[\d.]+|-inf) dB/.exec(stderr)?.[1] ?? Number.NaN);
}

/** Times (s) where sound starts after at least 50 ms of silence. */
export async function beepOnsets(file: string): Promise<number[]> {
  const { stderr } = await exec('ffmpeg', [
    '-hide_banner', '-i', file, '-map', '0:a', '-af', 'silencedetect=n=-40dB:d=0.05', '-f', 'null', '-',
  ]); // prettier-ignore
  return [...stderr.matchAll(/silence_end: ([\d.]+)/g)].map((m) => Number(m[1]));
}

/** Times (s) where the mean luma of the `crop` region (w:h:x:y) jumps above 128. */
export async function flashOnsets(file: string, crop: string): Promise<number[]> {
  const { stdout } = await exec('ffprobe', [
    '-v', 'error', '-f', 'lavfi', '-i', `movie=${file},crop=${crop},signalstats`,
    '-show_entries', 'frame=pts_time:frame_tags=lavfi.signalstats.YAVG', '-of', 'csv=p=0',
  ], { maxBuffer: 64 * 1024 * 1024 }); // prettier-ignore
  const onsets: number[] = [];
  let bright = false;
  for (const line of stdout.trim().split('\n')) {
    const [t, y] = line.split(',').map(Number) as [number, number];
    if (!bright && y > 128) onsets.push(t);
    bright = y > 128;
  }
  return onsets;
}

/** Audio minus video onset for each flash with a beep within 0.4 s: the A/V offsets (s). */
export function offsets(audio: number[], video: number[]): number[] {
  return video.flatMap((v) => {
    const a = audio.reduce((best, x) => (Math.abs(x - v) < Math.abs(best - v) ? x : best), Number.POSITIVE_INFINITY);
    return Math.abs(a - v) <= 0.4 ? [a - v] : [];
  });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
