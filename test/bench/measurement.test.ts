/** The bench's own measuring rules: open-loop timing, merged histograms, and how a window is judged. */
import { describe, expect, it } from 'vitest';
import { decode, encode, histogram, merge, recordMs, summarize } from '../../bench/lib/hdr';
import { Scheduler } from '../../bench/signaling/scheduler';
import { judge } from '../../bench/signaling/suite';

const busyFor = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('open-loop scheduling', () => {
  it('a send the process runs late still gets its scheduled time, so the stall counts as latency', async () => {
    const scheduler = new Scheduler();
    const due = performance.now() + 5;
    const ran = new Promise<{ scheduled: number; at: number }>((resolve) =>
      scheduler.at(due, (scheduled) => resolve({ scheduled, at: performance.now() })),
    );
    busyFor(80); // the sender's own event loop is stuck past the send time
    const { scheduled, at } = await ran;
    expect(scheduled).toBe(due);
    expect(at - scheduled).toBeGreaterThanOrEqual(70);
  });

  it('a periodic job keeps its own cadence after a stall instead of drifting with it', async () => {
    const scheduler = new Scheduler();
    const first = performance.now() + 5;
    const times: number[] = [];
    const done = new Promise<void>((resolve) =>
      scheduler.every(first, 10, (t) => {
        // After the stall every overdue send runs at once, each with its own scheduled time.
        if (times.length < 4) times.push(t);
        if (times.length === 4) resolve();
      }),
    );
    busyFor(50);
    await done;
    scheduler.clear();
    expect(times).toEqual([first, first + 10, first + 20, first + 30]);
  });
});

describe('histograms', () => {
  it('percentiles come from the merged samples of every process, not from averaging their percentiles', () => {
    const calm = histogram();
    const stalled = histogram();
    for (let i = 0; i < 980; i++) recordMs(calm, 1);
    for (let i = 0; i < 20; i++) recordMs(stalled, 200);
    // Each side crosses a process boundary as compressed base64.
    const merged = summarize(merge([decode(encode(calm)), decode(encode(stalled))]));
    expect(merged.count).toBe(1000);
    expect(merged.p50).toBeCloseTo(1, 1);
    expect(merged.p99).toBeCloseTo(200, -1);
    expect(summarize(calm).p99).toBeCloseTo(1, 1);
  });
});

describe('judging a signaling window', () => {
  const window = (over: Record<string, unknown> = {}) =>
    ({
      n: 1000,
      rampJoin: { p50: 2, p99: 5, failed: 0, durationMs: 4000, serverCpuMsPerJoin: 2, serverCpuShare: 0.3 },
      join: { p50: 1, p99: 5, count: 40, failed: 0 },
      chat: { p50: 1, p99: 8, p999: 12, count: 800, delivery: 1 },
      toggle: { p50: 1, p99: 8, delivery: 1 },
      chatAckP99: 5,
      serverEldP99Ms: 8,
      serverEldMaxMs: 20,
      generatorEldMaxMs: 10,
      floor: { serverCoreEldP99Ms: 8, generatorCoreEldP99Ms: 8 },
      serverCpuShare: 0.3,
      cpuMsPer1000Delivered: 60,
      rssBytesPerParticipant: NaN,
      heapBytesPerParticipant: NaN,
      generatorCpuShare: 0.3,
      generatorEldP99Ms: 8,
      errors: [],
      ...over,
    }) as unknown as Parameters<typeof judge>[0];

  it('a window inside the bar with nothing lost passes', () => {
    expect(judge(window())).toEqual({ valid: true, pass: true, why: [] });
  });

  it('a single lost chat message fails the window even when latency is low', () => {
    const verdict = judge(window({ chat: { p50: 1, p99: 8, p999: 12, count: 799, delivery: 0.9999 } }));
    expect(verdict.pass).toBe(false);
    expect(verdict.why.join()).toContain('loss');
  });

  it('join or chat p99 above 100 ms fails the window', () => {
    expect(judge(window({ join: { p50: 1, p99: 101, count: 40, failed: 0 } })).pass).toBe(false);
    expect(judge(window({ chat: { p50: 1, p99: 100.5, p999: 120, count: 800, delivery: 1 } })).pass).toBe(false);
  });

  it('a window whose generator saturated its core is invalid, not a result', () => {
    expect(judge(window({ generatorCpuShare: 0.95 }))).toMatchObject({ valid: false, pass: false });
  });
});
