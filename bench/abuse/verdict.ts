/**
 * The abuse suite's rules, pure so test/bench can check them: when a window
 * counts, what "within 2× and under 50 ms", "bounded" and "the attacker gets
 * nothing it did not have before" mean for each attack, and how the runs
 * become one figure (latency: medians over runs; memory and what the attacker
 * got: the worst run, since one bad run is one too many).
 */
import { median, round } from '../lib/stats';
import { LIMITS } from '../../lib/text';
import type { AttackKind, Limits } from './attacks';

export const MAX_RATIO = 2;
export const MAX_P99_MS = 50;
/** RSS growth any window may show: V8's heap and socket buffers breathe by this much under load. */
export const RSS_SLACK_BYTES = 32 * 2 ** 20;
/** A chat message's JSON around its text (id, sender, time). */
const MESSAGE_OVERHEAD = 200;
/** A slow reader may be seen above the send-buffer cap for up to one sweep: this much over it. */
export const QUEUE_OVERSHOOT = 1.5;
/** Waiting-room traffic a moderator may get per accepted knock: a delta, never the whole list. */
export const LOBBY_CHARS_PER_KNOCK = 1024;
/** A window whose victims' generator used this share of its core measured the generator, not the server. */
export const SATURATED = 0.9;
/** Idle processes stalled this long (p99) while a pair was measured: the machine, not the attack, may have spoken. */
export const NOISY_FLOOR_MS = 20;

/** One victims' window, as judged. */
export interface WindowFigures {
  valid: boolean;
  why: string[];
  chat: { p50: number; p99: number; sent: number; refused: number; lost: number };
  host: { p50: number; p99: number; sent: number; refused: number };
  victimsDisconnected: number;
  server: { cpuShare: number; eldP99Ms: number; rssBefore: number; rssPeak: number; rssEnd: number };
  generatorCpuShare: number;
  floorEldP99Ms: number;
}

/** What the attacker got in one attacked window, from its side, the victims' and the server's. */
export interface Got {
  /** Room-wide events the attacker caused, as received by each victim (chat, reactions, hands). */
  broadcastsPerVictim: number;
  /** Its arrivals and departures as each victim saw them (user-joined, user-left). */
  presencePerVictim: number;
  sent: number;
  answers: number;
  connectsTried: number;
  connectsRefused: number;
  closedByServer: number;
  joined: number;
  knocksAccepted: number;
  refused: Record<string, number>;
  /** The server's view of the attacker's sockets. */
  connectedAtEnd: number;
  peakConnected: number;
  peakQueuedBytes: number;
  lobbyCharsPerModerator: number;
}

export interface Pair {
  run: number;
  attack: AttackKind;
  ip: string;
  baseline: WindowFigures;
  attacked: WindowFigures;
  got: Got;
  /** Server RSS once the attacker was gone and the room was back to its victims. */
  rssAfter: number;
  /** How long the attack ran before the victims' window, and after it until the server had cut it (slow readers). */
  leadMs: number;
  tailMs: number;
}

/** What the whole attack is judged against. */
export interface Setting {
  limits: Limits;
  /** The attacker's sockets (identities for the knock flood). */
  size: number;
  /** Victims in the meeting. */
  victims: number;
  /** The victims' window with its drain. */
  windowMs: number;
}

/**
 * Whether a window counts: the victims' generator had spare CPU and the
 * victims sent their load. A window without an attacker must also be one in
 * which nothing was refused or lost: otherwise something from before (a
 * spent room budget, a cut victim) was still in effect, and it is no baseline.
 */
export function validity(
  w: Pick<WindowFigures, 'generatorCpuShare' | 'chat' | 'host' | 'victimsDisconnected'>,
  underAttack: boolean,
): { valid: boolean; why: string[] } {
  const why: string[] = [];
  if (w.generatorCpuShare >= SATURATED)
    why.push(`victims' generator saturated its core (${Math.round(w.generatorCpuShare * 100)}% CPU)`);
  if (w.chat.sent === 0) why.push('the victims sent nothing');
  if (!underAttack && w.chat.refused + w.chat.lost + w.host.refused + w.victimsDisconnected > 0)
    why.push(
      `without an attacker, ${w.chat.refused} messages refused, ${w.chat.lost} deliveries lost, ${w.host.refused} host actions refused, ${w.victimsDisconnected} victims cut`,
    );
  return { valid: why.length === 0, why };
}

