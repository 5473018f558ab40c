/**
 * A Redis outage, with real node processes and a real redis-server that is
 * stopped and started again empty: the meeting carries on from its owner's
 * memory, what needs Redis answers UNAVAILABLE at once, and after Redis is
 * back everything works again and nothing acknowledged was lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk } from '../helpers/ack';
import { startCluster, type Cluster } from '../helpers/cluster';
import { fakeMic, joinOn, twoNodeRoom } from '../helpers/cluster-room';
import { client, connected, emit, next, recorder, type Client } from '../helpers/server';
import { sleep, until } from '../helpers/wait';

/** Longer than a lease (5 s): every lease has expired by the time Redis is back. */
const OUTAGE_MS = 8_000;

let cluster: Cluster;
const sockets: Client[] = [];

beforeAll(async () => {
  // 'server closed' is an info line.
  cluster = await startCluster({ nodes: 2, media: true, env: { LOG_LEVEL: 'info' } });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await cluster.stop();
});

describe('Redis stops and comes back empty', () => {
  it("the owner node's participants keep chatting, the rest get UNAVAILABLE at once, and afterwards nothing acknowledged is lost", async () => {
    const { code, owner, other, onOwner, onOther } = await twoNodeRoom(cluster, sockets);
    // Two on the owner node, one on the other.
    const carol = await joinOn(owner, code, 'Carol', sockets);
    const [speaker, listener, remote] = [onOwner, carol, onOther];

    // A mic on the owner's router before the outage.
    const t = expectOk(await emit(remote.socket, 'create-transport', { direction: 'send' }));
    const { producerId } = expectOk(await emit(remote.socket, 'produce', { transportId: t.id, ...fakeMic(2222) }));
    const seen = [speaker, listener, remote].map((p) => recorder(p.socket));

    await cluster.redis.stop();
    await sleep(1_000);

    // On the room's own node, chat goes on: acknowledged and delivered.
    const heard = next(listener.socket, 'new-message');
    const during = expectOk(await emit(speaker.socket, 'send-message', { text: 'said during the outage' }));
    expect((await heard).id).toBe(during.id);

    // From the other node, what needs the owner answers UNAVAILABLE, promptly.
    const asked = Date.now();
    const refused = await emit(remote.socket, 'send-message', { text: 'cannot reach the owner' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });
    expect(Date.now() - asked).toBeLessThan(2_000);
    // A join to a meeting nobody owns needs Redis too.
    const stranger = await connected(client(other.url));
    sockets.push(stranger);
    const otherMeetingJoin = await emit(stranger, 'join-room', { roomCode: 'abc-defg-hij', displayName: 'Dave' });
    expect(otherMeetingJoin).toMatchObject({ ok: false, error: { code: 'UNAVAILABLE' } });

    await sleep(OUTAGE_MS - 1_000);
    await cluster.redis.start();
    const back = Date.now();

    // Within 10 s everything works again, with no restart.
    await until(
      'chat from the other node to work again',
      async () => (await emit(remote.socket, 'send-message', { text: 'after the outage' })).ok,
      Boolean,
      10_000,
    );
    expect(Date.now() - back).toBeLessThan(10_000);
    const dave = await joinOn(other, code, 'Dave', sockets);
    const texts = dave.roomJoined.chat.map((m) => m.text);
    expect(texts).toContain('said during the outage');
    expect(texts).toContain('after the outage');
    expect(dave.roomJoined.participants.map((p) => p.displayName).sort()).toEqual(['Alice', 'Bob', 'Carol', 'Dave']);

    // The owner's router lived through it: the pre-outage producer is still there to consume.
    const caps = expectOk(await emit(speaker.socket, 'get-router-capabilities'));
    const consumer = expectOk(
      await emit(speaker.socket, 'consume', {
        producerId,
        rtpCapabilities: caps.rtpCapabilities as Record<string, unknown>,
      }),
    );
    expect(consumer.producerId).toBe(producerId);
    // Nobody left, nobody's media was reset, and both nodes still run.
    for (const s of seen)
      expect(s.filter((e) => ['user-left', 'media-reset', 'force-disconnect'].includes(e.event))).toEqual([]);
    expect(cluster.nodes.every((n) => n.running)).toBe(true);
  }, 60_000);

  it('a node told to stop (SIGTERM) while Redis is away still closes cleanly and promptly, telling its clients to come back', async () => {
    const { owner, onOwner } = await twoNodeRoom(cluster, sockets);
    const goingAway = next(onOwner.socket, 'server-going-away');
    await cluster.redis.stop();
    await sleep(500);

    const asked = Date.now();
    await owner.kill('SIGTERM');
    const took = Date.now() - asked;
    expect(typeof (await goingAway).reconnectAfterMs).toBe('number');
    // Its rooms cannot be handed over without Redis, but nothing may wait on Redis until the 10 s shutdown timeout.
    expect(owner.output()).toContain('server closed');
    expect(owner.output()).not.toMatch(/shutdown took too long|shutdown failed/);
    expect(took).toBeLessThan(5_000);
    await cluster.redis.start();
  }, 30_000);
});
