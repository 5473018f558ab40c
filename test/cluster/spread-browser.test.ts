/**
 * Issue 14's check across nodes, with real media: two Convene nodes (Next
 * pages, one mediasoup worker each, a cap of 2 consumers per worker) on
 * 127.0.0.2–3 and one redis-server. The meeting's owner is the first node;
 * once its worker is at the cap, a viewer joining through the second node
 * gets its receive transport there (its ICE candidates name that node) and
 * decodes the presenter's camera, which only exists on the owner: it crossed
 * over a PipeTransport. When the worker carrying that part dies, only the
 * viewer sets up receiving again. A host mute on the owner stops it at once.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../helpers/ack';
import { inbound, launchBrowser, newPage } from '../helpers/browser';
import { SHOTS } from '../helpers/browser-suite';
import { startCluster, type Cluster, type NodeProcess } from '../helpers/cluster';
import { clusterMeeting, joinOn } from '../helpers/cluster-room';
import { emit, next, recorder, type Client } from '../helpers/server';
import { sleep, until } from '../helpers/wait';

let cluster: Cluster;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];
const sockets: Client[] = [];
const errors: string[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    nodes: 2,
    next: true,
    env: {
      LOG_LEVEL: 'info',
      MEDIASOUP_MAX_CONSUMERS_PER_WORKER: '2',
      MEDIASOUP_RTC_MIN_PORT: '44000',
      MEDIASOUP_RTC_MAX_PORT: '44999',
    },
  });
  browser = await launchBrowser();
  mkdirSync(SHOTS, { recursive: true });
}, 300_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await cluster.stop();
});

async function openPage(node: NodeProcess, name: string): Promise<Page> {
  const opened = await newPage(browser!, name, { baseURL: node.url, errors });
  contexts.push(opened.context);
  return opened.page;
}

/** Joins through the pre-join. */
async function joinPage(page: Page, code: string, name: string): Promise<void> {
  await page.goto(`/${code}`);
  await page.getByLabel('Your name').fill(name, { timeout: 15_000 });
  await page.getByRole('button', { name: /^(Join now|Ask to join)$/ }).click();
  await until('joined', () => page.evaluate(() => window.__convene?.connection.joined ?? null), Boolean, 20_000);
}

/** The consumer id of `participantId`'s camera at this page, if any. */
const cameraConsumer = (page: Page, participantId: string) =>
  page.evaluate((pid) => window.__convene!.media.snapshot.remote[pid]?.camera?.consumerId ?? null, participantId);

/** The workerPid of the node's last log line containing `message`. */
function loggedWorkerPid(node: NodeProcess, message: string): number {
  const line = node
    .output()
    .split('\n')
    .filter((l) => l.includes(message))
    .pop();
  const pid = line ? (JSON.parse(line) as { workerPid?: number }).workerPid : undefined;
  if (!pid) throw new Error(`${node.name} logged no "${message}" with a workerPid:\n${node.output().slice(-3000)}`);
  return pid;
}

/** The addresses of the SFU candidates this page's receive transport talks to. */
const receiveAddresses = (page: Page) =>
  page.evaluate(async () => {
    const report = await window.__convene!.media.transportStats('recv');
    const out = new Set<string>();
    for (const s of (report?.values() ?? []) as Iterable<RTCStats & { address?: string }>)
      if (s.type === 'remote-candidate' && s.address) out.add(s.address);
    return [...out];
  });

describe('one meeting over two nodes, in Chromium', () => {
  it(
    'a viewer joining through the second node decodes the presenter’s camera from the owner through a PipeTransport; its leg worker dying resets only that viewer; a host mute stops it',
    { timeout: 180_000 },
    async () => {
      const [one, two] = cluster.nodes as [NodeProcess, NodeProcess];
      const code = await clusterMeeting(cluster);
      // The host, a plain socket on node one: the room is placed there.
      const host = await joinOn(one, code, 'Alice', sockets);
      const presenter = await openPage(one, 'Presenter');
      const arrived = next(host.socket, 'user-joined', 20_000);
      await joinPage(presenter, code, 'Pat');
      const presenterId = (await arrived).participant.participantId;
      const producers = await until(
        "the presenter's mic and camera producers",
        () =>
          presenter.evaluate(() => {
            const { mic, camera } = window.__convene!.media.snapshot.local;
            return [mic?.producerId, camera?.producerId].filter((id): id is string => typeof id === 'string');
          }),
        (ids) => ids.length === 2,
        20_000,
      );
      // The host (no media of its own) receives both on the owner's worker, which is then at its cap of 2.
      const caps = expectOk(await emit(host.socket, 'get-router-capabilities'));
      expectOk(await emit(host.socket, 'create-transport', { direction: 'recv' }));
      for (const producerId of producers)
        expectOk(
          await emit(host.socket, 'consume', {
            producerId,
            rtpCapabilities: caps.rtpCapabilities as Record<string, unknown>,
          }),
        );

      // The viewer joins through node two: its receive side is there, its camera arrives through the pipe.
      const viewer = await openPage(two, 'Viewer');
      await joinPage(viewer, code, 'Vic');
      await until(
        "the presenter's camera decoding at the viewer",
        () => inbound(viewer, presenterId, 'camera'),
        (s) => (s?.framesDecoded ?? 0) > 5,
        30_000,
      );
      expect(await receiveAddresses(viewer)).toEqual([two.address]);
      expect(await receiveAddresses(presenter)).toEqual([one.address]);
      expect(two.output()).toContain('carrying part of a meeting owned elsewhere');
      expect(one.output()).toContain('meeting continues on another node');
      await viewer.screenshot({ path: path.join(SHOTS, 'spread-viewer-on-second-node.png') });

      // The worker carrying the second node's part dies: the viewer alone is told (receive-reset),
      // sets up receiving again, and decodes the camera again without a reload; the host hears nothing.
      const seenByHost = recorder(host.socket);
      const consumerBefore = await cameraConsumer(viewer, presenterId);
      const legWorker = loggedWorkerPid(two, 'carrying part of a meeting owned elsewhere');
      await viewer.evaluate(() => {
        (window as unknown as { __resets: number }).__resets = 0;
        window.__convene!.connection.socket.on('receive-reset', () => {
          (window as unknown as { __resets: number }).__resets++;
        });
      });
      const killedAt = Date.now();
      process.kill(legWorker, 'SIGKILL');
      await until(
        "the presenter's camera decoding at the viewer on a new consumer",
        async () =>
          (await cameraConsumer(viewer, presenterId)) !== consumerBefore &&
          ((await inbound(viewer, presenterId, 'camera'))?.framesDecoded ?? 0) > 5,
        Boolean,
        30_000,
      );
      console.log(
        `[spread-browser] leg worker killed: camera decoding again at the viewer after ${Date.now() - killedAt} ms`,
      );
      expect(await viewer.evaluate(() => (window as unknown as { __resets: number }).__resets)).toBe(1);
      expect(seenByHost.filter((e) => e.event === 'receive-reset' || e.event === 'media-reset')).toEqual([]);

      // The host mutes the presenter's camera on the owner: frames stop at the viewer on node two.
      expectOk(await emit(host.socket, 'mute-participant', { participantId: presenterId, kind: 'video' }));
      await sleep(1_000);
      const stopped = (await inbound(viewer, presenterId, 'camera'))?.framesDecoded ?? 0;
      await sleep(1_500);
      expect((await inbound(viewer, presenterId, 'camera'))?.framesDecoded ?? 0).toBe(stopped);
      expect(errors).toEqual([]);
    },
  );
});
