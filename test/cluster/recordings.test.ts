/**
 * Issue 16 across nodes: a recording's files stay on the node that recorded
 * it, and any node lists it and serves the download, streaming it from that
 * node. Two real nodes (127.0.0.2–3, each with its own RECORDINGS_DIR) and a
 * real redis-server. The recording is put where the recorder leaves one (a
 * real MP4 made by ffmpeg in the holder's directory, its record in the store
 * through the store's own code): recording itself is tested in test/recording/.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIA_HEADER } from '../../server/http/recordings';
import { RedisRoomStore } from '../../server/store/redis';
import type { RecordingRecord } from '../../server/store/types';
import { startCluster, type Cluster, type NodeProcess } from '../helpers/cluster';
import { expectOk } from '../helpers/ack';
import { clusterMeeting, joinOn, liveNodeIds, mediaAddress } from '../helpers/cluster-room';
import { creatorCookie, emit, guestCookieHeader, next, type Client } from '../helpers/server';
import { until } from '../helpers/wait';

const exec = promisify(execFile);
const HOUR = 3_600_000;
let cluster: Cluster;
let redis: Redis;
let store: RedisRoomStore;
let holder: NodeProcess;
let other: NodeProcess;
const dirs = mkdtempSync(path.join(os.tmpdir(), 'convene-cluster-rec-'));
const dirOf = (node: NodeProcess) => path.join(dirs, node.address);

beforeAll(async () => {
  cluster = await startCluster({
    nodes: 2,
    media: true,
    env: { MEDIASOUP_RTC_MIN_PORT: '45000', MEDIASOUP_RTC_MAX_PORT: '45999' },
    envOf: (address) => ({ RECORDINGS_DIR: path.join(dirs, address) }),
  });
  [holder, other] = cluster.nodes as [NodeProcess, NodeProcess];
  redis = new Redis(cluster.redis.url, { maxRetriesPerRequest: 3 });
  store = new RedisRoomStore(redis, { liveStateTtlMs: HOUR });
}, 120_000);

afterAll(async () => {
  await redis.quit();
  await cluster.stop();
  rmSync(dirs, { recursive: true, force: true });
});

const nodeIds = () => liveNodeIds(redis);

/** A finished recording held by `node`: a 3 s MP4 in its directory, its record in the store. */
async function recordingOn(node: NodeProcess, code: string, id: string): Promise<{ file: string; size: number }> {
  const nodeId = (await nodeIds()).get(node.url)!;
  const dir = path.join(dirOf(node), code, id);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'meeting.mp4');
  // prettier-ignore
  await exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=320x240:r=15:d=3',
    '-f', 'lavfi', '-i', 'sine=f=440:d=3', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-shortest', file]);
  const size = (await stat(file)).size;
  const record: RecordingRecord = {
    id,
    meeting: code,
    startedAt: Date.now() - 5_000,
    stoppedAt: Date.now() - 2_000,
    by: 'Alice',
    durationSec: 3,
    size,
    status: 'ready',
    tracks: [],
    node: nodeId,
    file: 'meeting.mp4',
  };
  await store.putRecording(record, HOUR);
  return { file, size };
}

const get = (node: NodeProcess, url: string, headers: Record<string, string> = {}) =>
  fetch(`${node.url}${url}`, { headers });

