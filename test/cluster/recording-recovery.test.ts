/**
 * A node killed with SIGKILL while it records: its recorder processes die
 * with it instead of running on, orphaned, and when it starts again it
 * composes the part it had recorded, so the meeting's first part is not lost.
 * Two real nodes (Next pages, SFU, each its own RECORDINGS_DIR) on
 * 127.0.0.2–3, a real redis-server and HAProxy, a Chromium page sending its
 * fake camera and mic, and real ffmpeg.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordingManifest } from '../../server/recording/manifest';
import { RedisRoomStore } from '../../server/store/redis';
import { expectOk } from '../helpers/ack';
import { launchBrowser, newPage } from '../helpers/browser';
import { startCluster, type Cluster, type NodeProcess } from '../helpers/cluster';
import { clusterMeeting, joinOn, liveNodeIds } from '../helpers/cluster-room';
import { emit, type Client } from '../helpers/server';
import { until } from '../helpers/wait';

const exec = promisify(execFile);
const HOUR = 3_600_000;
let cluster: Cluster;
let browser: Browser | undefined;
let redis: Redis;
let store: RedisRoomStore;
const contexts: BrowserContext[] = [];
const sockets: Client[] = [];
const errors: string[] = [];
const dirs = mkdtempSync(path.join(os.tmpdir(), 'convene-rec-recovery-'));

beforeAll(async () => {
  cluster = await startCluster({
    nodes: 2,
    next: true,
    env: { MEDIASOUP_RTC_MIN_PORT: '47000', MEDIASOUP_RTC_MAX_PORT: '47999' },
    envOf: (address) => ({ RECORDINGS_DIR: path.join(dirs, address) }),
  });
  redis = new Redis(cluster.redis.url, { maxRetriesPerRequest: 3 });
  store = new RedisRoomStore(redis, { liveStateTtlMs: HOUR });
  browser = await launchBrowser();
}, 300_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  redis.disconnect();
  await cluster.stop();
  rmSync(dirs, { recursive: true, force: true });
});

/** The id the node at `url` runs under now. */
const nodeIdAt = async (url: string) => (await liveNodeIds(redis)).get(url);

const manifestIn = (dir: string): RecordingManifest | null => {
  try {
    return JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as RecordingManifest;
  } catch {
    return null;
  }
};

/** Segments a run's ffmpeg has finished (the lines of its CSV segment list). */
const finished = (dir: string, list: string) => {
  try {
    return readFileSync(path.join(dir, list), 'utf8').trim().split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
};

/** Live processes whose command line names `dir` (the recorder's ffmpeg for each track). */
function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(dir)) pids.push(Number(entry));
    } catch {
      // It exited while we looked.
    }
  }
  return pids;
}

async function sendingPage(code: string, name: string): Promise<Page> {
  const { page, context } = await newPage(browser!, name, { baseURL: cluster.frontUrl, errors });
  contexts.push(context);
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name, { timeout: 15_000 });
  await page.getByRole('button', { name: 'Join now' }).click();
  await until(
    `${name}'s camera and mic produced`,
    () => page.evaluate(() => window.__convene?.media.snapshot.local ?? null),
    (local) => Boolean(local?.camera?.producerId && local.mic?.producerId),
    20_000,
  );
  return page;
}

describe("a recording's node is killed mid-way", () => {
  it('its recorder processes die with it, and once it is back it composes the part it had recorded', async () => {
    const code = await clusterMeeting(cluster);
    const alice = await joinOn(cluster.nodes[0]!, code, 'Alice', sockets);
    await sendingPage(code, 'Bob');
    expectOk(await emit(alice.socket, 'start-recording', {}));
    const id = (await store.getMeeting(code))!.recording!.id;
    const first = (await store.getRecording(code, id))!;
    let owner: NodeProcess | undefined;
    for (const node of cluster.nodes) if ((await nodeIdAt(node.url)) === first.node) owner = node;
    if (!owner) throw new Error(`no node runs as ${first.node}`);
    const dir = path.join(dirs, owner.address, code, id);

    // Bob's camera and mic each have two finished segments (about 4 s) on the owner's disk.
    const recorded = await until(
      "Bob's tracks recorded",
      async () => manifestIn(dir),
      (m) =>
        m?.tracks.filter((t) => t.displayName === 'Bob' && t.runs[0]?.t0 && finished(dir, t.runs[0].list) >= 2)
          .length === 2,
      30_000,
    );
    const bobId = recorded!.tracks.find((t) => t.displayName === 'Bob')!.participantId;
    const recorders = processesIn(dir);
    expect(recorders.length).toBeGreaterThanOrEqual(2);

    const killedAt = Date.now();
    await owner.kill('SIGKILL');
    await until(
      'the recorders to exit with their node',
      async () => processesIn(dir),
      (p) => p.length === 0,
      3_000,
    );

    await owner.restart();
    const ready = await until(
      'the part the killed node recorded to be composed',
      () => store.getRecording(code, id),
      (r) => r?.status === 'ready',
      60_000,
    );
    expect(ready!.node).toBe(await nodeIdAt(owner.url));
    expect(ready!.node).not.toBe(first.node);
    // It stops where the killed node stopped writing.
    expect(Math.abs(ready!.stoppedAt! - killedAt)).toBeLessThan(2_500);
    expect(
      ready!.tracks
        .filter((t) => t.participantId === bobId)
        .map((t) => t.source)
        .sort(),
    ).toEqual(['camera', 'mic']);

    const file = path.join(dir, ready!.file!);
    const { stdout } = await exec('ffprobe', [
      '-v', 'error', '-show_entries', 'stream=codec_type:format=duration', '-of', 'json', file,
    ]); // prettier-ignore
    const probe = JSON.parse(stdout) as { streams: Array<{ codec_type: string }>; format: { duration: string } };
    expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
    expect(Math.abs(Number(probe.format.duration) - ready!.durationSec)).toBeLessThan(1);
    // Bob's camera took a place in the picture: it recorded something, not only background.
    const layout = JSON.parse(readFileSync(path.join(dir, 'layout.json'), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(layout)).toEqual([`${bobId}:camera`]);
    expect(errors).toEqual([]);
  }, 150_000);
});
