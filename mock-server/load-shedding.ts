import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';
import type { Scheduler } from './scheduler.js';

/**
 * Load shedding: the mock watches its own health and, like swaram, refuses a new session with
 * close 1013 ("server busy", nothing before it) when admitting it would push the server past
 * what it can serve in real time, so that the sessions it has keep their pacing.
 *
 * The decision ({@link overloadReason}) is pure: a {@link HealthSample} and the live count in,
 * a reason (or none) out. {@link LoadMonitor} takes the samples and keeps the counts that
 * `/health` and the terminal show.
 */

/** The server's health over the last sampling window. */
export interface HealthSample {
  /** p99 event-loop delay (how late a timer fires), ms. */
  loopDelayMs: number;
  /** Event-loop utilisation, 0 to 1: the share of the window the loop was busy. */
  utilization: number;
  /** p99 lateness of the paced sends (audio deltas) run in the window, ms; 0 if none ran. */
  pacingLatenessMs: number;
  /** Live sessions when the sample was taken. */
  live: number;
  /**
   * CPU time the process used over the window, a share of one core (1: a whole core). Unlike
   * the utilisation it leaves out the time the loop waited for a core the machine gave to
   * others: it is what the mock's own work costs.
   */
  cpu: number;
  /**
   * The CPU a session costs, a share of one core, as the {@link LoadMonitor} estimates it from
   * recent samples; absent until enough sessions have run long enough to tell.
   */
  sessionCpu?: number | undefined;
}

/** When the server counts as overloaded. See docs/mock-server.md, "Load shedding". */
export interface SheddingThresholds {
  /** Refuse while the event loop's p99 delay is over this, ms. Default 15. */
  maxLoopDelayMs: number;
  /** Refuse while the event loop is busier than this share. Default 0.85. */
  maxUtilization: number;
  /** Refuse while paced sends run later than this at p99, ms. Default 15. */
  maxPacingLatenessMs: number;
  /**
   * The mock's CPU budget, a share of one core: refuse the session that would take the
   * projected CPU (sessions × the cost of one) past it. Default 0.4: the event loop then has
   * more than half its time free, so a burst of frames waits milliseconds, not tens of them.
   */
  maxCpu: number;
}

/** The thresholds `swaram-mock` sheds load at unless told otherwise. */
export const SHEDDING_DEFAULTS: SheddingThresholds = Object.freeze({
  maxLoopDelayMs: 15,
  maxUtilization: 0.85,
  maxPacingLatenessMs: 15,
  maxCpu: 0.4,
});

/**
 * The CPU a session is taken to cost until the {@link LoadMonitor} has measured it (a share
 * of one core: 5 ms a second, about twice what a talking session measured on a 2-core EPYC VM).
 * A burst of connections is thus admitted up to the budget at this price, not without bound,
 * before the first estimate.
 */
export const PRIOR_SESSION_CPU = 0.005;

/**
 * Why a new session would overload the server, or `undefined` to let it in.
 *
 * With no live session the mock cannot be what overloads itself (a busy machine is not
 * helped by refusing): admit. While the loop is late (delay, pacing) or too busy *and* the mock
 * itself uses at least half its CPU budget: refuse (a loop late while the mock uses little CPU
 * is late because the machine gave the core to others: refusing would not help, and after a
 * load drops the mock must admit again). Otherwise admit by headroom: the CPU of `live + 1`
 * sessions at the estimated cost of one (`sample.sessionCpu`, else {@link PRIOR_SESSION_CPU})
 * must fit `maxCpu`. `live` counts the sessions let in since the sample too, so a burst of
 * connections cannot all get in on one stale sample. Recovery needs nothing: sessions that
 * leave make room, and the next sample under the limits lets sessions in again.
 */
