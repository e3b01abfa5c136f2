/**
 * `swaram-conform explore`'s engine: fast-check generates cases ({@link exploreCaseArb}), each
 * is run against the client and judged by every selected rule; the first case that fails a
 * rule (confirmed on re-run) is shrunk by fast-check's own shrinker to the smallest case that
 * still fails the same rule, within a budget of runs and of time.
 */
import fc from 'fast-check';
import {
  caseSize,
  exploreCaseArb,
  speechCatalogue,
  type ExploreCase,
  type SpeechCatalogue,
} from './explore-case.js';
import { runCase, type CaseOutcome, type CaseRunner } from './run-case.js';

/** Options of {@link explore}. */
export interface ExploreOptions {
  runner: CaseRunner;
  /** Cases to generate. Default {@link DEFAULT_RUNS}. */
  runs?: number;
  /** fast-check's seed. Default: a fresh one (printed, for replay). */
  seed?: number;
  /** Real ms for generating and running cases; cases past it are not run. Default 120 000. */
  timeBudgetMs?: number;
  /** Case runs the shrinker may spend. Default {@link DEFAULT_SHRINK_RUNS}. */
  shrinkRuns?: number;
  /** Real ms the shrinker may spend. Default `timeBudgetMs`. */
  shrinkTimeMs?: number;
  /** Replays one case (`seed` and fast-check path) instead of exploring. */
  replay?: { seed: number; path: string };
  /** Called after each case run (progress). */
  onRun?(info: { phase: 'explore' | 'confirm' | 'shrink' | 'replay'; outcome: CaseOutcome }): void;
  signal?: AbortSignal;
}

export const DEFAULT_RUNS = 60;
export const DEFAULT_TIME_BUDGET_MS = 120_000;
export const DEFAULT_SHRINK_RUNS = 60;

/** A failing case, as found and as shrunk. */
export interface ExploreFailure {
  /** The rule it fails (the first failing rule of the catalogue, confirmed 2 of 3). */
  rule: string;
  /** The verdict's reason on the last confirming run of the shrunk case. */
  reason: string;
  original: ExploreCase;
  shrunk: ExploreCase;
  originalSize: number;
  shrunkSize: number;
  /** fast-check's seed and path of the shrunk case: `--replay <seed>:<path>`. */
  seed: number;
  path: string;
  /** Case runs spent confirming the first failure and shrinking it. */
  shrinkRuns: number;
  /** Shrink steps fast-check took (accepted smaller cases). */
  shrinkSteps: number;
  /** Real ms spent shrinking. */
  shrinkMs: number;
  /** The shrink budget (runs or time) ran out before fast-check was done. */
  shrinkBudgetHit: boolean;
  /** The last failing run of the shrunk case. */
  outcome: CaseOutcome;
}

/** What {@link explore} found. */
export interface ExploreResult {
  seed: number;
  /** Cases generated and run (not counting re-runs). */
  casesTried: number;
  /** Case runs in all (confirmations and shrinking included). */
  caseRuns: number;
  /** Runs that recorded harness errors (not the client's fault): their messages, first few. */
  harnessErrors: { runs: number; first: string[] };
  /** Cases that failed once but not on re-run (nondeterminism), not shrunk. */
  unconfirmed: number;
  /** The rules those cases failed on their first run. */
  unconfirmedRules: string[];
  /** The time budget stopped generation early. */
  budgetHit: boolean;
  durationMs: number;
  failure?: ExploreFailure;
}

interface Confirmed {
  outcome: CaseOutcome;
  reason: string;
}

/** Runs and budgets of one exploration, shared by the property's predicate. */
class Exploration {
  readonly began = performance.now();
  casesTried = 0;
  caseRuns = 0;
  harnessRuns = 0;
  harnessFirst: string[] = [];
  unconfirmed = 0;
  readonly unconfirmedRules = new Set<string>();
  budgetHit = false;
  rule: string | undefined;
  original: ExploreCase | undefined;
  last: Confirmed | undefined;
  shrinkRuns = 0;
  shrinkBegan = 0;
  shrinkBudgetHit = false;

