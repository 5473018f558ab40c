/**
 * Redis outage: two nodes on one Redis; in each meeting every participant's
 * socket is on the room's owner node (connected to it directly). Each
 * participant sends a mic packet every 20 ms through the owner's router and
 * a chat message every `chatPeriodMs`. The same measures are taken over a
 * window with Redis up, then over a window of the same length with Redis
 * stopped (SIGTERM), in the same run:
 *   media: packets received / packets scheduled × (members − 1), and latency
 *     from the packet's send to its arrival at each other participant;
 *   chat: messages received / sent × members (the sender's own copy counts),
 *     latency from send to each new-message, and acks that were not ok.
 * Then Redis is started again (empty) and the time until a new participant
 * joins through HAProxy is measured.
 */
import { encode, histogram, recordMs, summarize, type Histogram, type LatencySummary } from '../lib/hdr';
import { sleep } from '../lib/proc';
import { EmulatedParticipant } from './participant';
import { joinRoom, startBenchCluster, startMics, waitFor, type BenchCluster } from './media-cluster';
import { nowNs, type ParticipantSink } from './participant';

export interface OutageOptions {
  windowMs: number;
  rooms: number;
  perRoom: number;
  chatPeriodMs: number;
  log: (line: string) => void;
}

export interface OutageWindow {
  redis: 'up' | 'down';
  durationMs: number;
  media: { scheduled: number; expected: number; received: number; delivery: number; latency: LatencySummary };
  chat: {
    sent: number;
    expected: number;
    received: number;
    delivery: number;
    ackFailed: number;
    ackErrors: string[];
    latency: LatencySummary;
  };
  hdr: { media: string; chat: string };
}

export interface OutageResult {
  rooms: number;
  perRoom: number;
  windows: OutageWindow[];
  /** Redis started again → a new participant joined through HAProxy; NaN if not within 30 s. */
  recoveredMs: number;
  errors: string[];
}

interface Tally {
  startNs: number;
  endNs: number;
  scheduled: Map<EmulatedParticipant, number>;
  received: number;
  media: Histogram;
  chatSent: number;
  chatExpected: number;
  chatReceived: number;
  ackFailed: number;
  ackErrors: string[];
  chat: Histogram;
}

const DRAIN_MS = 1_000;

export async function runOutage(o: OutageOptions): Promise<OutageResult> {
  const c = await startBenchCluster(2);
  const rooms: Array<{ code: string; members: EmulatedParticipant[] }> = [];
  const errors: string[] = [];
  let tally: Tally | null = null;
  const inWindow = (t: Tally | null, ns: number): t is Tally => t !== null && ns >= t.startNs && ns < t.endNs;
  const sink: ParticipantSink = {
    packet(_receiver, _sender, sentNs) {
      if (!inWindow(tally, sentNs)) return;
      tally.received++;
      recordMs(tally.media, (nowNs() - sentNs) / 1e6);
    },
    chat(_receiver, m) {
      const sentNs = Number(m.text.split('|')[0]);
      if (!inWindow(tally, sentNs)) return;
      tally.chatReceived++;
      recordMs(tally.chat, (nowNs() - sentNs) / 1e6);
    },
    error: (who, what) => void (errors.length < 50 && errors.push(`participant ${who.index}: ${what}`)),
  };
  const all = () => rooms.flatMap((r) => r.members);
  const stopMics = startMics(all, (p) => {
    const t = tally;
    if (t && inWindow(t, nowNs())) t.scheduled.set(p, (t.scheduled.get(p) ?? 0) + 1);
  });
  const chatTimers: NodeJS.Timeout[] = [];
  try {
    for (let r = 0; r < o.rooms; r++) rooms.push(await sameNodeRoom(c, r, o.perRoom, sink));
    if (!(await waitFor(() => all().every((p) => p.sending), 20_000))) throw new Error('media did not start');
    await sleep(1_000);
    for (const room of rooms) {
      for (const p of room.members) {
        const send = () => {
          const sentNs = nowNs();
          const t = tally;
          const counted = inWindow(t, sentNs);
          if (counted) {
            t.chatSent++;
            t.chatExpected += room.members.length;
          }
          void p.conn.request('send-message', { text: `${sentNs}|${p.index}` }).then((res) => {
            if (!res.ok && counted) {
              t.ackFailed++;
              if (t.ackErrors.length < 5) t.ackErrors.push(`${res.error.code}: ${res.error.message}`);
            }
          });
        };
        // Random phases, so messages spread over each period.
        const phase = setTimeout(
          () => chatTimers.push(setInterval(send, o.chatPeriodMs)),
          Math.random() * o.chatPeriodMs,
        );
        chatTimers.push(phase);
      }
    }
    await sleep(o.chatPeriodMs + 200);

    const windows: OutageWindow[] = [];
    for (const state of ['up', 'down'] as const) {
      if (state === 'down') await c.cluster.redis.stop();
      const t: Tally = {
        startNs: nowNs() + 100e6,
        endNs: nowNs() + 100e6 + o.windowMs * 1e6,
        scheduled: new Map(),
        received: 0,
        media: histogram(),
        chatSent: 0,
        chatExpected: 0,
        chatReceived: 0,
        ackFailed: 0,
        ackErrors: [],
        chat: histogram(),
      };
      tally = t;
      await sleep(100 + o.windowMs + DRAIN_MS);
      tally = null;
      windows.push(windowOf(state, o.windowMs, t, rooms));
      o.log(windowLine(windows.at(-1)!));
    }
    const restartedAt = performance.now();
    await c.cluster.redis.start();
    // Refusals while Redis comes back are what is being timed, not errors.
    const recoveredMs = await firstJoin(c, { ...sink, error: () => undefined }, restartedAt);
    o.log(`  Redis back: a new participant joined through HAProxy ${recoveredMs} ms after its start`);
    return { rooms: o.rooms, perRoom: o.perRoom, windows, recoveredMs, errors };
  } finally {
    for (const t of chatTimers) clearInterval(t);
    stopMics();
    for (const p of all()) p.close();
    await c.stop();
  }
}

