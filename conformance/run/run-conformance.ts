import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { FakeClock, realClock, type Clock } from '../../mock-server/clock.js';
import { generateCertificate } from '../../mock-server/mock-server.js';
import { compileValidators } from '../../protocol/validators.js';
import type { Fixture } from '../../protocol/fixture/fixture.js';
import {
  NOT_RUN_REASON,
  type ExploreSummary,
  type RunResult,
  type ScenarioResult,
} from '../results/result-schema.js';
import type { Verdict } from '../rules/rule.js';
import { ruleById } from '../rules/catalogue.js';
import type { Scenario } from '../scenarios/scenario.js';
import type { TargetSpec } from '../target/resolve-target.js';
import { aggregateRun } from './aggregate-run.js';
import {
  createRunFolder,
  writeRunIndex,
  writeScenarioRun,
  type AudioStorage,
} from './run-files.js';
import { defaultJobs, longestFirst, type Shard } from './plan-order.js';
import { planRun, type RunPlan } from './run-plan.js';
import {
  runScenario,
  type RunnerTls,
  type RunScenarioOptions,
  type ScenarioRun,
} from './run-scenario.js';
import { round, RunTally, type StarvedAttempt } from './run-tally.js';
import { RunGate } from './run-gate.js';
import { retryStarved } from './starved-retry.js';
import { Redactor } from '../target/target-env.js';

/** Default of {@link ConformanceOptions.retries}. */
export const DEFAULT_RETRIES = 2;

/** Options of {@link runConformance}; the CLI flags map onto them one to one. */
export interface ConformanceOptions {
  /** A folder with `swaram-client.json`, an executable, or a `.js` / `.ts` file. */
  target?: string;
  /** A command line for anything else. */
  targetCmd?: string;
  /** Run a plain app that reads SWARAM_URL / SWARAM_API_KEY (no adapter). */
  wireOnly?: boolean;
  /**
   * The target itself, instead of `target` / `targetCmd` (e.g. an in-process one from
   * `inProcessTarget`, with `clock` a FakeClock).
   */
  spec?: TargetSpec;
  /** Rule ids or globs (`TOOL-*`) to judge; default all. */
  rules?: string[];
  /** Judge only rules whose id, title or description contains this text. */
  grep?: string;
  /** Scenario ids to run; default every scenario that exercises a selected rule. */
  scenarios?: string[];
  /**
   * A fixture folder (or built-in name) to judge the client over instead of the built-in
   * scenarios: one generic scenario plays its user turns (see `fixtureScenario`). Excludes
   * `scenarios`.
   */
  fixture?: string;
  /** `simple` or `premium`: run every scenario in this mode. */
  mode?: 'simple' | 'premium';
  /** Replay speed factor. Default 1 (real time: the latency figures mean what they say). */
  speed?: number;
  /** Runs per scenario. Default 1. */
  repeat?: number;
  /**
   * Times a scenario run that failed while the harness was starved (the runner stalled 5 % of
   * the run, or 250 ms at once: a machine too loaded to keep real time) is run again; the
   * failed attempts are kept and listed (`retried`). Default 2; 0 judges every first attempt.
   */
  retries?: number;
  /**
   * Decides which runs may run at once: a retry (above) runs alone. Share one `RunGate`
   * between conformance runs made at the same time in one process (a test suite running
   * several clients side by side), so that a retry waits for all of their runs. Default: one
   * per call.
   */
  gate?: RunGate;
  /**
   * Scenario runs at once. Default {@link defaultJobs}: 3 per core, at most 8 (1 on a
   * FakeClock). With more than one, runs start longest first.
   */
  jobs?: number;
  /**
   * Run only slice `index` of `count` (`--shard i/n`): a deterministic share of the selected
   * scenarios, balanced by expected duration; `swaram-conform merge` joins the slices' run
   * folders into one result.
   */
  shard?: Shard;
  /** Multiplies every wait inside scenarios (slow clients, loaded machines). Default 1. */
  timeoutFactor?: number;
  /** Longest one scenario run may take, ms. Default: each scenario's own (30–60 s at speed 1). */
  timeoutMs?: number;
  /** How long the adapter has to say `hello`, ms. Default 10 000 (`--handshake-timeout`). */
  handshakeTimeoutMs?: number;
  /** Runner environment variables the target gets besides the allow-list (`--pass-env`). */
  passEnv?: string[];
  /**
   * Serve the mock over `wss:` (`--tls`) with a self-signed certificate made for this run; the
   * adapter gets a `wss://` URL in `connect` and trusts the certificate through its
   * environment (`NODE_EXTRA_CA_CERTS`, `SSL_CERT_FILE`, `REQUESTS_CA_BUNDLE`: a PEM file).
   * For SDKs that only speak `wss:`. Default false.
   */
  tls?: boolean;
  /** Which failures make the exit code 1: `must` (default), `should`, or `warn` (any warn too). */
  failOn?: 'must' | 'should' | 'warn';
  /** Include scenarios marked long (soak). Default false. */
  long?: boolean;
  /** Where run folders go. Default `reports`. */
  reportDir?: string;
  /**
   * How scenario files keep audio payloads: `summary` (default: `{ bytes, durationMs, sha256 }`)
   * or `full` (the base64). See docs/reports.md.
   */
  audio?: AudioStorage;
  /**
   * Stops the run early (the CLI aborts it on Ctrl-C / SIGTERM): no scenario run starts after
   * it, the ones under way are stopped (their targets too) and left out, and the result holds
   * what was judged so far, marked `interrupted`.
   */
  signal?: AbortSignal;
  /** Budgets and thresholds over the defaults (keys of DEFAULT_BUDGETS, e.g. `L_stop.p95`). */
  budgets?: Record<string, number>;
  /** Progress hooks (the terminal reporter). */
  reporter?: ProgressReporter;
  clock?: Clock;
  /** The command line that started the run, for replay hints. Default `swaram-conform`. */
  command?: string;
  /**
   * `swaram-conform explore`: called with the run folder once the runs are judged; its block
   * (and whatever it writes into the folder) goes into the result.
   */
  explore?: (runDir: string) => Promise<ExploreSummary>;
}

