/**
 * The four attacks, each run by its own child process (bench/abuse/attacker.ts)
 * from its own loopback address. Each attacker is determined: a socket the
 * server cuts is opened again after RECONNECT_MS, with a fresh identity, for as
 * long as the attack runs. Each counts what it got, from its own side.
 */
import { REACTIONS, type ErrorBody } from '../../lib/protocol';
import { LIMITS } from '../../lib/text';
import { Wire } from './wire';

export const ATTACKS = ['flood', 'amplification', 'slow-readers', 'knock-flood'] as const;
export type AttackKind = (typeof ATTACKS)[number];

/** The limits in force on the server (its defaults), as [points, per seconds]. */
export interface Limits {
  chat: [number, number];
  react: [number, number];
  control: [number, number];
  join: [number, number];
  roomBroadcasts: [number, number];
  /** One client IP's share of a meeting's broadcasts: points per seconds, paced at perSecond. */
  ipBroadcasts: { points: number; seconds: number; perSecond: number };
  /** One client IP's joins: a burst at once, then perSecond, with up to `queue` waiting their turn. */
  joinsPerIp?: { perSecond: number; burst: number; queue: number };
  waitingRoomCap: number;
  sendBufferBytes: number;
  connectionsPerIp: number;
  knocksPerIp: [number, number];
}

export interface AttackTarget {
  url: string;
  code: string;
  ip: string;
  limits: Limits;
  /** Sockets (flood, amplification, slow readers) or identities (knock flood). */
  size: number;
}

/** What the attacker saw, from its side. */
export interface AttackStats {
  connectsTried: number;
  connectsOk: number;
  /** Handshakes the server refused (per-IP cap, cool-down) or that failed. */
  connectsRefused: number;
  /** Open connections the server closed. */
  closedByServer: number;
  /** Events sent. */
  sent: number;
  /** Acks and error events the server sent back. */
  answers: number;
  /** Meetings joined (room-joined received). */
  joined: number;
  /** Knocks the server put in the waiting room. */
  knocksAccepted: number;
  /** Acks refused, by error code. */
  refused: Record<string, number>;
  /** Acks accepted, by event. */
  accepted: Record<string, number>;
  /** Connections open when the attack stopped, as the attacker sees them. */
  openAtEnd: number;
  errors: string[];
}

export interface Attack {
  /** What it got so far, while the attack goes on. */
  peek(): AttackStats;
  stop(): AttackStats;
}

const RECONNECT_MS = 100;
/** Packets a flooder writes before yielding to its own event loop. */
const BATCH = 200;
/** A flooder pauses while this much is queued on its side (the server is not reading fast enough). */
const MAX_OWN_BUFFER = 1 << 20;

function newStats(): AttackStats {
  return {
    connectsTried: 0,
    connectsOk: 0,
    connectsRefused: 0,
    closedByServer: 0,
    sent: 0,
    answers: 0,
    joined: 0,
    knocksAccepted: 0,
    refused: {},
    accepted: {},
    openAtEnd: 0,
    errors: [],
  };
}

const count = (rec: Record<string, number>, key: string) => (rec[key] = (rec[key] ?? 0) + 1);
const periodMs = ([points, seconds]: [number, number]) => (seconds * 1000) / points;

/**
 * Keeps `n` connections open from the attacker's address: each slot connects,
 * runs `onOpen`, and when the server cuts it, connects again after RECONNECT_MS.
 * `onOpen` returns a cleanup for its timers.
 */
