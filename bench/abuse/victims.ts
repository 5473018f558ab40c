/**
 * The victims, in their own pinned process: one meeting with its creator as
 * host, co-hosts named by the host, and plain participants. Every participant
 * chats and every moderator acts (mute-participant, set-permissions) at a
 * steady open-loop rate for as long as the process runs; a window times what
 * was scheduled inside it, from the *scheduled* send time, so a stall anywhere
 * (generator, server, kernel) counts as latency. Everything else the victims
 * receive is counted by who caused it: a victim or someone else (an attacker).
 */
import { encode, histogram, recordMs, summarize, type Histogram } from '../lib/hdr';
import { serve } from '../lib/rpc';
import { SelfMeter } from '../lib/stats';
import { Scheduler } from '../signaling/scheduler';
import type { ErrorBody, RoomJoined } from '../../lib/protocol';
import { Wire } from './wire';

const JOIN_TIMEOUT_MS = 10_000;
/** Victims' chat text starts with this, then the scheduled send time and the sender's index. */
const MARK = 'v';
const CHAT_PREFIX = '42["new-message",';
const TEXT_AT = '"text":"';

interface Victim {
  index: number;
  wire: Wire;
  id: string;
  role: 'host' | 'cohost' | 'participant';
}

interface Counter {
  count: number;
  chars: number;
}

interface Window {
  start: number;
  end: number;
  chat: Histogram;
  host: Histogram;
  chatSent: number;
  chatAccepted: number;
  chatReceived: number;
  chatRefused: Record<string, number>;
  hostSent: number;
  hostAcked: number;
  hostRefused: Record<string, number>;
  /** Events the victims received, by event name, split by whether a victim caused them. */
  fromVictims: Record<string, Counter>;
  fromOthers: Record<string, Counter>;
  /** Waiting-room events to moderators (knock-added, knock-removed, lobby-updated). */
  lobby: Counter;
  errors: string[];
}

const sched = new Scheduler();
const meter = new SelfMeter();
const victims: Victim[] = [];
const victimIds = new Set<string>();
let disconnected = 0;
let win: Window | null = null;
let counting = false;

const inWindow = (t: number) => win !== null && t >= win.start && t < win.end;
const error = (msg: string) => {
  if (win && win.errors.length < 20) win.errors.push(msg);
};
const bump = (rec: Record<string, Counter>, key: string, chars: number) => {
  const c = (rec[key] ??= { count: 0, chars: 0 });
  c.count++;
  c.chars += chars;
};
const refusedAs = (rec: Record<string, number>, e: ErrorBody | undefined) => {
  const code = e?.code ?? 'UNKNOWN';
  rec[code] = (rec[code] ?? 0) + 1;
};

/** Who caused an event the server sent: the participant it names, if any. */
function causeOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const d = data as { participantId?: unknown; participant?: { participantId?: unknown } };
  const id = d.participantId ?? d.participant?.participantId;
  return typeof id === 'string' ? id : null;
}

/** The hot path: chat packets are read with string scans; the rest is rare enough to parse. */
function onChat(packet: string, receiver: number): boolean {
  if (!packet.startsWith(CHAT_PREFIX)) return false;
  const at = packet.indexOf(TEXT_AT) + TEXT_AT.length;
  if (packet.charAt(at) !== MARK) {
    if (counting) bump(win!.fromOthers, 'new-message', packet.length);
    return true;
  }
  if (counting) bump(win!.fromVictims, 'new-message', packet.length);
  const bar = packet.indexOf('|', at);
  const t = Number(packet.slice(at + 1, bar));
  const sender = Number(packet.slice(bar + 1, packet.indexOf('|', bar + 1)));
  // Only what others receive is delivery; the sender's own copy is not.
  if (receiver !== sender && inWindow(t)) {
    win!.chatReceived++;
    recordMs(win!.chat, performance.now() - t);
  }
  return true;
}

function listen(v: Victim): void {
  v.wire.onPacket = (packet) => onChat(packet, v.index);
  v.wire.onEvent = (event, data) => {
    if (event === 'error') error(`error event: ${JSON.stringify(data)}`);
    if (!counting) return;
    const chars = JSON.stringify(data).length;
    if (event === 'knock-added' || event === 'knock-removed' || event === 'lobby-updated') {
      win!.lobby.count++;
      win!.lobby.chars += chars;
      return;
    }
    const cause = causeOf(data);
    bump(cause !== null && !victimIds.has(cause) ? win!.fromOthers : win!.fromVictims, event, chars);
  };
  v.wire.onClose = () => {
    disconnected++;
    error(`victim ${v.index} (${v.role}) was disconnected`);
  };
}

