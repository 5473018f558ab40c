/**
 * After a recording stops: one MP4 (H.264 + AAC) of the whole meeting from its
 * per-track segments, which stay as they are. Every track is placed on the
 * meeting's timeline by the wall-clock time of its first packet, gaps (paused
 * or host-muted producers) become silence or the last frame, the audio of
 * every track is mixed, and the video is laid out: cameras in a grid, or a
 * screen share large with the cameras in a column beside it.
 */
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ffmpegBin, ffprobeBin, run } from './ffmpeg';
import { MANIFEST_FILE, type RecordingManifest, type RunManifest, type TrackInfo } from './manifest';

export const COMPOSED_FILE = 'meeting.mp4';
/** The composed layout: `{ "participantId:source": { x, y, w, h } }`. */
export const LAYOUT_FILE = 'layout.json';
const W = 1280;
const H = 720;
const FPS = 15;

interface Input {
  track: TrackInfo;
  /** ffconcat list of the run's segments, with their true spacing. */
  list: string;
  /** Where the run's first sample sits on the meeting's timeline, in seconds. */
  offset: number;
}

/** Start time (s) of each segment file that ffprobe can read, in order; a truncated tail that cannot is left out. */
async function segments(dir: string, r: RunManifest): Promise<Array<{ file: string; start: number }>> {
  const [prefix, suffix] = r.pattern.split('%05d') as [string, string];
  const files = (await readdir(dir)).filter((f) => f.startsWith(prefix) && f.endsWith(suffix)).sort();
  const out: Array<{ file: string; start: number }> = [];
  for (const file of files) {
    const start = await run(ffprobeBin(), [
      '-v', 'error', '-show_entries', 'format=start_time', '-of', 'csv=p=0', path.join(dir, file),
    ]).then((s) => Number.parseFloat(s), () => Number.NaN); // prettier-ignore
    if (Number.isFinite(start)) out.push({ file, start });
  }
  return out;
}

async function inputsOf(dir: string, m: RecordingManifest): Promise<Input[]> {
  const inputs: Input[] = [];
  for (const track of m.tracks) {
    for (const r of track.runs) {
      if (r.t0 === null) continue;
      const segs = await segments(dir, r);
      if (!segs.length) continue;
      const lines = ['ffconcat version 1.0'];
      segs.forEach((s, i) => {
        lines.push(`file '${s.file}'`);
        const next = segs[i + 1];
        // The next segment's own start, so a pause across a cut keeps its length.
        if (next) lines.push(`duration ${(next.start - s.start).toFixed(6)}`);
      });
      const list = path.join(dir, r.pattern.replace('-%05d', '').replace(/\.\w+$/, '.ffconcat'));
      await writeFile(list, `${lines.join('\n')}\n`);
      inputs.push({ track, list, offset: (r.t0 - m.startedAt) / 1000 + segs[0]!.start });
    }
  }
  return inputs;
}

export type Box = { x: number; y: number; w: number; h: number };

/** Where each video slot (a participant's camera or screen) goes. */
export function layout(slots: Array<{ key: string; screen: boolean }>): Map<string, Box> {
  const boxes = new Map<string, Box>();
  const screens = slots.filter((s) => s.screen);
  const cameras = slots.filter((s) => !s.screen);
  const even = (n: number) => Math.floor(n / 2) * 2;
  if (!screens.length) {
    const cols = Math.ceil(Math.sqrt(cameras.length));
    const rows = Math.ceil(cameras.length / cols);
    cameras.forEach((s, i) => {
      const w = even(W / cols);
      const h = even(H / rows);
      boxes.set(s.key, { x: (i % cols) * w, y: Math.floor(i / cols) * h, w, h });
    });
    return boxes;
  }
  const side = cameras.length ? 320 : 0;
  screens.forEach((s, i) => {
    const h = even(H / screens.length);
    boxes.set(s.key, { x: 0, y: i * h, w: W - side, h });
  });
  cameras.forEach((s, i) => {
    const h = even(Math.min(180, H / cameras.length));
    boxes.set(s.key, { x: W - side, y: i * h, w: side, h });
  });
  return boxes;
}

