import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { realClock, type Clock } from '../../mock-server/clock.js';
import { packageRoot } from '../../protocol/package-root.js';
import { judge, judgeRuns, selectRules } from '../rules/catalogue.js';
import { DEFAULT_BUDGETS, METRICS, summarise } from '../metrics/metrics.js';
import { resolveTarget, type TargetSpec } from '../target/resolve-target.js';
import type {
  MetricResult,
  RuleResult,
  RuleRunResult,
  RunResult,
  ScenarioResult,
} from '../results/result-schema.js';
import type { Rule, Verdict, VerdictStatus } from '../rules/rule.js';
import { runScenario, type ScenarioRun } from './run-scenario.js';
import type { Scenario } from '../scenarios/scenario.js';
import { SCENARIOS } from '../scenarios/index.js';
import { Target } from '../target/target.js';
import type { Trace } from '../trace/trace.js';

/** Options of {@link runConformance}; the CLI flags map onto them one to one. */
export interface ConformanceOptions {
  /** A folder with `swaram-client.json`, an executable, or a `.js` / `.ts` file. */
  target?: string;
  /** A command line for anything else. */
  targetCmd?: string;
  /** Run a plain app that reads SWARAM_URL / SWARAM_API_KEY (no adapter). */
  wireOnly?: boolean;
  /** Rule ids or globs (`TOOL-*`) to judge; default all. */
  rules?: string[];
  /** Judge only rules whose id, title or description contains this text. */
  grep?: string;
  /** Scenario ids to run; default every scenario that exercises a selected rule. */
  scenarios?: string[];
  /** `simple` or `premium`: run every scenario in this mode. */
  mode?: 'simple' | 'premium';
  /** Replay speed factor. Default 1 (real time: the latency figures mean what they say). */
  speed?: number;
  /** Runs per scenario. Default 1. */
  repeat?: number;
  /** Scenarios run at once. Default 1. */
  jobs?: number;
  /** Multiplies every wait inside scenarios (slow clients, loaded machines). Default 1. */
  timeoutFactor?: number;
  /** How long the adapter has to say `hello`, ms. Default 10 000 (`--handshake-timeout`). */
  handshakeTimeoutMs?: number;
  /** Longest one scenario run may take, ms. Default: each scenario's own (30–60 s at speed 1). */
  timeoutMs?: number;
  /** Which failures make the exit code 1: `must` (default), `should`, or `warn` (any warn too). */
  failOn?: 'must' | 'should' | 'warn';
  /** Include scenarios marked long (soak). Default false. */
  long?: boolean;
  /** Where run folders go. Default `reports`. */
  reportDir?: string;
  /** Budgets and thresholds over the defaults (keys of DEFAULT_BUDGETS, e.g. `L_stop.p95`). */
  budgets?: Record<string, number>;
  /** Progress hooks (the terminal reporter). */
  reporter?: ProgressReporter;
  clock?: Clock;
  /** The command line that started the run, for replay hints. Default `swaram-conform`. */
  command?: string;
}

/** Hooks called while a run goes on; all optional. */
export interface ProgressReporter {
  onRunStart?(plan: {
    runId: string;
    scenarios: Scenario[];
    skipped: ScenarioResult[];
    repeat: number;
    target: TargetSpec;
  }): void;
  onScenarioStart?(scenario: Scenario, run: number): void;
  onScenarioEnd?(
    scenario: Scenario,
    run: number,
    verdicts: Map<string, Verdict>,
    outcome: ScenarioRun,
  ): void;
  onRunEnd?(result: RunResult, dir: string): void;
}

/** The result, and where it was written. */
export interface ConformanceRun {
  result: RunResult;
  /** The run folder (`reports/<run-id>`). */
  dir: string;
}

const STATUS_ORDER: VerdictStatus[] = [
  'fail',
  'harness_error',
  'warn',
  'pass',
  'not_observable',
  'skipped',
];

