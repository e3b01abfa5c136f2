import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../mock-server/clock.js';
import { StallWatch } from './stall-watch.js';

/** A clock whose timers fire only when told, at whatever time `now` says then. */
function manualClock() {
  let now = 0;
  let pending: (() => void) | undefined;
  const clock: Clock = {
    now: () => now,
    setTimeout: (fn: () => void): TimerHandle => {
      pending = fn;
      return {};
    },
    clearTimeout: () => {
      pending = undefined;
    },
  };
  /** Fires the heartbeat at time `at`. */
  const fireAt = (at: number) => {
    now = at;
    const fn = pending;
    pending = undefined;
    fn?.();
  };
  return { clock, fireAt, setNow: (at: number) => (now = at) };
}

describe('StallWatch', () => {
  it('records nothing while the heartbeat runs on time (timer slop included)', () => {
    const { clock, fireAt } = manualClock();
    const watch = new StallWatch(clock);
    watch.start();
    for (let t = 11; t < 500; t += 11) fireAt(t);
    expect(watch.stop()).toEqual([]);
  });

  it('records the span a late heartbeat says the runner did not run', () => {
    const { clock, fireAt } = manualClock();
    const watch = new StallWatch(clock);
    watch.start();
    fireAt(10);
    fireAt(20);
    fireAt(250); // due at 30
    fireAt(260);
    expect(watch.stop()).toEqual([{ from: 30, to: 250 }]);
  });

  it('records a stall still going on when the run ends', () => {
    const { clock, fireAt, setNow } = manualClock();
    const watch = new StallWatch(clock);
    watch.start();
    fireAt(10);
    setNow(400);
    expect(watch.stop()).toEqual([{ from: 20, to: 400 }]);
  });
});
