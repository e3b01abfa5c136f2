/**
 * `swaram-conform explore` figures (`npm run bench -- explore`):
 *
 * - detection: the faulty variants misses-barge-in-after-delta (its bug shows only when a
 *   barge-in lands within 30 ms after an audio delta) and reuses-first-call-id (only when one
 *   response makes two calls), each explored with the default budget over seeds 1–10: how
 *   many seeds catch its rule, cases until the first failure, shrink runs, shrunk size, and
 *   whether the replay line reproduces the failure;
 * - the reference client over 200 generated cases (--quick: 5, and one variant, one seed, five
 *   shrink runs): failures and harness errors;
 * - cases per minute of each (in process, fake clock).
 *
 * Environment: EXPLORE_SEEDS (default 10), EXPLORE_REFERENCE_RUNS (default 200), EXPLORE_PART
 * (detection or reference: only that part), EXPLORE_VARIANT (only that faulty variant).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { referenceInProcess } from '../clients/reference/in-process.js';
import { inProcessSpec as missesBargeIn } from '../clients/faulty/misses-barge-in-after-delta/in-process.js';
import { inProcessSpec as reusesCallId } from '../clients/faulty/reuses-first-call-id/in-process.js';
import { DEFAULT_BUDGETS } from '../conformance/metrics/budgets.js';
import { RULES } from '../conformance/rules/catalogue.js';
import { explore } from '../conformance/explore/explore.js';
import type { CaseRunner } from '../conformance/explore/run-case.js';
import type { BenchOptions } from './run.js';

export const description =
  'explore: detection of two bugs no named scenario reaches over 10 seeds, the reference client over 200 cases, cases/min';

/** The faulty variants only explore catches, and the rule each fails. */
const VARIANTS = [
  { name: 'misses-barge-in-after-delta', spec: missesBargeIn, rule: 'BARGE-STOP' },
  { name: 'reuses-first-call-id', spec: reusesCallId, rule: 'TOOL-ANSWER' },
] as const;

function runner(spec: CaseRunner['spec'], workDir: string): CaseRunner {
  return { spec, speed: { kind: 'fake-clock' }, rules: RULES, budgets: DEFAULT_BUDGETS, workDir };
}

async function detection(
  variant: (typeof VARIANTS)[number],
  seeds: number,
  workDir: string,
  shrinkBudget?: number,
): Promise<void> {
  const inProcessSpec = variant.spec;
  console.log(
    `explore detection: ${variant.name}, ${shrinkBudget ? `${shrinkBudget} shrink runs` : 'default budget'}, seeds 1-${seeds}`,
  );
  let caught = 0;
  const shrinkRuns: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const r = await explore({
      runner: runner(inProcessSpec, workDir),
      seed,
      ...(shrinkBudget !== undefined ? { shrinkRuns: shrinkBudget } : {}),
    });
    const f = r.failure;
    let replayed = '-';
    if (f) {
      const again = await explore({
        runner: runner(inProcessSpec, workDir),
        replay: { seed: f.seed, path: f.path },
      });
      replayed = again.failure?.rule === f.rule ? 'yes' : 'NO';
    }
    if (f?.rule === variant.rule) caught += 1;
    if (f) shrinkRuns.push(f.shrinkRuns);
    const perMin = ((r.caseRuns / r.durationMs) * 60_000).toFixed(1);
    console.log(
      `  seed ${String(seed).padStart(2)}: ${f ? `${f.rule} after ${r.casesTried} case(s), shrunk ${f.originalSize}→${f.shrunkSize} steps in ${f.shrinkRuns} runs (${(f.shrinkMs / 1000).toFixed(0)} s${f.shrinkBudgetHit ? ', budget hit' : ''}), replay reproduces: ${replayed}` : `nothing in ${r.casesTried} case(s)`}; ${r.caseRuns} runs in ${(r.durationMs / 1000).toFixed(0)} s = ${perMin} runs/min`,
    );
  }
  const mean = shrinkRuns.reduce((a, b) => a + b, 0) / Math.max(1, shrinkRuns.length);
  console.log(
    `  caught on ${caught}/${seeds} seeds; shrink runs per failure: mean ${mean.toFixed(1)}, max ${Math.max(0, ...shrinkRuns)}`,
  );
}

async function reference(runs: number, workDir: string): Promise<void> {
  const r = await explore({
    runner: runner(() => referenceInProcess(), workDir),
    seed: 20261129,
    runs,
    timeBudgetMs: 3_600_000,
  });
  console.log(
    `explore reference: ${r.casesTried} cases (${r.caseRuns} runs) in ${(r.durationMs / 1000).toFixed(0)} s = ${((r.caseRuns / r.durationMs) * 60_000).toFixed(1)} runs/min; ` +
      `failure: ${r.failure ? `${r.failure.rule} (seed ${r.seed}, path ${r.failure.path}): ${r.failure.reason}` : 'none'}; ` +
      `harness-error runs: ${r.harnessErrors.runs}${r.harnessErrors.first.length ? ` (${r.harnessErrors.first.join(' | ')})` : ''}; unconfirmed: ${r.unconfirmed}`,
  );
}

export async function run(options: BenchOptions): Promise<void> {
  const workDir = mkdtempSync(join(tmpdir(), 'swaram-explore-bench-'));
  try {
    const only = process.env.EXPLORE_PART;
    const seeds = Number(process.env.EXPLORE_SEEDS ?? (options.quick ? 1 : 10));
    // --quick (the CI smoke test): one variant, one seed, five shrink runs (the shrinker and
    // the replay still run once; 55 shrink runs were 27 of its 45 s), five reference cases.
    for (const variant of options.quick ? VARIANTS.slice(0, 1) : VARIANTS) {
      if (only === 'reference') break;
      if (process.env.EXPLORE_VARIANT && process.env.EXPLORE_VARIANT !== variant.name) continue;
      await detection(variant, seeds, workDir, options.quick ? 5 : undefined);
    }
    if (only !== 'detection')
      await reference(
        Number(process.env.EXPLORE_REFERENCE_RUNS ?? (options.quick ? 5 : 200)),
        workDir,
      );
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
