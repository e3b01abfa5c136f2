import { describe, expect, it } from 'vitest';
import {
  LoadMonitor,
  overloadReason,
  SHEDDING_DEFAULTS,
  type HealthSample,
  type SheddingChange,
} from './load-shedding.js';

const t = { maxLoopDelayMs: 15, maxUtilization: 0.8, maxPacingLatenessMs: 15 };
const healthy: HealthSample = { loopDelayMs: 2, utilization: 0.1, pacingLatenessMs: 1, live: 10 };

describe('overloadReason (pure: health sample → refuse or not)', () => {
  it('admits before the first sample, with no live session, and while every figure is under its threshold', () => {
    expect(overloadReason(undefined, 5000, t)).toBeUndefined();
    expect(overloadReason({ ...healthy, loopDelayMs: 90, live: 0 }, 0, t)).toBeUndefined();
    expect(overloadReason(healthy, 10, t)).toBeUndefined();
    // Exactly at a threshold is still healthy.
    expect(overloadReason({ ...healthy, loopDelayMs: 15, pacingLatenessMs: 15 }, 10, t)).toBe(
      undefined,
    );
  });

  it('refuses while the loop delay, the pacing lateness or the utilisation is over, naming which', () => {
    expect(overloadReason({ ...healthy, loopDelayMs: 34 }, 10, t)).toBe(
      'event loop delay p99 34.0 ms > 15.0 ms',
    );
    expect(overloadReason({ ...healthy, pacingLatenessMs: 22.5 }, 10, t)).toBe(
      'pacing lateness p99 22.5 ms > 15.0 ms',
    );
    expect(overloadReason({ ...healthy, utilization: 0.93 }, 10, t)).toBe(
      'event loop utilisation 93.0 % > 80.0 %',
    );
  });

  it('projects the cost per session: refuses the session that would take utilisation over', () => {
    // 0.6 for 100 sessions: 0.006 each; 0.8 is reached at 133 sessions.
    const busy = { ...healthy, utilization: 0.6, live: 100 };
    expect(overloadReason(busy, 100, t)).toBeUndefined();
    expect(overloadReason(busy, 132, t)).toBeUndefined();
    expect(overloadReason(busy, 133, t)).toMatch(
      /^one more session would take utilisation to 80.4 % > 80.0 % \(133 live\)$/,
    );
    // Sessions that left since the sample make room again.
    expect(overloadReason(busy, 90, t)).toBeUndefined();
  });

  it('does not project at light load, where fixed costs would make sessions look expensive', () => {
    // 0.3 for 2 sessions would project 0.45 per session; under half the limit it is ignored.
    expect(overloadReason({ ...healthy, utilization: 0.3, live: 2 }, 50, t)).toBeUndefined();
    expect(overloadReason({ ...healthy, utilization: 0.3, live: 0 }, 50, t)).toBeUndefined();
    // Nor with few sessions: 0.7 for 5 sessions is mostly not theirs.
    expect(overloadReason({ ...healthy, utilization: 0.7, live: 5 }, 6, t)).toBeUndefined();
    // From 10 on it is: 0.7 for 10 would make 0.77 at 11, 0.84 at 12.
    expect(overloadReason({ ...healthy, utilization: 0.7, live: 10 }, 10, t)).toBeUndefined();
    expect(overloadReason({ ...healthy, utilization: 0.7, live: 10 }, 11, t)).toMatch(/84\.0 %/);
  });

  it('has defaults tighter than the 20 ms a client may see', () => {
    expect(SHEDDING_DEFAULTS.maxLoopDelayMs).toBeLessThan(20);
    expect(SHEDDING_DEFAULTS.maxPacingLatenessMs).toBeLessThan(20);
    expect(SHEDDING_DEFAULTS.maxUtilization).toBeLessThan(1);
  });
});

describe('LoadMonitor with a fake health source', () => {
  function setup(samples: HealthSample[]) {
    let live = 0;
    const changes: SheddingChange[] = [];
    const source = { take: (n: number) => ({ ...samples.shift()!, live: n }) };
    const monitor = new LoadMonitor(
      source,
      t,
      () => live,
      (c) => changes.push(c),
    );
    return { monitor, changes, setLive: (n: number) => (live = n) };
  }

  it('has no sample until the first tick; delays count when two windows in a row show them', () => {
    const { monitor, setLive } = setup([
      healthy,
      { ...healthy, loopDelayMs: 40, pacingLatenessMs: 30, utilization: 0.5 },
      { ...healthy, loopDelayMs: 50, pacingLatenessMs: 20 },
    ]);
    expect(monitor.latest).toBeUndefined();
    setLive(7);
    monitor.tick();
    expect(monitor.latest).toEqual({ ...healthy, live: 7 });
    monitor.tick(); // one bad window: a spike, not overload (utilisation is taken as is)
    expect(monitor.latest).toEqual({ ...healthy, utilization: 0.5, live: 7 });
    monitor.tick(); // two in a row: the smaller of the two
    expect(monitor.latest).toMatchObject({ loopDelayMs: 40, pacingLatenessMs: 20 });
  });

  it('counts refusals and episodes, and reports when shedding starts and when it admits again', () => {
    const { monitor, changes, setLive } = setup([
      { ...healthy, loopDelayMs: 40 },
      { ...healthy, loopDelayMs: 30 },
      healthy,
    ]);
    // (The first window counts alone: there is none before it.)
    setLive(50);
    monitor.tick();
    monitor.refused('event loop delay p99 40.0 ms > 15.0 ms', 50, 1000);
    monitor.refused('event loop delay p99 40.0 ms > 15.0 ms', 50, 1010);
    expect(monitor.isShedding).toBe(true);
    monitor.tick(); // still overloaded: no change
    expect(changes).toEqual([
      { kind: 'shedding', reason: 'event loop delay p99 40.0 ms > 15.0 ms', live: 50 },
    ]);
    monitor.refused('event loop delay p99 30.0 ms > 15.0 ms', 49, 1500);
    setLive(40);
    monitor.tick(); // healthy
    expect(monitor.isShedding).toBe(false);
    expect(changes[1]).toEqual({ kind: 'admitting', refused: 3, live: 40 });
    expect(monitor.counts).toEqual({
      refused: 3,
      liveAtLastRefusal: 49,
      lastRefusedAt: 1500,
      lastReason: 'event loop delay p99 30.0 ms > 15.0 ms',
      episodes: 1,
    });
  });

  it('stops the source with itself', () => {
    let stopped = 0;
    const monitor = new LoadMonitor({ take: () => healthy, stop: () => stopped++ }, t, () => 0);
    monitor.start(1000).stop();
    expect(stopped).toBe(1);
  });
});
