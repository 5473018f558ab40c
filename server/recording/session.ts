/**
 * One meeting being recorded on its owner node: a TrackRecorder for every
 * live producer, and for every producer that starts later, until stop().
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { RoomMedia } from '../sfu';
import type { LiveRecording } from '../store/types';
import { MANIFEST_FILE, type RecordingManifest, type StoppedManifest, type TrackInfo } from './manifest';
import { SEGMENT_SECONDS, TrackRecorder } from './track';

export interface SessionDeps {
  dir: string;
  log: Logger;
  /** A participant's display name for the track list (empty when unknown). */
  nameOf: (participantId: string) => Promise<string>;
  onCrash: (track: TrackInfo, detail: string) => void;
}

export class RecordingSession {
  readonly #tracks: TrackRecorder[] = [];
  #unsubscribe: (() => void) | null = null;
  #stopped: Promise<StoppedManifest> | null = null;
  /** Track starts in flight, so stop() waits for them rather than leaving an ffmpeg behind. */
  readonly #starting = new Set<Promise<void>>();
  /** Rewrites the manifest while recording, for Recorder.recover after a kill. */
  #checkpoints: NodeJS.Timeout | null = null;
  #written = '';
  #writing: Promise<void> = Promise.resolve();

  constructor(
    readonly code: string,
    readonly recording: LiveRecording,
    private readonly media: RoomMedia,
    private readonly deps: SessionDeps,
  ) {}

  get tracks(): readonly TrackRecorder[] {
    return this.#tracks;
  }

  async start(): Promise<void> {
    await mkdir(this.deps.dir, { recursive: true });
    this.#unsubscribe = this.media.on('new-producer', (p) => this.#add(p));
    for (const p of this.media.producers()) this.#add(p);
    // Once a segment: a run's first t0 comes within the first one, and its segments are listed on disk.
    this.#checkpoints = setInterval(() => void this.#write(null), SEGMENT_SECONDS * 1_000);
    this.#checkpoints.unref();
    await this.#write(null);
  }

  #manifest(stoppedAt: number | null): RecordingManifest {
    return {
      id: this.recording.id,
      meeting: this.code,
      startedAt: this.recording.startedAt,
      stoppedAt,
      by: this.recording.byName,
      tracks: this.#tracks.map((t) => ({ ...t.info, runs: t.runs })),
    };
  }

  /** Writes manifest.json when it changed: whole or not at all (a rename), one write at a time. */
  #write(stoppedAt: number | null): Promise<void> {
    const json = JSON.stringify(this.#manifest(stoppedAt), null, 2);
    if (json === this.#written) return this.#writing;
    this.#written = json;
    const file = path.join(this.deps.dir, MANIFEST_FILE);
    return (this.#writing = this.#writing
      .then(() => writeFile(`${file}.tmp`, json))
      .then(() => rename(`${file}.tmp`, file))
      .catch((err: unknown) => this.deps.log.warn({ err, room: this.code }, 'recording manifest not written')));
  }

  #add(p: { producerId: string; participantId: string; source: TrackInfo['source']; kind: 'audio' | 'video' }): void {
    if (this.#stopped) return;
    const starting = (async () => {
      const info: TrackInfo = {
        producerId: p.producerId,
        participantId: p.participantId,
        source: p.source,
        kind: p.kind,
        displayName: await this.deps.nameOf(p.participantId).catch(() => ''),
      };
      const track = new TrackRecorder(info, {
        dir: this.deps.dir,
        log: this.deps.log,
        tap: (port) => this.media.recordTap(p.producerId, { ip: '127.0.0.1', port }),
        onCrash: this.deps.onCrash,
      });
      this.#tracks.push(track);
      await track.start();
    })().catch((err: unknown) =>
      this.deps.log.warn({ err, room: this.code, producer: p.producerId }, 'recording a track failed to start'),
    );
    this.#starting.add(starting);
    void starting.finally(() => this.#starting.delete(starting));
  }

  /** Stops every track and writes manifest.json. Idempotent: a second call gets the same manifest. */
  stop(): Promise<StoppedManifest> {
    return (this.#stopped ??= (async () => {
      const stoppedAt = Date.now();
      this.#unsubscribe?.();
      if (this.#checkpoints) clearInterval(this.#checkpoints);
      await Promise.allSettled([...this.#starting]);
      await Promise.allSettled(this.#tracks.map((t) => t.stop()));
      await this.#write(stoppedAt);
      return { ...this.#manifest(stoppedAt), stoppedAt };
    })());
  }
}