/**
 * A meeting whose participants all have their socket on its owner: the first
 * joins one node (alternating), the owner is read from the media address its
 * transports got, the rest join the owner, and a first joiner on the wrong
 * node leaves and comes back on the owner as a new participant.
 */
async function sameNodeRoom(c: BenchCluster, r: number, perRoom: number, sink: ParticipantSink) {
  const code = await c.meeting(`outage ${r}`);
  const firstNode = c.cluster.nodes[r % c.cluster.nodes.length]!;
  const [first] = await joinRoom(c, code, () => firstNode.url, 1, r * 100, sink);
  if (!(await waitFor(() => first!.sending, 10_000))) throw new Error('the first participant got no media');
  const owner = c.nodeAt(first!.ownerAddress!);
  const rest = await joinRoom(c, code, () => owner.url, perRoom - 1, r * 100 + 1, sink);
  if (owner === firstNode) return { code, members: [first!, ...rest] };
  await first!.conn.leave();
  first!.close();
  const [again] = await joinRoom(c, code, () => owner.url, 1, r * 100 + perRoom, sink);
  return { code, members: [...rest, again!] };
}

async function firstJoin(c: BenchCluster, sink: ParticipantSink, since: number): Promise<number> {
  let code: string | null = null;
  for (let i = 0; performance.now() - since < 30_000; i++) {
    try {
      // The meeting too is made once Redis answers again (it came back empty).
      code ??= await c.meeting('after the outage');
      const joiner = new EmulatedParticipant(9_000 + i, code, c.cluster.frontUrl, c.hookPort, sink);
      await joiner.bind();
      await joiner.join('after').finally(() => joiner.close());
      return Math.round(performance.now() - since);
    } catch {
      await sleep(100);
    }
  }
  return NaN;
}

function windowOf(
  state: 'up' | 'down',
  durationMs: number,
  t: Tally,
  rooms: Array<{ members: EmulatedParticipant[] }>,
): OutageWindow {
  let scheduled = 0;
  let expected = 0;
  for (const room of rooms) {
    for (const p of room.members) {
      const n = t.scheduled.get(p) ?? 0;
      scheduled += n;
      expected += n * (room.members.length - 1);
    }
  }
  const ratio = (a: number, b: number) => (b === 0 ? NaN : a / b);
  return {
    redis: state,
    durationMs,
    media: {
      scheduled,
      expected,
      received: t.received,
      delivery: ratio(t.received, expected),
      latency: summarize(t.media),
    },
    chat: {
      sent: t.chatSent,
      expected: t.chatExpected,
      received: t.chatReceived,
      delivery: ratio(t.chatReceived, t.chatExpected),
      ackFailed: t.ackFailed,
      ackErrors: t.ackErrors,
      latency: summarize(t.chat),
    },
    hdr: { media: encode(t.media), chat: encode(t.chat) },
  };
}

function windowLine(w: OutageWindow): string {
  return (
    `  Redis ${w.redis}, ${w.durationMs / 1000} s: media ${w.media.received}/${w.media.expected} ` +
    `(p50/p99 ${w.media.latency.p50}/${w.media.latency.p99} ms), chat ${w.chat.received}/${w.chat.expected} ` +
    `(p50/p99 ${w.chat.latency.p50}/${w.chat.latency.p99} ms, ${w.chat.ackFailed} acks not ok)`
  );
}