const slotKey = (t: TrackInfo) => `${t.participantId}:${t.source}`;

/** Where each recorded video goes, by `participantId:source`: only tracks that recorded something take a place. */
function layoutOf(inputs: Input[]): Map<string, Box> {
  const slots = new Map(inputs.filter((i) => i.track.kind === 'video').map((i) => [slotKey(i.track), i.track]));
  return layout([...slots].map(([key, t]) => ({ key, screen: t.source === 'screen' })));
}

/** The ffmpeg arguments that compose `inputs` into `out`, `duration` seconds long. */
export function composeArgs(inputs: Input[], duration: number, out: string): string[] {
  const d = duration.toFixed(3);
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error', '-y'];
  for (const i of inputs) args.push('-reinit_filter', '0', '-f', 'concat', '-safe', '0', '-i', i.list);
  const graph: string[] = [`color=c=0x202124:s=${W}x${H}:r=${FPS}:d=${d},format=yuv420p[v0]`];
  const audio: string[] = [];
  const boxes = layoutOf(inputs);
  let v = 0;
  inputs.forEach((input, k) => {
    const off = Math.max(0, input.offset).toFixed(3);
    if (input.track.kind === 'audio') {
      // Gaps in the timestamps (paused, muted) are filled with silence, then the run is moved to its place.
      graph.push(`[${k}:a]aresample=async=1:first_pts=0,adelay=delays=${Math.round(Number(off) * 1000)}:all=1[a${k}]`);
      audio.push(`[a${k}]`);
      return;
    }
    const b = boxes.get(slotKey(input.track))!;
    graph.push(
      `[${k}:v]setpts=PTS+${off}/TB,scale=${b.w}:${b.h}:force_original_aspect_ratio=decrease,` +
        `pad=${b.w}:${b.h}:(ow-iw)/2:(oh-ih)/2:color=black,format=yuv420p[s${k}]`,
    );
    // Between frames (a paused camera) the last one stays; after the run ends the slot is background again.
    graph.push(`[v${v}][s${k}]overlay=x=${b.x}:y=${b.y}:eof_action=pass[v${v + 1}]`);
    v++;
  });
  graph.push(`anullsrc=r=48000:cl=stereo,atrim=duration=${d}[silence]`);
  graph.push(
    `[silence]${audio.join('')}amix=inputs=${audio.length + 1}:duration=first:normalize=0:dropout_transition=0[aout]`,
  );
  args.push('-filter_complex', graph.join(';'), '-map', `[v${v}]`, '-map', '[aout]');
  // prettier-ignore
  args.push(
    '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '28', '-r', String(FPS), '-g', String(FPS * 4),
    '-c:a', 'aac', '-b:a', '96k', '-ar', '48000',
    '-t', d, '-movflags', '+faststart', out,
  );
  return args;
}

/** Composes the recording in `dir` (from its manifest.json); returns the composed file's name and size. */
export async function compose(dir: string): Promise<{ file: string; size: number; durationSec: number }> {
  const m = JSON.parse(await readFile(path.join(dir, MANIFEST_FILE), 'utf8')) as RecordingManifest;
  if (m.stoppedAt === null) throw new Error(`${dir}: the recording has not stopped`);
  const duration = Math.max(0.5, (m.stoppedAt - m.startedAt) / 1000);
  const inputs = await inputsOf(dir, m);
  const out = path.join(dir, COMPOSED_FILE);
  // What went where, kept beside the tracks (a share that recorded nothing takes no place).
  await writeFile(path.join(dir, LAYOUT_FILE), JSON.stringify(Object.fromEntries(layoutOf(inputs)), null, 2));
  // Niced: composing must never take CPU from the meetings this node carries.
  await run(ffmpegBin(), composeArgs(inputs, duration, out), { nice: true });
  return { file: COMPOSED_FILE, size: (await stat(out)).size, durationSec: duration };
}
