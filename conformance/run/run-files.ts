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
  const head = {
    scenario,
    run,
    durationMs: round(outcome.durationMs),
    verdicts: Object.fromEntries(verdicts),
    log: outcome.log,
  };
  await writeFile(
    join(dir, file),
    outcome.redactor.json(
      safeStringify({ ...head, trace: relativeTrace(outcome.trace) }, () => ({
        ...head,
        trace: { harnessErrors: outcome.trace.harnessErrors },
      })),
    ),
  );
  return file;
}

/** Writes `index.json`, with the run's secrets (`redactor`) replaced. */
export async function writeRunIndex(
  dir: string,
  result: RunResult,
  redactor?: { json(text: string): string },
): Promise<void> {
  const text = JSON.stringify(result, null, 2);
  await writeFile(join(dir, 'index.json'), redactor ? redactor.json(text) : text);
}

/**
 * JSON of `value`; should it fail all the same (a value nested too deep slipped past the
 * limits), JSON of `fallback()` with the error, so a report is always written.
 */
function safeStringify(value: unknown, fallback: () => Record<string, unknown>): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    return JSON.stringify({ ...fallback(), writeError: (error as Error).message });
  }
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
