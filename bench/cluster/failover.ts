/**
 * Failover: `kill -9` of the node that owns the most rooms, again and again
 * (the dead node restarted and back in HAProxy between kills).
 *
 * Three nodes behind HAProxy; every participant connects through HAProxy
 * (leastconn spreads them), so a killed owner takes some of its rooms'
 * sockets with it. For each participant of a room the dead node owned:
 *   media back = from the kill until it has received, on a transport made
 *   after the kill, an RTP packet from every other participant of its room.
 * That needs the cluster to notice the death and move the room, the
 * participant to hear media-reset (or, if its socket died too, to reconnect
 * through HAProxy with the client's own backoff and resume), rebuild its
 * transports on the new owner and produce again, and every other participant
 * to have done the same. Detection = from the kill until a live node takes
 * the dead one out of `convene:nodes` (polled every 10 ms).
 */
import { sleep } from '../lib/proc';
import { startBenchCluster, joinRoom, startMics, waitFor, type BenchCluster } from './media-cluster';
import type { EmulatedParticipant, ParticipantSink } from './participant';
import { nowNs } from './participant';

/** How long after a kill detection is waited for, even when media came back first. */
const DETECTION_WAIT_MS = 10_000;

export interface FailoverOptions {
  kills: number;
  nodes: number;
  rooms: number;
  perRoom: number;
  /** A participant not back this long after the kill counts as never back. */
  timeoutMs: number;
  log: (line: string) => void;
}

export interface KillResult {
  kill: number;
  node: string;
  roomsMoved: number;
  /** Kill → the dead node taken out of the node set; NaN if not seen. */
  detectionMs: number;
  /** Kill → every moved room's lease names a live node. */
  leasesMovedMs: number;
  participants: Array<{
    /** Its socket went down with the node (it reconnected through HAProxy). */
    reconnected: boolean;
    /** Kill → media-reset heard, or → resumed room-joined; NaN if neither. */
    toldMs: number;
    /** Kill → its rebuild finished (transports, producer, consumers of whoever had produced by then). */
    rebuiltMs: number;
    /** Kill → media from everyone else again; null if not within the timeout. */
    backMs: number | null;
  }>;
  errors: string[];
}

interface Watch {
  killNs: number;
  epochs: Map<EmulatedParticipant, number>;
  firstFrom: Map<EmulatedParticipant, Map<number, number>>;
}

export async function runFailover(o: FailoverOptions): Promise<KillResult[]> {
  const c = await startBenchCluster(o.nodes);
  const rooms: Array<{ code: string; members: EmulatedParticipant[] }> = [];
  let watch: Watch | null = null;
  const errors: string[] = [];
  const lastFrom = new Map<EmulatedParticipant, Map<number, number>>();
  const sink: ParticipantSink = {
    packet(receiver, sender) {
      const t = nowNs();
      let last = lastFrom.get(receiver);
      if (!last) lastFrom.set(receiver, (last = new Map<number, number>()));
      last.set(sender, t);
      if (!watch || receiver.epoch <= (watch.epochs.get(receiver) ?? Infinity)) return;
      const first = watch.firstFrom.get(receiver);
      if (first && !first.has(sender)) first.set(sender, t);
    },
    chat: () => undefined,
    error: (who, what) => void (errors.length < 50 && errors.push(`participant ${who.index}: ${what}`)),
  };
  const stopMics = startMics(() => rooms.flatMap((r) => r.members));
  try {
    for (let r = 0; r < o.rooms; r++) {
      const code = await c.meeting(`failover ${r}`);
      rooms.push({ code, members: await joinRoom(c, code, () => c.cluster.frontUrl, o.perRoom, r * 100, sink) });
    }
    // Everyone hears everyone before the first kill.
    const flowing = (members: EmulatedParticipant[]) =>
      members.every((p) => members.every((q) => q === p || (lastFrom.get(p)?.get(q.index) ?? 0) > nowNs() - 200e6));
    if (!(await waitFor(() => rooms.every((r) => flowing(r.members)), 20_000)))
      throw new Error(`media did not flow in every room before the kills: ${errors.slice(0, 3).join('; ')}`);

    const results: KillResult[] = [];
    for (let k = 1; k <= o.kills; k++) {
      results.push(await killOwner(c, rooms, k, o, errors, (w) => (watch = w)));
      watch = null;
      o.log(summaryLine(results.at(-1)!));
      if (!(await waitFor(() => rooms.every((r) => flowing(r.members)), 10_000)))
        o.log(`  kill ${k}: some rooms had no media 10 s later`);
    }
    return results;
  } finally {
    stopMics();
    for (const p of rooms.flatMap((r) => r.members)) p.close();
    await c.stop();
  }
}

