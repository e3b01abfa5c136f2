import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../mock-server/clock.js';
import { ScenarioClock } from './scenario-clock.js';

describe('ScenarioClock', () => {
  it('plays scenario time `speed` times faster and leaves clock-ms windows alone', async () => {
    const fake = new FakeClock();
    const clock = new ScenarioClock(fake, 4);
    expect(clock.toClockMs(400)).toBe(100);
    expect(clock.toScenarioMs(100)).toBe(400);
    const fired: string[] = [];
    clock.after(400, () => fired.push(`scenario 400 at ${clock.now()}`));
    clock.afterClockMs(400, () => fired.push(`clock 400 at ${clock.now()}`));
    let slept = false;
    void clock.sleep(800).then(() => (slept = true));
    fake.advance(199);
    await Promise.resolve();
    expect(slept).toBe(false);
    fake.advance(1);
    await Promise.resolve();
    expect(slept).toBe(true);
    fake.advance(200);
    expect(fired).toEqual(['scenario 400 at 100', 'clock 400 at 400']);
  });

  it('cancels timers and refuses a speed that is not a positive number', () => {
    const fake = new FakeClock();
    const clock = new ScenarioClock(fake, 2);
    let fired = false;
    clock.cancel(clock.after(10, () => (fired = true)));
    fake.advance(100);
    expect(fired).toBe(false);
    expect(() => new ScenarioClock(fake, 0)).toThrow(RangeError);
    expect(() => new ScenarioClock(fake, Number.NaN)).toThrow(RangeError);
  });
});