describe('recordings on a cluster', () => {
  it('each node advertises where its HTTP port is', async () => {
    const urls = [...(await nodeIds()).keys()].sort();
    expect(urls).toEqual(cluster.nodes.map((n) => n.url).sort());
  });

  it('another node lists a recording and streams its file from the holder, Range included; guests get 403 there', async () => {
    const code = await clusterMeeting(cluster);
    const { file, size } = await recordingOn(holder, code, 'rec1');
    const bytes = readFileSync(file);
    const host = { cookie: creatorCookie() };

    const list = (await (await get(other, `/api/rooms/${code}/recordings`, host)).json()) as {
      recordings: Array<{ id: string; url: string; size: number }>;
    };
    expect(list.recordings.map((r) => [r.id, r.size])).toEqual([['rec1', size]]);
    const url = list.recordings[0]!.url;

    const whole = await get(other, url, host);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('content-disposition')).toMatch(/^attachment; filename="convene-/);
    expect(Buffer.from(await whole.arrayBuffer()).equals(bytes)).toBe(true);

    const part = await get(other, url, { ...host, range: 'bytes=100-1099' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 100-1099/${size}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(bytes.subarray(100, 1100))).toBe(true);

    for (const headers of [{ cookie: guestCookieHeader('bob') }, {} as Record<string, string>]) {
      const refused = await get(other, url, headers);
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('FORBIDDEN');
    }
  });

  it('a request another node already passed on is not passed on again', async () => {
    const code = await clusterMeeting(cluster);
    await recordingOn(holder, code, 'rec2');
    const answer = await get(other, `/api/rooms/${code}/recordings/rec2/file`, {
      cookie: creatorCookie(),
      [VIA_HEADER]: 'some-node',
    });
    expect(answer.status).toBe(503);
    expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('UNAVAILABLE');
  });

  it("deleting through another node removes the holder's files; a guest's delete changes nothing", async () => {
    const code = await clusterMeeting(cluster);
    const { file } = await recordingOn(holder, code, 'rec3');
    const del = (cookie: string) =>
      fetch(`${other.url}/api/rooms/${code}/recordings/rec3`, { method: 'DELETE', headers: { cookie } });

    expect((await del(guestCookieHeader('bob'))).status).toBe(403);
    expect(existsSync(file)).toBe(true);
    expect(await store.getRecording(code, 'rec3')).not.toBeNull();

    expect((await del(creatorCookie())).status).toBe(200);
    expect(existsSync(path.dirname(file))).toBe(false);
    expect(await store.getRecording(code, 'rec3')).toBeNull();
  });

  it('with the holder down, the list still answers and the download is 503 naming the holder', async () => {
    const code = await clusterMeeting(cluster);
    await recordingOn(holder, code, 'rec4');
    const holderId = (await nodeIds()).get(holder.url)!;
    await holder.kill('SIGKILL');
    const host = { cookie: creatorCookie() };

    const list = await get(other, `/api/rooms/${code}/recordings`, host);
    expect(list.status).toBe(200);
    const answer = await get(other, `/api/rooms/${code}/recordings/rec4/file`, host);
    expect(answer.status).toBe(503);
    const body = (await answer.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(body.error.message).toContain(holderId);
    await holder.restart();
  });

  it('a recording goes on when its node is killed: the room moves, everyone hears the new recording-state, the host is told, and the dead part is marked failed', async () => {
    // The holder was restarted above: until the killed process's heartbeat is gone, a new room
    // could be placed on it and taken over by whichever node notices, so wait for one id per node.
    await until(
      'one live id per node',
      async () => (await redis.smembers('convene:nodes')).length,
      (n) => n === cluster.nodes.length,
      10_000,
    );
    const code = await clusterMeeting(cluster);
    const sockets: Client[] = [];
    try {
      // Bob is on the node that will own the room; Alice, its host, on the other one.
      const bob = await joinOn(holder, code, 'Bob', sockets);
      const owner = (await mediaAddress(bob.socket)) === holder.address ? holder : other;
      const survivor = owner === holder ? other : holder;
      const alice = await joinOn(survivor, code, 'Alice', sockets);
      const { recording } = expectOk(await emit(alice.socket, 'start-recording', {}));
      const first = (await store.getMeeting(code))!.recording!;
      expect((await store.getRecording(code, first.id))?.node).toBe((await nodeIds()).get(owner.url));

      const state = next(alice.socket, 'recording-state', 15_000);
      const told = next(alice.socket, 'recording-error', 15_000);
      await owner.kill('SIGKILL');
      const [after, warning] = await Promise.all([state, told]);
      expect(after).toMatchObject({ active: true, by: alice.self.participantId });
      expect(after.startedAt).toBeGreaterThan(recording.startedAt!);
      expect(warning).toMatchObject({ stopped: false, problem: { kind: 'moved' } });

      const second = (await store.getMeeting(code))!.recording!;
      expect(second.id).not.toBe(first.id);
      expect(await store.getRecording(code, second.id)).toMatchObject({
        status: 'recording',
        node: (await nodeIds()).get(survivor.url),
      });
      expect((await store.getRecording(code, first.id))?.status).toBe('failed');

      expectOk(await emit(alice.socket, 'stop-recording', {}));
      expect((await store.getMeeting(code))!.recording).toBeNull();
    } finally {
      for (const s of sockets) s.disconnect();
    }
  }, 60_000);
});
