import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../mock-server/clock.js';
import { IdleClockDriver } from './idle-clock-driver.js';

describe('IdleClockDriver', () => {
  it('steps the fake clock from timer to timer while the run is idle', async () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    for (const ms of [10, 5000, 60_000]) clock.setTimeout(() => fired.push(clock.now()), ms);
    const driver = new IdleClockDriver(clock, { activity: () => 0, busy: () => false });
    driver.start();
    const began = performance.now();
    while (fired.length < 3 && performance.now() - began < 5000)
      await new Promise((r) => setTimeout(r, 1));
    await driver.stop();
    expect(fired).toEqual([10, 5000, 60_000]);
  });

  it('does not step while something is in flight, then writes it off after maxBusyMs', async () => {
    const clock = new FakeClock();
    clock.setTimeout(() => undefined, 10);
    let busy = true;
    let writtenOff = 0;
    const driver = new IdleClockDriver(
      clock,
      {
        activity: () => 0,
        busy: () => busy,
        writeOff: () => {
          writtenOff += 1;
          busy = false;
        },
      },
      { maxBusyMs: 50 },
    );
    driver.start();
    await new Promise((r) => setTimeout(r, 20));
    expect(clock.now()).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    await driver.stop();
    expect(writtenOff).toBe(1);
    expect(clock.now()).toBe(10);
    expect(driver.stalledMs).toBeGreaterThanOrEqual(50);
  });
});
