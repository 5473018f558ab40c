import { describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../server/config';
import { RateLimiter, type SpentPoints } from '../../server/signaling/rate-limits';

const limiter = () => new RateLimiter({ ...DEFAULT_RATE_LIMITS, chat: [3, 10] }, null);
const code = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as { code: string }).code;
  }
};

describe('per-socket rate limits', () => {
  it('a bucket allows its points per window, refuses the rest, and refills when the window ends', () => {
    const limits = limiter();
    const spent: SpentPoints = {};
    const t0 = 1_000_000;
    expect([0, 1, 2, 3, 4].map((i) => code(() => limits.consume('chat', spent, t0 + i)))).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(code(() => limits.consume('chat', spent, t0 + 9_999))).toBe('RATE_LIMITED');
    expect(code(() => limits.consume('chat', spent, t0 + 10_000))).toBe('ok');
  });

  it('the refusal says how long until the window ends', () => {
    const limits = limiter();
    const spent: SpentPoints = {};
    for (let i = 0; i < 3; i++) limits.consume('chat', spent, 0);
    expect(() => limits.consume('chat', spent, 2_500)).toThrow('retry in 8 s');
  });

  it('buckets and sockets are counted apart', () => {
    const limits = limiter();
    const flooder: SpentPoints = {};
    const other: SpentPoints = {};
    for (let i = 0; i < 3; i++) limits.consume('chat', flooder, 0);
    expect(code(() => limits.consume('chat', flooder, 1))).toBe('RATE_LIMITED');
    expect(code(() => limits.consume('control', flooder, 1))).toBe('ok');
    expect(code(() => limits.consume('chat', other, 1))).toBe('ok');
  });
});
