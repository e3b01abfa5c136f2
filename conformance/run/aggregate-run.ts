import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../protocol/package-root.js';
import { METRICS } from '../metrics/metrics.js';
import { summarise } from '../metrics/statistics.js';
import type {
  MetricResult,
  RuleResult,
  RuleRunResult,
  RunResult,
  ScenarioResult,
} from '../results/result-schema.js';
import type { Rule, VerdictStatus } from '../rules/rule.js';
import type { ConformanceOptions } from './run-conformance.js';
import type { RunPlan } from './run-plan.js';
import { blockingErrors, round, type RunTally } from './run-tally.js';

const STATUS_ORDER: VerdictStatus[] = [
  'fail',
  'harness_error',
  'warn',
  'pass',
  'not_observable',
  'skipped',
];

/** The aggregate step: the run's result model from the plan and the judgements. */
export function aggregateRun(
  plan: RunPlan,
  tally: RunTally,
  options: ConformanceOptions,
  durationMs: number,
): RunResult {
  const ruleResults = plan.rules.map((rule) =>
    aggregateRule(rule, tally.judgements.get(rule.id)!, plan.spec.mode === 'wire'),
  );
  const scenarioResults = [...tally.scenarioResults.values()];
  const { spec } = plan;
  return {
    schema: 'swaram-conform/result/1',
    runId: plan.runId,
    startedAt: plan.startedAtIso,
    durationMs: round(durationMs),
    tool: { name: 'swaram-conform', version: toolVersion() },
    target: {
      name: spec.name,
      mode: spec.mode,
      command: [spec.command, ...spec.args].join(' '),
      ...(tally.client ? { client: tally.client } : {}),
      features: [...plan.features],
    },
    options: {
      speed: plan.speed,
      repeat: plan.repeat,
      failOn: plan.failOn,
      ...(plan.model ? { model: plan.model } : {}),
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.grep ? { grep: options.grep } : {}),
      scenarios: plan.selected.map((s) => s.id),
      ...(options.long ? { long: true } : {}),
      ...(plan.shard ? { shard: { ...plan.shard } } : {}),
    },
    summary: summaryOf(ruleResults, scenarioResults, plan.failOn),
    rules: ruleResults,
    scenarios: plan.chosen
      .map((s) => tally.scenarioResults.get(s.id) ?? plan.skipped.find((x) => x.id === s.id)!)
      .filter(Boolean),
    metrics: metricResults(tally, plan.budgets),
    replay: plan.replayAll,
  };
}

/** The summary of a run's result: counts, the rules that decide the exit code, the line. */
export function summaryOf(
  ruleResults: RuleResult[],
  scenarioResults: readonly ScenarioResult[],
  failOn: RunPlan['failOn'],
): RunResult['summary'] {
  const counts = { pass: 0, fail: 0, warn: 0, skipped: 0, not_observable: 0, harness_error: 0 };
  for (const r of ruleResults) counts[r.status] += 1;
  const failing = failingRules(ruleResults, failOn);
  const harnessErrorRuns = scenarioResults.reduce(
    (n, sr) => n + sr.runs.filter((r) => blockingErrors(r).length > 0).length,
    0,
  );
  const exitCode = exitCodeOf(ruleResults, failing, harnessErrorRuns);
  const runs = scenarioResults.reduce((n, sr) => n + sr.runs.length, 0);
  return {
    passed: exitCode === 0,
    exitCode,
    harnessErrorRuns,
    line: summaryLine(exitCode, failing, ruleResults, harnessErrorRuns, runs),
    counts,
    failing,
  };
}

/**
 * 1 when a rule the client failed decides it (under `failOn`); else 3 when the harness could
 * not judge (a scenario run with harness errors, a rule `harness_error`); else 0.
 */
export function exitCodeOf(
  rules: RuleResult[],
  failing: string[],
  harnessErrorRuns: number,
): 0 | 1 | 3 {
  const byId = new Map(rules.map((r) => [r.id, r.status]));
  if (failing.some((id) => byId.get(id) !== 'harness_error')) return 1;
  if (harnessErrorRuns > 0 || rules.some((r) => r.status === 'harness_error')) return 3;
  return 0;
}

