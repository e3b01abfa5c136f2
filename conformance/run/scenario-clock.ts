import { realClock, type Clock, type TimerHandle } from '../../mock-server/clock.js';

/**
 * The one clock of a scenario run: the run's {@link Clock} plus its speed factor.
 *
 * Two kinds of time meet in a run:
 * - **scenario ms**: time as the fixture and the script state it (a 20 ms microphone chunk,
 *   a tool that takes 800 ms, "wait 15 s for the reply"). The mock's replies, the microphone
 *   and the adapter's speaker all play it `speed` times faster, so a scenario span of `ms`
 *   lasts `ms / speed` on the clock.
 * - **clock ms**: the clock's own scale, which the trace is stamped in. Windows that judge the
 *   client's *own* timers (reconnect backoff, "closed for 2 s") are clock ms: the client is
 *   never told the speed for its timers (only its speaker gets `connect.options.speed`), so
 *   its backoff runs at clock rate whatever `--speed` says, and a window scaled by the speed
 *   would cut its retries short at speed 3 and change the verdicts. On a real clock these are
 *   real milliseconds; on a fake clock they are fake ones, and the client in process waits on
 *   the same fake clock.
 *
 * Everything in a run reads and waits through this object; nobody else divides by the speed.
 *
 * @example
 * const time = new ScenarioClock(new FakeClock(), 3);
 * await time.sleep(300); // 100 ms on the clock
 */
export class ScenarioClock {
  /**
   * @param clock the run's clock (the trace's time base). Default real time.
   * @param speed how much faster than real time scenario time plays. Default 1.
   */
  constructor(
    readonly clock: Clock = realClock,
    readonly speed = 1,
  ) {
    if (!(speed > 0) || !Number.isFinite(speed)) {
      throw new RangeError(`speed must be a positive number, got ${speed}`);
    }
  }

  /** The clock's reading in clock ms: the trace's time base. */
  now(): number {
    return this.clock.now();
  }

  /** How long a scenario span lasts on the clock. */
  toClockMs(scenarioMs: number): number {
    return scenarioMs / this.speed;
  }

  /** How much scenario time a span of the clock holds. */
  toScenarioMs(clockMs: number): number {
    return clockMs * this.speed;
  }

  /** Calls `fn` once, `scenarioMs` of scenario time from now. */
  after(scenarioMs: number, fn: () => void): TimerHandle {
    return this.clock.setTimeout(fn, this.toClockMs(scenarioMs));
  }

  /** Calls `fn` once, `clockMs` of clock time from now (a window on the client's own timers). */
  afterClockMs(clockMs: number, fn: () => void): TimerHandle {
    return this.clock.setTimeout(fn, clockMs);
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle !== undefined) this.clock.clearTimeout(handle);
  }

  /** Resolves after `scenarioMs` of scenario time. */
  sleep(scenarioMs: number): Promise<void> {
    return new Promise((resolve) => this.after(scenarioMs, resolve));
  }

  /** Resolves after `clockMs` of clock time, whatever the speed (see the class comment). */
  sleepClockMs(clockMs: number): Promise<void> {
    return new Promise((resolve) => this.afterClockMs(clockMs, resolve));
  }
}