/** Hooks called while a run goes on; all optional. */
export interface ProgressReporter {
  onRunStart?(plan: {
    runId: string;
    scenarios: Scenario[];
    skipped: ScenarioResult[];
    repeat: number;
    target: TargetSpec;
    /** The command line that replays one scenario (for hints under a failure). */
    replayOf(id: string): string;
  }): void;
  onScenarioStart?(scenario: Scenario, run: number): void;
  /** A run failed while the harness was starved and is run again. */
  onScenarioRetry?(scenario: Scenario, run: number, attempt: StarvedAttempt): void;
  onScenarioEnd?(
    scenario: Scenario,
    run: number,
    verdicts: ReadonlyMap<string, Verdict>,
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

/**
 * Runs the conformance suite against one client and writes `reports/<run-id>/`: plan (target,
 * rules, scenarios, features) → execute (each scenario run, `jobs` at a time) → judge (each
 * run as it ends, then the repetitions together) → aggregate (the result model) → write.
 *
 * @example
 * const { result } = await runConformance({ target: './clients/reference', speed: 2 });
 * process.exitCode = result.summary.exitCode;
 */
export async function runConformance(options: ConformanceOptions): Promise<ConformanceRun> {
  const clock = options.clock ?? realClock;
  const fake = clock instanceof FakeClock;
  if (fake && (options.jobs ?? 1) > 1) {
    // Each run steps the clock when it is idle; two runs on one fake clock would step it for
    // each other.
    throw new Error('a run on a FakeClock runs one scenario at a time: leave jobs at 1');
  }
  const plan = await planRun(options, clock);
  await createRunFolder(plan.dir);
  const { runId, runnable, skipped, repeat, spec } = plan;
  options.reporter?.onRunStart?.({
    runId,
    scenarios: runnable,
    skipped,
    repeat,
    target: spec,
    replayOf: plan.replayOf,
  });

  const tls = options.tls ? await runnerTls() : undefined;
  // Compiled before the first run, not during it (a stall of 0.3–0.6 s in every run then live).
  compileValidators();
  const began = clock.now();
  const tally = new RunTally(plan);
  const fixtures = new Map<string, Promise<Fixture>>();
  const secrets = new Set<string>(Object.values(spec.env ?? {}));
  const queued: Array<{ scenario: Scenario; run: number }> = [];
  for (const scenario of runnable)
    for (let run = 1; run <= repeat; run++) queued.push({ scenario, run });
  const size = Math.max(1, options.jobs ?? (fake ? 1 : defaultJobs()));
  // One at a time, the order changes nothing but what the terminal shows: keep the registry's.
  const jobs = size > 1 ? longestFirst(queued) : queued;
  const { signal } = options;
  const retries = options.retries ?? DEFAULT_RETRIES;
  const gate = options.gate ?? new RunGate();
  const runOne = async ({ scenario, run }: { scenario: Scenario; run: number }) => {
    options.reporter?.onScenarioStart?.(scenario, run);
    let attempts = 0;
    const attempt = () => {
      const go = async () => {
        const outcome = await runScenario(scenario, {
          ...scenarioOptions(plan, options, clock, fixtures),
          ...(tls ? { tls } : {}),
          signal,
        });
        for (const s of outcome.redactor.values) secrets.add(s);
        return outcome;
      };
      // The first attempt beside the other runs; a retry alone (RunGate).
      return attempts++ === 0 ? gate.together(go) : gate.aloneRun(go);
    };
    // A run that failed while the machine starved the harness is run again, alone: its timing
    // verdicts say more about the machine than about the client. The attempt is kept.
    const {
      run: outcome,
      retried,
      verdicts: judged,
    } = await retryStarved({
      attempt,
      retries,
      signal,
      judge: (o) => tally.verdictsOf(scenario, o.trace),
      keep: async (o, k, verdicts, failed, starved) => ({
        file: await writeScenarioRun(
          plan.dir,
          scenario.id,
          run,
          o,
          verdicts,
          options.audio,
          `-starved-${k}`,
        ),
        stalledMs: round(starved.stalledMs),
        longestStallMs: round(starved.longestMs),
        failed,
      }),
      onRetry: (kept) => options.reporter?.onScenarioRetry?.(scenario, run, kept),
      timingFree: (id) => ruleById(id)?.timingFree === true,
    });
    if (signal?.aborted) return; // stopped half-way: not judged
    const verdicts = tally.judgeRun(scenario, run, outcome, judged);
    const file = await writeScenarioRun(
      plan.dir,
      scenario.id,
      run,
      outcome,
      verdicts,
      options.audio,
    );
    tally.addScenarioRun(scenario, run, outcome, verdicts, file, retried);
    options.reporter?.onScenarioEnd?.(scenario, run, verdicts, outcome);
  };
  const interrupted = await untilDoneOrAborted(pool(jobs, size, runOne, signal), signal).finally(
    () => {
      if (tls) rmSync(dirname(tls.caFile), { recursive: true, force: true });
    },
  );
  tally.judgeAcrossRuns();

  const aggregated = aggregateRun(plan, tally, options, clock.now() - began);
  const marked = interrupted ? markInterrupted(aggregated, plan) : aggregated;
  const result = options.explore ? { ...marked, explore: await options.explore(plan.dir) } : marked;
  await writeRunIndex(plan.dir, result, new Redactor(secrets));
  options.reporter?.onRunEnd?.(result, plan.dir);
  return { result, dir: plan.dir };
}

/** One certificate for the whole run (key generation is slow), its PEM in a temporary file. */
async function runnerTls(): Promise<RunnerTls> {
  const pair = await generateCertificate('127.0.0.1');
  const caFile = join(mkdtempSync(join(tmpdir(), 'swaram-conform-tls-')), 'mock-ca.pem');
  writeFileSync(caFile, pair.cert);
  return { ...pair, caFile };
}

/** How long an interrupted run waits for the scenario runs under way to stop their targets. */
const STOP_GRACE_MS = 6_000;

/**
 * Waits for the runs; when `signal` aborts first, gives the runs under way a moment to stop
 * their targets (they see the same signal) and returns true. A target still running after that
 * is killed with its process group when the process exits (target.ts).
 */
async function untilDoneOrAborted(done: Promise<void>, signal?: AbortSignal): Promise<boolean> {
  if (!signal) {
    await done;
    return false;
  }
  const aborted = new Promise<void>((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
  await Promise.race([done, aborted]);
  if (!signal.aborted) return false;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    done.catch(() => undefined),
    new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS))),
  ]);
  clearTimeout(timer);
  return true;
}

