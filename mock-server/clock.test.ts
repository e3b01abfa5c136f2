import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.js';

describe('FakeClock', () => {
  it('advanceToNext jumps to the earliest timer and fires what is due then, nothing later', () => {
    const clock = new FakeClock(100);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 50);
    const a = clock.setTimeout(() => fired.push('a'), 20);
    clock.setTimeout(() => fired.push('a2'), 20);
    clock.clearTimeout(a);
    expect(clock.nextAt()).toBe(120);
    expect(clock.advanceToNext()).toBe(true);
    expect(clock.now()).toBe(120);
    expect(fired).toEqual(['a2']);
    expect(clock.advanceToNext()).toBe(true);
    expect(clock.now()).toBe(150);
    expect(fired).toEqual(['a2', 'b']);
  });

  it('advanceToNext does not move time when nothing waits', () => {
    const clock = new FakeClock(7);
    expect(clock.nextAt()).toBeUndefined();
    expect(clock.advanceToNext()).toBe(false);
    expect(clock.now()).toBe(7);
  });

  it('fires timers set for the same instant by a firing timer in the same step', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    clock.setTimeout(() => {
      fired.push(clock.now());
      clock.setTimeout(() => fired.push(clock.now()), 0);
    }, 10);
    clock.advanceToNext();
    expect(fired).toEqual([10, 10]);
    expect(clock.pending).toBe(0);
  });
});
