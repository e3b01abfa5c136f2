import type { RuleResult, RuleRunResult, RunResult } from '../results/result-schema.js';

/** A verdict status as stored in the result model. */
export type Status = RuleResult['status'];

/** Statuses from worst to best: the order docs/reports.md gives for a rule's overall status. */
export const STATUS_ORDER: readonly Status[] = [
  'fail',
  'harness_error',
  'warn',
  'pass',
  'not_observable',
  'skipped',
];

/** How each status reads in a report. */
export const STATUS_LABEL: Record<Status, string> = {
  fail: 'fail',
  harness_error: 'harness error',
  warn: 'warn',
  pass: 'pass',
  not_observable: 'not observable',
  skipped: 'skipped',
};

/** The worst of some statuses (the model's own order); `skipped` for none. */
export function worstStatus(statuses: Iterable<Status>): Status {
  let worst = STATUS_ORDER.length - 1;
  for (const s of statuses) worst = Math.min(worst, STATUS_ORDER.indexOf(s));
  return STATUS_ORDER[worst]!;
}

/** True for the statuses a reader must look at: fail, harness error, warn. */
export function isProblem(status: Status): boolean {
  return status === 'fail' || status === 'harness_error' || status === 'warn';
}

/** One evidence item in one line: `frame 178 at 2034 ms: note`. */
export function evidenceText(e: RuleRunResult['evidence'][number]): string {
  const where = [
    e.frame !== undefined ? `frame ${e.frame}` : '',
    e.observation !== undefined ? `observation ${e.observation}` : '',
    e.at !== undefined ? `at ${Math.round(e.at * 10) / 10} ms` : '',
  ]
    .filter(Boolean)
    .join(' ');
  return where ? `${where}: ${e.note}` : e.note;
}

/** `scenario #run`, or `scenario (across runs)` for a judgement over repetitions (run 0). */
export function runName(r: Pick<RuleRunResult, 'scenario' | 'run'>): string {
  return r.run === 0 ? `${r.scenario} (across runs)` : `${r.scenario} #${r.run}`;
}

/** The replay command of a scenario, or of the whole run when the scenario is not in it. */
export function replayOf(result: RunResult, scenario: string): string {
  return result.scenarios.find((s) => s.id === scenario)?.replay ?? result.replay;
}