function slots(t: AttackTarget, n: number, stats: AttackStats, onOpen: (wire: Wire, slot: number) => () => void) {
  let running = true;
  const wires = new Set<Wire>();
  const answered = { closed: 0 };
  const open = (slot: number) => {
    if (!running) return;
    const wire = new Wire();
    stats.connectsTried++;
    wire.connect(t.url, { localAddress: t.ip }).then(
      () => {
        stats.connectsOk++;
        wires.add(wire);
        const cleanup = onOpen(wire, slot);
        wire.onClose = () => {
          cleanup();
          wires.delete(wire);
          answered.closed += wire.answers;
          if (!running) return;
          stats.closedByServer++;
          setTimeout(() => open(slot), RECONNECT_MS);
        };
      },
      (err: Error) => {
        stats.connectsRefused++;
        if (stats.errors.length < 5 && !stats.errors.includes(err.message)) stats.errors.push(err.message);
        setTimeout(() => open(slot), RECONNECT_MS);
      },
    );
  };
  for (let i = 0; i < n; i++) open(i);
  return {
    peek: () => structuredClone(stats),
    stop: () => {
      running = false;
      stats.openAtEnd = [...wires].filter((w) => w.connected).length;
      stats.answers = answered.closed + [...wires].reduce((a, w) => a + w.answers, 0);
      for (const w of wires) w.close();
      return stats;
    },
  };
}

/** Joins the meeting; resolves true once room-joined arrives. */
function joinRoom(wire: Wire, t: AttackTarget, name: string, stats: AttackStats): Promise<boolean> {
  return new Promise((resolve) => {
    const before = wire.onEvent;
    wire.onEvent = (event) => {
      if (event !== 'room-joined') return;
      stats.joined++;
      wire.onEvent = before;
      resolve(true);
    };
    wire.emit('join-room', { roomCode: t.code, displayName: name }, (res) => {
      if (!res.ok) {
        count(stats.refused, res.error.code);
        resolve(false);
      } else if ('pending' in res) resolve(false);
    });
  });
}

/** 1. Sockets that never join, sending a mix of unknown, invalid and not-in-room events as fast as they can. */
export function flood(t: AttackTarget): Attack {
  const stats = newStats();
  const packets = (wire: Wire) => [
    `42["no-such-event",{}]`,
    `42${wire.ackId()}["send-message",{"text":7}]`,
    `42${wire.ackId()}["send-message",{"text":"hello"}]`,
    `42${wire.ackId()}["raise-hand",{"raised":true}]`,
    `42["lock-room",{"locked":true}]`,
    `42${wire.ackId()}${JSON.stringify(['react', { emoji: REACTIONS[0] }])}`,
  ];
  return slots(t, t.size, stats, (wire) => {
    let live = true;
    const pump = () => {
      if (!live || !wire.connected) return;
      for (let i = 0; i < BATCH; i += 6) {
        for (const p of packets(wire)) wire.send(p);
        stats.sent += 6;
      }
      if (wire.buffered > MAX_OWN_BUFFER) setTimeout(pump, 1);
      else setImmediate(pump);
    };
    pump();
    return () => (live = false);
  });
}

/** Sends `send` every `ms` with an ack, counting accepted and refused answers by event and code. */
function every(wire: Wire, ms: number, event: string, stats: AttackStats, send: (ack: (res: Answer) => void) => void) {
  const first = setTimeout(() => tick(), Math.random() * ms);
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    timer = setInterval(() => fire(), ms);
    fire();
  };
  const fire = () => {
    stats.sent++;
    send((res) => (res.ok ? count(stats.accepted, event) : count(stats.refused, res.error.code)));
  };
  return () => {
    clearTimeout(first);
    if (timer) clearInterval(timer);
  };
}
type Answer = { ok: true } | { ok: false; error: ErrorBody };

/**
 * 2. Sockets that join the victims' meeting and each spend their whole
 * per-socket allowance on room-wide broadcasts: the longest chat messages
 * allowed, reactions, and hand raises toggled as fast as `control` allows.
 */
