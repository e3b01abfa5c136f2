import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunResult } from '../conformance/results/result-schema.js';
import { readRunResult } from '../conformance/reporters/render-reports.js';
import { defaultJobs } from '../conformance/run/plan-order.js';
import type { BenchOptions } from './run.js';
import {
  CONFORM_BIN,
  dropRun,
  machineLine,
  median,
  ROOT,
  runConformCli,
  type CliRun,
} from './cli-run.js';

/**
 * How long the default suite takes: `swaram-conform --target reference` at speed 1 with the
 * default --jobs, as a user runs it (the compiled command), several times; against real time
 * measured in the same runs (the sum of the scenario runs' own durations: what --jobs 1 takes,
 * and the longest scenario run: the floor). Then CI fan-out: the same suite as two shards run
 * side by side and merged, with the merged verdicts checked against the unsharded run's.
 */
export const description = 'default suite wall time at speed 1 (target < 60 s), shards + merge';

/** Rule statuses and per-run verdicts: what must not change between runs of one client. */
function verdictsOf(result: RunResult): string {
  return JSON.stringify({
    rules: result.rules.map((r) => [r.id, r.status]),
    runs: result.scenarios.map((s) => [s.id, s.runs.map((r) => r.verdicts)]),
  });
}

/** The rules whose status differs between two results, as `ID a→b`. */
function ruleDiff(a: RunResult, b: RunResult): string {
  const other = new Map(b.rules.map((r) => [r.id, r.status]));
  const diff = a.rules
    .filter((r) => other.get(r.id) !== r.status)
    .map((r) => `${r.id} ${r.status}→${other.get(r.id) ?? 'absent'}`);
  return diff.length > 0 ? diff.join(', ') : 'rule statuses equal; per-run verdicts differ';
}

function realTime(result: RunResult): { sumMs: number; longestMs: number } {
  const durations = result.scenarios.flatMap((s) => s.runs.map((r) => r.durationMs));
  return { sumMs: durations.reduce((a, b) => a + b, 0), longestMs: Math.max(...durations) };
}

/** Runs `shards` slices side by side (as CI jobs would), then `merge`; checks its verdicts. */
async function fanOut(scenarioArgs: string[], shards: number, whole: CliRun): Promise<void> {
  const began = performance.now();
  const runs = await Promise.all(
    Array.from({ length: shards }, (_, i) =>
      runConformCli(['--target', 'reference', ...scenarioArgs, '--shard', `${i + 1}/${shards}`]),
    ),
  );
  const shardsMs = performance.now() - began;
  const out = mkdtempSync(join(tmpdir(), 'swaram-merged-'));
  const mergeBegan = performance.now();
  const merge = spawn(
    process.execPath,
    [CONFORM_BIN, 'merge', ...runs.map((r) => r.dir), '--out', out, '--reporter', 'json'],
    { cwd: ROOT, stdio: 'inherit' },
  );
  await once(merge, 'exit');
  const mergeMs = performance.now() - mergeBegan;
  const merged = await readRunResult(out);
  const same = verdictsOf(merged) === verdictsOf(whole.result);
  console.log(
    `  ${shards} shards side by side: ${(shardsMs / 1000).toFixed(1)} s (each: ${runs.map((r) => (r.wallMs / 1000).toFixed(1)).join(', ')} s), merge ${(mergeMs / 1000).toFixed(1)} s; ` +
      `merged verdicts ${same ? 'equal' : 'DIFFER from'} the unsharded run's (${merged.summary.line})`,
  );
  if (!same) console.log(`    differences (unsharded → merged): ${ruleDiff(whole.result, merged)}`);
  for (const r of runs) dropRun(r);
  rmSync(out, { recursive: true, force: true });
}

/** Full: the default suite `rounds` times, then 2 shards. Quick: one short scenario. */
export async function run(options: BenchOptions): Promise<void> {
  const rounds = options.quick ? 1 : 3;
  const scenarioArgs = options.quick ? ['--scenario', 'close-4001'] : [];
  console.log(machineLine());
  console.log(
    `swaram-conform --target reference${scenarioArgs.length ? ` ${scenarioArgs.join(' ')}` : ''} --speed 1 (default --jobs: ${defaultJobs()})` +
      (options.quick
        ? '; --quick: one short scenario (shard 2/2 empty), smoke test'
        : '; target: < 60 s'),
  );
  const runs: CliRun[] = [];
  for (let i = 0; i < rounds; i++) {
    const r = await runConformCli(['--target', 'reference', ...scenarioArgs]);
    const { sumMs, longestMs } = realTime(r.result);
    console.log(
      `  run ${i + 1}: ${(r.wallMs / 1000).toFixed(1)} s wall, ${r.result.summary.line}; real time of its scenario runs: ` +
        `${(sumMs / 1000).toFixed(1)} s summed (×${(sumMs / r.wallMs).toFixed(2)} of the wall time), longest ${(longestMs / 1000).toFixed(1)} s`,
    );
    runs.push(r);
  }
  const walls = runs.map((r) => r.wallMs);
  const sums = runs.map((r) => realTime(r.result).sumMs);
  console.log(
    `  median: ${(median(walls) / 1000).toFixed(1)} s wall; ${(median(sums) / 1000).toFixed(1)} s of scenario time (what --jobs 1 would take); speed-up ×${(median(sums) / median(walls)).toFixed(2)}`,
  );
  const same = runs.every((r) => verdictsOf(r.result) === verdictsOf(runs[0]!.result));
  if (runs.length > 1)
    console.log(`  verdicts of the ${runs.length} runs: ${same ? 'identical' : 'DIFFER'}`);
  for (const r of runs.slice(1))
    if (verdictsOf(r.result) !== verdictsOf(runs[0]!.result))
      console.log(`    run 1 → a later run: ${ruleDiff(runs[0]!.result, r.result)}`);
  for (const r of runs)
    if (r.result.summary.exitCode !== 0)
      console.log(
        `    ${r.result.summary.line}: ${r.result.rules
          .filter((x) => x.status === 'fail')
          .map((x) => `${x.id}: ${x.reason}`)
          .join(' | ')}`,
      );
  await fanOut(scenarioArgs, 2, runs[0]!);
  for (const r of runs) dropRun(r);
}
