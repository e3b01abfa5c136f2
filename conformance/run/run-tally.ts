import { crashBlame, isExitError } from '../rules/crash.js';
import { judge, judgeRuns } from '../rules/catalogue.js';
import { METRICS } from '../metrics/metrics.js';
import type { RuleRunResult, RunResult, ScenarioResult } from '../results/result-schema.js';
import type { Verdict } from '../rules/rule.js';
import type { Scenario } from '../scenarios/scenario.js';
import type { Trace } from '../trace/trace.js';
import type { RunPlan } from './run-plan.js';
import { starvation } from './starved-retry.js';
import type { ScenarioRun } from './run-scenario.js';

/** An attempt at a scenario run that failed while the harness was starved, and was run again. */
export interface StarvedAttempt {
  /** Its scenario file (trace and verdicts), relative to index.json. */
  file: string;
  /** The runner's measured stalls in it, ms: total and longest. */
  stalledMs: number;
  longestStallMs: number;
  /** The rules it failed. */
  failed: string[];
}

/** One metric sample, where it came from. */
export interface MetricSample {
  scenario: string;
  run: number;
  value: number;
}

/**
 * The judge step of a run: judges every scenario run as it finishes (each selected rule, each
 * metric), then the repetitions together, and keeps what the aggregate step needs.
 */
export class RunTally {
  /** Every judgement, by rule id. */
  readonly judgements: Map<string, RuleRunResult[]>;
  /** Traces by scenario id, in run order. */
  readonly traces = new Map<string, Trace[]>();
  readonly scenarioResults = new Map<string, ScenarioResult>();
  readonly metricSamples = new Map<string, MetricSample[]>();
  /** The client as its adapter's hello described it (first run that had one). */
  client: RunResult['target']['client'];

  constructor(private readonly plan: RunPlan) {
    this.judgements = new Map(plan.rules.map((r) => [r.id, []]));
  }

  /**
   * Judges one finished run (or takes `judged`, its verdicts from {@link verdictsOf} already)
   * and records them; returns its verdicts by rule id (rules it exercised only).
   */
  judgeRun(
    scenario: Scenario,
    run: number,
    outcome: ScenarioRun,
    judged?: ReadonlyMap<string, Verdict>,
  ): ReadonlyMap<string, Verdict> {
    this.client ??= outcome.client;
    const trace = outcome.trace;
    listOf(this.traces, scenario.id).push(trace);
    const verdicts = judged ?? this.verdictsOf(scenario, trace);
    for (const [id, v] of verdicts) {
      this.judgements.get(id)!.push(toRuleRun(scenario.id, run, v, trace));
    }
    for (const m of METRICS) {
      const samples = listOf(this.metricSamples, m.name);
      for (const value of m.compute(trace))
        samples.push({ scenario: scenario.id, run, value: round(value) });
    }
    return verdicts;
  }

  /** The verdicts of one run by rule id (rules it exercised only), recording nothing. */
  verdictsOf(scenario: Scenario, trace: Trace): Map<string, Verdict> {
    const verdicts = new Map<string, Verdict>();
    const exercised = new Set(scenario.rules);
    const crash = crashBlame(trace);
    // The exit was the client's crash, judged below: not a harness error that blocks the run.
    if (crash) trace.harnessErrors = trace.harnessErrors.filter((e) => !isExitError(e));
    for (const rule of this.plan.rules) {
      let v =
        (crash?.rule === rule.id ? crash.verdict : undefined) ??
        connectVerdict(rule.id, trace) ??
        judge(rule, trace, { budgets: this.plan.budgets });
      if (exercised.has(rule.id)) v = underHarnessErrors(v, trace);
      if (v) verdicts.set(rule.id, v);
    }
    return verdicts;
  }

