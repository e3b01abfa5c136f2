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
}

/** When the server counts as overloaded. See docs/mock-server.md, "Load shedding". */
export interface SheddingThresholds {
  /** Refuse while the event loop's p99 delay is over this, ms. Default 15. */
  maxLoopDelayMs: number;
  /** Refuse while, or when admitting one more would make, utilisation over this. Default 0.85. */
  maxUtilization: number;
  /** Refuse while paced sends run later than this at p99, ms. Default 15. */
  maxPacingLatenessMs: number;
}

/** The thresholds `swaram-mock` sheds load at unless told otherwise. */
export const SHEDDING_DEFAULTS: SheddingThresholds = Object.freeze({
  maxLoopDelayMs: 15,
  maxUtilization: 0.85,
  maxPacingLatenessMs: 15,
});

/**
 * Below this share of `maxUtilization`, or with fewer live sessions than
 * {@link PROJECTION_MIN_LIVE}, the per-session projection is not used: at light load the
 * loop's fixed costs (and other work in the process) dominate and would make each session look
 * expensive.
 */
const PROJECTION_FLOOR = 0.5;
const PROJECTION_MIN_LIVE = 10;

/**
 * Why a new session would overload the server, or `undefined` to let it in.
 *
 * With no live session the mock cannot be what overloads itself (a busy machine is not
 * helped by refusing): admit. Over a threshold: refuse. Otherwise, once utilisation is at
 * least half the limit with at least 10 sessions, the utilisation is projected to `live + 1` sessions at the sample's
 * cost per session (sessions let in since the sample count too: a burst of connections must
 * not all get in on one stale sample); over the limit: refuse. Recovery needs nothing: the
 * next sample under the limits lets sessions in again.
 */
export function overloadReason(
  sample: HealthSample | undefined,
  live: number,
  t: SheddingThresholds,
): string | undefined {
  if (sample === undefined || live === 0) return undefined;
  if (sample.loopDelayMs > t.maxLoopDelayMs) {
    return `event loop delay p99 ${ms(sample.loopDelayMs)} > ${ms(t.maxLoopDelayMs)}`;
  }
  if (sample.pacingLatenessMs > t.maxPacingLatenessMs) {
    return `pacing lateness p99 ${ms(sample.pacingLatenessMs)} > ${ms(t.maxPacingLatenessMs)}`;
  }
  if (sample.utilization > t.maxUtilization) {
    return `event loop utilisation ${pct(sample.utilization)} > ${pct(t.maxUtilization)}`;
  }
  if (
    sample.live >= PROJECTION_MIN_LIVE &&
    sample.utilization >= PROJECTION_FLOOR * t.maxUtilization
  ) {
    const projected =
      sample.utilization + (sample.utilization / sample.live) * (live + 1 - sample.live);
    if (projected > t.maxUtilization) {
      return `one more session would take utilisation to ${pct(projected)} > ${pct(t.maxUtilization)} (${live} live)`;
    }
  }
  return undefined;
}

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
   */
  tick(): void {
    const taken = this.source.take(this.live());
    const before = this.lastTaken ?? taken;
    this.lastTaken = taken;
    this.sample = {
      ...taken,
      loopDelayMs: Math.min(before.loopDelayMs, taken.loopDelayMs),
      pacingLatenessMs: Math.min(before.pacingLatenessMs, taken.pacingLatenessMs),
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
 * (`performance.eventLoopUtilization`) and the scheduler's pacing lateness, each over the
 * window since the last `take`.
 */
export class ProcessHealth implements HealthSource {
  private readonly delay: IntervalHistogram;
  private elu = performance.eventLoopUtilization();

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
    return {
      loopDelayMs: Math.max(0, p99 - this.resolutionMs),
      utilization: window.utilization,
      pacingLatenessMs: this.scheduler.takeWindowLateness().p99,
      live,
    };
  }

  stop(): void {
    this.delay.disable();
  }
}
