/**
 * One clock for everything that waits or measures time.
 *
 * The mock's pacing, the VAD's audio clock, fault timers and the conformance runner's
 * latency metrics all read the same `Clock`, so a latency is a difference of two readings of
 * one monotonic source. Unit tests pass a {@link FakeClock} and run in milliseconds.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale (not wall-clock time; only differences mean anything). */
  now(): number;
  /** Calls `fn` once, `ms` milliseconds from now. */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/** An opaque timer handle. */
export type TimerHandle = { readonly __timer: unique symbol } | object;

/** The process's monotonic clock (`performance.now()`) and Node's timers. */
export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, Math.max(0, ms));
    // A pending pacing timer must never keep a process alive on its own.
    t.unref?.();
    return t;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

interface FakeTimer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that only moves when told to. Timers fire in time order (ties in the order they
 * were set) during {@link FakeClock.advance}.
 *
 * @example
 * const clock = new FakeClock();
 * clock.setTimeout(() => console.log('fired'), 100);
 * clock.advance(100); // prints "fired"
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private timers: FakeTimer[] = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer: FakeTimer = {
      at: this.t + Math.max(0, ms),
      seq: this.seq++,
      fn,
      cancelled: false,
    };
    this.timers.push(timer);
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    (handle as FakeTimer).cancelled = true;
  }

  /** Moves time forward by `ms`, firing every timer that falls due, including new ones. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const next = this.nextDue(end);
      if (next === undefined) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      this.t = Math.max(this.t, next.at);
      next.fn();
    }
    this.t = end;
  }

  /** When the earliest waiting timer falls due; undefined when none waits. */
  nextAt(): number | undefined {
    return this.nextDue(Infinity)?.at;
  }

  /**
   * Moves time to the earliest waiting timer and fires every timer due then (and those they
   * set for the same instant). Returns false, without moving, when no timer waits. This is
   * how a run on a fake clock steps from one event to the next once it is idle.
   */
  advanceToNext(): boolean {
    const at = this.nextAt();
    if (at === undefined) return false;
    this.advance(at - this.t);
    return true;
  }

  /** Number of timers still waiting. */
  get pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }

  private nextDue(end: number): FakeTimer | undefined {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best: FakeTimer | undefined;
    for (const t of this.timers) {
      if (t.at > end) continue;
      if (!best || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    }
    return best;
  }
}
