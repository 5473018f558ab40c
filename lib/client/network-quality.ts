/**
 * Network quality from WebRTC getStats(): counters read from a report, loss
 * over the last interval, and three levels. Pure, so the thresholds are tested
 * without a browser; media-session.ts gathers the reports.
 */
export type QualityLevel = 'good' | 'fair' | 'poor';

/** Cumulative counters of one link at one moment (what a getStats() report says). */
export interface LinkCounters {
  /** Round-trip time to the SFU, ms (null: not measured yet). */
  rttMs: number | null;
  /** RTP packets sent (our side) or expected (received + lost, their side). */
  packets: number;
  lost: number;
}

/** One link's figures over the last interval. */
export interface LinkQuality {
  level: QualityLevel;
  rttMs: number | null;
  /** Percent of packets lost since the previous sample. */
  lossPct: number;
}

/**
 * Thresholds in the spirit of ITU-T G.114 and what Meet and Jitsi show: under
 * 150 ms and 2 % loss a call feels live; past 400 ms or 8 % speech breaks up.
 */
export const THRESHOLDS = { fair: { rttMs: 150, lossPct: 2 }, poor: { rttMs: 400, lossPct: 8 } } as const;

export function qualityLevel(rttMs: number | null, lossPct: number): QualityLevel {
  const rtt = rttMs ?? 0;
  if (rtt >= THRESHOLDS.poor.rttMs || lossPct >= THRESHOLDS.poor.lossPct) return 'poor';
  if (rtt >= THRESHOLDS.fair.rttMs || lossPct >= THRESHOLDS.fair.lossPct) return 'fair';
  return 'good';
}

/** Loss over the interval between two samples; a counter that went backwards (a new transport) starts over. */
export function linkQuality(previous: LinkCounters | null, current: LinkCounters): LinkQuality {
  const fresh = !previous || current.packets < previous.packets || current.lost < previous.lost;
  const packets = fresh ? current.packets : current.packets - previous.packets;
  const lost = fresh ? current.lost : current.lost - previous.lost;
  const lossPct = packets > 0 ? Math.min(100, (100 * Math.max(0, lost)) / packets) : 0;
  return { level: qualityLevel(current.rttMs, lossPct), rttMs: current.rttMs, lossPct };
}

/** The fields of RTCStats entries we read (the DOM types make every one optional). */
interface StatsEntry {
  type: string;
  kind?: string;
  state?: string;
  nominated?: boolean;
  currentRoundTripTime?: number;
  roundTripTime?: number;
  packetsSent?: number;
  packetsReceived?: number;
  packetsLost?: number;
  selectedCandidatePairId?: string;
  id: string;
}

/**
 * The counters of one getStats() report. `send`: packets we sent and the
 * SFU's reports of what it lost (remote-inbound-rtp). `recv`: packets we got
 * and lost. The round trip is the selected ICE pair's, else the RTCP one.
 */
export function countersFrom(report: Iterable<StatsEntry>, direction: 'send' | 'recv'): LinkCounters {
  const entries = [...report];
  const selected = entries.find((e) => e.type === 'transport')?.selectedCandidatePairId;
  const pair =
    entries.find((e) => e.type === 'candidate-pair' && e.id === selected) ??
    entries.find((e) => e.type === 'candidate-pair' && e.state === 'succeeded' && e.nominated);
  const rtcpRtt = entries.find((e) => e.type === 'remote-inbound-rtp' && e.roundTripTime !== undefined)?.roundTripTime;
  const seconds = pair?.currentRoundTripTime ?? rtcpRtt;
  const rttMs = seconds === undefined ? null : Math.round(seconds * 1000);
  let packets = 0;
  let lost = 0;
  for (const e of entries) {
    if (direction === 'send' && e.type === 'outbound-rtp') packets += e.packetsSent ?? 0;
    if (direction === 'send' && e.type === 'remote-inbound-rtp') lost += Math.max(0, e.packetsLost ?? 0);
    if (direction === 'recv' && e.type === 'inbound-rtp') {
      const l = Math.max(0, e.packetsLost ?? 0);
      packets += (e.packetsReceived ?? 0) + l;
      lost += l;
    }
  }
  return { rttMs, packets, lost };
}

/** Adds a second link's counters (a participant's mic and camera), keeping the worse round trip. */
export function addCounters(a: LinkCounters | undefined, b: LinkCounters): LinkCounters {
  if (!a) return b;
  const rtts = [a.rttMs, b.rttMs].filter((x): x is number => x !== null);
  return { rttMs: rtts.length ? Math.max(...rtts) : null, packets: a.packets + b.packets, lost: a.lost + b.lost };
}

/** The tooltip's English text (the tile itself uses the `network` messages of the chosen language). */
export function describeQuality(q: LinkQuality): string {
  const level = { good: 'Good', fair: 'Fair', poor: 'Poor' }[q.level];
  const rtt = q.rttMs === null ? 'round trip not measured yet' : `round trip ${q.rttMs} ms`;
  return `${level} connection: ${rtt}, ${formatLoss(q.lossPct)}% packet loss`;
}

/** Packet loss as shown: one decimal below 10 %, whole numbers above. */
export function formatLoss(lossPct: number): string {
  return lossPct < 10 ? lossPct.toFixed(1) : String(Math.round(lossPct));
}

/** How long my own link must stay poor before the "unstable" banner shows (one bad sample is noise). */
export const UNSTABLE_AFTER_MS = 4_000;

/** Since when my own link has been poor without a break (null: it is not poor). */
export function poorSince(previous: number | null, level: QualityLevel | null, now: number): number | null {
  if (level !== 'poor') return null;
  return previous ?? now;
}

export function isUnstable(since: number | null, now: number): boolean {
  return since !== null && now - since >= UNSTABLE_AFTER_MS;
}
