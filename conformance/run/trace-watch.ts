import type { ScenarioClock } from './scenario-clock.js';

/**
 * Waits on a live trace: a probe is re-checked every time the trace changes ({@link notify}),
 * with a timeout on the run's clock. No polling.
 */
export class TraceWatch {
  private readonly waiters = new Set<() => void>();
  private changes = 0;

  constructor(private readonly clock: ScenarioClock) {}

  /** How many changes so far (a cheap activity counter). */
  get changeCount(): number {
    return this.changes;
  }

  /** Tells the waiters the trace changed. */
  notify(): void {
    this.changes += 1;
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * Resolves with the probe's first defined value, or undefined after `scenarioMs` of
   * scenario time.
   */
  waitFor<T>(probe: () => T | undefined, scenarioMs: number): Promise<T | undefined> {
    return new Promise((resolve) => {
      const hit = probe();
      if (hit !== undefined) return resolve(hit);
      const check = () => {
        const value = probe();
        if (value === undefined) return;
        this.clock.cancel(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const timer = this.clock.after(scenarioMs, () => {
        this.waiters.delete(check);
        resolve(undefined);
      });
      this.waiters.add(check);
    });
  }
}
