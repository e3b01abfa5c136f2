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

/**
 * `swaram-conform explore`'s block in words, one line each (empty for an ordinary run): what
 * was tried and at which speed, and the shrunk failing case with its replay line and fixture.
 */
export function exploreLines(result: RunResult): string[] {
  const x = result.explore;
  if (!x) return [];
  const f = x.failure;
  return [
    `explored ${x.casesTried} generated case(s), ${x.caseRuns} run(s) with re-runs and shrinking, ${x.casesPerMinute} runs/min, seed ${x.seed}`,
    `speed: ${x.speed}`,
    `budgets: ${x.budgets.runs} cases, ${x.budgets.timeMs / 1000} s; shrinking ${x.budgets.shrinkRuns} runs, ${x.budgets.shrinkTimeMs / 1000} s${x.budgetHit ? ' (the time budget stopped generation)' : ''}`,
    ...(x.harnessErrorRuns > 0
      ? [`${x.harnessErrorRuns} run(s) had harness errors (not judged)`]
      : []),
    ...(x.unconfirmed > 0
      ? [
          `${x.unconfirmed} case(s) failed once but not on re-run${x.unconfirmedRules?.length ? ` (${x.unconfirmedRules.join(', ')})` : ''}`,
        ]
      : []),
    ...(f
      ? [
          `FAILING CASE: ${f.rule}, shrunk from ${f.originalSize} to ${f.shrunkSize} steps in ${f.shrinkRuns} run(s) (${f.shrinkSteps} shrink steps, ${(f.shrinkMs / 1000).toFixed(1)} s${f.shrinkBudgetHit ? ', shrink budget ran out' : ''})`,
          `why: ${f.reason}`,
          `replay: ${f.replay}`,
          `fixture: ${f.fixture} (swaram-mock --fixture / swaram-conform --fixture)`,
        ]
      : ['no generated case failed a rule']),
    `judged below: ${x.judged}`,
  ];
}
