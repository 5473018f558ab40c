/**
 * This node's recorder: the meetings it records now (one RecordingSession
 * each), composing after stop (one at a time, niced), the recordings'
 * metadata in the store, the disk watch, the retention sweep, and finishing
 * what a killed process of this node left on its disk.
 */
import { readdir, readFile, rm, stat, statfs, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { ConveneError, type RecordingProblem } from '../../lib/protocol';
import type { RoomMedia } from '../sfu';
import type { LiveRecording, RecordingRecord, RoomStore } from '../store/types';
import { compose } from './compose';
import { ffmpegAvailability, type Availability } from './ffmpeg';
import { MANIFEST_FILE, trackList, type RecordingManifest, type TrackInfo } from './manifest';
import { RecordingSession } from './session';

export interface RecorderOptions {
  dir: string;
  ttlMs: number;
  store: RoomStore;
  log: Logger;
  nodeId: string;
  /** Refuse to start, and stop, below this much free disk (default 200 MiB). */
  minFreeBytes?: number;
  /** How often the disk is checked while recording (default 5 s). */
  diskCheckMs?: number;
  /** Tests: pretend ffmpeg is (not) installed. */
  availability?: Availability;
}

export interface RecorderEvents {
  /** Tell the meeting's hosts and co-hosts; `stopped`: the recorder stopped the recording itself. */
  problem: (code: string, recordingId: string, message: string, stopped: boolean, problem: RecordingProblem) => void;
}

export class Recorder {
  readonly availability: Availability;
  readonly #sessions = new Map<string, RecordingSession>();
  #composing: Promise<unknown> = Promise.resolve();
  #recovery: Promise<unknown> = Promise.resolve();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #minFree: number;

  constructor(
    private readonly opts: RecorderOptions,
    private readonly events: RecorderEvents,
  ) {
    this.availability = opts.availability ?? ffmpegAvailability();
    this.#minFree = opts.minFreeBytes ?? 200 * 1024 * 1024;
    if (!this.availability.available)
      opts.log.warn({ reason: this.availability.reason }, 'recording unavailable: the control is hidden');
    const sweep = setInterval(() => void this.sweep(), 3_600_000);
    sweep.unref();
    this.#timers.add(sweep);
  }

  /** The directory of one recording. */
  dirOf(code: string, id: string): string {
    return path.join(this.opts.dir, code, id);
  }

  /** The session recording `code` now, if any (tests reach its tracks' ffmpeg pids through it). */
  session(code: string): RecordingSession | undefined {
    return this.#sessions.get(code);
  }

  async start(code: string, recording: LiveRecording, media: RoomMedia, nameOf: (id: string) => Promise<string>) {
    if (!this.availability.available)
      throw new ConveneError('MEDIA_UNAVAILABLE', 'Recording is not available on this server (ffmpeg is missing)');
    if (this.#sessions.has(code)) return;
    const free = await this.#freeBytes(this.opts.dir);
    if (free < this.#minFree)
      throw new ConveneError('MEDIA_UNAVAILABLE', 'Cannot record: the server is out of disk space');
    const dir = this.dirOf(code, recording.id);
    const session = new RecordingSession(code, recording, media, {
      dir,
      log: this.opts.log,
      nameOf,
      onCrash: (track: TrackInfo) =>
        this.events.problem(
          code,
          recording.id,
          `The recorder failed for ${track.displayName || 'a participant'}'s ${track.source}; it restarted, a few seconds may be missing`,
          false,
          { kind: 'track-restarted', displayName: track.displayName, source: track.source },
        ),
    });
    this.#sessions.set(code, session);
    try {
      await session.start();
    } catch (err) {
      this.#sessions.delete(code);
      await session.stop().catch(() => undefined);
      this.opts.log.error({ err, room: code }, 'recording failed to start');
      throw new ConveneError('MEDIA_UNAVAILABLE', 'The recording could not start on the server');
    }
    await this.#save(this.#record(recording, code, { status: 'recording' }));
    this.#watchDisk(code, recording.id);
    this.opts.log.info({ room: code, recording: recording.id, dir }, 'recording started');
  }

  /** Stops recording `code` (if this node records it) and composes in the background. */
  async stop(code: string): Promise<void> {
    const session = this.#sessions.get(code);
    if (!session) return;
    this.#sessions.delete(code);
    const manifest = await session.stop();
    const dir = this.dirOf(code, manifest.id);
    const base = this.#record(session.recording, code, {
      status: 'processing',
      stoppedAt: manifest.stoppedAt,
      durationSec: (manifest.stoppedAt - manifest.startedAt) / 1000,
      tracks: trackList(manifest),
    });
    await this.#save(base);
    this.opts.log.info({ room: code, recording: manifest.id, tracks: manifest.tracks.length }, 'recording stopped');
    this.#composing = this.#composing.then(() => this.#compose(dir, base));
  }

  /**
   * Another node was recording `id` when the room moved here. Its entry is
   * marked failed if it still says `recording`, so that a dead node's part is
   * not listed as running forever; a node that only handed the room over
   * writes its own later states (processing, ready) over this one.
   */
  async interrupted(code: string, id: string): Promise<void> {
    const r = await this.opts.store.getRecording(code, id);
    if (r?.status !== 'recording' || r.node === this.opts.nodeId) return;
    await this.#save({ ...r, status: 'failed', stoppedAt: Date.now(), durationSec: (Date.now() - r.startedAt) / 1000 });
  }

  /**
   * Finishes what a killed process of this node left in its directory: a
   * recording whose manifest never got its stop (the process died recording)
   * or whose record never became ready (it died composing). Each is stopped
   * at its files' last write, taken over by this node's id, and composed.
   * One a live node still holds (a directory shared between nodes) is left
   * alone, as is one whose record is gone. Returns the recordings taken over.
   */
  recover(isLive: (nodeId: string) => Promise<boolean>): Promise<number> {
    // One pass at a time: a second must see the records the first took over.
    const pass = this.#recovery.then(() => this.#recover(isLive));
    this.#recovery = pass.catch(() => 0);
    return pass;
  }

  async #recover(isLive: (nodeId: string) => Promise<boolean>): Promise<number> {
    let taken = 0;
    for (const code of await readdir(this.opts.dir).catch(() => [])) {
      for (const id of await readdir(path.join(this.opts.dir, code)).catch(() => [])) {
        const dir = this.dirOf(code, id);
        const m = await readManifest(dir);
        if (!m) continue;
        const r = await this.opts.store.getRecording(code, id).catch(() => null);
        // Left mid-recording (no stop in the manifest) or mid-composing; a composition that failed is not retried.
        if (!r || (m.stoppedAt !== null && r.status !== 'processing')) continue;
        if (r.node === this.opts.nodeId || (await isLive(r.node))) continue;
        const stoppedAt = m.stoppedAt ?? (await lastWrite(dir));
        if (m.stoppedAt === null)
          await writeFile(path.join(dir, MANIFEST_FILE), JSON.stringify({ ...m, stoppedAt }, null, 2));
        const base: RecordingRecord = {
          ...r,
          status: 'processing',
          node: this.opts.nodeId,
          stoppedAt,
          durationSec: (stoppedAt - m.startedAt) / 1000,
          tracks: trackList(m),
        };
        await this.#save(base);
        this.opts.log.warn(
          { room: code, recording: id, was: r.node },
          'recording left by a stopped process: composing it',
        );
        this.#composing = this.#composing.then(() => this.#compose(dir, base));
        taken++;
      }
    }
    return taken;
  }

  /** Resolves once every composition queued so far is done (tests, shutdown). */
  composed(): Promise<void> {
    return this.#composing.then(() => undefined);
  }

  async #compose(dir: string, base: RecordingRecord): Promise<void> {
    const started = Date.now();
    try {
      const { file, size, durationSec } = await compose(dir);
      await this.#save({ ...base, status: 'ready', file, size, durationSec });
      this.opts.log.info({ recording: base.id, ms: Date.now() - started, size }, 'recording composed');
    } catch (err) {
      this.opts.log.error({ err, recording: base.id }, 'composing the recording failed; its tracks are kept');
      await this.#save({ ...base, status: 'failed' });
      this.events.problem(
        base.meeting,
        base.id,
        'The recording could not be put together; its tracks are kept',
        false,
        {
          kind: 'compose-failed',
        },
      );
    }
  }

  #record(r: LiveRecording, code: string, patch: Partial<RecordingRecord>): RecordingRecord {
    return {
      id: r.id,
      meeting: code,
      startedAt: r.startedAt,
      stoppedAt: null,
      by: r.byName,
      durationSec: 0,
      size: 0,
      status: 'recording',
      tracks: [],
      node: this.opts.nodeId,
      file: null,
      ...patch,
    };
  }

  #save(record: RecordingRecord): Promise<void> {
    return this.opts.store
      .putRecording(record, this.opts.ttlMs)
      .catch((err: unknown) => this.opts.log.error({ err, recording: record.id }, 'recording metadata not saved'));
  }

  async #freeBytes(dir: string): Promise<number> {
    // The directory may not exist yet: ask its nearest existing parent.
    for (let d = path.resolve(dir); ; d = path.dirname(d)) {
      const s = await statfs(d).catch(() => null);
      if (s) return s.bavail * s.bsize;
      if (d === path.dirname(d)) return Number.POSITIVE_INFINITY;
    }
  }

  #watchDisk(code: string, id: string): void {
    const timer = setInterval(() => {
      if (this.#sessions.get(code)?.recording.id !== id) {
        clearInterval(timer);
        this.#timers.delete(timer);
        return;
      }
      void this.#freeBytes(this.opts.dir).then(async (free) => {
        if (free >= this.#minFree || this.#sessions.get(code)?.recording.id !== id) return;
        this.opts.log.error({ room: code, recording: id, free }, 'out of disk space: recording stopped');
        await this.stop(code);
        this.events.problem(code, id, 'The recording stopped: the server is out of disk space', true, {
          kind: 'disk-full',
        });
      });
    }, this.opts.diskCheckMs ?? 5_000);
    timer.unref();
    this.#timers.add(timer);
  }

  /** Deletes this node's recordings older than RECORDINGS_TTL_DAYS (their metadata expires on its own). */
  async sweep(now = Date.now()): Promise<number> {
    let removed = 0;
    for (const code of await readdir(this.opts.dir).catch(() => [])) {
      for (const id of await readdir(path.join(this.opts.dir, code)).catch(() => [])) {
        const dir = this.dirOf(code, id);
        const m = await readManifest(dir);
        if (!m || (m.stoppedAt ?? m.startedAt) + this.opts.ttlMs > now) continue;
        await rm(dir, { recursive: true, force: true });
        removed++;
      }
    }
    if (removed) this.opts.log.info({ removed }, 'expired recordings deleted');
    return removed;
  }

  /** Deletes one recording's files (a host deleted it). */
  async remove(code: string, id: string): Promise<void> {
    await rm(this.dirOf(code, id), { recursive: true, force: true });
  }

  /**
   * Shutdown: stop every recording, so each closes its last segment and
   * writes its manifest. Composing is not waited for: a file not composed by
   * exit keeps its tracks and manifest, and shows as `processing`.
   */
  async close(): Promise<void> {
    for (const t of this.#timers) clearInterval(t);
    await Promise.allSettled([...this.#sessions.keys()].map((code) => this.stop(code)));
  }
}

const readManifest = (dir: string) =>
  readFile(path.join(dir, MANIFEST_FILE), 'utf8')
    .then((s) => JSON.parse(s) as RecordingManifest)
    .catch(() => null);

/** When anything in `dir` was last written: about when the process recording there died. */
async function lastWrite(dir: string): Promise<number> {
  const times = await Promise.all(
    (await readdir(dir)).map((f) =>
      stat(path.join(dir, f)).then(
        (s) => s.mtimeMs,
        () => 0,
      ),
    ),
  );
  return Math.max(...times);
}
