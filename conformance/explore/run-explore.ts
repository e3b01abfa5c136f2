/**
 * `swaram-conform explore` as a library call: resolve how the target runs (in process on a
 * fake clock when it can, else spawned on the real clock), explore, then write the result
 * through the ordinary run pipeline — the shrunk counterexample (or, when nothing failed, a
 * sample case) is judged as a `--fixture` run, and the explore block joins its index.json.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { referenceInProcess } from '../../clients/reference/in-process.js';
import { FakeClock } from '../../mock-server/clock.js';
import { packageRoot } from '../../protocol/package-root.js';
import { DEFAULT_BUDGETS } from '../metrics/budgets.js';
import type { ExploreSummary } from '../results/result-schema.js';
import { selectRules } from '../rules/catalogue.js';
import { runConformance, type ConformanceRun } from '../run/run-conformance.js';
import type { InProcessSpec } from '../target/in-process-target.js';
import { resolveTarget, type TargetSpec } from '../target/resolve-target.js';
import { exploreCaseArb, speechCatalogue, type ExploreCase } from './explore-case.js';
import {
  DEFAULT_RUNS,
  DEFAULT_SHRINK_RUNS,
  DEFAULT_TIME_BUDGET_MS,
  explore,
  type ExploreOptions,
  type ExploreResult,
} from './explore.js';
import { writeCaseFixture, type CaseSpeed } from './run-case.js';

/** Options of {@link runExplore}. */
export interface RunExploreOptions extends Omit<ExploreOptions, 'runner' | 'shrinkTimeMs'> {
  /** A folder, file or built-in name (`reference`), as for the suite. */
  target?: string;
  targetCmd?: string;
  /** Run the target spawned even when it can run in process. */
  spawn?: boolean;
  /** Speed of a spawned target (real clock). Default 1. */
  speed?: number;
  rules?: string[];
  budgets?: Record<string, number>;
  reportDir?: string;
  /** The command line that names the target (for the replay line). Default `swaram-conform explore --target …`. */
  command?: string;
}

/** The explore result and the run written for it. */
export interface ExploreRun extends ConformanceRun {
  explore: ExploreResult;
  summary: ExploreSummary;
}

/**
 * An in-process spec factory for `target`: `reference`, or a folder with an `in-process.ts`
 * (from source) / `in-process.js` (compiled) exporting `inProcessSpec()`.
 */
export async function inProcessFactory(
  target: string | undefined,
): Promise<(() => InProcessSpec) | undefined> {
  if (target === undefined) return undefined;
  if (target === 'reference') return () => referenceInProcess();
  const ext = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const dir = resolve(target);
  const file = join(dir, `in-process.${ext}`);
  if (!existsSync(file)) return undefined;
  const mod = (await import(pathToFileURL(file).href)) as { inProcessSpec?: () => InProcessSpec };
  if (typeof mod.inProcessSpec !== 'function')
    throw new Error(`${file} does not export inProcessSpec(): add it, or pass --spawn`);
  return mod.inProcessSpec;
}

/** The speed a run's cases go at, in words (the result's `speed`). */
export function speedText(speed: CaseSpeed): string {
  return speed.kind === 'fake-clock'
    ? 'fake clock (in process): no real waiting, timings exact on the scenario clock'
    : `real clock ×${speed.speed} (spawned)`;
}

/**
 * Explores `target` and writes `reports/<run-id>/`: index.json with the explore block, the
 * judged counterexample (or sample case) as its one scenario, every reporter's file, and the
 * shrunk case as a fixture folder `counterexamples/<rule>/`.
 */