export function overloadReason(
  sample: HealthSample | undefined,
  live: number,
  t: SheddingThresholds,
): string | undefined {
  if (live === 0) return undefined;
  if (sample !== undefined && sample.cpu >= OWN_LOAD_SHARE * t.maxCpu) {
    if (sample.loopDelayMs > t.maxLoopDelayMs) {
      return `event loop delay p99 ${ms(sample.loopDelayMs)} > ${ms(t.maxLoopDelayMs)}`;
    }
    if (sample.pacingLatenessMs > t.maxPacingLatenessMs) {
      return `pacing lateness p99 ${ms(sample.pacingLatenessMs)} > ${ms(t.maxPacingLatenessMs)}`;
    }
    if (sample.utilization > t.maxUtilization) {
      return `event loop utilisation ${pct(sample.utilization)} > ${pct(t.maxUtilization)}`;
    }
  }
  const each = sample?.sessionCpu ?? PRIOR_SESSION_CPU;
  const projected = each * (live + 1);
  if (projected > t.maxCpu) {
    return (
      `one more session would take the CPU to ${pct(projected)} of a core > ${pct(t.maxCpu)} ` +
      `(${live} live at ${(each * 1000).toFixed(1)} ms/s each${sample?.sessionCpu === undefined ? ', not yet measured' : ''})`
    );
  }
  return undefined;
}

/**
 * Estimates what a session costs from the samples: the window's CPU over the sessions that
 * were live for the whole of the last {@link SESSION_WARM_MS} (a session starting up — the
 * handshake done, its first reply not yet begun — costs less than it will; dividing by the
 * settled ones only errs on the side of refusing). Fixed costs and the refusals' handshakes
 * count as the sessions' too: again the safe side. The estimate is the largest of the last
 * {@link ESTIMATE_WINDOWS} windows' (one quiet window does not open the doors).
 */
export class SessionCostEstimator {
  private readonly history: Array<{ at: number; live: number }> = [];
  private readonly costs: number[] = [];

  /** Records the live count at `at` (ms) and a window's CPU; returns the estimate, if any. */
  add(at: number, live: number, cpu: number): number | undefined {
    this.history.push({ at, live });
    while (this.history.length > 1 && this.history[1]!.at <= at - SESSION_WARM_MS) {
      this.history.shift();
    }
    const covered = this.history[0]!.at <= at - SESSION_WARM_MS;
    const settled = Math.min(...this.history.map((h) => h.live));
    if (covered && settled >= MIN_SETTLED) this.costs.push(cpu / settled);
    else if (settled === 0) this.costs.length = 0; // an idle server forgets: the next load is new
    while (this.costs.length > ESTIMATE_WINDOWS) this.costs.shift();
    return this.costs.length > 0 ? Math.max(...this.costs) : undefined;
  }
}

/** The share of its CPU budget the mock must use for a late loop to count as its own doing. */
const OWN_LOAD_SHARE = 0.5;
/** How long a session runs before its cost counts as settled, ms. */
const SESSION_WARM_MS = 1500;
/** Settled sessions needed for an estimate: with fewer, fixed costs would dominate. */
const MIN_SETTLED = 10;
/** Windows the estimate is the largest of. */
const ESTIMATE_WINDOWS = 6;

const ms = (v: number) => `${v.toFixed(1)} ms`;
const pct = (v: number) => `${(v * 100).toFixed(1)} %`;

/** Where a {@link LoadMonitor} reads the server's health (a fake one in unit tests). */
export interface HealthSource {
  /** The health over the window since the last call. */
  take(live: number): HealthSample;
  /** Lets go of what it measures with. */
  stop?(): void;
}

/** Counts of load shedding since the server started, as `/health` shows them. */
export interface SheddingCounts {
  /** Sessions refused with 1013 because the server was overloaded. */
  refused: number;
  /** Live sessions when it last refused one: the load it could carry then. */
  liveAtLastRefusal: number | undefined;
  /** Clock ms of the last refusal. */
  lastRefusedAt: number | undefined;
  lastReason: string | undefined;
  /** Times it went from admitting to refusing (episodes of overload). */
  episodes: number;
}

/** A change the terminal reports: shedding began, or it admits again (with the episode's count). */
export type SheddingChange =
  | { kind: 'shedding'; reason: string; live: number }
  | { kind: 'admitting'; refused: number; live: number };

/**
 * Samples a {@link HealthSource} every `intervalMs` and answers "overloaded?" for new
 * sessions from the latest sample; counts the refusals.
 */
