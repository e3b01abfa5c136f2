import type { Clock, TimerHandle } from './clock.js';

/** A task scheduled on a {@link Scheduler}; pass it to `cancel`. */
export interface ScheduledTask {
  readonly at: number;
  cancelled: boolean;
}

interface Task extends ScheduledTask {
  seq: number;
  fn: () => void;
}

/** How late the scheduler ran its tasks, in ms, since it started or was last reset. */
export interface LatenessStats {
  count: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * One pacing scheduler shared by every session of a server.
 *
 * A timer per audio delta does not scale: with 1000 sessions streaming 100 ms chunks that is
 * 10 000 timers a second. Instead every session puts its next event on one binary heap and a
 * single clock timer waits for the earliest; when it fires, every task that is due runs in
 * time order. Tasks carry absolute due times, so a late tick does not push later deltas back
 * (pacing follows the plan, not the previous send).
 */
export class Scheduler {
  private heap: Task[] = [];
  private seq = 0;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private lateness = new LatenessRecorder();
  /** The same since the last {@link takeWindowLateness} (load shedding reads it). */
  private windowLateness = new LatenessRecorder();

  /**
   * @param clock the clock tasks are due on
   * @param onError gets an error thrown by a task (default: printed to stderr); the other
   *   tasks keep running
   */
  constructor(
    readonly clock: Clock,
    private readonly onError: (error: unknown) => void = (error) =>
      console.error('swaram-mock: a scheduled task failed:', error),
  ) {}

  /** Runs `fn` at clock time `at` (or as soon as possible when `at` is past). */
  at(at: number, fn: () => void): ScheduledTask {
    const task: Task = { at, fn, seq: this.seq++, cancelled: false };
    this.push(task);
    if (at < this.timerAt) this.arm();
    return task;
  }

  /** Runs `fn` `ms` milliseconds from now. */
  after(ms: number, fn: () => void): ScheduledTask {
    return this.at(this.clock.now() + ms, fn);
  }

  /** Cancels a task; cancelled tasks are dropped lazily when they reach the top. */
  cancel(task: ScheduledTask | undefined): void {
    if (task) task.cancelled = true;
  }

  /** Tasks waiting (cancelled ones included until they are dropped). */
  get size(): number {
    return this.heap.length;
  }

  /** Lateness of the tasks run so far: how long after its due time each one ran. */
  latenessStats(): LatenessStats {
    return this.lateness.stats();
  }

  /** The same as {@link LatenessRecorder.entries}, to merge elsewhere (`--workers`' /health). */
  latenessEntries(): ReturnType<LatenessRecorder['entries']> {
    return this.lateness.entries();
  }

  resetLatenessStats(): void {
    this.lateness = new LatenessRecorder();
  }

  /** Lateness of the tasks run since the last call (or the start), then starts a new window. */
  takeWindowLateness(): LatenessStats {
    const stats = this.windowLateness.stats();
    this.windowLateness.reset();
    return stats;
  }

  /** Stops the clock timer; pending tasks stay queued but will not run. */
  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
  }

  private arm(): void {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    const top = this.heap[0];
    if (!top) return;
    this.timerAt = top.at;
    this.timer = this.clock.setTimeout(() => this.run(), top.at - this.clock.now());
  }

  private run(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.now();
    // Run what is due now; tasks scheduled by these for "now" run in this pass too.
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > now) break;
      this.pop();
      if (top.cancelled) continue;
      this.lateness.record(now - top.at);
      this.windowLateness.record(now - top.at);
      try {
        top.fn();
      } catch (error) {
        // A task's failure belongs to its session; it must never stop the other sessions.
        this.onError(error);
      }
    }
    this.arm();
  }

  private push(task: Task): void {
    const h = this.heap;
    h.push(task);
    let i = h.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i]!, h[parent]!)) break;
      [h[i], h[parent]] = [h[parent]!, h[i]!];
      i = parent;
    }
  }

  private pop(): Task | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length > 0 && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l]!, h[m]!)) m = l;
        if (r < h.length && before(h[r]!, h[m]!)) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m]!, h[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Task, b: Task): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/**
 * Lateness samples in 0.1 ms buckets up to 10 s: constant memory however long it runs. Also
 * used by the load benches (bench/load), whose client processes send theirs as
 * {@link LatenessRecorder.entries} to be merged.
 */
export class LatenessRecorder {
  private buckets = new Uint32Array(100_001);
  private n = 0;
  private maxMs = 0;

  record(ms: number): void {
    const v = Math.max(0, ms);
    this.buckets[Math.min(this.buckets.length - 1, Math.round(v * 10))]! += 1;
    this.n += 1;
    if (v > this.maxMs) this.maxMs = v;
  }

  /** The non-empty buckets as `[bucket, count]` pairs, and the max (to merge elsewhere). */
  entries(): { buckets: Array<[number, number]>; max: number } {
    const buckets: Array<[number, number]> = [];
    for (let i = 0; i < this.buckets.length; i++) {
      if (this.buckets[i]! > 0) buckets.push([i, this.buckets[i]!]);
    }
    return { buckets, max: this.maxMs };
  }

  /** Adds another recorder's {@link entries}. */
  merge(other: { buckets: ReadonlyArray<readonly [number, number]>; max: number }): void {
    for (const [i, count] of other.buckets) {
      this.buckets[i]! += count;
      this.n += count;
    }
    if (other.max > this.maxMs) this.maxMs = other.max;
  }

  reset(): void {
    this.buckets.fill(0);
    this.n = 0;
    this.maxMs = 0;
  }

  stats(): LatenessStats {
    return { count: this.n, p50: this.quantile(0.5), p99: this.quantile(0.99), max: this.maxMs };
  }

  private quantile(q: number): number {
    if (this.n === 0) return 0;
    const target = Math.ceil(q * this.n);
    let seen = 0;
    for (let i = 0; i < this.buckets.length; i++) {
      seen += this.buckets[i]!;
      if (seen >= target) return i / 10;
    }
    return this.maxMs;
  }
}
