/** A meeting on a test cluster (test/helpers/cluster.ts), and the few things its tests ask of it. */
import { Redis } from 'ioredis';
import type { NodeInfo } from '../../server/cluster/nodes';
import { expect } from 'vitest';
import { guestIdentity } from '../../server/auth/identity';
import { MeetingService } from '../../server/rooms/meetings';
import { RedisRoomStore } from '../../server/store/redis';
import { expectOk } from './ack';
import type { Cluster, NodeProcess } from './cluster';
import { creatorCookie, emit, guestCookieHeader, joined, type Client } from './server';

const HOUR = 3_600_000;

/** Creates a meeting in the cluster's Redis, as POST /api/rooms does; its creator is `creatorCookie()`'s guest. */
export async function clusterMeeting(cluster: Cluster): Promise<string> {
  const redis = new Redis(cluster.redis.url, { maxRetriesPerRequest: 3 });
  try {
    const store = new RedisRoomStore(redis, { liveStateTtlMs: HOUR });
    const meetings = new MeetingService(store, { meetingTtlMs: HOUR, roomCapacity: 100, maxScreenShares: 1 });
    return (await meetings.create(guestIdentity('creator'), { title: 'Across nodes' })).code;
  } finally {
    await redis.quit();
  }
}

/** Each name's own guest cookie ('Alice' is the meeting's creator), so a rejoin is the same person. */
export const cookieOf = (name: string) => (name === 'Alice' ? creatorCookie() : guestCookieHeader(name.toLowerCase()));

/** Joins through one node directly; the socket goes into `sockets` for clean-up. */
export async function joinOn(node: NodeProcess, code: string, name: string, sockets: Client[]) {
  const j = await joined(node.url, code, name, { cookie: cookieOf(name) });
  sockets.push(j.socket);
  return j;
}

/** The address the room's router announces to this participant: its owner node's media address. */
export async function mediaAddress(socket: Client, direction: 'send' | 'recv' = 'recv'): Promise<string> {
  const t = expectOk(await emit(socket, 'create-transport', { direction }));
  const ips = new Set((t.iceCandidates as unknown as Array<{ address: string }>).map((c) => c.address));
  expect(ips.size).toBe(1);
  return [...ips][0]!;
}

/** A mic producer's parameters a plain socket client can send (no WebRTC stack needed to produce). */
export const fakeMic = (ssrc: number) => ({
  kind: 'audio' as const,
  rtpParameters: {
    codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
    encodings: [{ ssrc }],
  },
  appData: { source: 'mic' as const },
});

/**
 * Alice (host) joins through the first node and Bob through the second; says
 * which node owns the room and which participant's socket is on it.
 */
export async function twoNodeRoom(cluster: Cluster, sockets: Client[]) {
  const code = await clusterMeeting(cluster);
  const [one, two] = cluster.nodes as [NodeProcess, NodeProcess];
  const alice = await joinOn(one, code, 'Alice', sockets);
  const bob = await joinOn(two, code, 'Bob', sockets);
  const ownerIsOne = (await mediaAddress(alice.socket)) === one.address;
  return {
    code,
    alice,
    bob,
    owner: ownerIsOne ? one : two,
    other: ownerIsOne ? two : one,
    /** The participant whose socket is on the owner node, and the one on the other node. */
    onOwner: ownerIsOne ? alice : bob,
    onOther: ownerIsOne ? bob : alice,
  };
}

/**
 * Each live node's id, by the URL its heartbeat advertises. A node restarted
 * on the same URL within the heartbeat's TTL is listed twice for a moment:
 * the newer heartbeat is the node that runs now.
 */
export async function liveNodeIds(redis: Redis): Promise<Map<string, string>> {
  const ids = await redis.smembers('convene:nodes');
  const beats = await redis.mget(ids.map((id) => `convene:node:${id}`));
  const byUrl = new Map<string, NodeInfo>();
  for (const beat of beats) {
    if (!beat) continue;
    const info = JSON.parse(beat) as NodeInfo;
    const seen = info.url ? byUrl.get(info.url) : undefined;
    if (info.url && (!seen || seen.at < info.at)) byUrl.set(info.url, info);
  }
  return new Map([...byUrl].map(([url, info]) => [url, info.id]));
}