/** The outcome in one line, for the summary. */
function summaryLine(
  exitCode: 0 | 1 | 3,
  failing: string[],
  rules: RuleResult[],
  harnessErrorRuns: number,
  runs: number,
): string {
  const harness =
    harnessErrorRuns > 0
      ? `; the harness could not judge ${harnessErrorRuns} of ${runs} scenario run(s)`
      : '';
  // Only what the client failed is named as failed: a rule the harness could not judge is not
  // a failure of the client's (it is named apart).
  const byId = new Map(rules.map((r) => [r.id, r.status]));
  const failed = failing.filter((id) => byId.get(id) !== 'harness_error');
  const unjudged = failing.filter((id) => byId.get(id) === 'harness_error');
  const notJudged = unjudged.length > 0 ? `; not judged: ${unjudged.join(', ')}` : '';
  if (exitCode === 1) return `FAILED: ${failed.join(', ')}${notJudged}${harness}`;
  if (exitCode === 3) return `HARNESS ERROR${harness} (adapter or runner problems, exit 3)`;
  return `PASSED: ${runs} scenario run(s) judged`;
}

/** The rules that make the exit code 1 under `failOn`. */
export function failingRules(results: RuleResult[], failOn: RunPlan['failOn']): string[] {
  return results
    .filter(
      (r) =>
        ((r.status === 'fail' || r.status === 'harness_error') &&
          (r.level === 'MUST' || failOn !== 'must')) ||
        (r.status === 'warn' && failOn === 'warn'),
    )
    .map((r) => r.id);
}

/** A rule's overall status: the worst of its judgements; none at all is `skipped`. */
export function aggregateRule(
  rule: Pick<Rule, 'id' | 'level' | 'title' | 'section' | 'needs'>,
  runs: RuleRunResult[],
  wireOnly: boolean,
): RuleResult {
  const base = { id: rule.id, level: rule.level, title: rule.title, section: rule.section, runs };
  if (runs.length === 0) {
    const reason =
      wireOnly && rule.needs.app
        ? 'it needs reports from an adapter, and this was a wire-only run'
        : 'no scenario that ran exercised it';
    return { ...base, status: wireOnly && rule.needs.app ? 'not_observable' : 'skipped', reason };
  }
  const worst = STATUS_ORDER.find((s) => runs.some((r) => r.status === s))!;
  const first = runs.find((r) => r.status === worst)!;
  const n = runs.filter((r) => r.status === worst).length;
  const where =
    first.run === 0 ? `across the runs of ${first.scenario}` : `in ${first.scenario} #${first.run}`;
  const reason =
    worst === 'pass'
      ? `passed in all ${runs.length} judged run(s)`
      : `${first.reason} (${where}${n > 1 ? `, and ${n - 1} more` : ''})`;
  return { ...base, status: worst, reason };
}

function metricResults(tally: RunTally, budgets: Record<string, number>): MetricResult[] {
  return METRICS.map((m) =>
    metricResult(
      { name: m.name, description: `${m.title}: ${m.definition}` },
      tally.metricSamples.get(m.name) ?? [],
      m.budget !== undefined ? (budgets[m.budget] ?? null) : null,
    ),
  );
}

/** One metric of the result model: its samples summarised against its p95 budget. */
export function metricResult(
  metric: { name: string; description: string },
  samples: MetricResult['samples'],
  budget: number | null,
): MetricResult {
  const s = summarise(samples.map((x) => x.value));
  const fig = (v: number | undefined) => (v === undefined ? null : round(v));
  return {
    ...metric,
    unit: 'ms' as const,
    budget,
    count: samples.length,
    p50: fig(s.p50),
    p95: fig(s.p95),
    max: fig(s.max),
    withinBudget: s.p95 !== undefined && budget !== null ? s.p95 <= budget : null,
    samples,
  };
}

function toolVersion(): string {
  try {
    return (
      JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
}
