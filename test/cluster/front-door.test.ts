/**
 * The front door: three real node processes on 127.0.0.2-4, one real Redis,
 * and real HAProxy running deploy/haproxy.cfg. Clients connect through
 * HAProxy as browsers would; WebSocket sessions need no stickiness, polling
 * sessions stay on their node, and a draining or dead node stops getting new
 * sessions within about a second while the others keep serving.
 * (Signaling only: media across nodes is not there yet.)
 */
import { io as connect } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../lib/protocol';
import { expectJoined, expectOk } from '../helpers/ack';
import { startCluster, type Cluster, type NodeProcess } from '../helpers/cluster';
import { client, connected, emit, next, type Client } from '../helpers/server';
import { until } from '../helpers/wait';

let cluster: Cluster;
/** Set once the cluster is up (a failed start has already stopped what it started). */
let stopCluster = () => Promise.resolve();
const sockets: Client[] = [];

beforeAll(async () => {
  // The nodes are `npm start`'s entry point with pages, as README.md's "Several nodes" runs them.
  cluster = await startCluster({ nodes: 3, next: true });
  stopCluster = () => cluster.stop();
}, 300_000);

afterEach(async () => {
  for (const s of sockets.splice(0)) s.disconnect();
  // A test that stopped a node leaves the next one a whole cluster, with no sockets left to count.
  for (const node of cluster.nodes) if (!node.running) await node.restart();
  await until('every socket to be gone', counts, (c) => c.every((n) => n === 0));
}, 60_000);

afterAll(() => stopCluster(), 30_000);

/** Creates a meeting as a browser would: POST /api/rooms through the front door. */
async function newMeeting(): Promise<string> {
  const res = await fetch(`${cluster.frontUrl}/api/rooms`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ title: 'Front door' }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { code: string }).code;
}

/** Open Socket.IO sockets on `node`, from its own /metrics (read on the node, not through HAProxy). */
async function socketsOn(node: NodeProcess): Promise<number> {
  // A node just killed has none (it may not count as stopped yet).
  const text = await fetch(`${node.url}/metrics`).then(
    (r) => r.text(),
    () => 'convene_sockets 0',
  );
  return Number(/^convene_sockets (\d+)$/m.exec(text)?.[1] ?? NaN);
}

/** Open sockets per node, in cluster.nodes order (0 for a node that is not running). */
const counts = () => Promise.all(cluster.nodes.map((n) => (n.running ? socketsOn(n) : Promise.resolve(0))));

/** The node `socket` landed on: the one whose count grew since `before` (sockets are opened one at a time). */
async function nodeOf(socket: Client, before: number[]): Promise<NodeProcess> {
  const now = await until('the new socket to show on a node', counts, (c) => c.some((n, i) => n > before[i]!));
  expect(socket.connected).toBe(true);
  return cluster.nodes[now.findIndex((n, i) => n > before[i]!)]!;
}

/** Connects (WebSocket only) and joins; the socket is closed after the test even if the join fails. */
async function join(url: string, code: string, displayName: string) {
  const socket = client(url);
  sockets.push(socket);
  await connected(socket);
  const roomJoined = next(socket, 'room-joined');
  roomJoined.catch(() => undefined); // a refused join sends none: the ack below reports it
  const self = expectJoined(await emit(socket, 'join-room', { roomCode: code, displayName })).self;
  await roomJoined;
  return { socket, self };
}

