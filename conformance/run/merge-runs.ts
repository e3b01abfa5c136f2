import { cp, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type {
  MetricResult,
  RuleResult,
  RuleRunResult,
  RunResult,
  ScenarioResult,
} from '../results/result-schema.js';
import { readRunResult } from '../reporters/render-reports.js';
import { ruleById } from '../rules/catalogue.js';
import { aggregateRule, metricResult, summaryOf } from './aggregate-run.js';
import { shardArg, slug } from './run-plan.js';
import { writeRunIndex } from './run-files.js';

/** Options of {@link mergeRuns}. */
export interface MergeOptions {
  /** The merged run's folder. Default `<reportDir>/<run-id>` with a fresh id. */
  out?: string;
  /** Where the merged run folder goes when `out` is not given. Default `reports`. */
  reportDir?: string;
}

/**
 * Joins the run folders of the shards of one run (`swaram-conform --shard i/n`, every `i` of the
 * same `n`) into one run folder: `index.json` with every judgement, every scenario, every metric
 * sample and the summary computed again from them, and the shards' scenario files copied beside
 * it (so report.html's timelines work). The verdicts are those an unsharded run would give: a
 * rule's status is the worst of its judgements, whichever shard made them, and a scenario's
 * repetitions were judged together in their shard. `durationMs` is the longest shard's (the
 * wall time when they run side by side).
 *
 * Throws, saying which folder and what to do, when a folder holds no valid result, is not a
 * shard run, or the shards do not belong together (different `n`, target, options or rules; a
 * shard missing or given twice).
 */
export async function mergeRuns(
  dirs: readonly string[],
  options: MergeOptions = {},
): Promise<{ result: RunResult; dir: string }> {
  if (dirs.length === 0) throw new Error('merge: give the run folders of every shard');
  const shards = await Promise.all(
    dirs.map(async (dir) => ({ dir, result: await readRunResult(dir) })),
  );
  checkShards(shards);
  const sorted = [...shards].sort(
    (a, b) => a.result.options.shard!.index - b.result.options.shard!.index,
  );
  const results = sorted.map((s) => s.result);
  const result = mergeResults(results);
  const dir = resolve(options.out ?? join(options.reportDir ?? 'reports', result.runId));
  await mkdir(join(dir, 'scenarios'), { recursive: true });
  for (const { dir: from } of sorted)
    await cp(join(from, 'scenarios'), join(dir, 'scenarios'), { recursive: true, force: true });
  await writeRunIndex(dir, result);
  return { result, dir };
}

/** The options every shard must share (all of them but `shard`), as JSON to compare. */
function sharedOptions(result: RunResult): string {
  const { shard: _shard, ...rest } = result.options;
  return JSON.stringify(rest);
}

function checkShards(shards: ReadonlyArray<{ dir: string; result: RunResult }>): void {
  const first = shards[0]!;
  const notShard = shards.find((s) => s.result.options.shard === undefined);
  if (notShard)
    throw new Error(
      `merge: ${notShard.dir} is not a shard run (no options.shard in its index.json); merge the folders of runs made with --shard i/n`,
    );
  const count = first.result.options.shard!.count;
  const same = (label: string, of: (r: RunResult) => unknown) => {
    const other = shards.find(
      (s) => JSON.stringify(of(s.result)) !== JSON.stringify(of(first.result)),
    );
    if (other)
      throw new Error(
        `merge: ${other.dir} and ${first.dir} are not shards of one run: their ${label} differ; merge the shards of one command line only`,
      );
  };
  same('shard counts (n of --shard i/n)', (r) => r.options.shard!.count);
  same('targets', (r) => [r.target.name, r.target.mode, r.target.command]);
  same('options (speed, repeat, rules, scenarios, …)', sharedOptions);
  same('rules', (r) => r.rules.map((x) => x.id));
  const seen = new Map<number, string>();
  for (const { dir, result } of shards) {
    const index = result.options.shard!.index;
    const twice = seen.get(index);
    if (twice)
      throw new Error(
        `merge: shard ${index}/${count} given twice (${twice} and ${dir}); give each once`,
      );
    seen.set(index, dir);
  }
  const missing = Array.from({ length: count }, (_, i) => i + 1).filter((i) => !seen.has(i));
  if (missing.length > 0)
    throw new Error(
      `merge: shard(s) ${missing.map((i) => `${i}/${count}`).join(', ')} missing; give the run folders of all ${count} shards`,
    );
}

/** The result of the whole run from its shards' results (in shard order). */
export function mergeResults(results: readonly RunResult[]): RunResult {
  const first = results[0]!;
  const order = new Map(first.options.scenarios.map((id, i) => [id, i]));
  const byPlan = (a: { scenario: string; run: number }, b: { scenario: string; run: number }) =>
    (order.get(a.scenario) ?? 0) - (order.get(b.scenario) ?? 0) || a.run - b.run;
  const scenarios: ScenarioResult[] = results
    .flatMap((r) => r.scenarios)
    .sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
  const rules: RuleResult[] = first.rules.map((head) => {
    const runs: RuleRunResult[] = results
      .flatMap((r) => r.rules.find((x) => x.id === head.id)?.runs ?? [])
      .sort(byPlan);
    if (runs.length === 0) return head; // judged nowhere: every shard says the same
    const needs = ruleById(head.id)?.needs ?? {};
    return aggregateRule({ ...head, needs }, runs, first.target.mode === 'wire');
  });
  const metrics: MetricResult[] = first.metrics.map((m) =>
    metricResult(
      { name: m.name, description: m.description },
      results.flatMap((r) => r.metrics.find((x) => x.name === m.name)?.samples ?? []).sort(byPlan),
      m.budget,
    ),
  );
  const startedAt = results.map((r) => r.startedAt).sort()[0]!;
  const client = results.find((r) => r.target.client)?.target.client;
  const { shard: _shard, ...options } = first.options;
  return {
    schema: first.schema,
    runId: `${startedAt.replace(/[:.]/g, '-')}-${slug(first.target.name)}-merged`,
    startedAt,
    durationMs: Math.max(...results.map((r) => r.durationMs)),
    tool: first.tool,
    target: { ...first.target, ...(client ? { client } : {}) },
    options,
    summary: summaryOf(rules, scenarios, first.options.failOn),
    rules,
    scenarios,
    metrics,
    replay: first.replay.replace(` ${shardArg(first.options.shard!)}`, ''),
    mergedFrom: results.map((r) => r.runId),
    ...(results.some((r) => r.interrupted) ? { interrupted: true } : {}),
  };
}