  /** Adds a finished run to its scenario's result. */
  addScenarioRun(
    scenario: Scenario,
    run: number,
    outcome: ScenarioRun,
    verdicts: ReadonlyMap<string, Verdict>,
    file: string,
    retried: StarvedAttempt[] = [],
  ): void {
    let sr = this.scenarioResults.get(scenario.id);
    if (!sr) {
      sr = {
        id: scenario.id,
        title: scenario.title,
        family: scenario.family,
        description: scenario.description,
        status: 'ran',
        rules: [...scenario.rules],
        runs: [],
        replay: this.plan.replayOf(scenario.id),
      };
      this.scenarioResults.set(scenario.id, sr);
    }
    const trace = outcome.trace;
    const stalled = starvation(trace);
    sr.runs.push({
      run,
      durationMs: round(outcome.durationMs),
      file,
      harnessErrors: trace.harnessErrors,
      verdicts: Object.fromEntries([...verdicts].map(([id, v]) => [id, v.status])),
      frames: trace.frames.length,
      connections: trace.connections.length,
      ...(stalled ? { stalledMs: round(stalled.stalledMs) } : {}),
      ...(retried.length > 0 ? { retried } : {}),
    });
  }

  /** Judgements across repetitions (e.g. jitter spread), once every run is in. */
  judgeAcrossRuns(): void {
    for (const rule of this.plan.rules) {
      for (const [scenario, ts] of this.traces) {
        if (ts.length < 2) continue;
        const v = judgeRuns(rule, ts, { budgets: this.plan.budgets });
        if (v) this.judgements.get(rule.id)!.push(toRuleRun(scenario, 0, v, ts[0]!));
      }
    }
  }
}

/** Rule that fails when the runner asked for a connection and the client never opened one. */
export const CONNECT_RULE = 'SESSION-FIRST';

/**
 * A client that never connected though the runner asked it to fails {@link CONNECT_RULE}: it
 * never sent the session.update it owes. Not when the adapter itself broke (a harness error).
 */
export function connectVerdict(ruleId: string, trace: Trace): Verdict | undefined {
  if (ruleId !== CONNECT_RULE || trace.connections.length > 0) return undefined;
  if (!trace.actions.some((a) => a.kind === 'connect')) return undefined;
  if (trace.drive === 'adapter' && blockingErrors(trace).length > 0) return undefined;
  return {
    status: 'fail',
    reason:
      'The client never opened a connection although the scenario needed one (0 connections, 0 frames).',
    evidence: [],
  };
}

/**
 * A rule's verdict in a run with harness errors (the adapter broke its protocol, exited, hung
 * or flooded; the script timed out): such a run cannot be judged, so a rule of its scenario
 * that would pass or go unjudged is `harness_error`. A `fail` the rule found still stands.
 */
export function underHarnessErrors(v: Verdict | undefined, trace: Trace): Verdict | undefined {
  const blocking = blockingErrors(trace);
  if (blocking.length === 0 || v?.status === 'fail' || v?.status === 'not_observable') return v;
  const n = blocking.length;
  return {
    status: 'harness_error',
    reason: `The harness could not judge this run: ${blocking[0]}${n > 1 ? ` (and ${n - 1} more)` : ''}.`,
    evidence: [],
  };
}

/**
 * The harness errors of a run that keep it from being judged: all but `command-rejected` (the
 * adapter refused a command with a proper `ok: false` reply: a note, the channel still works).
 */
export function blockingErrors(trace: { harnessErrors: readonly string[] }): string[] {
  return trace.harnessErrors.filter((e) => !e.startsWith('command-rejected:'));
}

function listOf<T>(map: Map<string, T[]>, key: string): T[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** A verdict as the result model holds it: evidence times relative to the run's start. */
export function toRuleRun(scenario: string, run: number, v: Verdict, trace: Trace): RuleRunResult {
  return {
    scenario,
    run,
    status: v.status,
    reason: v.reason,
    evidence: v.evidence.map((e) => ({
      ...e,
      ...(e.at !== undefined ? { at: round(e.at - trace.startedAt) } : {}),
    })),
  };
}

/** Milliseconds to one decimal, as the result model stores them. */
export function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
