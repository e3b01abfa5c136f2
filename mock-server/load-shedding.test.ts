import { describe, expect, it } from 'vitest';
import {
  LoadMonitor,
  overloadReason,
  PRIOR_SESSION_CPU,
  SessionCostEstimator,
  SHEDDING_DEFAULTS,
  type HealthSample,
  type SheddingChange,
} from './load-shedding.js';

const t = { maxLoopDelayMs: 15, maxUtilization: 0.8, maxPacingLatenessMs: 15, maxCpu: 0.5 };
const healthy: HealthSample = {
  loopDelayMs: 2,
  utilization: 0.1,
  pacingLatenessMs: 1,
  live: 10,
  cpu: 0.05,
  sessionCpu: 0.005,
};

describe('overloadReason (pure: health sample → refuse or not)', () => {
  it('admits with no live session, and while every figure is under its threshold', () => {
    expect(overloadReason({ ...healthy, loopDelayMs: 90, live: 0 }, 0, t)).toBeUndefined();
    expect(overloadReason(healthy, 10, t)).toBeUndefined();
    // Exactly at a threshold is still healthy.
    expect(overloadReason({ ...healthy, loopDelayMs: 15, pacingLatenessMs: 15 }, 10, t)).toBe(
      undefined,
    );
  });

  it('refuses while the loop delay, the pacing lateness or the utilisation is over, naming which', () => {
    const busy = { ...healthy, cpu: 0.25 }; // half the CPU budget: the mock's own load
    expect(overloadReason({ ...busy, loopDelayMs: 34 }, 10, t)).toBe(
      'event loop delay p99 34.0 ms > 15.0 ms',
    );
    expect(overloadReason({ ...busy, pacingLatenessMs: 22.5 }, 10, t)).toBe(
      'pacing lateness p99 22.5 ms > 15.0 ms',
    );
    expect(overloadReason({ ...busy, utilization: 0.93 }, 10, t)).toBe(
      'event loop utilisation 93.0 % > 80.0 %',
    );
  });

  it('does not refuse for a late loop that is not its own doing (little CPU: the machine is busy)', () => {
    const late = { ...healthy, loopDelayMs: 60, pacingLatenessMs: 40, utilization: 0.95 };
    expect(overloadReason({ ...late, cpu: 0.05 }, 1, t)).toBeUndefined();
    expect(overloadReason({ ...late, cpu: 0.24 }, 10, t)).toBeUndefined();
    expect(overloadReason({ ...late, cpu: 0.25 }, 10, t)).toMatch(/^event loop delay/);
  });

  it('admits by headroom: refuses the session whose projected CPU would pass the budget', () => {
    // 4 ms/s each against 0.5 of a core: 125 sessions fit, the 126th does not.
    const sample = { ...healthy, sessionCpu: 0.004, live: 100 };
    expect(overloadReason(sample, 100, t)).toBeUndefined();
    expect(overloadReason(sample, 124, t)).toBeUndefined();
    expect(overloadReason(sample, 125, t)).toBe(
      'one more session would take the CPU to 50.4 % of a core > 50.0 % (125 live at 4.0 ms/s each)',
    );
    // Sessions that left since the sample make room again; a cheaper estimate makes more.
    expect(overloadReason(sample, 90, t)).toBeUndefined();
    expect(overloadReason({ ...sample, sessionCpu: 0.002 }, 200, t)).toBeUndefined();
  });

  it('before any estimate (or any sample), prices a session at the prior: a burst cannot all get in', () => {
    const unmeasured = { ...healthy, sessionCpu: undefined };
    const fits = Math.floor(t.maxCpu / PRIOR_SESSION_CPU) - 1;
    expect(overloadReason(unmeasured, fits, t)).toBeUndefined();
    expect(overloadReason(undefined, fits, t)).toBeUndefined();
    expect(overloadReason(undefined, fits + 1, t)).toMatch(/not yet measured\)$/);
    expect(overloadReason(unmeasured, 5000, t)).toMatch(/^one more session would take the CPU/);
  });

  it('has defaults tighter than the 20 ms a client may see, and a CPU budget under one core', () => {
    expect(SHEDDING_DEFAULTS.maxLoopDelayMs).toBeLessThan(20);
    expect(SHEDDING_DEFAULTS.maxPacingLatenessMs).toBeLessThan(20);
    expect(SHEDDING_DEFAULTS.maxUtilization).toBeLessThan(1);
    expect(SHEDDING_DEFAULTS.maxCpu).toBeLessThan(1);
  });
});

