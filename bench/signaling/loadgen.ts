/**
 * The signaling load generator, in its own pinned process. Participants join
 * in a ramp, then each sends 0.2 chat messages/s and 0.1 media toggles/s for
 * as long as the process runs; probe joins come and go during measurement
 * windows. Every latency is taken from the *scheduled* send time (open loop),
 * so a late timer or a busy generator shows up as latency, never hides it.
 */
import { encode, histogram, recordMs, summarize, type Histogram } from '../lib/hdr';
import { serve } from '../lib/rpc';
import { SelfMeter } from '../lib/stats';
import { RawClient } from './client';
import { Scheduler } from './scheduler';

const CHAT_PERIOD_MS = 5_000; // 0.2 messages/s
const TOGGLE_PERIOD_MS = 10_000; // 0.1 toggles/s
const JOIN_TIMEOUT_MS = 10_000;
/** BENCH_SLOW_MS=n: log every chat delivery slower than n ms (diagnosis). */
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 0);

interface Participant {
  index: number;
  client: RawClient;
  url: string;
  /** Fan-out events it received while counting (per node, for the cluster suite). */
  delivered: number;
  room: Room;
  id: string;
  audio: boolean;
  lastToggleAt: number;
}

interface Room {
  code: string;
  /** The node its participants connect to (the cluster suite's room-affine placement); else they alternate. */
  url?: string;
  size: number;
  members: Participant[];
}

interface Window {
  start: number;
  end: number;
  chat: Histogram;
  toggle: Histogram;
  ack: Histogram;
  probe: Histogram;
  chatSent: number;
  chatExpected: number;
  chatReceived: number;
  toggleSent: number;
  toggleExpected: number;
  toggleReceived: number;
  /** Every fan-out event (new-message, media-toggled) received by a steady participant while the window was open or draining. */
  deliveredAll: number;
  probeStarted: number;
  probeFailed: number;
  errors: string[];
}

const sched = new Scheduler();
const meter = new SelfMeter();
let urls: string[] = [];
const urlFor = (i: number) => urls[i % urls.length]!;
let rooms: Room[] = [];
let bigRoom: Room | null = null;
const participants: Participant[] = [];
const byId = new Map<string, Participant>();
let win: Window | null = null;
let counting = false;

const inWindow = (t: number) => win !== null && t >= win.start && t < win.end;
const error = (msg: string) => {
  if (win && win.errors.length < 20) win.errors.push(msg);
};

const CHAT_PREFIX = '42["new-message",';
const TOGGLE_PREFIX = '42["media-toggled",';

/**
 * The hot path: fan-out packets are read with string scans instead of
 * JSON.parse, so the generator spends its core on sockets, not parsing.
 */
function onFanOut(packet: string, to: Participant): boolean {
  if (packet.startsWith(CHAT_PREFIX)) {
    const at = packet.indexOf('"text":"') + 8;
    const t = Number(packet.slice(at, packet.indexOf('|', at)));
    if (counting) {
      win!.deliveredAll++;
      to.delivered++;
    }
    if (inWindow(t)) {
      win!.chatReceived++;
      recordMs(win!.chat, performance.now() - t);
      if (SLOW_MS && performance.now() - t > SLOW_MS)
        process.stderr.write(
          `slow chat: +${Math.round(t - win!.start)} ms into the window, ${Math.round(performance.now() - t)} ms, sender ${packet.slice(packet.indexOf('|', at) + 1, packet.indexOf('"', at))}\n`,
        );
    }
    return true;
  }
  if (packet.startsWith(TOGGLE_PREFIX)) {
    const at = packet.indexOf('"participantId":"') + 17;
    const sender = byId.get(packet.slice(at, packet.indexOf('"', at)));
    if (counting) {
      win!.deliveredAll++;
      to.delivered++;
    }
    if (sender && inWindow(sender.lastToggleAt)) {
      win!.toggleReceived++;
      recordMs(win!.toggle, performance.now() - sender.lastToggleAt);
    }
    return true;
  }
  return false;
}

function onEvent(event: string, data: unknown): void {
  if (event === 'error' || event === 'join-error') error(`${event}: ${JSON.stringify(data)}`);
}

