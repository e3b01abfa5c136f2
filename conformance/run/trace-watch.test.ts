import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../mock-server/clock.js';
import { ScenarioClock } from './scenario-clock.js';
import { TraceWatch } from './trace-watch.js';

describe('TraceWatch', () => {
  it('re-checks on every change and resolves with the first value', async () => {
    const fake = new FakeClock();
    const watch = new TraceWatch(new ScenarioClock(fake));
    const state: { value?: number } = {};
    const waiting = watch.waitFor(() => state.value, 1000);
    watch.notify();
    state.value = 3;
    watch.notify();
    await expect(waiting).resolves.toBe(3);
    expect(watch.changeCount).toBe(2);
    expect(fake.pending).toBe(0);
  });

  it('gives up after the timeout in scenario time', async () => {
    const fake = new FakeClock();
    const watch = new TraceWatch(new ScenarioClock(fake, 10));
    const waiting = watch.waitFor(() => undefined, 1000);
    fake.advance(100);
    await expect(waiting).resolves.toBeUndefined();
  });
});