export class LoadMonitor {
  private sample: HealthSample | undefined;
  private lastTaken: HealthSample | undefined;
  private timer: NodeJS.Timeout | undefined;
  private shedding = false;
  private refusedThisEpisode = 0;
  private readonly costs = new SessionCostEstimator();
  readonly counts: SheddingCounts = {
    refused: 0,
    liveAtLastRefusal: undefined,
    lastRefusedAt: undefined,
    lastReason: undefined,
    episodes: 0,
  };

  constructor(
    private readonly source: HealthSource,
    readonly thresholds: SheddingThresholds,
    private readonly live: () => number,
    private readonly onChange?: (change: SheddingChange) => void,
    /** Real-time ms (the samples' spacing); a fake in unit tests. */
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Starts sampling every `intervalMs` of real time (unref'd: never keeps the process up). */
  start(intervalMs: number): this {
    this.timer = setInterval(() => this.tick(), intervalMs);
    this.timer.unref();
    return this;
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.source.stop?.();
  }

  /**
   * Takes a sample now (the timer calls this). Delays count when two windows in a row show
   * them (the smaller of the two): one GC pause or one moment without the CPU is not overload.
   * The cost of a session is estimated afresh ({@link SessionCostEstimator}).
   */
  tick(): void {
    const taken = this.source.take(this.live());
    const before = this.lastTaken ?? taken;
    this.lastTaken = taken;
    this.sample = {
      ...taken,
      loopDelayMs: Math.min(before.loopDelayMs, taken.loopDelayMs),
      pacingLatenessMs: Math.min(before.pacingLatenessMs, taken.pacingLatenessMs),
      sessionCpu: this.costs.add(this.now(), taken.live, taken.cpu),
    };
    if (this.shedding && overloadReason(this.sample, this.live(), this.thresholds) === undefined) {
      this.shedding = false;
      this.onChange?.({ kind: 'admitting', refused: this.refusedThisEpisode, live: this.live() });
    }
  }

  /** The latest sample (undefined before the first window has passed). */
  get latest(): HealthSample | undefined {
    return this.sample;
  }

  /** Counts a session refused for `reason` at clock time `at`. */
  refused(reason: string, live: number, at: number): void {
    const c = this.counts;
    c.refused += 1;
    c.liveAtLastRefusal = live;
    c.lastRefusedAt = at;
    c.lastReason = reason;
    if (!this.shedding) {
      this.shedding = true;
      this.refusedThisEpisode = 0;
      c.episodes += 1;
      this.onChange?.({ kind: 'shedding', reason, live });
    }
    this.refusedThisEpisode += 1;
  }

  /** Whether the last decision refused and no sample since has been healthy. */
  get isShedding(): boolean {
    return this.shedding;
  }
}

/**
 * The process's own health: event-loop delay (`monitorEventLoopDelay`), utilisation
 * (`performance.eventLoopUtilization`), CPU time (`process.cpuUsage`) and the scheduler's
 * pacing lateness, each over the window since the last `take`.
 */
export class ProcessHealth implements HealthSource {
  private readonly delay: IntervalHistogram;
  private elu = performance.eventLoopUtilization();
  private cpu = process.cpuUsage();
  private at = performance.now();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly resolutionMs = 5,
  ) {
    this.delay = monitorEventLoopDelay({ resolution: resolutionMs });
    this.delay.enable();
  }

  take(live: number): HealthSample {
    // The histogram holds the intervals between its own timer's runs: the delay is the excess
    // over the resolution.
    const p99 = this.delay.count > 0 ? this.delay.percentile(99) / 1e6 : this.resolutionMs;
    this.delay.reset();
    const now = performance.eventLoopUtilization();
    const window = performance.eventLoopUtilization(now, this.elu);
    this.elu = now;
    const cpu = process.cpuUsage(this.cpu);
    this.cpu = process.cpuUsage();
    const at = performance.now();
    const wallMs = Math.max(1, at - this.at);
    this.at = at;
    return {
      loopDelayMs: Math.max(0, p99 - this.resolutionMs),
      utilization: window.utilization,
      pacingLatenessMs: this.scheduler.takeWindowLateness().p99,
      live,
      cpu: (cpu.user + cpu.system) / 1000 / wallMs,
    };
  }

  stop(): void {
    this.delay.disable();
  }
}
