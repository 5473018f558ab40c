/**
 * An audience spread over two nodes (real node processes on 127.0.0.2–3, a
 * real redis-server, a mediasoup worker each): the host on one node counts
 * and pages through viewers whose sockets are on both, writes privately to
 * one on the other node, hears that viewer's hand, promotes them (who may
 * then produce on the room's owner) and removes another, and the stage never
 * gets a per-viewer event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectErr, expectOk } from '../helpers/ack';
import { startCluster, type Cluster, type NodeProcess } from '../helpers/cluster';
import { clusterMeeting, fakeMic, joinOn } from '../helpers/cluster-room';
import { emit, next, recorder, type Client } from '../helpers/server';
import { sleep, until } from '../helpers/wait';

let cluster: Cluster;
const sockets: Client[] = [];

beforeAll(async () => {
  cluster = await startCluster({ nodes: 2, media: true });
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await cluster.stop();
});

describe('an audience over two nodes', () => {
  it('the host counts, pages, messages, promotes and removes viewers on either node; the stage hears no one by one', async () => {
    const [one, two] = cluster.nodes as [NodeProcess, NodeProcess];
    const code = await clusterMeeting(cluster);
    const alice = await joinOn(one, code, 'Alice', sockets);
    expectOk(await emit(alice.socket, 'set-audience', { mode: 'invited' }));
    const atAlice = recorder(alice.socket);

    const viewer = async (node: NodeProcess, name: string) => {
      const v = await joinOn(node, code, name, sockets);
      expect(v.self.role).toBe('audience');
      return v;
    };
    const vera = await viewer(one, 'Vera');
    const walt = await viewer(two, 'Walt');
    const xena = await viewer(one, 'Xena');
    const yuri = await viewer(two, 'Yuri');

    // A count, never one event per viewer, whichever node their sockets are on.
    await until(
      'the count of 4 at the host',
      async () => atAlice.filter((e) => e.event === 'audience-updated').at(-1)?.data,
      (d) => (d as { count: number } | undefined)?.count === 4,
      10_000,
    );
    const page = expectOk(await emit(alice.socket, 'get-audience', {}));
    expect(page.count).toBe(4);
    expect(page.members.map((m) => m.displayName).sort()).toEqual(['Vera', 'Walt', 'Xena', 'Yuri']);

    // A private word to Walt, whose socket is on the other node: only he gets it.
    const atWalt = next(walt.socket, 'new-message');
    const others = [vera, xena, yuri].map((v) => recorder(v.socket));
    expectOk(await emit(alice.socket, 'send-message', { text: 'Walt, you are next', to: walt.self.participantId }));
    expect(await atWalt).toMatchObject({ text: 'Walt, you are next', to: walt.self.participantId });

    // Walt's hand reaches the host; promoted, he may produce on the room's owner.
    const hand = next(alice.socket, 'hand-raised');
    expectOk(await emit(walt.socket, 'raise-hand', { raised: true }));
    expect(await hand).toMatchObject({ participantId: walt.self.participantId });
    const t = expectOk(await emit(walt.socket, 'create-transport', { direction: 'send' }));
    expectErr(await emit(walt.socket, 'produce', { transportId: t.id, ...fakeMic(3301) }), 'FORBIDDEN');
    const arrives = next(alice.socket, 'user-joined');
    const role = next(walt.socket, 'role-changed');
    expectOk(await emit(alice.socket, 'promote', { participantId: walt.self.participantId }));
    expect((await arrives).participant).toMatchObject({ participantId: walt.self.participantId, role: 'participant' });
    expect(await role).toMatchObject({ role: 'participant' });
    const announced = next(alice.socket, 'new-producer');
    const { producerId } = expectOk(await emit(walt.socket, 'produce', { transportId: t.id, ...fakeMic(3302) }));
    expect(await announced).toMatchObject({ participantId: walt.self.participantId, producerId });

    // Yuri (other node) is removed: told so, and the stage hears no user-left for a viewer.
    const told = next(yuri.socket, 'force-disconnect');
    expectOk(await emit(alice.socket, 'kick-participant', { participantId: yuri.self.participantId }));
    await told;
    await sleep(700);
    expect(atAlice.filter((e) => e.event === 'user-left')).toEqual([]);
    expect(atAlice.filter((e) => e.event === 'user-joined').map((e) => e.data)).toHaveLength(1);
    expect(expectOk(await emit(alice.socket, 'get-audience', {})).count).toBe(2);
    expect(others.flat().filter((e) => e.event === 'new-message')).toEqual([]);
  }, 60_000);
});
