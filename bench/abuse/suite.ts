/**
 * Suite (d): abuse. One Convene server (pinned, production limits) carries a
 * meeting of victims who chat and moderate at a steady rate (one process,
 * pinned to the other core). For each attack, each run measures the victims
 * twice, back to back: a window with no attacker, then a window under attack
 * by a fresh attacker process from a fresh loopback address (so no per-IP
 * budget or cool-down carries over between windows). Runs repeat the
 * sequence; the verdicts are in verdict.ts.
 */
import { setPriority } from 'node:os';
import os from 'node:os';
import { readdirSync } from 'node:fs';
import { CORES, sleep, spawnNode, type Child } from '../lib/proc';
import type { JitterApi } from '../lib/jitter';
import { round } from '../lib/stats';
import type { AttackerApi } from './attacker';
import type { AttackKind, Limits } from './attacks';
import type { AbuseServerApi } from './server';
import {
  NOISY_FLOOR_MS,
  remeasure,
  summarizeAttack,
  validity,
  type Got,
  type Pair,
  type WindowFigures,
} from './verdict';
import type { VictimsApi, VictimWindow } from './victims';
import { attackerAddress } from './wire';

export interface AbuseOptions {
  runs: number;
  windowMs: number;
  drainMs: number;
  attacks: AttackKind[];
  /** Sockets per attack (identities for the knock flood). */
  sizes: Record<AttackKind, number>;
  /**
   * Slow readers first fill the kernel's socket buffers (~4 MB each on Linux
   * loopback), which costs the server nothing, and only then its own queues:
   * at their allowance that takes ~15 s. Their victims' window opens once one
   * reader has `leadUntilQueued` of the send-buffer cap queued in the server
   * (or after `maxLeadMs`), and the server is watched after it until each
   * reader has been cut once (or `maxTailMs`), so the measurement spans the cap.
   */
  slowReaders: { maxLeadMs: number; leadUntilQueued: number; maxTailMs: number };
  victims: { participants: number; cohosts: number; chatPeriodMs: number; hostPeriodMs: number; chatChars: number };
  log: (line: string) => void;
}

/** The attacker shares the victims' core, below them: it must not slow the instrument, only the server. */
const ATTACKER_NICE = 10;
const SETTLE_MIN_MS = 300;
const SETTLE_MAX_MS = 5_000;
const SETTLED_MS = 10;
const CLEANUP_MAX_MS = 6_000;
const POLL_MS = 250;
/** Noisy pairs measured again per suite, at most (each costs 10–30 s). */
const MAX_RETRIES = 3;

type Server = Child<AbuseServerApi>;
type ServerRead = Awaited<ReturnType<AbuseServerApi['read']>>;

/** Idle processes on both cores: the machine's own scheduling noise over each window. */
async function startFloor() {
  const procs = [CORES.server, CORES.generator].map((core) => spawnNode<JitterApi>('bench/lib/jitter.ts', { core }));
  await Promise.all(procs.map((p) => p.nextEvent('ready')));
  return {
    mark: async () => void (await Promise.all(procs.map((p) => p.call('mark')))),
    read: async () => Math.max(...(await Promise.all(procs.map((p) => p.call('read')))).map((r) => r.eldP99Ms)),
    kill: async () => void (await Promise.all(procs.map((p) => p.kill()))),
  };
}
type Floor = Awaited<ReturnType<typeof startFloor>>;

/** Every thread of a process (taskset and nice apply per thread) to a lower priority. */
function lowerPriority(pid: number): void {
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) setPriority(Number(tid), ATTACKER_NICE);
  } catch {
    /* not Linux, or the process is gone: the attacker then runs at the bench's priority */
  }
}

/** Waits until the server's event loop answers three pings in a row within SETTLED_MS. */
async function settle(server: Server): Promise<number> {
  const start = Date.now();
  await sleep(SETTLE_MIN_MS);
  for (let quick = 0; quick < 3 && Date.now() - start < SETTLE_MAX_MS; await sleep(50)) {
    const t0 = performance.now();
    await server.call('ping');
    quick = performance.now() - t0 <= SETTLED_MS ? quick + 1 : 0;
  }
  return Date.now() - start;
}

/** A percentile of an empty histogram is NaN, which crosses the RPC as null: back to NaN, so no ratio treats it as 0. */
const measured = (x: number) => (Number.isFinite(x) ? x : NaN);

function figures(w: VictimWindow, srv: ServerRead, floorEldP99Ms: number, underAttack: boolean): WindowFigures {
  const total = (rec: Record<string, number>) => Object.values(rec).reduce((a, n) => a + n, 0);
  const f: WindowFigures = {
    valid: true,
    why: [],
    chat: {
      p50: measured(w.chat.latency.p50),
      p99: measured(w.chat.latency.p99),
      sent: w.chat.sent,
      refused: total(w.chat.refused),
      lost: Math.max(0, w.chat.expected - w.chat.received),
    },
    host: {
      p50: measured(w.host.latency.p50),
      p99: measured(w.host.latency.p99),
      sent: w.host.sent,
      refused: total(w.host.refused),
    },
    victimsDisconnected: w.victimsDisconnected,
    server: {
      cpuShare: srv.cpuShare,
      eldP99Ms: measured(srv.eldP99Ms),
      rssBefore: srv.rssBefore,
      rssPeak: srv.rssPeak,
      rssEnd: srv.rssEnd,
    },
    generatorCpuShare: w.generator.cpuShare,
    floorEldP99Ms: measured(floorEldP99Ms),
  };
  return { ...f, ...validity(f, underAttack) };
}