function join(wire: Wire, code: string, name: string): Promise<RoomJoined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: join timeout`)), JOIN_TIMEOUT_MS);
    wire.onEvent = (event, data) => {
      if (event === 'room-joined') {
        clearTimeout(timer);
        resolve(data as RoomJoined);
      }
    };
    wire.emit('join-room', { roomCode: code, displayName: name }, (res) => {
      if (res.ok && 'pending' in res) reject(new Error(`${name}: had to knock`));
      else if (!res.ok) reject(new Error(`${name}: ${JSON.stringify(res.error)}`));
    });
  });
}

function sendChat(v: Victim, t: number, pad: string): void {
  const w = inWindow(t) ? win : null;
  if (w) w.chatSent++;
  v.wire.emit('send-message', { text: `${MARK}${t.toFixed(3)}|${v.index}|${pad}` }, (res) => {
    if (!w) return;
    if (res.ok) w.chatAccepted++;
    else refusedAs(w.chatRefused, res.error);
  });
}

/** Moderators alternate a mute of a plain participant and a room-wide permission switch (a room-updated to all). */
function hostAction(v: Victim, t: number, n: number, targets: Victim[]): void {
  const w = inWindow(t) ? win : null;
  if (w) w.hostSent++;
  const done = (res: { ok: boolean; error?: ErrorBody }) => {
    if (!w) return;
    if (!res.ok) return refusedAs(w.hostRefused, res.error);
    w.hostAcked++;
    recordMs(w.host, performance.now() - t);
  };
  if (n % 2 === 0) {
    const target = targets[(n / 2 + v.index) % targets.length]!;
    v.wire.emit('mute-participant', { participantId: target.id, kind: 'audio' }, done);
  } else {
    v.wire.emit('set-permissions', { canShareScreen: n % 4 === 1 }, done);
  }
}

async function init(o: {
  url: string;
  code: string;
  hostCookie: string;
  participants: number;
  cohosts: number;
  chatPeriodMs: number;
  hostPeriodMs: number;
  chatChars: number;
}) {
  const host: Victim = { index: 0, wire: new Wire(), id: '', role: 'host' };
  await host.wire.connect(o.url, { cookie: o.hostCookie });
  const joined = await join(host.wire, o.code, 'Host');
  if (joined.self.role !== 'host') throw new Error(`the meeting's creator joined as ${joined.self.role}`);
  host.id = joined.self.participantId;
  victims.push(host);
  for (let i = 1; i <= o.participants; i++) {
    const v: Victim = { index: i, wire: new Wire(), id: '', role: 'participant' };
    await v.wire.connect(o.url);
    v.id = (await join(v.wire, o.code, `Victim ${i}`)).self.participantId;
    victims.push(v);
  }
  for (const v of victims.slice(1, 1 + o.cohosts)) {
    await new Promise<void>((resolve, reject) =>
      host.wire.emit('set-role', { participantId: v.id, role: 'cohost' }, (res) =>
        res.ok ? resolve() : reject(new Error(`set-role: ${JSON.stringify(res.error)}`)),
      ),
    );
    v.role = 'cohost';
  }
  for (const v of victims) {
    victimIds.add(v.id);
    listen(v);
  }
  const pad = 'x'.repeat(Math.max(0, o.chatChars - 24));
  const targets = victims.filter((v) => v.role === 'participant');
  const now = performance.now();
  for (const v of victims) {
    // Random phases so sends spread evenly over each period.
    if (v.role !== 'host')
      sched.every(now + Math.random() * o.chatPeriodMs, o.chatPeriodMs, (t) => sendChat(v, t, pad));
    if (v.role === 'participant') continue;
    let n = 0;
    sched.every(now + Math.random() * o.hostPeriodMs, o.hostPeriodMs, (t) => hostAction(v, t, n++, targets));
  }
  return { victims: victims.length, moderators: victims.length - targets.length, hostId: host.id };
}

async function window({ durationMs, drainMs }: { durationMs: number; drainMs: number }) {
  const start = performance.now() + 50;
  const w: Window = {
    start,
    end: start + durationMs,
    chat: histogram(),
    host: histogram(),
    chatSent: 0,
    chatAccepted: 0,
    chatReceived: 0,
    chatRefused: {},
    hostSent: 0,
    hostAcked: 0,
    hostRefused: {},
    fromVictims: {},
    fromOthers: {},
    lobby: { count: 0, chars: 0 },
    errors: [],
  };
  win = w;
  const disconnectedBefore = disconnected;
  await new Promise((r) => setTimeout(r, 50));
  meter.start();
  counting = true;
  await new Promise((r) => setTimeout(r, durationMs + drainMs));
  counting = false;
  const self = meter.read();
  win = null;
  const others = victims.length - 1;
  const expected = w.chatAccepted * others;
  const moderators = victims.filter((v) => v.role !== 'participant').length;
  return {
    durationMs,
    drainMs,
    victims: victims.length,
    chat: {
      sent: w.chatSent,
      accepted: w.chatAccepted,
      refused: w.chatRefused,
      expected,
      received: w.chatReceived,
      delivery: expected === 0 ? 1 : w.chatReceived / expected,
      latency: summarize(w.chat),
      hdr: encode(w.chat),
    },
    host: {
      sent: w.hostSent,
      acked: w.hostAcked,
      refused: w.hostRefused,
      latency: summarize(w.host),
      hdr: encode(w.host),
    },
    fromVictims: w.fromVictims,
    fromOthers: w.fromOthers,
    lobbyPerModerator: { count: w.lobby.count / moderators, chars: w.lobby.chars / moderators },
    victimsDisconnected: disconnected - disconnectedBefore,
    generator: self,
    errors: w.errors,
  };
}
export type VictimWindow = Awaited<ReturnType<typeof window>>;

const host = () => victims.find((v) => v.role === 'host')!;

const api = {
  init,
  window,
  /** The host switches the meeting's waiting room (on for the knock flood's windows). */
  setWaitingRoom: ({ mode }: { mode: 'off' | 'guests' }) =>
    new Promise<void>((resolve, reject) =>
      host().wire.emit('set-waiting-room', { mode }, (res) =>
        res.ok ? resolve() : reject(new Error(`set-waiting-room: ${JSON.stringify(res.error)}`)),
      ),
    ),
  stop: () => {
    sched.clear();
    for (const v of victims) v.wire.close();
    return { closed: victims.length };
  },
};
export type VictimsApi = typeof api;
serve(api);
