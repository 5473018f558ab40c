/**
 * One owner per live room, across real node processes on one real Redis: the
 * room's router lives on its owner, whichever node a participant's socket is
 * on; when the owner is killed or drained the room moves to a live node, and
 * what the dead node's sockets held is released.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../helpers/ack';
import { startCluster, type Cluster, type NodeProcess } from '../helpers/cluster';
import { clusterMeeting, cookieOf, fakeMic, joinOn, mediaAddress, twoNodeRoom } from '../helpers/cluster-room';
import { client, connected, emit, next, recorder, type Client } from '../helpers/server';
import { match } from '../helpers/match';

const GRACE_MS = 1_500;

let cluster: Cluster;
const sockets: Client[] = [];

beforeAll(async () => {
  cluster = await startCluster({ nodes: 2, media: true, env: { RECONNECT_GRACE_MS: String(GRACE_MS) } });
}, 60_000);

afterEach(() => {
  for (const s of sockets.splice(0)) s.disconnect();
});

afterAll(async () => {
  await cluster.stop();
});

async function restartAll(): Promise<void> {
  for (const node of cluster.nodes) if (!node.running) await node.restart();
}

describe('one owner per live room', () => {
  it('participants on two nodes get their transports on the one owner node, and produce, consume and host mute cross nodes', async () => {
    const { code, alice, bob } = await twoNodeRoom(cluster, sockets);
    const [one, two] = cluster.nodes as [NodeProcess, NodeProcess];
    const bobMedia = await mediaAddress(bob.socket, 'send');
    expect(await mediaAddress(alice.socket)).toBe(bobMedia);
    expect([one.address, two.address]).toContain(bobMedia);

    // Bob's socket and Alice's are on different nodes; the producer lives on the owner.
    const t = expectOk(await emit(bob.socket, 'create-transport', { direction: 'send' }));
    const announced = next(alice.socket, 'new-producer');
    const { producerId } = expectOk(await emit(bob.socket, 'produce', { transportId: t.id, ...fakeMic(1111) }));
    expect(await announced).toMatchObject({ participantId: bob.self.participantId, producerId, source: 'mic' });

    const caps = expectOk(await emit(alice.socket, 'get-router-capabilities'));
    const consumer = expectOk(
      await emit(alice.socket, 'consume', {
        producerId,
        rtpCapabilities: caps.rtpCapabilities as Record<string, unknown>,
      }),
    );
    expect(consumer).toMatchObject({ producerId, participantId: bob.self.participantId, source: 'mic' });

    // The host on one node mutes a participant on the other: the owner's SFU pauses the producer.
    const pausedForBob = next(bob.socket, 'producer-paused');
    const pausedForAlice = next(alice.socket, 'producer-paused');
    const muted = next(bob.socket, 'you-were-muted');
    expectOk(await emit(alice.socket, 'mute-participant', { participantId: bob.self.participantId, kind: 'audio' }));
    expect(await pausedForBob).toMatchObject({ producerId, by: 'host' });
    expect(await pausedForAlice).toMatchObject({ producerId, by: 'host' });
    expect(await muted).toMatchObject({ by: alice.self.participantId, kind: 'audio' });
    // The host ban reaches across nodes too: Bob is gone for Alice and cannot come back.
    const left = next(alice.socket, 'user-left');
    expectOk(await emit(alice.socket, 'kick-participant', { participantId: bob.self.participantId, ban: true }));
    expect(await left).toMatchObject({ participantId: bob.self.participantId, reason: 'kicked' });
    await expect(joinOn(two, code, 'Bob', sockets)).rejects.toThrow(/BANNED/);
  }, 30_000);

  it("a joiner on the node that does not own the room, with the pre-join's capabilities from that node, gets its transports and a consumer of the mic from the owner with the join", async () => {
    await restartAll();
    const { code, onOwner, other } = await twoNodeRoom(cluster, sockets);
    const t = expectOk(await emit(onOwner.socket, 'create-transport', { direction: 'send' }));
    const { producerId } = expectOk(await emit(onOwner.socket, 'produce', { transportId: t.id, ...fakeMic(2222) }));
    const ownerAddress = await mediaAddress(onOwner.socket);

    const carol = await connected(client(other.url, { cookie: cookieOf('Carol') }));
    sockets.push(carol);
    const caps = expectOk(await emit(carol, 'get-router-capabilities')); // before joining: from its own node
    const roomJoined = next(carol, 'room-joined');
    const rtpCapabilities = caps.rtpCapabilities as Record<string, unknown>;
    expectOk(await emit(carol, 'join-room', { roomCode: code, displayName: 'Carol', media: { rtpCapabilities } }));
    const media = (await roomJoined).media!;
    for (const transport of [media.recv!, media.send!])
      expect([...new Set((transport.iceCandidates as Array<{ address: string }>).map((c) => c.address))]).toEqual([
        ownerAddress,
      ]);
    expect(media.consumers).toEqual([
      match.objectContaining({ producerId, participantId: onOwner.self.participantId, source: 'mic' }),
    ]);
    expect(await emit(carol, 'resume-consumer', { consumerId: media.consumers[0]!.id })).toEqual({ ok: true });
  }, 30_000);

  it('a burst of new meetings through one node is spread over the nodes by load, not piled on one', async () => {
    await restartAll();
    const [one, two] = cluster.nodes as [NodeProcess, NodeProcess];
    const owners: string[] = [];
    for (let i = 0; i < 10; i++) {
      const code = await clusterMeeting(cluster);
      const alice = await joinOn(one, code, 'Alice', sockets);
      owners.push(await mediaAddress(alice.socket));
    }
    const onOne = owners.filter((a) => a === one.address).length;
    expect(onOne + owners.filter((a) => a === two.address).length).toBe(10);
    expect(onOne).toBeGreaterThanOrEqual(4);
    expect(onOne).toBeLessThanOrEqual(6);
  }, 40_000);

  it("killing the owner with SIGKILL moves the room to the live node within 2 s: its participants hear media-reset and get transports there, and the dead node's participant leaves after the grace", async () => {
    await restartAll();
    const { owner: dead, other: live, onOwner: victim, onOther: survivor } = await twoNodeRoom(cluster, sockets);

    const reset = next(survivor.socket, 'media-reset', 10_000);
    const left = next(survivor.socket, 'user-left', 10_000);
    const killedAt = Date.now();
    await dead.kill('SIGKILL');
    await reset;
    const movedAfter = Date.now() - killedAt;
    expect(movedAfter).toBeLessThan(3_000);
    expect(await mediaAddress(survivor.socket)).toBe(live.address);

    expect(await left).toEqual({ participantId: victim.self.participantId, reason: 'disconnected' });
    // Chat still works in the moved room.
    expectOk(await emit(survivor.socket, 'send-message', { text: 'still here' }));
  }, 40_000);

  it('a request relayed to a killed owner moves the room at once, before its heartbeat has expired', async () => {
    await restartAll();
    const { owner: dead, other: live, onOther: survivor } = await twoNodeRoom(cluster, sockets);

    const reset = next(survivor.socket, 'media-reset', 10_000);
    await dead.kill('SIGKILL');
    const killedAt = Date.now();
    // Nobody listens on the dead node's channel any more: the live node takes the room for this request.
    expectOk(await emit(survivor.socket, 'send-message', { text: 'anyone there?' }));
    await reset;
    expect(Date.now() - killedAt).toBeLessThan(1_000);
    expect(await mediaAddress(survivor.socket)).toBe(live.address);
  }, 40_000);

  it("draining the owner with SIGTERM hands the room over before it exits: the other node's participant sees one media-reset, and the drained node's participant resumes on the live node", async () => {
    await restartAll();
    const { code, owner: drained, other: live, onOwner: moves, onOther: stays } = await twoNodeRoom(cluster, sockets);

    const reset = next(stays.socket, 'media-reset', 10_000);
    const goingAway = next(moves.socket, 'server-going-away', 10_000);
    await drained.kill('SIGTERM');
    await goingAway;
    await reset;
    expect(await mediaAddress(stays.socket)).toBe(live.address);

    // The drained node's participant comes back through the live node as the same participant,
    // and the one who stayed never sees them leave.
    const seen = recorder(stays.socket);
    const socket = await connected(client(live.url, { cookie: cookieOf(moves.self.displayName) }));
    sockets.push(socket);
    const resumed = expectOk(
      await emit(socket, 'join-room', {
        roomCode: code,
        displayName: moves.self.displayName,
        resumeToken: moves.self.resumeToken,
      }),
    );
    expect('self' in resumed && resumed.self.participantId).toBe(moves.self.participantId);
    expect(seen.filter((e) => e.event === 'user-left' || e.event === 'user-joined')).toEqual([]);
  }, 40_000);
});
