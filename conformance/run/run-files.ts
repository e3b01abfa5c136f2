import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunResult } from '../results/result-schema.js';
import type { Verdict } from '../rules/rule.js';
import type { Trace } from '../trace/trace.js';
import type { ScenarioRun } from './run-scenario.js';
import { round } from './run-tally.js';

/**
 * The write step: a run folder holds `index.json` (the result model) and one JSON per scenario
 * run under `scenarios/`, every time relative to the run's start.
 */
export async function createRunFolder(dir: string): Promise<void> {
  await mkdir(join(dir, 'scenarios'), { recursive: true });
}

/** Writes one scenario run; returns its path relative to the run folder. */
export async function writeScenarioRun(
  dir: string,
  scenario: string,
  run: number,
  outcome: ScenarioRun,
  verdicts: Map<string, Verdict>,
): Promise<string> {
  const file = join('scenarios', `${scenario}-${run}.json`);
  await writeFile(
    join(dir, file),
    JSON.stringify({
      scenario,
      run,
      durationMs: round(outcome.durationMs),
      verdicts: Object.fromEntries(verdicts),
      log: outcome.log,
      trace: relativeTrace(outcome.trace),
    }),
  );
  return file;
}

export async function writeRunIndex(dir: string, result: RunResult): Promise<void> {
  await writeFile(join(dir, 'index.json'), JSON.stringify(result, null, 2));
}

/** Times relative to the run's start, so a trace file reads from 0. */
export function relativeTrace(trace: Trace): unknown {
  const t0 = trace.startedAt;
  const rel = (at: number | undefined) => (at === undefined ? undefined : round(at - t0));
  return {
    ...trace,
    startedAt: 0,
    endedAt: rel(trace.endedAt),
    connections: trace.connections.map((c) => ({
      ...c,
      openedAt: rel(c.openedAt),
      closedAt: rel(c.closedAt),
    })),
    frames: trace.frames.map((f) => ({ ...f, at: rel(f.at) })),
    observations: trace.observations.map((o) => ({ ...o, at: rel(o.at) })),
    actions: trace.actions.map((a) => ({ ...a, at: rel(a.at) })),
  };
}
