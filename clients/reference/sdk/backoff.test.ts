import { describe, expect, it } from 'vitest';
import { ExponentialBackoff } from './backoff.js';

describe('ExponentialBackoff', () => {
  it('doubles its ceiling from 1.5 s up to the cap, then gives up', () => {
    const top = new ExponentialBackoff({ random: () => 1 });
    expect([1, 2, 3, 4, 5, 6].map((k) => top.delayMs(k))).toEqual([
      1_500, 3_000, 6_000, 12_000, 15_000, 15_000,
    ]);
    expect(top.delayMs(7)).toBeUndefined();
    expect(top.delayMs(0)).toBeUndefined();
  });

  it('never waits less than 250 ms', () => {
    const bottom = new ExponentialBackoff({ random: () => 0 });
    expect([1, 2, 3].map((k) => bottom.delayMs(k))).toEqual([250, 250, 250]);
  });

  it('spreads the delays of many clients (coefficient of variation > 0.3)', () => {
    let seed = 42;
    const random = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (const attempt of [1, 2, 3]) {
      const delays = Array.from({ length: 2000 }, () =>
        new ExponentialBackoff({ random }).delayMs(attempt)!,
      );
      const mean = delays.reduce((a, b) => a + b, 0) / delays.length;
      const sd = Math.sqrt(delays.reduce((a, b) => a + (b - mean) ** 2, 0) / delays.length);
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(250);
      expect(sd / mean).toBeGreaterThan(0.35);
    }
  });

  it('can run without jitter (the ceiling every time)', () => {
    const fixed = new ExponentialBackoff({ jitter: 'none', firstCeilingMs: 500, maxAttempts: 3 });
    expect([1, 2, 3, 4].map((k) => fixed.delayMs(k))).toEqual([500, 1_000, 2_000, undefined]);
  });
});
