import { describe, expect, it } from 'vitest';
import { referenceInProcess } from '../../clients/reference/in-process.js';
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
const NOT_OBSERVABLE = { LIVENESS: 'not_observable', 'BOUNDED-MEMORY': 'not_observable' };
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
