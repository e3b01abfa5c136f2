/**
 * When to retry a connection that failed for a transient reason (close 1013, `server_error`,
 * a network drop). Inject another policy to change the schedule.
 */
export interface BackoffPolicy {
  /**
   * The delay before retry number `attempt` (1 for the first retry after a failure), or
   * `undefined` to give up.
   */
  delayMs(attempt: number): number | undefined;
}

/** Options of {@link ExponentialBackoff}, with their defaults. */
export interface ExponentialBackoffOptions {
  /** No delay is shorter than this. Default 250 ms. */
  readonly minDelayMs?: number;
  /** The ceiling of the first delay. Default 1 500 ms. */
  readonly firstCeilingMs?: number;
  /** How much the ceiling grows per attempt. Default 2. */
  readonly factor?: number;
  /** The largest ceiling. Default 15 000 ms. */
  readonly capMs?: number;
  /** Retries before giving up. Default 6. */
  readonly maxAttempts?: number;
  /**
   * `full`: a uniformly random delay between `minDelayMs` and the attempt's ceiling, so that
   * many clients cut off at once do not come back at once. `none`: always the ceiling.
   * Default `full`.
   */
  readonly jitter?: 'full' | 'none';
  /** Random numbers in [0, 1). Default `Math.random`. */
  readonly random?: () => number;
}

/**
 * Exponential backoff with full jitter above a floor: retry `k` waits a uniformly random time
 * in `[minDelayMs, min(capMs, firstCeilingMs × factor^(k−1))]`. With the defaults the first
 * retry waits 250–1 500 ms, the second 250–3 000 ms, … up to 15 s, six times at most.
 *
 * The floor keeps the first retry from hammering a busy server (swaram asks for ≥ 250 ms);
 * the wide range keeps the delays of many clients spread out.
 */
export class ExponentialBackoff implements BackoffPolicy {
  readonly minDelayMs: number;
  readonly firstCeilingMs: number;
  readonly factor: number;
  readonly capMs: number;
  readonly maxAttempts: number;
  readonly jitter: 'full' | 'none';
  private readonly random: () => number;

  constructor(options: ExponentialBackoffOptions = {}) {
    this.minDelayMs = options.minDelayMs ?? 250;
    this.firstCeilingMs = options.firstCeilingMs ?? 1_500;
    this.factor = options.factor ?? 2;
    this.capMs = options.capMs ?? 15_000;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.jitter = options.jitter ?? 'full';
    this.random = options.random ?? Math.random;
  }

  delayMs(attempt: number): number | undefined {
    if (!(attempt >= 1) || attempt > this.maxAttempts) return undefined;
    const ceiling = this.ceilingMs(attempt);
    if (this.jitter === 'none') return ceiling;
    return this.minDelayMs + this.random() * (ceiling - this.minDelayMs);
  }

  /** The largest delay of retry `attempt`. */
  ceilingMs(attempt: number): number {
    const raw = this.firstCeilingMs * this.factor ** (attempt - 1);
    return Math.max(this.minDelayMs, Math.min(this.capMs, raw));
  }
}
