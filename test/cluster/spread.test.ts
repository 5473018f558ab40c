/**
 * One meeting bigger than one node, seen through signaling on real node
 * processes (one worker each, a cap of 1 consumer per worker) and one real
 * Redis: once the owner's worker is at its cap, a new receiver's transport is
 * on the other node, its consumers there are fed over a PipeTransport from
 * the owner, and the owner still decides: producer pause and close reach the
 * receiver there, and another participant cannot touch that receiver's
 * transport or consumers. Real RTP over this path is in spread-browser.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErr, expectOk } from '../helpers/ack';
import { startCluster, type Cluster, type NodeProcess } from '../helpers/cluster';
import { clusterMeeting, fakeMic, joinOn, mediaAddress } from '../helpers/cluster-room';
import { emit, next, recorder, type Client } from '../helpers/server';
import { sleep } from '../helpers/wait';

let cluster: Cluster;
const sockets: Client[] = [];

beforeAll(async () => {
  cluster = await startCluster({
    nodes: 2,
    media: true,
    env: { MEDIASOUP_MAX_CONSUMERS_PER_WORKER: '1', LOG_LEVEL: 'info' },
  });
}, 120_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await cluster.stop();
});

describe('a meeting past its owner node’s cap continues on another node', () => {
  it('the new receiver’s transport is on the second node, consumes there, and follows the owner’s pause and close', async () => {
    const [one, two] = cluster.nodes as [NodeProcess, NodeProcess];
    const code = await clusterMeeting(cluster);
    // Alice (host) joins first through node one, which takes the room.
    const alice = await joinOn(one, code, 'Alice', sockets);
    const bob = await joinOn(one, code, 'Bob', sockets);
    expect(await mediaAddress(alice.socket, 'send')).toBe(one.address);

    // Bob sends a mic; Alice receives it on the owner's worker, which is then at its cap of 1.
    const send = expectOk(await emit(bob.socket, 'create-transport', { direction: 'send' }));
    const { producerId } = expectOk(await emit(bob.socket, 'produce', { transportId: send.id, ...fakeMic(3333) }));
    const caps = expectOk(await emit(alice.socket, 'get-router-capabilities'));
    const rtpCapabilities = caps.rtpCapabilities as Record<string, unknown>;
    expectOk(await emit(alice.socket, 'create-transport', { direction: 'recv' }));
    expectOk(await emit(alice.socket, 'consume', { producerId, rtpCapabilities }));

    // Carol joins through node two: her receive transport is there (its ICE candidates name node two).
    const carol = await joinOn(two, code, 'Carol', sockets);
    const recv = expectOk(await emit(carol.socket, 'create-transport', { direction: 'recv' }));
    const addresses = new Set((recv.iceCandidates as unknown as { address: string }[]).map((c) => c.address));
    expect([...addresses]).toEqual([two.address]);
    // And Carol's send side stays with the producers, on the owner.
    expect(await mediaAddress(carol.socket, 'send')).toBe(one.address);

    const consumer = expectOk(await emit(carol.socket, 'consume', { producerId, rtpCapabilities }));
    expect(consumer).toMatchObject({ producerId, participantId: bob.self.participantId, source: 'mic' });
    expectOk(await emit(carol.socket, 'resume-consumer', { consumerId: consumer.id }));
    expect(two.output()).toContain('carrying part of a meeting owned elsewhere');

    // Someone else cannot touch Carol's transport or consumer there.
    expectErr(await emit(bob.socket, 'pause-consumer', { consumerId: consumer.id }), 'FORBIDDEN');
    expectErr(
      await emit(bob.socket, 'connect-transport', {
        transportId: recv.id,
        dtlsParameters: recv.dtlsParameters as Record<string, unknown>,
      }),
      'FORBIDDEN',
    );

    // A host mute on the owner is seen by Carol like by everyone.
    const paused = next(carol.socket, 'producer-paused');
    expectOk(await emit(alice.socket, 'mute-participant', { participantId: bob.self.participantId, kind: 'audio' }));
    expect(await paused).toMatchObject({ producerId, by: 'host' });

    // Bob stops his mic: Carol's consumer on node two closes, and she is told.
    const closed = next(carol.socket, 'consumer-closed');
    expectOk(await emit(bob.socket, 'close-producer', { producerId }));
    expect(await closed).toEqual({ consumerId: consumer.id, producerId });
    // Resuming a consumer that closed there is NOT_FOUND, as on one node.
    const seen = recorder(carol.socket);
    expectErr(await emit(carol.socket, 'resume-consumer', { consumerId: consumer.id }), 'NOT_FOUND');
    await sleep(200);
    expect(seen.filter((e) => e.event === 'receive-reset' || e.event === 'media-reset')).toEqual([]);
  });
});