function sendChat(p: Participant, t: number): void {
  if (inWindow(t)) {
    win!.chatSent++;
    win!.chatExpected += p.room.members.length;
  }
  const w = win;
  p.client.emit('send-message', { text: `${t.toFixed(3)}|${p.index}` }, (res: { ok: boolean; error?: unknown }) => {
    if (!res.ok) error(`send-message: ${JSON.stringify(res.error)}`);
    if (w && w === win && t >= w.start && t < w.end) recordMs(w.ack, performance.now() - t);
  });
}

function sendToggle(p: Participant, t: number): void {
  p.audio = !p.audio;
  p.lastToggleAt = t;
  if (inWindow(t)) {
    win!.toggleSent++;
    win!.toggleExpected += p.room.members.length;
  }
  p.client.emit('toggle-media', { kind: 'audio', enabled: p.audio }, (res: { ok: boolean; error?: unknown }) => {
    if (!res.ok) error(`toggle-media: ${JSON.stringify(res.error)}`);
  });
}

/** Connects and joins; resolves with the participant id from room-joined. */
async function connectAndJoin(client: RawClient, url: string, code: string, name: string): Promise<string> {
  await client.connect(url);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('join timeout')), JOIN_TIMEOUT_MS);
    const previous = client.onEvent;
    client.onEvent = (event, data) => {
      if (event === 'room-joined') {
        clearTimeout(timer);
        client.onEvent = previous;
        resolve((data as { self: { participantId: string } }).self.participantId);
      } else if (event === 'join-error') {
        clearTimeout(timer);
        reject(new Error(`join-error ${JSON.stringify(data)}`));
      }
    };
    client.emit('join-room', { roomCode: code, displayName: name });
  });
}

/** The next room with a free seat: the room of 50 first, then rooms of 8. */
function nextRoom(): Room {
  if (bigRoom && bigRoom.members.length + pendingSeats.get(bigRoom)! < bigRoom.size) return bigRoom;
  const room = rooms.find((r) => r.members.length + pendingSeats.get(r)! < r.size);
  if (!room) throw new Error('out of rooms: ask the server for more');
  return room;
}
const pendingSeats = new Map<Room, number>();

async function grow({ to, rate }: { to: number; rate: number }) {
  const ramp = histogram();
  const failures: string[] = [];
  const start = performance.now();
  const jobs: Promise<void>[] = [];
  const from = participants.length;
  for (let i = from; i < to; i++) {
    const at = start + ((i - from) * 1000) / rate;
    jobs.push(
      new Promise<void>((done) => {
        sched.at(at, () => {
          const room = nextRoom();
          pendingSeats.set(room, pendingSeats.get(room)! + 1);
          const client = new RawClient();
          const url = room.url ?? urlFor(i);
          connectAndJoin(client, url, room.code, `bench ${i}`).then(
            (id) => {
              recordMs(ramp, performance.now() - at);
              pendingSeats.set(room, pendingSeats.get(room)! - 1);
              const p: Participant = { index: i, client, url, delivered: 0, room, id, audio: false, lastToggleAt: -1 };
              client.onEvent = onEvent;
              client.onEventPacket = (packet) => onFanOut(packet, p);
              room.members.push(p);
              participants.push(p);
              byId.set(id, p);
              // Random phases so sends spread evenly over each period.
              const now = performance.now();
              sched.every(now + Math.random() * CHAT_PERIOD_MS, CHAT_PERIOD_MS, (t) => sendChat(p, t));
              sched.every(now + Math.random() * TOGGLE_PERIOD_MS, TOGGLE_PERIOD_MS, (t) => sendToggle(p, t));
              done();
            },
            (err: Error) => {
              pendingSeats.set(room, pendingSeats.get(room)! - 1);
              failures.push(err.message);
              client.close();
              done();
            },
          );
        });
      }),
    );
  }
  await Promise.all(jobs);
  return {
    participants: participants.length,
    durationMs: Math.round(performance.now() - start),
    join: summarize(ramp),
    failures: failures.slice(0, 10),
    failed: failures.length,
  };
}