export function amplification(t: AttackTarget): Attack {
  const stats = newStats();
  const text = 'A'.repeat(LIMITS.chatText);
  return slots(t, t.size, stats, (wire, slot) => {
    const stops: Array<() => void> = [];
    let live = true;
    void joinRoom(wire, t, `Guest ${slot}`, stats).then((joined) => {
      if (!joined || !live) return;
      let raised = false;
      stops.push(
        every(wire, periodMs(t.limits.chat), 'send-message', stats, (ack) => wire.emit('send-message', { text }, ack)),
        every(wire, periodMs(t.limits.react), 'react', stats, (ack) =>
          wire.emit('react', { emoji: REACTIONS[slot % REACTIONS.length]! }, ack),
        ),
        every(wire, periodMs(t.limits.control), 'raise-hand', stats, (ack) =>
          wire.emit('raise-hand', { raised: (raised = !raised) }, ack),
        ),
      );
    });
    return () => {
      live = false;
      for (const s of stops) s();
    };
  });
}

/**
 * 3. Clients that join and then never read their socket, while making the
 * server send them as much as their allowance lets them ask for: the longest
 * chat messages (which fill the history) and page after page of that history.
 */
export function slowReaders(t: AttackTarget): Attack {
  const stats = newStats();
  const text = 'S'.repeat(LIMITS.chatText);
  return slots(t, t.size, stats, (wire, slot) => {
    const stops: Array<() => void> = [];
    let live = true;
    void joinRoom(wire, t, `Reader ${slot}`, stats).then((joined) => {
      if (!joined || !live) return;
      wire.pause();
      // Acks are never read: these only count what was asked for.
      stops.push(
        every(wire, periodMs(t.limits.chat), 'send-message', stats, () =>
          wire.emit('send-message', { text }, () => {}),
        ),
        every(wire, periodMs(t.limits.control), 'get-chat-history', stats, () =>
          wire.emit('get-chat-history', { limit: 100 }, () => {}),
        ),
      );
    });
    return () => {
      live = false;
      for (const s of stops) s();
    };
  });
}

/**
 * 4. Hundreds of fresh guest identities (one connection each, no cookie)
 * knocking on the victims' meeting while its waiting room is on, `CONCURRENT`
 * at a time, each knock held open until the attack stops.
 */
export function knockFlood(t: AttackTarget): Attack {
  const CONCURRENT = 50;
  const stats = newStats();
  const held = new Set<Wire>();
  let running = true;
  let next = 0;
  let inFlight = 0;
  const knock = async (i: number): Promise<void> => {
    const wire = new Wire();
    stats.connectsTried++;
    try {
      await wire.connect(t.url, { localAddress: t.ip });
    } catch (err) {
      stats.connectsRefused++;
      const message = (err as Error).message;
      if (stats.errors.length < 5 && !stats.errors.includes(message)) stats.errors.push(message);
      return;
    }
    stats.connectsOk++;
    wire.onEvent = (event) => {
      if (event === 'room-joined') stats.joined++;
    };
    wire.onClose = () => {
      held.delete(wire);
      if (running) stats.closedByServer++;
    };
    held.add(wire);
    stats.sent++;
    const res = await new Promise<Answer & { pending?: true }>((resolve) =>
      wire.emit('join-room', { roomCode: t.code, displayName: `Knocker ${i}` }, (r) => resolve(r as Answer)),
    );
    if (res.ok && res.pending) stats.knocksAccepted++;
    else if (!res.ok) {
      count(stats.refused, res.error.code);
      // Refused: this identity is spent, the next one tries.
      held.delete(wire);
      wire.onClose = () => {};
      wire.close();
    }
  };
  const launch = () => {
    while (running && inFlight < CONCURRENT && next < t.size) {
      inFlight++;
      void knock(next++).finally(() => {
        inFlight--;
        launch();
      });
    }
  };
  launch();
  return {
    peek: () => structuredClone(stats),
    stop: () => {
      running = false;
      stats.openAtEnd = [...held].filter((w) => w.connected).length;
      stats.answers = [...held].reduce((a, w) => a + w.answers, 0);
      for (const w of held) w.close();
      return stats;
    },
  };
}

export const attacks: Record<AttackKind, (t: AttackTarget) => Attack> = {
  flood,
  amplification,
  'slow-readers': slowReaders,
  'knock-flood': knockFlood,
};
