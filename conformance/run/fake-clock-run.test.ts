import { describe, expect, it } from 'vitest';
import { referenceInProcess } from '../../clients/reference/in-process.js';
import { SwaramClient } from '../../clients/reference/sdk/index.js';
import { FakeClock } from '../../mock-server/clock.js';
import { RULES, judge } from '../rules/catalogue.js';
import { SCENARIOS } from '../scenarios/index.js';
import { runScenario } from './run-scenario.js';

/** Rules every ordinary adapter session passes. */
const SESSION = [
  'WIRE-SCHEMA',
  'SESSION-FIRST',
  'SESSION-ACK',
  'SESSION-LOCK',
  'SUBSET-ONLY',
  'SESSION-SHAPE',
  'APPEND-FORMAT',
  'APPEND-SIZE',
  'APPEND-PACE',
  'PLAY-ORDER',
];
// The mock pings every 5 s of clock (RUNNER_PING_INTERVAL_MS): every scenario here sees pongs.
const NOT_OBSERVABLE = { LIVENESS: 'pass' };
const passes = (ids: string[]) => Object.fromEntries(ids.map((id) => [id, 'pass']));

/**
 * The verdicts of the reference client in the real-time run (`runScenario` on the real clock,
 * speed 1), measured once: a fake-clock run must give exactly these.
 */
const REAL_TIME_VERDICTS: Record<string, Record<string, string>> = {
  'barge-in': {
    ...passes([...SESSION, 'BARGE-STOP', 'STALE-FENCE', 'DONE-STATUS', 'TRANSCRIPT-ATTRIB']),
    ...passes(['CLOSE-CLEAN']),
    ...NOT_OBSERVABLE,
  },
  greeting: {
    ...passes([...SESSION, 'DONE-STATUS', 'TRANSCRIPT-ATTRIB', 'CLOSE-CLEAN']),
    ...NOT_OBSERVABLE,
  },
  'tool-call': {
    ...passes([...SESSION, 'TOOL-ANSWER', 'TOOL-TRIGGER', 'TOOL-NO-NUDGE', 'DONE-STATUS']),
    ...passes(['TRANSCRIPT-ATTRIB', 'CLOSE-CLEAN']),
    ...NOT_OBSERVABLE,
  },
};

describe('a whole scenario on a fake clock, client in process', () => {
  for (const id of Object.keys(REAL_TIME_VERDICTS)) {
    it(`${id}: the real-time run's verdicts, in a fraction of the scenario's time`, async () => {
      const scenario = SCENARIOS.find((s) => s.id === id)!;
      const began = performance.now();
      const run = await runScenario(scenario, {
        spec: referenceInProcess(),
        clock: new FakeClock(),
      });
      const realMs = performance.now() - began;
      const verdicts: Record<string, string> = {};
      for (const rule of RULES) {
        const v = judge(rule, run.trace);
        if (v) verdicts[rule.id] = v.status;
      }
      expect(run.trace.harnessErrors).toEqual([]);
      expect(verdicts).toEqual(REAL_TIME_VERDICTS[id]);
      // Several seconds of scenario time passed on the fake clock, in less real time.
      expect(run.durationMs).toBeGreaterThan(5_000);
      expect(realMs).toBeLessThan(run.durationMs);
    }, 60_000);
  }
});

describe('silent-server on a fake clock (LIVENESS)', () => {
  const run = async (pingIntervalMs?: number) => {
    const scenario = SCENARIOS.find((s) => s.id === 'silent-server')!;
    const spec = referenceInProcess(
      pingIntervalMs === undefined
        ? {}
        : { createClient: (o) => new SwaramClient({ ...o, pingIntervalMs }) },
    );
    const { trace } = await runScenario(scenario, { spec, clock: new FakeClock() });
    return {
      trace,
      verdict: judge(
        RULES.find((r) => r.id === 'LIVENESS')!,
        trace,
      )!,
    };
  };

  it('passes the reference client, which pings and cuts the silent connection', async () => {
    const { trace, verdict } = await run();
    expect(trace.harnessErrors).toEqual([]);
    expect(`${verdict.status}: ${verdict.reason}`).toMatch(/^pass: /);
    expect(verdict.reason).toMatch(/silence of connection 1 noticed after/);
    // The mock pinged and the client answered; the client's own pings went unanswered at the end.
    const pings = trace.connections[0]!.pings!;
    expect(pings.some((p) => p.by === 'server' && p.pongAt !== undefined)).toBe(true);
    expect(pings.some((p) => p.by === 'client' && p.pongAt === undefined)).toBe(true);
    expect(trace.connections[0]!.closedBy).toBe('client');
  }, 60_000);

  it('fails a client without liveness checks, which sits on the dead connection', async () => {
    const { trace, verdict } = await run(0);
    expect(trace.connections).toHaveLength(1);
    expect(verdict.status).toBe('fail');
    expect(verdict.reason).toMatch(/silence of connection 1 not noticed/);
  }, 60_000);
});