/** Resolves with the first new-message carrying `text` (others may arrive before it). */
function heard(socket: Client, text: string, ms = 5_000) {
  return new Promise<ChatMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for "${text}"`)), ms);
    const handler = (m: ChatMessage) => {
      if (m.text !== text) return;
      clearTimeout(timer);
      socket.off('new-message', handler);
      resolve(m);
    };
    socket.on('new-message', handler);
  });
}

/** A Socket.IO client that uses only HTTP long-polling: every packet is its own request through HAProxy. */
function pollingClient(url: string): Client {
  const socket: Client = connect(url, { transports: ['polling'], forceNew: true, reconnection: false });
  sockets.push(socket);
  return socket;
}

describe('through HAProxy', () => {
  it('a WebSocket client joins a meeting and chats both ways with a participant connected straight to another node', async () => {
    const code = await newMeeting();
    const before = await counts();
    const alice = await join(cluster.frontUrl, code, 'Alice');
    const aliceNode = await nodeOf(alice.socket, before);
    const other = cluster.nodes.find((n) => n !== aliceNode)!;

    const aliceSeesBob = next(alice.socket, 'user-joined');
    const bob = await join(other.url, code, 'Bob');
    expect((await aliceSeesBob).participant).toMatchObject({ participantId: bob.self.participantId });

    const atBob = heard(bob.socket, 'via the front door');
    expectOk(await emit(alice.socket, 'send-message', { text: 'via the front door' }));
    expect((await atBob).from).toMatchObject({ displayName: 'Alice' });
    const atAlice = heard(alice.socket, 'straight to a node');
    expectOk(await emit(bob.socket, 'send-message', { text: 'straight to a node' }));
    expect((await atAlice).from).toMatchObject({ displayName: 'Bob' });
  });

  it("a participant's media transport is announced on a node's own address, not the default 127.0.0.1", async () => {
    const code = await newMeeting();
    const alice = await join(cluster.frontUrl, code, 'Alice');
    const transport = expectOk(await emit(alice.socket, 'create-transport', { direction: 'send' }));
    const addresses = (transport.iceCandidates as Array<{ address: string }>).map((c) => c.address);
    expect(addresses.length).toBeGreaterThan(0);
    for (const address of addresses) expect(cluster.nodes.map((n) => n.address)).toContain(address);
  });

  it('WebSocket clients are spread over the nodes: no stickiness where none is needed', async () => {
    const before = await counts();
    for (let i = 0; i < 6; i++) sockets.push(await connected(client(cluster.frontUrl)));
    const after = await until(
      'six sockets to show',
      counts,
      (now) => now.reduce((a, b) => a + b, 0) - before.reduce((a, b) => a + b, 0) === 6,
    );
    // leastconn: each node got some of them.
    expect(after.map((c, i) => c - before[i]!).every((added) => added > 0)).toBe(true);
  });

  it('a polling-only client keeps one session across many requests while three nodes are up: joins, chats, receives', async () => {
    const code = await newMeeting();
    const poller = await connected(pollingClient(cluster.frontUrl));
    const sid = poller.id;
    let disconnects = 0;
    poller.on('disconnect', () => disconnects++);
    const joinedEvent = next(poller, 'room-joined');
    expectJoined(await emit(poller, 'join-room', { roomCode: code, displayName: 'Poller' }));
    await joinedEvent;
    // Someone on every node, each talking with the poller.
    const others = await Promise.all(cluster.nodes.map((n, i) => join(n.url, code, `Other ${i + 1}`)));

    for (let round = 0; round < 5; round++) {
      for (const [i, other] of others.entries()) {
        const text = `to poller ${round}.${i}`;
        const atPoller = heard(poller, text);
        expectOk(await emit(other.socket, 'send-message', { text }));
        expect((await atPoller).from).toMatchObject({ displayName: `Other ${i + 1}` });
      }
      const text = `from poller ${round}`;
      const atOthers = others.map((o) => heard(o.socket, text));
      expectOk(await emit(poller, 'send-message', { text }));
      for (const m of await Promise.all(atOthers)) expect(m.from).toMatchObject({ displayName: 'Poller' });
    }
    // Dozens of requests, one session: never dropped, never a new sid, never upgraded.
    expect(disconnects).toBe(0);
    expect(poller.id).toBe(sid);
    expect(poller.io.engine.transport.name).toBe('polling');
  });

  it('a client that starts polling and upgrades to WebSocket reaches the node holding its session', async () => {
    const code = await newMeeting();
    const socket: Client = connect(cluster.frontUrl, { forceNew: true, reconnection: false });
    sockets.push(socket);
    await connected(socket);
    await until(
      'the upgrade to WebSocket',
      () => socket.io.engine.transport.name,
      (t) => t === 'websocket',
    );
    const joinedEvent = next(socket, 'room-joined');
    expect(await emit(socket, 'join-room', { roomCode: code, displayName: 'Upgrader' })).toMatchObject({ ok: true });
    await joinedEvent;
    expect(socket.connected).toBe(true);
  });
});

/**
 * Opens a Socket.IO session on `node` by hand over long-polling (handshake,
 * namespace connect, one poll for its answer) and then never polls again.
 */
async function stalledPollingSession(node: NodeProcess): Promise<void> {
  const base = `${node.url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const sid = /"sid":"([^"]+)"/.exec(open)?.[1];
  expect(sid).toBeTruthy();
  expect(await (await fetch(`${base}&sid=${sid}`, { method: 'POST', body: '40' })).text()).toBe('ok');
  expect(await (await fetch(`${base}&sid=${sid}`)).text()).toMatch(/^40\{/);
  await until(
    'the session to count',
    () => socketsOn(node),
    (n) => n === 1,
  );
}

