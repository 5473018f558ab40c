import { describe, expect, it } from 'vitest';
import {
  addCounters,
  countersFrom,
  describeQuality,
  isUnstable,
  linkQuality,
  poorSince,
  qualityLevel,
  UNSTABLE_AFTER_MS,
} from '../../lib/client/network-quality';

describe('quality levels', () => {
  it('good under 150 ms and 2 % loss, fair up to 400 ms and 8 %, poor past either', () => {
    expect(qualityLevel(20, 0)).toBe('good');
    expect(qualityLevel(149, 1.9)).toBe('good');
    expect(qualityLevel(150, 0)).toBe('fair');
    expect(qualityLevel(20, 2)).toBe('fair');
    expect(qualityLevel(399, 7.9)).toBe('fair');
    expect(qualityLevel(400, 0)).toBe('poor');
    expect(qualityLevel(20, 8)).toBe('poor');
  });

  it('an unmeasured round trip is judged on loss alone', () => {
    expect(qualityLevel(null, 0)).toBe('good');
    expect(qualityLevel(null, 10)).toBe('poor');
  });
});

describe('loss over an interval', () => {
  it('counts only what was lost since the previous sample', () => {
    const before = { rttMs: 30, packets: 1_000, lost: 100 };
    expect(linkQuality(before, { rttMs: 30, packets: 2_000, lost: 110 })).toEqual({
      level: 'good',
      rttMs: 30,
      lossPct: 1,
    });
    expect(linkQuality(before, { rttMs: 30, packets: 1_100, lost: 120 }).level).toBe('poor');
  });

  it('starts over when the counters go backwards (a new transport), and reads no traffic as no loss', () => {
    const before = { rttMs: 30, packets: 5_000, lost: 10 };
    expect(linkQuality(before, { rttMs: 30, packets: 100, lost: 5 }).lossPct).toBe(5);
    expect(linkQuality(before, { rttMs: 30, packets: 5_000, lost: 10 }).lossPct).toBe(0);
    expect(linkQuality(null, { rttMs: null, packets: 0, lost: 0 })).toEqual({ level: 'good', rttMs: null, lossPct: 0 });
  });
});

describe('reading a getStats() report', () => {
  const report = [
    { type: 'transport', id: 'T', selectedCandidatePairId: 'P2' },
    { type: 'candidate-pair', id: 'P1', state: 'succeeded', nominated: true, currentRoundTripTime: 0.5 },
    { type: 'candidate-pair', id: 'P2', state: 'succeeded', nominated: true, currentRoundTripTime: 0.042 },
    { type: 'outbound-rtp', id: 'o1', packetsSent: 900 },
    { type: 'outbound-rtp', id: 'o2', packetsSent: 100 },
    { type: 'remote-inbound-rtp', id: 'r1', packetsLost: 12, roundTripTime: 0.09 },
    { type: 'inbound-rtp', id: 'i1', packetsReceived: 480, packetsLost: 20 },
  ];

  it('send side: packets sent, what the SFU reports lost, the selected pair round trip', () => {
    expect(countersFrom(report, 'send')).toEqual({ rttMs: 42, packets: 1_000, lost: 12 });
  });

  it('receive side: received plus lost is what was expected', () => {
    expect(countersFrom(report, 'recv')).toEqual({ rttMs: 42, packets: 500, lost: 20 });
  });

  it('falls back to the RTCP round trip, and to none', () => {
    const rtcpOnly = report.filter((e) => e.type !== 'candidate-pair');
    expect(countersFrom(rtcpOnly, 'send').rttMs).toBe(90);
    expect(countersFrom([], 'recv')).toEqual({ rttMs: null, packets: 0, lost: 0 });
  });

  it("adds a participant's streams, keeping the worse round trip", () => {
    expect(addCounters({ rttMs: 40, packets: 10, lost: 1 }, { rttMs: 90, packets: 5, lost: 0 })).toEqual({
      rttMs: 90,
      packets: 15,
      lost: 1,
    });
    expect(addCounters(undefined, { rttMs: null, packets: 1, lost: 0 })).toEqual({ rttMs: null, packets: 1, lost: 0 });
  });
});

describe('what the user reads', () => {
  it('the tooltip gives the level and the figures', () => {
    expect(describeQuality({ level: 'fair', rttMs: 180, lossPct: 1.25 })).toBe(
      'Fair connection: round trip 180 ms, 1.3% packet loss',
    );
    expect(describeQuality({ level: 'good', rttMs: null, lossPct: 0 })).toBe(
      'Good connection: round trip not measured yet, 0.0% packet loss',
    );
  });

  it('"unstable" only after my link stayed poor for a few seconds without a break', () => {
    let since = poorSince(null, 'poor', 1_000);
    expect(isUnstable(since, 1_000)).toBe(false);
    since = poorSince(since, 'poor', 1_000 + UNSTABLE_AFTER_MS);
    expect(isUnstable(since, 1_000 + UNSTABLE_AFTER_MS)).toBe(true);
    since = poorSince(since, 'fair', 9_000);
    expect(since).toBeNull();
    expect(isUnstable(poorSince(since, 'poor', 10_000), 10_000 + UNSTABLE_AFTER_MS - 1)).toBe(false);
  });
});