/**
 * Whether a pair that missed a latency target should be measured again: the
 * idle processes beside it stalled in either window (as in the signaling suite).
 */
export function remeasure(p: Pick<Pair, 'baseline' | 'attacked'>): boolean {
  const missed = (side: 'chat' | 'host') =>
    !latencyMet(p.attacked[side].p99 / p.baseline[side].p99, p.attacked[side].p99);
  return (
    (missed('chat') || missed('host')) && Math.max(p.baseline.floorEldP99Ms, p.attacked.floorEldP99Ms) > NOISY_FLOOR_MS
  );
}

/** Under attack, p99 within MAX_RATIO× of the no-attack p99 (the median pair's ratio) and at most MAX_P99_MS. */
export function latencyMet(ratioP99: number, attackedP99: number): boolean {
  return ratioP99 <= MAX_RATIO && attackedP99 <= MAX_P99_MS;
}

/**
 * The most RSS an attack may add: the slack, plus what the caps let this
 * attacker make the server hold at once, and nothing that grows with time.
 * Slow readers: each one's send-buffer cap (and one sweep's overshoot).
 * Amplification: one whole share of the attacker's IP of the longest
 * messages, written to every socket in the room at once (its window is
 * fixed; the pace spreads it, but nothing here counts on that).
 */
export function rssBoundBytes(kind: AttackKind, s: Omit<Setting, 'windowMs'>): number {
  if (kind === 'slow-readers') return RSS_SLACK_BYTES + s.size * s.limits.sendBufferBytes * QUEUE_OVERSHOOT;
  if (kind === 'amplification')
    return RSS_SLACK_BYTES + s.limits.ipBroadcasts.points * (LIMITS.chatText + MESSAGE_OVERHEAD) * (s.victims + s.size);
  return RSS_SLACK_BYTES;
}

/**
 * Whether the attacker got nothing it did not have before, and if not, what.
 * For every attack: no victim disconnected, every victim's message accepted
 * and delivered, every host action accepted. Then per attack:
 * - flood: nothing reached the victims, and none of its sockets is still connected;
 * - amplification: its broadcasts reach each victim no faster than its IP's share of the meeting
 *   allows (all its sockets come from one address): see ipShareAllows;
 * - slow readers: never more queued for one of them than the send-buffer cap (and one sweep's overshoot);
 * - knock flood: nobody let in, no more waiting than the cap, and moderators get deltas, not lists.
 */
export function attackerGotNothing(
  kind: AttackKind,
  got: Got,
  victims: Pick<WindowFigures, 'chat' | 'host' | 'victimsDisconnected'>,
  { limits, windowMs }: Pick<Setting, 'limits' | 'windowMs'>,
): { ok: boolean; why: string[] } {
  const why: string[] = [];
  if (victims.victimsDisconnected > 0) why.push(`${victims.victimsDisconnected} victim(s) disconnected`);
  if (victims.chat.refused > 0) why.push(`${victims.chat.refused} of ${victims.chat.sent} victims' messages refused`);
  if (victims.chat.lost > 0) why.push(`${victims.chat.lost} victims' message deliveries lost`);
  if (victims.host.refused > 0) why.push(`${victims.host.refused} of ${victims.host.sent} host actions refused`);
  switch (kind) {
    case 'flood':
      if (got.broadcastsPerVictim + got.presencePerVictim > 0) why.push('its events reached the victims');
      if (got.joined > 0) why.push(`joined the meeting ${got.joined} time(s)`);
      if (got.connectedAtEnd > 0) why.push(`${got.connectedAtEnd} socket(s) still connected at the end`);
      break;
    case 'amplification': {
      const allowed = ipShareAllows(limits.ipBroadcasts, windowMs);
      if (got.broadcastsPerVictim > allowed)
        why.push(
          `${round(got.broadcastsPerVictim, 0)} broadcasts reached each victim (its IP's share: ${round(allowed, 0)})`,
        );
      break;
    }
    case 'slow-readers':
      if (got.peakQueuedBytes > limits.sendBufferBytes * QUEUE_OVERSHOOT)
        why.push(
          `${round(got.peakQueuedBytes / 2 ** 20, 1)} MB queued for one reader (cap ${round(limits.sendBufferBytes / 2 ** 20, 1)} MB)`,
        );
      break;
    case 'knock-flood':
      if (got.joined > 0) why.push(`${got.joined} knocker(s) let in`);
      if (got.knocksAccepted > limits.waitingRoomCap)
        why.push(`${got.knocksAccepted} knocks waiting (cap ${limits.waitingRoomCap})`);
      if (got.lobbyCharsPerModerator > LOBBY_CHARS_PER_KNOCK * Math.max(1, got.knocksAccepted))
        why.push(`${round(got.lobbyCharsPerModerator / 1024, 0)} KB of waiting-room updates per moderator`);
      break;
  }
  return { ok: why.length === 0, why };
}