/**
 * An interrupted run's result: flagged, and every chosen scenario listed — one that never
 * finished a run as skipped, saying so.
 */
function markInterrupted(result: RunResult, plan: RunPlan): RunResult {
  const scenarios = plan.chosen.map(
    (s): ScenarioResult =>
      result.scenarios.find((x) => x.id === s.id) ?? {
        id: s.id,
        title: s.title,
        family: s.family,
        description: s.description,
        status: 'skipped',
        skipReason: NOT_RUN_REASON,
        rules: [...s.rules],
        runs: [],
        replay: plan.replayOf(s.id),
      },
  );
  return { ...result, scenarios, interrupted: true };
}

/** The options of each scenario run of a conformance run. */
function scenarioOptions(
  plan: RunPlan,
  options: ConformanceOptions,
  clock: Clock,
  fixtures: Map<string, Promise<Fixture>>,
): RunScenarioOptions {
  return {
    spec: plan.spec,
    fixtures,
    speed: plan.speed,
    clock,
    ...(plan.model ? { model: plan.model } : {}),
    ...(options.timeoutFactor ? { timeoutFactor: options.timeoutFactor } : {}),
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
    ...(options.handshakeTimeoutMs ? { handshakeTimeoutMs: options.handshakeTimeoutMs } : {}),
    ...(options.passEnv ? { passEnv: options.passEnv } : {}),
  };
}

async function pool<T>(
  items: T[],
  size: number,
  fn: (item: T) => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !signal?.aborted) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
}

/** Where a run folder is, relative to the current folder (for messages). */
export function displayPath(dir: string): string {
  const r = relative(process.cwd(), dir);
  return r.startsWith('..') ? dir : r;
}