  constructor(readonly options: ExploreOptions) {}

  async runOnce(c: ExploreCase, phase: 'explore' | 'confirm' | 'shrink' | 'replay') {
    const outcome = await runCase(c, this.options.runner);
    this.caseRuns += 1;
    if (phase === 'confirm' || phase === 'shrink') this.shrinkRuns += 1;
    if (outcome.harnessErrors.length > 0) {
      this.harnessRuns += 1;
      if (this.harnessFirst.length < 3) this.harnessFirst.push(outcome.harnessErrors[0]!);
    }
    this.options.onRun?.({ phase, outcome });
    return outcome;
  }

  /**
   * Whether `c` fails `rule` in 2 of 3 runs (stopping once 2 runs agree), `first` being the
   * first of them when given. While shrinking (`phase` shrink) a candidate whose first run
   * passes counts as passing at once: the shrinker only accepts what fails on re-run.
   */
  async failsOnRerun(
    c: ExploreCase,
    rule: string,
    phase: 'confirm' | 'shrink' | 'replay',
    first?: CaseOutcome,
  ): Promise<Confirmed | undefined> {
    const outcomes: CaseOutcome[] = first ? [first] : [await this.runOnce(c, phase)];
    if (phase === 'shrink' && !outcomes[0]!.failed.includes(rule)) return undefined;
    for (;;) {
      const fails = outcomes.filter((o) => o.failed.includes(rule));
      if (fails.length >= 2) {
        const outcome = fails.at(-1)!;
        return { outcome, reason: outcome.verdicts.get(rule)?.reason ?? '' };
      }
      if (outcomes.length - fails.length >= 2) return undefined;
      outcomes.push(await this.runOnce(c, phase));
    }
  }

  private get timeBudgetMs(): number {
    return this.options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  }

  /** The property's predicate: true = the case passes (or was not run). */
  async predicate(c: ExploreCase): Promise<boolean> {
    if (this.options.signal?.aborted) return true;
    if (this.rule === undefined) return this.exploreOne(c);
    const shrinkMs = this.options.shrinkTimeMs ?? this.timeBudgetMs;
    if (
      this.shrinkRuns >= (this.options.shrinkRuns ?? DEFAULT_SHRINK_RUNS) ||
      performance.now() - this.shrinkBegan > shrinkMs
    ) {
      this.shrinkBudgetHit = true;
      return true;
    }
    const confirmed = await this.failsOnRerun(c, this.rule, 'shrink');
    if (confirmed) this.last = confirmed;
    return confirmed === undefined;
  }

  private async exploreOne(c: ExploreCase): Promise<boolean> {
    if (performance.now() - this.began > this.timeBudgetMs) {
      this.budgetHit = true;
      return true;
    }
    this.casesTried += 1;
    const first = await this.runOnce(c, 'explore');
    if (first.harnessErrors.length > 0) return true;
    this.shrinkBegan = performance.now();
    for (const rule of first.failed) {
      const confirmed = await this.failsOnRerun(c, rule, 'confirm', first);
      if (!confirmed) continue;
      this.rule = rule;
      this.original = c;
      this.last = confirmed;
      return false;
    }
    if (first.failed.length > 0) {
      this.unconfirmed += 1;
      for (const id of first.failed) this.unconfirmedRules.add(id);
    }
    return true;
  }
}

/** The case at `seed`:`path` of {@link exploreCaseArb}, as fast-check generates it. */
export function caseAt(seed: number, path: string, catalogue: SpeechCatalogue): ExploreCase {
  let found: ExploreCase | undefined;
  fc.check(
    fc.property(exploreCaseArb(catalogue), (c) => {
      found = c;
      return false;
    }),
    { seed, path, endOnFailure: true },
  );
  if (!found) throw new Error(`--replay ${seed}:${path}: fast-check produced no case at that path`);
  return found;
}