/**
 * Runs the conformance suite against one client and writes `reports/<run-id>/`.
 *
 * @example
 * const { result } = await runConformance({ target: './clients/reference', speed: 2 });
 * process.exitCode = result.summary.exitCode;
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceRun> {
  const clock = options.clock ?? realClock;
  const speed = options.speed ?? 1;
  const repeat = options.repeat ?? 1;
  const failOn = options.failOn ?? 'must';
  const spec = resolveTarget({
    ...(options.target !== undefined ? { target: options.target } : {}),
    ...(options.targetCmd !== undefined ? { targetCmd: options.targetCmd } : {}),
    ...(options.wireOnly !== undefined ? { wireOnly: options.wireOnly } : {}),
  });
  const rules = selectRules({
    ...(options.rules ? { ids: options.rules } : {}),
    ...(options.grep ? { grep: options.grep } : {}),
  });
  const ruleIds = new Set(rules.map((r) => r.id));
  const budgets = { ...DEFAULT_BUDGETS, ...options.budgets };
  const model =
    options.mode === 'premium'
      ? 'mal-realtime-premium'
      : options.mode === 'simple'
        ? 'mal-realtime-simple'
        : undefined;

  // What the client supports decides which scenarios can run: ask it once.
  const features =
    spec.mode === 'wire'
      ? new Set<string>()
      : await probeFeatures(spec, clock, options.handshakeTimeoutMs);

  let chosen: Scenario[];
  if (options.scenarios && options.scenarios.length > 0) {
    const unknown = options.scenarios.filter((id) => !SCENARIOS.some((s) => s.id === id));
    if (unknown.length > 0) {
      throw new Error(
        `unknown scenario(s) ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.id).join(', ')}`,
      );
    }
    chosen = SCENARIOS.filter((s) => options.scenarios!.includes(s.id));
  } else {
    chosen = SCENARIOS.filter(
      (s) => (options.long || !s.long) && s.rules.some((r) => ruleIds.has(r)),
    );
  }
  const startedAtIso = new Date().toISOString();
  const runId = `${startedAtIso.replace(/[:.]/g, '-')}-${slug(spec.name)}`;
  const dir = resolve(options.reportDir ?? 'reports', runId);
  await mkdir(join(dir, 'scenarios'), { recursive: true });
  const command = options.command ?? 'swaram-conform';
  const targetArg =
    options.target !== undefined
      ? `--target ${shellQuote(options.target)}`
      : `--target-cmd ${shellQuote(options.targetCmd ?? '')}`;
  const replayOf = (id: string) =>
    `${command} ${targetArg} --scenario ${id} --speed ${speed}${options.wireOnly ? ' --wire-only' : ''}`;

  const skipped: ScenarioResult[] = [];
  const runnable: Scenario[] = [];
  for (const s of chosen) {
    const missing = (s.needs ?? []).filter((f) => !features.has(f));
    const reason =
      spec.mode === 'wire' && !s.wireOnly
        ? 'needs an adapter (this is a wire-only run)'
        : missing.length > 0
          ? `the client does not support ${missing.join(', ')}`
          : undefined;
    if (reason) {
      skipped.push({
        id: s.id,
        title: s.title,
        family: s.family,
        description: s.description,
        status: 'skipped',
        skipReason: reason,
        rules: [...s.rules],
        runs: [],
        replay: replayOf(s.id),
      });
    } else {
      runnable.push(s);
    }
  }
  options.reporter?.onRunStart?.({ runId, scenarios: runnable, skipped, repeat, target: spec });

  const began = clock.now();
  const judgements = new Map<string, RuleRunResult[]>(rules.map((r) => [r.id, []]));
  const traces = new Map<string, Trace[]>();
  const scenarioResults = new Map<string, ScenarioResult>();
  const metricSamples = new Map<string, Array<{ scenario: string; run: number; value: number }>>();
  let client: RunResult['target']['client'];

  const jobs: Array<{ scenario: Scenario; run: number }> = [];
  for (const scenario of runnable)
    for (let run = 1; run <= repeat; run++) jobs.push({ scenario, run });

  const runOne = async ({ scenario, run }: { scenario: Scenario; run: number }) => {
    options.reporter?.onScenarioStart?.(scenario, run);
    const outcome = await runScenario(scenario, {
      spec,
      speed,
      clock,
      ...(model ? { model } : {}),
      ...(options.timeoutFactor ? { timeoutFactor: options.timeoutFactor } : {}),
      ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
      ...(options.handshakeTimeoutMs ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
    });
    client ??= outcome.client;
    const trace = outcome.trace;
    (traces.get(scenario.id) ?? traces.set(scenario.id, []).get(scenario.id)!).push(trace);
    const verdicts = new Map<string, Verdict>();
    for (const rule of rules) {
      const v = judge(rule, trace, { budgets });
      if (!v) continue;
      verdicts.set(rule.id, v);
      judgements.get(rule.id)!.push(toRuleRun(scenario.id, run, v, trace));
    }
    for (const m of METRICS) {
      const samples = metricSamples.get(m.name) ?? metricSamples.set(m.name, []).get(m.name)!;
      for (const value of m.compute(trace))
        samples.push({ scenario: scenario.id, run, value: round(value) });
    }
    const file = join('scenarios', `${scenario.id}-${run}.json`);
    await writeFile(
      join(dir, file),
      JSON.stringify({
        scenario: scenario.id,
        run,
        durationMs: round(outcome.durationMs),
        verdicts: Object.fromEntries(verdicts),
        log: outcome.log,
        trace: relativeTrace(trace),
      }),
    );
    const sr =
      scenarioResults.get(scenario.id) ??
      scenarioResults
        .set(scenario.id, {
          id: scenario.id,
          title: scenario.title,
          family: scenario.family,
          description: scenario.description,
          status: 'ran',
          rules: [...scenario.rules],
          runs: [],
          replay: replayOf(scenario.id),
        })
        .get(scenario.id)!;
    sr.runs.push({
      run,
      durationMs: round(outcome.durationMs),
      file,
      harnessErrors: trace.harnessErrors,
      verdicts: Object.fromEntries([...verdicts].map(([id, v]) => [id, v.status])),
      frames: trace.frames.length,
      connections: trace.connections.length,
    });
    options.reporter?.onScenarioEnd?.(scenario, run, verdicts, outcome);
  };

  await pool(jobs, Math.max(1, options.jobs ?? 1), runOne);

  // Judgements across repetitions (e.g. jitter spread).
  for (const rule of rules) {
    for (const [scenario, ts] of traces) {
      if (ts.length < 2) continue;
      const v = judgeRuns(rule, ts, { budgets });
      if (v) judgements.get(rule.id)!.push(toRuleRun(scenario, 0, v, ts[0]!));
    }
  }

  const ruleResults: RuleResult[] = rules.map((rule) =>
    aggregate(rule, judgements.get(rule.id)!, spec.mode === 'wire'),
  );
  const counts = { pass: 0, fail: 0, warn: 0, skipped: 0, not_observable: 0, harness_error: 0 };
  for (const r of ruleResults) counts[r.status] += 1;
  const failing = ruleResults
    .filter(
      (r) =>
        ((r.status === 'fail' || r.status === 'harness_error') &&
          (r.level === 'MUST' || failOn !== 'must')) ||
        (r.status === 'warn' && failOn === 'warn'),
    )
    .map((r) => r.id);
  const metrics: MetricResult[] = METRICS.map((m) => {
    const samples = metricSamples.get(m.name) ?? [];
    const s = summarise(samples.map((x) => x.value));
    const budget = m.budget !== undefined ? (budgets[m.budget] ?? null) : null;
    const fig = (v: number | undefined) => (v === undefined ? null : round(v));
    return {
      name: m.name,
      description: `${m.title}: ${m.definition}`,
      unit: 'ms' as const,
      budget,
      count: samples.length,
      p50: fig(s.p50),
      p95: fig(s.p95),
      max: fig(s.max),
      withinBudget: s.p95 !== undefined && budget !== null ? s.p95 <= budget : null,
      samples,
    };
  });

  const result: RunResult = {
    schema: 'swaram-conform/result/1',
    runId,
    startedAt: startedAtIso,
    durationMs: round(clock.now() - began),
    tool: { name: 'swaram-conform', version: toolVersion() },
    target: {
      name: spec.name,
      mode: spec.mode,
      command: [spec.command, ...spec.args].join(' '),
      ...(client ? { client } : {}),
      features: [...features],
    },
    options: {
      speed,
      repeat,
      failOn,
      ...(model ? { model } : {}),
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.grep ? { grep: options.grep } : {}),
      scenarios: chosen.map((s) => s.id),
      ...(options.long ? { long: true } : {}),
    },
    summary: {
      passed: failing.length === 0,
      exitCode: failing.length === 0 ? 0 : 1,
      counts,
      failing,
    },
    rules: ruleResults,
    scenarios: chosen
      .map((s) => scenarioResults.get(s.id) ?? skipped.find((x) => x.id === s.id)!)
      .filter(Boolean),
    metrics,
    replay: `${command} ${targetArg} --speed ${speed}${options.rules ? ` --rules ${options.rules.join(',')}` : ''}`,
  };
  await writeFile(join(dir, 'index.json'), JSON.stringify(result, null, 2));
  options.reporter?.onRunEnd?.(result, dir);
  return { result, dir };
}

/** Starts the client once to read its `hello` (features), then stops it. */
async function probeFeatures(
  spec: TargetSpec,
  clock: Clock,
  handshakeTimeoutMs: number | undefined,
): Promise<Set<string>> {
  const target = new Target(spec, {
    now: () => clock.now(),
    ...(handshakeTimeoutMs ? { handshakeTimeoutMs } : {}),
  });
  try {
    const hello = await target.start();
    return new Set(hello?.features ?? []);
  } finally {
    await target.stop().catch(() => undefined);
  }
}

function toRuleRun(scenario: string, run: number, v: Verdict, trace: Trace): RuleRunResult {
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

/** A rule's overall status: the worst of its judgements; none at all is `skipped`. */
function aggregate(rule: Rule, runs: RuleRunResult[], wireOnly: boolean): RuleResult {
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

/** Times relative to the run's start, so a trace file reads from 0. */
function relativeTrace(trace: Trace): unknown {
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

async function pool<T>(items: T[], size: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function slug(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '-').slice(0, 40) || 'client';
}

function shellQuote(s: string): string {
  return /^[\w./:=@-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
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

/** Where a run folder is, relative to the current folder (for messages). */
export function displayPath(dir: string): string {
  const r = relative(process.cwd(), dir);
  return r.startsWith('..') ? dir : r;
}
