import type { TraceStall } from '../trace/trace.js';
import type { StarvedAttempt } from './run-tally.js';

/** Share of a run the runner may spend stalled before its timing verdicts are in doubt. */
export const STARVED_SHARE = 0.05;
/** Longest single stall of the runner before its timing verdicts are in doubt (ms). */
export const STARVED_STALL_MS = 250;

/** How much a run's harness was stalled (see {@link StallWatch}). */
export interface Starvation {
  /** Total of the runner's measured stalls, ms. */
  stalledMs: number;
  /** The longest one, ms. */
  longestMs: number;
  /** Whether the run counts as starved: stalled 5 % of it or more, or once for 250 ms or more. */
  starved: boolean;
}

/**
 * The runner's stalls in a run, summed: a run the harness was starved in (the machine was too
 * loaded to keep real time) has timing verdicts nobody should trust, so a failing one is run
 * again (`--retries`). Undefined without measurements (a fake clock).
 */
export function starvation(trace: {
  stalls?: readonly TraceStall[];
  startedAt: number;
  endedAt: number;
}): Starvation | undefined {
  if (!trace.stalls) return undefined;
  const spans = trace.stalls.map((s) => s.to - s.from);
  const stalledMs = spans.reduce((a, b) => a + b, 0);
  const longestMs = spans.reduce((a, b) => Math.max(a, b), 0);
  const duration = Math.max(1, trace.endedAt - trace.startedAt);
  return {
    stalledMs,
    longestMs,
    starved: stalledMs >= STARVED_SHARE * duration || longestMs >= STARVED_STALL_MS,
  };
}

/** What {@link retryStarved} needs of a run: its trace. */
interface Attempted {
  trace: { stalls?: readonly TraceStall[]; startedAt: number; endedAt: number };
}

/**
 * Runs `attempt`, and again while the run failed a rule (`judge`: its verdicts by rule id) in a
 * starved harness, at most `retries` more times; each such attempt is handed to `keep` with its
 * verdicts (it writes them and says where), so an attempt is judged once. Returns the last
 * attempt and the ones kept, in order. A client that really fails fails every attempt, so its
 * failure stands (with the attempts listed); an attempt the harness kept up with is judged as
 * it is, pass or fail. A starved run whose failed rules are all `timingFree` (their verdicts
 * cannot depend on how soon anything happened: `Rule.timingFree`) is not run again either.
 */
export async function retryStarved<R extends Attempted, V extends { status: string }>(options: {
  attempt: () => Promise<R>;
  judge: (run: R) => ReadonlyMap<string, V>;
  retries: number;
  keep: (
    run: R,
    k: number,
    verdicts: ReadonlyMap<string, V>,
    failed: string[],
    starved: Starvation,
  ) => Promise<StarvedAttempt>;
  signal?: AbortSignal | undefined;
  onRetry?: (kept: StarvedAttempt) => void;
  /** Whether a rule's verdict is free of timing (see `Rule.timingFree`); default: none is. */
  timingFree?: (ruleId: string) => boolean;
}): Promise<{ run: R; retried: StarvedAttempt[]; verdicts?: ReadonlyMap<string, V> }> {
  let run = await options.attempt();
  const retried: StarvedAttempt[] = [];
  while (retried.length < options.retries && !options.signal?.aborted) {
    const starved = starvation(run.trace);
    if (!starved?.starved) break;
    const verdicts = options.judge(run);
    const failed = [...verdicts].filter(([, v]) => v.status === 'fail').map(([id]) => id);
    // Judged already: the caller need not judge the run again. Failures of timing-free rules
    // would stand on every attempt: only a failed rule that timing could explain is retried.
    const inDoubt = failed.filter((id) => options.timingFree?.(id) !== true);
    if (inDoubt.length === 0) return { run, retried, verdicts };
    const kept = await options.keep(run, retried.length + 1, verdicts, failed, starved);
    retried.push(kept);
    options.onRetry?.(kept);
    run = await options.attempt();
  }
  return { run, retried };
}