const BROADCASTS = ['new-message', 'reaction', 'hand-raised', 'typing'];
const PRESENCE = ['user-joined', 'user-left'];

function gotFrom(w: VictimWindow, srv: ServerRead, stats: Awaited<ReturnType<AttackerApi['stop']>>): Got {
  const perVictim = (events: string[]) =>
    round(events.reduce((a, e) => a + (w.fromOthers[e]?.count ?? 0), 0) / w.victims, 1);
  return {
    broadcastsPerVictim: perVictim(BROADCASTS),
    presencePerVictim: perVictim(PRESENCE),
    sent: stats.sent,
    answers: stats.answers,
    connectsTried: stats.connectsTried,
    connectsRefused: stats.connectsRefused,
    closedByServer: stats.closedByServer,
    joined: stats.joined,
    knocksAccepted: stats.knocksAccepted,
    refused: stats.refused,
    connectedAtEnd: srv.attacker.connectedAtEnd,
    peakConnected: srv.attacker.peakConnected,
    peakQueuedBytes: srv.attacker.peakQueuedBytes,
    lobbyCharsPerModerator: round(w.lobbyPerModerator.chars, 0),
  };
}

interface Ctx {
  o: AbuseOptions;
  server: Server;
  victims: Child<VictimsApi>;
  floor: Floor;
  url: string;
  code: string;
  limits: Limits;
  victimCount: number;
}

/** After an attacked window: wait until only the victims are left in the meeting and nobody waits. */
async function cleanup(c: Ctx): Promise<string | null> {
  const start = Date.now();
  for (;;) {
    const room = await c.server.call('room', { code: c.code });
    if (room.participants === c.victimCount && room.waiting === 0) return null;
    if (Date.now() - start > CLEANUP_MAX_MS)
      return `after ${CLEANUP_MAX_MS} ms the meeting still had ${room.participants} participants and ${room.waiting} waiting`;
    await sleep(100);
  }
}

/** Polls `check` until it answers true or `maxMs` has passed; returns how long that took. */
async function until(check: () => Promise<boolean>, maxMs: number): Promise<number> {
  const start = Date.now();
  while (Date.now() - start < maxMs && !(await check())) await sleep(POLL_MS);
  return Date.now() - start;
}

async function pair(c: Ctx, run: number, index: number, kind: AttackKind, attempt: number): Promise<Pair> {
  const { o, server, victims, floor } = c;
  const ip = attackerAddress(run, index, attempt);
  const window = { durationMs: o.windowMs, drainMs: o.drainMs };
  const attacker = spawnNode<AttackerApi>('bench/abuse/attacker.ts', { core: CORES.generator });
  const ready = attacker.nextEvent('ready');
  try {
    await ready;
    lowerPriority(attacker.pid);
    // The waiting room is on for both of the knock flood's windows, so they differ only by the attacker.
    if (kind === 'knock-flood') await victims.call('setWaitingRoom', { mode: 'guests' });
    await settle(server);

    await Promise.all([server.call('mark', { ip }), floor.mark()]);
    const bw = await victims.call('window', window);
    const [bs, bf] = await Promise.all([server.call('read'), floor.read()]);
    const baseline = figures(bw, bs, bf, false);
    await settle(server);

    // The server is watched from the attack's start to its end; the victims over their window.
    await server.call('mark', { ip });
    const size = o.sizes[kind];
    await attacker.call('start', { kind, target: { url: c.url, code: c.code, ip, limits: c.limits, size } });
    const slow = kind === 'slow-readers' ? o.slowReaders : null;
    const queued = o.slowReaders.leadUntilQueued * c.limits.sendBufferBytes;
    const leadMs = slow
      ? await until(async () => (await server.call('peek', { ip })).maxQueuedBytes >= queued, slow.maxLeadMs)
      : 0;
    await floor.mark();
    const aw = await victims.call('window', window);
    const af = await floor.read();
    const tailMs = slow
      ? await until(async () => (await attacker.call('peek')).closedByServer >= size, slow.maxTailMs)
      : 0;
    const as = await server.call('read');
    const stats = await attacker.call('stop');
    const stoppedAt = Date.now();
    await attacker.kill();
    const attacked = figures(aw, as, af, true);
    const got = gotFrom(aw, as, stats);
    const stuck = await cleanup(c);
    if (stuck) o.log(`  ${kind} run ${run}: ${stuck}`);
    if (kind === 'knock-flood') await victims.call('setWaitingRoom', { mode: 'off' });
    // The room's broadcast budget the attacker spent is a fixed window that outlives it: the next
    // no-attack window must not start inside it.
    if (kind === 'amplification')
      await sleep(stoppedAt + Math.max(c.limits.roomBroadcasts[1], c.limits.ipBroadcasts.seconds) * 1000 - Date.now());
    // A full GC now, outside any window, so the attack's garbage is not collected in the next one.
    const rssAfter = await server.call('collect');
    const p: Pair = { run, attack: kind, ip, baseline, attacked, got, rssAfter, leadMs, tailMs };
    logPair(o, p, stats.self.cpuShare, [...aw.errors, ...stats.errors]);
    return p;
  } finally {
    await attacker.kill();
  }
}