/** Opens `n` WebSocket sockets through HAProxy one at a time, and returns the node each landed on. */
async function connectThroughFront(n: number): Promise<Array<{ socket: Client; node: NodeProcess }>> {
  const landed: Array<{ socket: Client; node: NodeProcess }> = [];
  for (let i = 0; i < n; i++) {
    const before = await counts();
    const socket = client(cluster.frontUrl);
    sockets.push(socket);
    await connected(socket);
    landed.push({ socket, node: await nodeOf(socket, before) });
  }
  return landed;
}

describe.each([
  ['draining (SIGTERM)', 'SIGTERM'],
  ['killed (SIGKILL)', 'SIGKILL'],
] as const)('a node %s', (_, signal) => {
  it('is out of HAProxy within 2 s, new sessions go to the other nodes and work, and it is back once restarted', async () => {
    const victim = cluster.nodes[0]!;
    const others = cluster.nodes.slice(1);

    // A long-polling client that has stopped polling: the disconnect a draining node sends it cannot be
    // delivered, so the node waits for it before closing, and meanwhile is alive but not ready.
    if (signal === 'SIGTERM') await stalledPollingSession(victim);

    const began = Date.now();
    const stopped = victim.kill(signal);
    if (signal === 'SIGTERM') {
      // The signal lands a moment later; from then on the node says why it takes no new sessions.
      const readiness = () =>
        fetch(`${victim.url}/healthz/ready`).then((r) => r.json() as Promise<{ ready: boolean; reasons: string[] }>);
      expect(await until('the node to be draining', readiness, (r) => !r.ready)).toEqual({
        ready: false,
        reasons: ['draining'],
      });
    } else {
      // Before HAProxy's checks notice, a connect to the dead node is retried on another (redispatch).
      const early = await connectThroughFront(3);
      expect(early.map((e) => e.node)).not.toContain(victim);
    }
    await cluster.waitForFront(victim, 'DOWN', 5_000);
    expect(Date.now() - began).toBeLessThan(2_000);
    // Draining, the node was taken out by its readiness, not by dying.
    if (signal === 'SIGTERM') expect(victim.running).toBe(true);
    await stopped;

    // leastconn favours the emptiest node, which the victim's slot would be: none of these may land there.
    const late = await connectThroughFront(6);
    expect(late.map((l) => l.node)).not.toContain(victim);
    expect(new Set(late.map((l) => l.node))).toEqual(new Set(others));
    // And they serve: everyone joins one new meeting, and a message reaches them all.
    const code = await newMeeting();
    for (const [i, { socket }] of late.entries())
      expectJoined(await emit(socket, 'join-room', { roomCode: code, displayName: `Late ${i + 1}` }));
    const atAll = late.slice(1).map((l) => heard(l.socket, 'still here'));
    expectOk(await emit(late[0]!.socket, 'send-message', { text: 'still here' }));
    await Promise.all(atAll);

    await victim.restart();
    expect((await connectThroughFront(3)).map((a) => a.node)).toContain(victim);
  }, 60_000);
});

describe('Redis stopping', () => {
  it('takes every node out of HAProxy while it is down, and puts them all back within 10 s of its return', async () => {
    await cluster.redis.stop();
    try {
      for (const node of cluster.nodes) await cluster.waitForFront(node, 'DOWN', 5_000);
      const direct = await fetch(`${cluster.nodes[0]!.url}/healthz/ready`);
      expect(await direct.json()).toEqual({ ready: false, reasons: ['redis-not-ready'] });
      expect((await fetch(`${cluster.nodes[0]!.url}/healthz/live`)).status).toBe(200);
    } finally {
      await cluster.redis.start();
    }
    const back = Date.now();
    for (const node of cluster.nodes) await cluster.waitForFront(node, 'UP', 10_000);
    expect(Date.now() - back).toBeLessThan(10_000);
    // And new sessions are served again.
    const code = await newMeeting();
    await join(cluster.frontUrl, code, 'After the outage');
  }, 40_000);
});
