import { availableParallelism } from 'node:os';
import type { Scenario } from '../scenarios/scenario.js';

/**
 * How a run orders and splits its scenario runs: the default `--jobs`, longest first, and
 * `--shard i/n` (a deterministic slice balanced by expected duration). See docs/performance.md.
 */

/**
 * How long each built-in scenario takes against the reference client at speed 1, ms (a run
 * with `--jobs 4` on 2 cores, 2026-11-29; refresh from a run's index.json, `scenarios[].runs[]
 * .durationMs`, when scenarios change). Only relative sizes matter: they order the runs
 * (longest first) and balance shards. A scenario not listed costs {@link DEFAULT_EXPECTED_MS}.
 */
export const EXPECTED_MS: Readonly<Record<string, number>> = {
  'multi-turn': 22_000,
  'close-1013-forever': 21_000,
  'close-1013': 14_500,
  'cancel-race': 14_000,
  'race-errors': 13_500,
  'barge-in': 13_000,
  'push-to-talk': 12_500,
  'late-deltas': 12_000,
  'server-close-1000': 10_500,
  'slow-session-ack': 9_000,
  'tool-duplicate': 8_500,
  'malformed-deltas': 8_500,
  'barge-in-after-done': 8_500,
  'tool-call': 8_500,
  'tool-unknown': 8_500,
  'tool-throws': 8_000,
  'premium-nudges': 8_000,
  greeting: 7_500,
  'error-event': 7_000,
  'unknown-events': 7_000,
  'close-4008': 7_000,
  'close-4003': 6_500,
  'tool-stale': 6_500,
  interrupt: 6_000,
  'close-4001': 4_000,
  'long-session': 300_000,
};

/** The expected duration of a scenario {@link EXPECTED_MS} does not list. */
export const DEFAULT_EXPECTED_MS = 10_000;

/** A scenario's expected duration at speed 1, ms. */
export function expectedMs(scenario: Pick<Scenario, 'id'>): number {
  return EXPECTED_MS[scenario.id] ?? DEFAULT_EXPECTED_MS;
}

/** Scenario runs at once per core, by default (see {@link defaultJobs}). */
export const JOBS_PER_CORE = 3;
/** The default `--jobs` never goes above this. */
export const MAX_DEFAULT_JOBS = 8;

/**
 * The default `--jobs`: {@link JOBS_PER_CORE} per core, at most {@link MAX_DEFAULT_JOBS}. A
 * scenario run spends most of its time waiting on real-time audio (about 0.12 of a core on
 * average against the reference client, measured: 31 CPU-s for 252 s of scenarios), so more
 * runs than cores keep the verdicts and the latency figures true. Measured on 2 cores under
 * heavy outside load (docs/performance.md): 4 per core (8) failed a timing rule in some runs,
 * 3 per core (6) passed and still puts the default suite near a minute; more than 8 gains
 * little (the longest scenario, ~22 s, bounds the run).
 */
export function defaultJobs(cores: number = availableParallelism()): number {
  return Math.max(1, Math.min(MAX_DEFAULT_JOBS, JOBS_PER_CORE * cores));
}

/**
 * Runs in the order a pool should start them: longest expected first, so the short ones fill
 * in around them at the end (ties keep their order). Does not change `items`.
 */
export function longestFirst<T extends { scenario: Pick<Scenario, 'id'> }>(items: T[]): T[] {
  return items
    .map((item, i) => ({ item, i, ms: expectedMs(item.scenario) }))
    .sort((a, b) => b.ms - a.ms || a.i - b.i)
    .map((x) => x.item);
}

/** `--shard i/n`: run slice `index` (1-based) of `count`. */
export interface Shard {
  readonly index: number;
  readonly count: number;
}

/** `"2/4"` → `{ index: 2, count: 4 }`; throws an error that says what to give. */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count)
    throw new Error(
      `--shard ${JSON.stringify(text)}: give i/n with 1 ≤ i ≤ n, e.g. --shard 2/4 for the second of four slices`,
    );
  return { index, count };
}

/**
 * The scenarios of shard `shard`: every scenario goes, with all its `repeat` runs, to exactly
 * one of the `count` shards. Greedy by expected duration (longest first, each to the shard with
 * the least work so far, the lowest index on ties), so the slices take about as long and the
 * split depends only on the scenario list (every shard of a CI matrix computes the same one).
 * A scenario's repetitions stay together because some rules judge them together (CLOSE-BUSY's
 * growth across runs). Returns the slice in the order of `scenarios`.
 */
export function shardScenarios<S extends Pick<Scenario, 'id'>>(
  scenarios: readonly S[],
  shard: Shard,
): S[] {
  const load = new Array<number>(shard.count).fill(0);
  const owner = new Map<string, number>();
  const bySize = scenarios
    .map((s, i) => ({ s, i, ms: expectedMs(s) }))
    .sort((a, b) => b.ms - a.ms || a.i - b.i);
  for (const { s, ms } of bySize) {
    const least = load.indexOf(Math.min(...load));
    load[least]! += ms;
    owner.set(s.id, least + 1);
  }
  return scenarios.filter((s) => owner.get(s.id) === shard.index);
}