function logPair(o: AbuseOptions, p: Pair, attackerCpu: number, errors: string[]): void {
  const b = p.baseline;
  const a = p.attacked;
  const mb = (x: number) => round(x / 2 ** 20, 1);
  o.log(
    `  ${p.attack} run ${p.run} (${p.ip}): chat p99 ${b.chat.p99} → ${a.chat.p99} ms, host p99 ${b.host.p99} → ${a.host.p99} ms, ` +
      `server CPU ${Math.round(b.server.cpuShare * 100)}% → ${Math.round(a.server.cpuShare * 100)}%, ` +
      `RSS +${mb(a.server.rssPeak - a.server.rssBefore)} MB peak${p.leadMs + p.tailMs ? ` (attack ${round(p.leadMs / 1000, 1)} s before the window, ${round(p.tailMs / 1000, 1)} s after)` : ''}, floor ELD p99 ${b.floorEldP99Ms}/${a.floorEldP99Ms} ms, ` +
      `victims' chat refused ${a.chat.refused}/${a.chat.sent}, lost ${a.chat.lost}; attacker (CPU ${Math.round(attackerCpu * 100)}%): ` +
      `sent ${p.got.sent}, answers ${p.got.answers}, connects ${p.got.connectsTried - p.got.connectsRefused}/${p.got.connectsTried}, ` +
      `cut ${p.got.closedByServer}, open at end ${p.got.connectedAtEnd}, joined ${p.got.joined}, knocks ${p.got.knocksAccepted}, ` +
      `broadcasts/victim ${p.got.broadcastsPerVictim}, max queued ${mb(p.got.peakQueuedBytes)} MB, refused ${JSON.stringify(p.got.refused)}` +
      (b.valid && a.valid ? '' : ` — void: ${[...b.why, ...a.why].join('; ')}`) +
      (errors.length ? ` — ${errors.slice(0, 3).join('; ')}` : ''),
  );
}

export async function runAbuseSuite(o: AbuseOptions) {
  const loadAtStart = os.loadavg().map((x) => round(x, 2));
  // BENCH_SERVER_NODE_ARGS (e.g. --cpu-prof) is for diagnosing a run, as in the signaling suite.
  const extra = process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const server = spawnNode<AbuseServerApi>('bench/abuse/server.ts', {
    core: CORES.server,
    nodeArgs: ['--expose-gc', ...extra],
  });
  // Listened for at once: an event that arrives before anyone waits for it is dropped.
  const serverReady = server.nextEvent<{ port: number }>('ready');
  const victims = spawnNode<VictimsApi>('bench/abuse/victims.ts', { core: CORES.generator });
  const floor = await startFloor();
  try {
    const { port } = await serverReady;
    const url = `http://127.0.0.1:${port}`;
    const { code, hostCookie, limits } = await server.call('meeting');
    const joined = await victims.call('init', { url, code, hostCookie, ...o.victims });
    const c: Ctx = { o, server, victims, floor, url, code, limits, victimCount: joined.victims };
    o.log(`  ${joined.victims} victims (${joined.moderators} moderators) in ${code}; limits ${JSON.stringify(limits)}`);
    // One window to warm the server's JIT and caches, not counted.
    await settle(server);
    await victims.call('window', { durationMs: o.windowMs, drainMs: o.drainMs });
    const pairs: Pair[] = [];
    let retries = MAX_RETRIES;
    for (let run = 1; run <= o.runs; run++) {
      for (const [i, kind] of o.attacks.entries()) {
        let p = await pair(c, run, i, kind, 0);
        // A pair that missed while the machine itself stalled is measured again, once, from a fresh address.
        if (remeasure(p) && retries-- > 0) {
          o.log(
            `  ${kind} run ${run}: the machine was noisy (idle-process ELD p99 above ${NOISY_FLOOR_MS} ms); measuring the pair again`,
          );
          p = await pair(c, run, i, kind, 1);
        }
        pairs.push(p);
      }
    }
    await victims.call('stop');
    const windowMs = o.windowMs + o.drainMs;
    return {
      loadAverage: { start: loadAtStart, end: os.loadavg().map((x) => round(x, 2)) },
      options: { ...o, log: undefined },
      limits,
      attacks: o.attacks.map((kind) =>
        summarizeAttack(
          kind,
          pairs.filter((p) => p.attack === kind),
          { limits, size: o.sizes[kind], victims: joined.victims, windowMs },
        ),
      ),
      pairs,
    };
  } finally {
    await Promise.all([victims.kill(), server.kill(), floor.kill()]);
  }
}
export type AbuseResult = Awaited<ReturnType<typeof runAbuseSuite>>;