describe('SessionCostEstimator (the CPU of a session, from samples)', () => {
  it('divides by the sessions live through the whole warm-up only, and keeps the largest recent estimate', () => {
    const e = new SessionCostEstimator();
    // A ramp: 20, 40, 60 sessions 500 ms apart; nothing has run 1.5 s yet.
    expect(e.add(0, 20, 0.02)).toBeUndefined();
    expect(e.add(500, 40, 0.06)).toBeUndefined();
    expect(e.add(1000, 60, 0.1)).toBeUndefined();
    // At 1500 ms the 20 of t=0 are settled: 0.16 / 20 (the 60 newer ones count as theirs).
    expect(e.add(1500, 80, 0.16)).toBeCloseTo(0.008);
    // Later windows with more settled sessions are cheaper, but the largest recent one holds.
    expect(e.add(2000, 80, 0.2)).toBeCloseTo(0.008);
    for (let at = 2500; at <= 5000; at += 500) e.add(at, 80, 0.24);
    expect(e.add(5500, 80, 0.24)).toBeCloseTo(0.003);
  });

  it('gives no estimate from a handful of sessions, and forgets when the server goes idle', () => {
    const e = new SessionCostEstimator();
    for (let at = 0; at <= 2000; at += 500) expect(e.add(at, 5, 0.05)).toBeUndefined();
    const busy = new SessionCostEstimator();
    for (let at = 0; at <= 2000; at += 500) busy.add(at, 50, 0.2);
    expect(busy.add(2500, 50, 0.2)).toBeCloseTo(0.004);
    expect(busy.add(3000, 0, 0.01)).toBeUndefined();
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
    // The cost of a session is the monitor's own estimate (none yet: 7 sessions, no history).
    expect(monitor.latest).toEqual({ ...healthy, live: 7, sessionCpu: undefined });
    monitor.tick(); // one bad window: a spike, not overload (utilisation is taken as is)
    expect(monitor.latest).toEqual({
      ...healthy,
      utilization: 0.5,
      live: 7,
      sessionCpu: undefined,
    });
    monitor.tick(); // two in a row: the smaller of the two
    expect(monitor.latest).toMatchObject({ loopDelayMs: 40, pacingLatenessMs: 20 });
  });

  it('counts refusals and episodes, and reports when shedding starts and when it admits again', () => {
    const { monitor, changes, setLive } = setup([
      { ...healthy, loopDelayMs: 40, cpu: 0.3 },
      { ...healthy, loopDelayMs: 30, cpu: 0.3 },
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

  it("puts its estimate of a session's CPU into the samples it publishes (samples 500 ms apart)", () => {
    let now = 0;
    const source = { take: (n: number) => ({ ...healthy, cpu: 0.2, live: n }) };
    const monitor = new LoadMonitor(
      source,
      t,
      () => 50,
      undefined,
      () => now,
    );
    for (; now <= 1000; now += 500) monitor.tick();
    expect(monitor.latest?.sessionCpu).toBeUndefined(); // nobody live 1.5 s yet
    monitor.tick(); // at 1500 ms: 50 sessions settled, 0.2 of a core
    expect(monitor.latest?.sessionCpu).toBeCloseTo(0.004);
    expect(overloadReason(monitor.latest, 124, t)).toBeUndefined();
    expect(overloadReason(monitor.latest, 125, t)).toMatch(/^one more session/);
  });

  it('stops the source with itself', () => {
    let stopped = 0;
    const monitor = new LoadMonitor({ take: () => healthy, stop: () => stopped++ }, t, () => 0);
    monitor.start(1000).stop();
    expect(stopped).toBe(1);
  });
});
