import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, type IntervalHistogram } from 'node:perf_hooks';

/**
 * What one process of a load bench (the server, a client) cost and suffered over a window:
 * the CPU it used (a share of one core: what it really asked of the machine, unlike the
 * event-loop utilisation, which also counts the time a busy loop waited for a core), its
 * event loop's p99 delay (how late its own timers ran: a client with a late loop stamps
 * arrivals late), and the machine's CPU pressure (Linux PSI: the share of the window in which
 * some runnable task waited for a core).
 */
export interface ProcessCost {
  /** CPU time (user + system) per wall time: 1 is one core. */
  cpu: number;
  /** Event-loop utilisation over the window, 0 to 1. */
  utilization: number;
  /** p99 event-loop delay over the window, ms. */
  loopDelayP99Ms: number;
  /** The machine's CPU pressure over the window (`/proc/pressure/cpu`, some), 0 to 1; NaN where there is none. */
  cpuPressure: number;
}

/** Starts measuring a window at construction; {@link read} tells it so far, {@link close} ends it. */
export class ProcessMeter {
  private readonly cpu0 = process.cpuUsage();
  private readonly t0 = performance.now();
  private readonly elu0 = performance.eventLoopUtilization();
  private readonly pressure0 = cpuPressureMicros();
  private readonly delay: IntervalHistogram = monitorEventLoopDelay({ resolution: 5 });

  constructor() {
    this.delay.enable();
  }

  close(): void {
    this.delay.disable();
  }

  read(): ProcessCost {
    const wallMs = performance.now() - this.t0;
    const cpu = process.cpuUsage(this.cpu0);
    const pressure1 = cpuPressureMicros();
    return {
      cpu: (cpu.user + cpu.system) / 1000 / wallMs,
      utilization: performance.eventLoopUtilization(this.elu0).utilization,
      // The histogram counts from the 5 ms sampling interval: its excess is the delay.
      loopDelayP99Ms: Math.max(0, this.delay.percentile(99) / 1e6 - 5),
      cpuPressure: (pressure1 - this.pressure0) / 1000 / wallMs,
    };
  }
}

/** Cumulative µs in which some task waited for a CPU (Linux PSI), NaN without PSI. */
function cpuPressureMicros(): number {
  try {
    const text = readFileSync('/proc/pressure/cpu', 'latin1');
    const total = /^some .*total=(\d+)/m.exec(text)?.[1];
    return total === undefined ? NaN : Number(total);
  } catch {
    return NaN;
  }
}