async function killOwner(
  c: BenchCluster,
  rooms: Array<{ code: string; members: EmulatedParticipant[] }>,
  k: number,
  o: FailoverOptions,
  errors: string[],
  arm: (w: Watch) => void,
): Promise<KillResult> {
  const leases = await Promise.all(rooms.map((r) => c.leaseOf(r.code)));
  const byNode = new Map<string, number[]>();
  leases.forEach((id, i) => id && byNode.set(id, [...(byNode.get(id) ?? []), i]));
  const [deadId, owned] = [...byNode.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
  const moved = owned.map((i) => rooms[i]!);
  const node = c.nodeAt(moved[0]!.members[0]!.ownerAddress!);
  const affected = moved.flatMap((r) => r.members);
  const errorsBefore = errors.length;

  const told = new Map<EmulatedParticipant, number>();
  const reconnected = new Set<EmulatedParticipant>();
  const listeners = affected.map((p) => {
    const onReset = () => told.has(p) || told.set(p, nowNs());
    const onJoined = () => told.has(p) || told.set(p, nowNs());
    const offState = p.conn.onStateChange((s) => s === 'reconnecting' && reconnected.add(p));
    p.conn.socket.on('media-reset', onReset);
    p.conn.socket.on('room-joined', onJoined);
    return () => {
      p.conn.socket.off('media-reset', onReset);
      p.conn.socket.off('room-joined', onJoined);
      offState();
    };
  });
  const rebuildsBefore = new Map(affected.map((p) => [p, p.rebuilds.length]));
  const w: Watch = {
    killNs: nowNs(),
    epochs: new Map(affected.map((p) => [p, p.epoch])),
    firstFrom: new Map(affected.map((p) => [p, new Map<number, number>()])),
  };
  arm(w);
  await node.kill('SIGKILL');

  // Detection and the leases, polled while media comes back, and after it (a room can move before
  // its dead owner is detected: a request nobody answers takes it at once).
  let detectedNs = NaN;
  let leasesNs = NaN;
  const poller = (async () => {
    while (
      (Number.isNaN(detectedNs) || Number.isNaN(leasesNs)) &&
      nowNs() - w.killNs < Math.max(o.timeoutMs, DETECTION_WAIT_MS) * 1e6
    ) {
      const [member, ...owners] = await Promise.all([
        c.redis.sismember('convene:nodes', deadId).catch(() => 1),
        ...moved.map((r) => c.leaseOf(r.code).catch(() => deadId)),
      ]);
      if (Number.isNaN(detectedNs) && member === 0) detectedNs = nowNs();
      if (Number.isNaN(leasesNs) && owners.every((id) => id && id !== deadId)) leasesNs = nowNs();
      await sleep(10);
    }
  })();
  const back = (p: EmulatedParticipant, room: EmulatedParticipant[]) =>
    room.every((q) => q === p || w.firstFrom.get(p)!.has(q.index));
  await waitFor(() => moved.every((r) => r.members.every((p) => back(p, r.members))), o.timeoutMs);
  await poller;
  for (const off of listeners) off();

  const ms = (ns: number) => Math.round((ns - w.killNs) / 1e4) / 100;
  const participants = moved.flatMap((r) =>
    r.members.map((p) => {
      const firsts = r.members.filter((q) => q !== p).map((q) => w.firstFrom.get(p)!.get(q.index));
      const rebuilt = p.rebuilds.slice(rebuildsBefore.get(p)).findLast((x) => x.done !== null)?.done;
      const t = told.get(p);
      return {
        reconnected: reconnected.has(p),
        toldMs: t === undefined ? NaN : ms(t),
        rebuiltMs: rebuilt == null ? NaN : ms(rebuilt),
        backMs: firsts.every((x) => x !== undefined) ? ms(Math.max(...firsts)) : null,
      };
    }),
  );
  const result: KillResult = {
    kill: k,
    node: node.name,
    roomsMoved: moved.length,
    detectionMs: ms(detectedNs),
    leasesMovedMs: ms(leasesNs),
    participants,
    errors: errors.slice(errorsBefore),
  };
  await node.restart();
  c.pin();
  return result;
}

function summaryLine(r: KillResult): string {
  const backs = r.participants.map((p) => p.backMs ?? Infinity).sort((a, b) => a - b);
  return (
    `  kill ${r.kill} (${r.node}, ${r.roomsMoved} rooms, ${r.participants.length} participants, ` +
    `${r.participants.filter((p) => p.reconnected).length} reconnected): detected ${r.detectionMs} ms, leases moved ${r.leasesMovedMs} ms, ` +
    `media back min/max ${backs[0]} / ${backs.at(-1)} ms` +
    (r.errors.length ? ` — ${r.errors.length} error(s): ${r.errors[0]}` : '')
  );
}
