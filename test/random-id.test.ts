import { describe, expect, it } from 'vitest';
import { randomId } from '../server/random-id';

describe('randomId', () => {
  it('gives base64url ids of the asked size that never repeat, across many refills of its pool', () => {
    const ids = Array.from({ length: 5_000 }, () => randomId(9)); // 45 KB: the 4 KB pool refills ~11 times
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(randomId(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('hands out bytes that look uniformly random (no zeroed or reused pool)', () => {
    const counts = new Map<string, number>();
    const total = 64 * 2_000;
    for (let i = 0; i < 2_000; i++) for (const ch of randomId(48)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
    // 64 symbols: each should appear ~2,000 times; a stuck or zeroed pool would skew this badly.
    expect(counts.size).toBe(64);
    for (const n of counts.values()) expect(Math.abs(n - total / 64)).toBeLessThan(400);
  });

  it('still serves requests larger than its pool', () => {
    expect(randomId(5_000)).toHaveLength(Math.ceil((5_000 * 4) / 3));
  });
});