/** Parses `--replay <seed>:<path>` (path: fast-check's, numbers joined by `:`). */
export function parseReplay(text: string): { seed: number; path: string } {
  const m = /^(-?\d+):(\d+(?::\d+)*)$/.exec(text.trim());
  if (!m)
    throw new Error(
      `--replay ${text}: expected <seed>:<path> as printed by explore, e.g. --replay 42:7:0:1`,
    );
  return { seed: Number(m[1]), path: m[2]! };
}

/**
 * Explores: generates up to `runs` cases and runs each; on the first confirmed failure, shrinks
 * it and returns it with its seed and path. With `replay`, runs that one case (2 of 3) instead.
 */
export async function explore(options: ExploreOptions): Promise<ExploreResult> {
  const state = new Exploration(options);
  const seed =
    options.replay?.seed ?? options.seed ?? (Date.now() ^ (Math.random() * 0x7fffffff)) | 0;
  const catalogue = await speechCatalogue();
  if (options.replay) return replayCase(state, options.replay, seed, catalogue);
  const details = await fc.check(
    fc.asyncProperty(exploreCaseArb(catalogue), (c) => state.predicate(c)),
    { numRuns: options.runs ?? DEFAULT_RUNS, seed },
  );
  const base = summary(state, seed);
  if (!details.failed || !state.rule || !state.original || !state.last) return base;
  const shrunk = details.counterexample![0];
  return {
    ...base,
    failure: {
      rule: state.rule,
      reason: state.last.reason,
      original: state.original,
      shrunk,
      originalSize: caseSize(state.original),
      shrunkSize: caseSize(shrunk),
      seed,
      path: details.counterexamplePath!,
      shrinkRuns: state.shrinkRuns,
      shrinkSteps: details.numShrinks,
      shrinkMs: Math.round(performance.now() - state.shrinkBegan),
      shrinkBudgetHit: state.shrinkBudgetHit,
      outcome: state.last.outcome,
    },
  };
}

function summary(state: Exploration, seed: number): ExploreResult {
  return {
    seed,
    casesTried: state.casesTried,
    caseRuns: state.caseRuns,
    harnessErrors: { runs: state.harnessRuns, first: state.harnessFirst },
    unconfirmed: state.unconfirmed,
    unconfirmedRules: [...state.unconfirmedRules],
    budgetHit: state.budgetHit,
    durationMs: Math.round(performance.now() - state.began),
  };
}

/** `--replay`: the case at seed:path, run until it fails a rule 2 of 3 times (or passes). */
async function replayCase(
  state: Exploration,
  replay: { seed: number; path: string },
  seed: number,
  catalogue: SpeechCatalogue,
): Promise<ExploreResult> {
  const c = caseAt(replay.seed, replay.path, catalogue);
  state.casesTried = 1;
  const runs = [await state.runOnce(c, 'replay'), await state.runOnce(c, 'replay')];
  // 2 of 3 runs decide, per rule, in catalogue order; a third run only when the two disagree.
  const seen = state.options.runner.rules
    .map((r) => r.id)
    .filter((id) => runs.some((o) => o.failed.includes(id)));
  let confirmed: Confirmed | undefined;
  let rule: string | undefined;
  for (const id of seen) {
    const fails = runs.filter((o) => o.failed.includes(id));
    if (fails.length === 1 && runs.length === 2) runs.push(await state.runOnce(c, 'replay'));
    const all = runs.filter((o) => o.failed.includes(id));
    if (all.length >= 2) {
      rule = id;
      confirmed = { outcome: all.at(-1)!, reason: all.at(-1)!.verdicts.get(id)?.reason ?? '' };
      break;
    }
  }
  const base = summary(state, seed);
  if (!confirmed || !rule) return base;
  const size = caseSize(c);
  return {
    ...base,
    failure: {
      rule,
      reason: confirmed.reason,
      original: c,
      shrunk: c,
      originalSize: size,
      shrunkSize: size,
      seed,
      path: replay.path,
      shrinkRuns: 0,
      shrinkSteps: 0,
      shrinkMs: 0,
      shrinkBudgetHit: false,
      outcome: confirmed.outcome,
    },
  };
}