export async function runExplore(options: RunExploreOptions): Promise<ExploreRun> {
  const factory = options.spawn ? undefined : await inProcessFactory(options.target);
  const spawned: TargetSpec | undefined = factory
    ? undefined
    : resolveTarget({
        ...(options.target !== undefined
          ? { target: options.target === 'reference' ? referenceDir() : options.target }
          : {}),
        ...(options.targetCmd !== undefined ? { targetCmd: options.targetCmd } : {}),
      });
  const speed: CaseSpeed = factory
    ? { kind: 'fake-clock' }
    : { kind: 'real-clock', speed: options.speed ?? 1 };
  const rules = selectRules(options.rules ? { ids: options.rules } : {});
  const budgets = { ...DEFAULT_BUDGETS, ...options.budgets };
  const workDir = mkdtempSync(join(tmpdir(), 'swaram-explore-'));
  const timeBudgetMs = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  try {
    const result = await explore({
      ...options,
      runner: { spec: () => factory?.() ?? spawned!, speed, rules, budgets, workDir },
      timeBudgetMs,
      shrinkTimeMs: timeBudgetMs,
    });
    const judged: ExploreCase =
      result.failure?.shrunk ??
      fc.sample(exploreCaseArb(await speechCatalogue()), { seed: result.seed, numRuns: 1 })[0]!;
    const name = result.failure?.rule ?? 'sample-case';
    const description = result.failure
      ? `The shrunk case explore found failing ${result.failure.rule} (seed ${result.seed}, path ${result.failure.path}).`
      : `A sample case of explore's seed ${result.seed} (no case failed).`;
    const fixtureDir = await writeCaseFixture(judged, join(workDir, 'judged'), name, description);
    const replay = replayLine(options, result);
    let summary: ExploreSummary | undefined;
    const run = await runConformance({
      ...(factory
        ? { spec: factory(), clock: new FakeClock() }
        : { spec: spawned!, speed: speed.kind === 'real-clock' ? speed.speed : 1 }),
      fixture: fixtureDir,
      ...(options.rules ? { rules: options.rules } : {}),
      ...(options.budgets ? { budgets: options.budgets } : {}),
      ...(options.reportDir ? { reportDir: options.reportDir } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      explore: async (runDir) => {
        const fixture = result.failure
          ? await writeCaseFixture(judged, join(runDir, 'counterexamples'), name, description)
          : undefined;
        summary = exploreSummary(result, speed, options, timeBudgetMs, replay, fixture);
        return summary;
      },
    });
    return { ...run, explore: result, summary: summary! };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function referenceDir(): string {
  return join(
    packageRoot(),
    import.meta.url.endsWith('.ts') ? 'clients/reference' : 'clients/reference/installed',
  );
}

/** The one-line command that replays the shrunk case against the same target. */
export function replayLine(options: RunExploreOptions, result: ExploreResult): string | undefined {
  if (!result.failure) return undefined;
  const target =
    options.command ??
    `swaram-conform explore ${options.target !== undefined ? `--target ${shellQuote(options.target)}` : `--target-cmd ${shellQuote(options.targetCmd ?? '')}`}`;
  const extra = [
    ...(options.spawn ? ['--spawn'] : []),
    ...(options.speed !== undefined && options.speed !== 1 ? [`--speed ${options.speed}`] : []),
    ...(options.rules ? [`--rules ${options.rules.join(',')}`] : []),
  ];
  return [target, ...extra, `--replay ${result.failure.seed}:${result.failure.path}`].join(' ');
}

function shellQuote(s: string): string {
  return /^[\w./:@=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function exploreSummary(
  result: ExploreResult,
  speed: CaseSpeed,
  options: RunExploreOptions,
  timeBudgetMs: number,
  replay: string | undefined,
  fixture: string | undefined,
): ExploreSummary {
  const f = result.failure;
  return {
    seed: result.seed,
    casesTried: result.casesTried,
    caseRuns: result.caseRuns,
    casesPerMinute:
      Math.round((result.caseRuns / Math.max(1, result.durationMs)) * 60_000 * 10) / 10,
    harnessErrorRuns: result.harnessErrors.runs,
    unconfirmed: result.unconfirmed,
    ...(result.unconfirmedRules.length > 0 ? { unconfirmedRules: result.unconfirmedRules } : {}),
    budgetHit: result.budgetHit,
    speed: speedText(speed),
    budgets: {
      runs: options.runs ?? DEFAULT_RUNS,
      timeMs: timeBudgetMs,
      shrinkRuns: options.shrinkRuns ?? DEFAULT_SHRINK_RUNS,
      shrinkTimeMs: timeBudgetMs,
    },
    judged: f
      ? `the shrunk counterexample of ${f.rule}`
      : `a sample case of seed ${result.seed} (no generated case failed)`,
    ...(f && replay && fixture
      ? {
          failure: {
            rule: f.rule,
            reason: f.reason,
            path: f.path,
            replay,
            fixture,
            originalSize: f.originalSize,
            shrunkSize: f.shrunkSize,
            shrinkRuns: f.shrinkRuns,
            shrinkSteps: f.shrinkSteps,
            shrinkMs: f.shrinkMs,
            shrinkBudgetHit: f.shrinkBudgetHit,
            shrunk: f.shrunk as unknown as Record<string, unknown>,
          },
        }
      : {}),
  };
}
