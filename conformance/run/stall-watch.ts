import type { Clock, TimerHandle } from '../../mock-server/clock.js';
import type { TraceStall } from '../trace/trace.js';

/** Heartbeat period, ms: the runner checks it is running this often. */
const PERIOD_MS = 10;
/** Lateness of a heartbeat beyond which the runner counts a stall (ordinary timer slop is ~1–2 ms). */
const STALL_MS = 15;
/** Stalls kept per run; a machine stalling more often than this is named by the count. */
const MAX_STALLS = 5000;

/**
 * Measures the runner's own stalls during a run on the real clock: a heartbeat every 10 ms;
 * one that fires more than 15 ms late says the event loop did not run in between (the machine
 * was loaded, a long GC, a burst of work for another scenario), so every frame and
 * observation that arrived meanwhile was stamped late. Rules that judge wall-clock gaps and
 * latencies discount these spans (`harnessStalls`) instead of blaming the client for them.
 *
 * @example
 * const watch = new StallWatch(realClock);
 * watch.start();
 * // … the run …
 * trace.stalls = watch.stop();
 */
export class StallWatch {
  private readonly stalls: TraceStall[] = [];
  private timer: TimerHandle | undefined;
  private due = 0;
  private running = false;

  constructor(private readonly clock: Clock) {}

  start(): void {
    this.running = true;
    this.arm();
  }

  /** Stops the heartbeat; returns the stalls seen, in order. */
  stop(): TraceStall[] {
    this.running = false;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.beat(); // a stall still going on when the run ended
    return [...this.stalls];
  }

  private arm(): void {
    this.due = this.clock.now() + PERIOD_MS;
    this.timer = this.clock.setTimeout(() => {
      this.beat();
      if (this.running) this.arm();
    }, PERIOD_MS);
    unref(this.timer);
  }

  private beat(): void {
    const now = this.clock.now();
    if (now - this.due > STALL_MS && this.stalls.length < MAX_STALLS) {
      this.stalls.push({ from: this.due, to: now });
    }
  }
}

/** Lets the process exit while the heartbeat is armed (real timers only). */
function unref(handle: TimerHandle): void {
  const h = handle as { unref?: () => void };
  if (typeof h.unref === 'function') h.unref();
}
