import type { FakeClock } from '../../mock-server/clock.js';

/** What {@link IdleClockDriver} watches to decide the run is idle. */
export interface IdleProbe {
  /** A counter that moves whenever anything happens (frames, observations, bytes on pipes). */
  activity(): number;
  /** True while something is known to be on its way (a frame sent but not yet received). */
  busy(): boolean;
  /** Called when what was in flight did not arrive in time: count it as lost from now on. */
  writeOff?(): void;
}

/** Options of {@link IdleClockDriver}. */
export interface IdleClockDriverOptions {
  /** Event-loop turns without activity before the run counts as idle. Default 3. */
  quietTurns?: number;
  /**
   * Longest real time to wait for an in-flight message before stepping anyway (it may have
   * been lost on a closing socket). Default 250 ms.
   */
  maxBusyMs?: number;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const realPause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Drives a {@link FakeClock} for a whole run: whenever the run is idle — no activity for a few
 * event-loop turns and nothing in flight — it moves the clock to the next due timer and fires
 * it. Real I/O (loopback sockets, in-memory pipes) thus happens "between" fake instants, and a
 * scenario of a minute of fake time runs in well under a second of real time.
 */
export class IdleClockDriver {
  private running = false;
  private done: Promise<void> = Promise.resolve();
  /** Real ms spent waiting for in-flight messages that never came (lost on closing sockets). */
  stalledMs = 0;

  constructor(
    private readonly clock: FakeClock,
    private readonly probe: IdleProbe,
    private readonly options: IdleClockDriverOptions = {},
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.done = this.loop();
  }

  /** Stops stepping; resolves once the loop has left. */
  stop(): Promise<void> {
    this.running = false;
    return this.done;
  }

  private async loop(): Promise<void> {
    const quietTurns = this.options.quietTurns ?? 3;
    const maxBusyMs = this.options.maxBusyMs ?? 250;
    let last = this.probe.activity();
    let quiet = 0;
    let busySince: number | undefined;
    while (this.running) {
      await turn();
      const now = this.probe.activity();
      if (now !== last) {
        last = now;
        quiet = 0;
        continue;
      }
      if (++quiet < quietTurns) continue;
      if (this.probe.busy()) {
        busySince ??= performance.now();
        const waited = performance.now() - busySince;
        if (waited < maxBusyMs) {
          await realPause(1);
          continue;
        }
        this.stalledMs += waited;
        this.probe.writeOff?.();
      }
      busySince = undefined;
      quiet = 0;
      // Nothing due: only real I/O (a process, a socket) can move the run on.
      if (!this.clock.advanceToNext()) await realPause(1);
    }
  }
}