/**
 * The most broadcasts one IP's sockets can get to a victim within `windowMs`:
 * the lesser of its share (a whole share in each fixed window the span
 * touches) and its pace (perSecond per second, plus the burst of a third of
 * that in each second the span touches); see server/signaling/rate-limits.ts.
 */
export function ipShareAllows(share: Limits['ipBroadcasts'], windowMs: number): number {
  const s = windowMs / 1000;
  const byShare = share.points * (Math.ceil(s / share.seconds) + 1);
  const byPace = share.perSecond * s + Math.ceil(share.perSecond / 3) * (Math.ceil(s) + 1);
  return Math.min(byShare, byPace);
}

const MB = (bytes: number) => round(bytes / 2 ** 20, 1);
const worst = (xs: number[]) => (xs.length ? Math.max(...xs) : NaN);

/** One attack over its runs: medians for latency and CPU, the worst run for memory and for what the attacker got. */
export function summarizeAttack(kind: AttackKind, pairs: Pair[], setting: Setting) {
  const valid = pairs.filter((p) => p.baseline.valid && p.attacked.valid);
  const med = (pick: (p: Pair) => number) => round(median(valid.map(pick)), 2);
  const latency = (side: 'chat' | 'host') => {
    const baselineP99 = med((p) => p.baseline[side].p99);
    const attackedP99 = med((p) => p.attacked[side].p99);
    const ratioP99 = med((p) => p.attacked[side].p99 / p.baseline[side].p99);
    return {
      baselineP50: med((p) => p.baseline[side].p50),
      baselineP99,
      attackedP50: med((p) => p.attacked[side].p50),
      attackedP99,
      ratioP99,
      met: valid.length > 0 && latencyMet(ratioP99, attackedP99),
    };
  };
  const boundBytes = rssBoundBytes(kind, setting);
  const growth = worst(valid.map((p) => p.attacked.server.rssPeak - p.attacked.server.rssBefore));
  const judged = valid.map((p) => attackerGotNothing(kind, p.got, p.attacked, setting));
  const sum = (pick: (p: Pair) => number) => valid.reduce((a, p) => a + pick(p), 0);
  return {
    attack: kind,
    pairs: valid.length,
    voided: pairs.length - valid.length,
    chat: latency('chat'),
    host: latency('host'),
    victimChat: {
      sent: sum((p) => p.attacked.chat.sent),
      refused: sum((p) => p.attacked.chat.refused),
      lost: sum((p) => p.attacked.chat.lost),
    },
    server: {
      baselineCpuShare: med((p) => p.baseline.server.cpuShare),
      attackedCpuShare: med((p) => p.attacked.server.cpuShare),
      baselineEldP99Ms: med((p) => p.baseline.server.eldP99Ms),
      attackedEldP99Ms: med((p) => p.attacked.server.eldP99Ms),
    },
    rss: {
      beforeMb: MB(median(valid.map((p) => p.attacked.server.rssBefore))),
      baselinePeakGrowthMb: MB(worst(valid.map((p) => p.baseline.server.rssPeak - p.baseline.server.rssBefore))),
      attackedPeakGrowthMb: MB(growth),
      attackedEndGrowthMb: MB(worst(valid.map((p) => p.attacked.server.rssEnd - p.attacked.server.rssBefore))),
      afterGrowthMb: MB(worst(valid.map((p) => p.rssAfter - p.attacked.server.rssBefore))),
      boundMb: MB(boundBytes),
      met: valid.length > 0 && growth <= boundBytes,
    },
    got: {
      ok: valid.length > 0 && judged.every((j) => j.ok),
      why: valid.flatMap((p, i) => judged[i]!.why.map((w) => `run ${p.run}: ${w}`)),
    },
  };
}
export type AttackSummary = ReturnType<typeof summarizeAttack>;