/** One probe: connect ahead of time, then join at the scheduled time and leave shortly after. */
let probeCount = 0;
function probe(at: number): void {
  const w = win!;
  const room = rooms[Math.floor(Math.random() * rooms.length)]!;
  const url = room.url ?? urlFor(probeCount++);
  const client = new RawClient();
  client.connect(url).then(
    () => {
      sched.at(at, () => {
        w.probeStarted++;
        const timer = setTimeout(() => {
          w.probeFailed++;
          error('probe join timeout');
          client.close();
        }, JOIN_TIMEOUT_MS);
        client.onEvent = (event, data) => {
          if (event === 'room-joined') {
            clearTimeout(timer);
            recordMs(w.probe, performance.now() - at);
            setTimeout(() => client.emit('leave-room', {}, () => client.close()), 200);
          } else if (event === 'join-error') {
            clearTimeout(timer);
            w.probeFailed++;
            error(`probe join-error ${JSON.stringify(data)}`);
            client.close();
          }
        };
        client.emit('join-room', { roomCode: room.code, displayName: 'probe' });
      });
    },
    (err: Error) => {
      w.probeStarted++;
      w.probeFailed++;
      error(`probe connect: ${err.message}`);
    },
  );
}

async function window({ durationMs, drainMs, probeRate }: { durationMs: number; drainMs: number; probeRate: number }) {
  const start = performance.now() + 50;
  win = {
    start,
    end: start + durationMs,
    chat: histogram(),
    toggle: histogram(),
    ack: histogram(),
    probe: histogram(),
    chatSent: 0,
    chatExpected: 0,
    chatReceived: 0,
    toggleSent: 0,
    toggleExpected: 0,
    toggleReceived: 0,
    deliveredAll: 0,
    probeStarted: 0,
    probeFailed: 0,
    errors: [],
  };
  const w = win;
  // Probes are connected ~300 ms ahead of their scheduled join, which is what is timed.
  const probes = Math.floor((durationMs / 1000) * probeRate);
  for (let i = 0; i < probes; i++) {
    const at = start + ((i + 0.5) * 1000) / probeRate;
    setTimeout(() => probe(at), Math.max(0, at - 300 - performance.now()));
  }
  await new Promise((r) => setTimeout(r, 50));
  meter.start();
  for (const p of participants) p.delivered = 0;
  counting = true;
  await new Promise((r) => setTimeout(r, durationMs + drainMs));
  counting = false;
  const self = meter.read();
  win = null;
  const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);
  return {
    durationMs,
    drainMs,
    probeRate,
    participants: participants.length,
    chat: {
      sent: w.chatSent,
      expected: w.chatExpected,
      received: w.chatReceived,
      delivery: ratio(w.chatReceived, w.chatExpected),
      latency: summarize(w.chat),
      hdr: encode(w.chat),
    },
    toggle: {
      sent: w.toggleSent,
      expected: w.toggleExpected,
      received: w.toggleReceived,
      delivery: ratio(w.toggleReceived, w.toggleExpected),
      latency: summarize(w.toggle),
      hdr: encode(w.toggle),
    },
    chatAck: summarize(w.ack),
    probe: { started: w.probeStarted, failed: w.probeFailed, latency: summarize(w.probe), hdr: encode(w.probe) },
    deliveredAll: w.deliveredAll,
    deliveredByUrl: Object.fromEntries(
      urls.map((u) => [u, participants.reduce((sum, p) => sum + (p.url === u ? p.delivered : 0), 0)]),
    ),
    generator: self,
    errors: w.errors,
  };
}

const api = {
  init: (args: {
    urls: string[];
    rooms8: string[];
    /** The room of 50, if any. */
    bigRoom?: string;
    /** Each room's node, by code (room-affine placement); rooms not listed alternate between `urls`. */
    roomUrls?: Record<string, string>;
  }) => {
    urls = args.urls;
    const url = (code: string) => args.roomUrls?.[code];
    rooms = args.rooms8.map((code) => ({ code, url: url(code), size: 8, members: [] }));
    bigRoom = args.bigRoom ? { code: args.bigRoom, url: url(args.bigRoom), size: 50, members: [] } : null;
    for (const r of [...rooms, ...(bigRoom ? [bigRoom] : [])]) pendingSeats.set(r, 0);
    return { ok: true };
  },
  grow,
  window,
  /** Each participant's room and node (the cluster suite checks its placement). */
  placement: () => participants.map((p) => ({ code: p.room.code, url: p.url })),
  stop: () => {
    sched.clear();
    for (const p of participants) p.client.close();
    return { closed: participants.length };
  },
};
export type LoadgenApi = typeof api;
serve(api);
