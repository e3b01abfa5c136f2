import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunResult } from '../conformance/results/result-schema.js';
import { defaultJobs } from '../conformance/run/plan-order.js';
import { SCENARIOS } from '../conformance/scenarios/index.js';
import type { BenchOptions } from './run.js';
import { dropRun, machineLine, ROOT, runConformCli } from './cli-run.js';

/**
 * Are the verdicts as true at the default --jobs as one at a time? The reference client over
 * the default suite, and every clients/faulty/<bug> over the scenarios its expected.json names,
 * each with --repeat 5 at speed 1 and the default --jobs: every repetition must fail exactly
 * the expected rules (none for the reference). Prints one row per client: repetitions that
 * matched, and any rule failed or missed in a repetition.
 */
export const description =
  'reference + every faulty client × 5 repeats at the default --jobs: exact verdicts';

interface Client {
  name: string;
  target: string;
  scenarios: string[];
  fails: string[];
}

function clients(): Client[] {
  const faulty = join(ROOT, 'clients', 'faulty');
  const variants = readdirSync(faulty, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(faulty, e.name, 'expected.json')))
    .map((e) => {
      const expected = JSON.parse(readFileSync(join(faulty, e.name, 'expected.json'), 'utf8')) as {
        fails: string[];
        scenarios: string[];
      };
      return { name: e.name, target: join(faulty, e.name), ...expected };
    });
  return [{ name: 'reference', target: 'reference', scenarios: [], fails: [] }, ...variants];
}

/**
 * The rules failed in repetition `k` (1-based) of `result`: its own judgements plus those made
 * across the repetitions (run 0, e.g. CLOSE-BUSY), which belong to every repetition. A rule
 * the harness could not judge counts as a mismatch (`!RULE`).
 */
export function failedIn(result: RunResult, k: number): string[] {
  const out = new Set<string>();
  for (const rule of result.rules)
    for (const j of rule.runs) {
      if (j.run !== k && j.run !== 0) continue;
      if (j.status === 'fail') out.add(rule.id);
      if (j.status === 'harness_error') out.add(`!${rule.id}`);
    }
  return [...out].sort();
}

/**
 * Runs every client and prints the table; quick: one variant over greeting, once (it fails
 * PLAY-ORDER and nothing else: a caught bug and a clean rest in one short run).
 */
export async function run(options: BenchOptions): Promise<void> {
  const repeat = options.quick ? 1 : 5;
  const all = clients();
  // SWARAM_BENCH_CLIENTS=a,b: only these clients (e.g. to re-check one).
  const only = process.env.SWARAM_BENCH_CLIENTS?.split(',');
  const chosen = options.quick
    ? all.filter((c) => c.name === 'flushes-playback-on-done')
    : all.filter((c) => !only || only.includes(c.name));
  console.log(machineLine());
  console.log(
    `speed 1, --repeat ${repeat}, --jobs ${defaultJobs()} (the default here)` +
      (options.quick ? '; --quick: greeting only, smoke test' : ''),
  );
  console.log(
    `  ${'client'.padEnd(30)} ${'matched'.padEnd(8)} ${'wall s'.padStart(6)}  expected → differences`,
  );
  let total = 0;
  let matched = 0;
  for (const client of chosen) {
    const scenarios = options.quick ? ['greeting'] : client.scenarios;
    const run = await runConformCli([
      ...(client.target === 'reference' ? ['--target', 'reference'] : ['--target', client.target]),
      ...(scenarios.length > 0 ? ['--scenario', scenarios.join(',')] : []),
      '--repeat',
      String(repeat),
      // A long scenario (long-session, for BOUNDED-MEMORY) keeps its own limit: 45 s cut it short.
      ...(scenarios.some((id) => SCENARIOS.find((x) => x.id === id)?.long)
        ? []
        : ['--timeout', '45']),
    ]);
    const expected = [...client.fails].sort().join(',');
    const diffs: string[] = [];
    let ok = 0;
    for (let k = 1; k <= repeat; k++) {
      const got = failedIn(run.result, k).join(',');
      if (got === expected) ok++;
      else diffs.push(`#${k}: ${got || '(none)'}`);
    }
    total += repeat;
    matched += ok;
    console.log(
      `  ${client.name.padEnd(30)} ${`${ok}/${repeat}`.padEnd(8)} ${(run.wallMs / 1000).toFixed(0).padStart(6)}  ${expected || '(none)'}${diffs.length ? ` → ${diffs.join('; ')}` : ''}`,
    );
    if (diffs.length === 0) dropRun(run);
    else console.log(`    kept: ${run.dir}`);
  }
  console.log(`\n  ${matched}/${total} repetitions gave exactly the expected verdicts`);
}
