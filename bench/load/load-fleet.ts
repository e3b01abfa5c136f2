import { fork, type ChildProcess } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { summarise } from '../../conformance/metrics/statistics.js';
import { LatenessRecorder, type LatenessStats } from '../../mock-server/scheduler.js';
import type { LoadClientConfig, LoadClientReport } from './load-client.js';
import type { ProcessCost } from './process-meter.js';

/**
 * Load-generating client processes (bench/load/load-client.ts): separate processes from the
 * mock, so the mock's event loop carries only the mock and the lateness is measured where a
 * caller would hear it. Used by the `mock-load`, `mock-overload` and `soak` benchmarks.
 */
export interface FleetOptions extends Omit<LoadClientConfig, 'sessions' | 'rampPerSecond'> {
  /** Sessions in all, split between the processes. */
  sessions: number;
  /** Client processes. Default 2. */
  processes?: number;
  /** New sessions per second in all. Default 1000. */
  rampPerSecond?: number;
}

/** The merged reports of every client process. */
export interface FleetReport extends Omit<LoadClientReport, 'lateness' | 'cost'> {
  lateness: LatenessStats;
  /** The busiest client process's figures (each the max over the processes). */
  clientCost: ProcessCost;
}

const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));

export class LoadFleet {
  private constructor(
    private readonly children: ChildProcess[],
    /** After the ramp: sessions open, refused (by close code), stuck connecting. */
    readonly ready: { open: number; refused: Record<string, number>; stuck: number },
  ) {}

  /** Forks the clients and opens every session (at the ramp rate); resolves after the ramp. */
  static async start(options: FleetOptions): Promise<LoadFleet> {
    const n = Math.max(1, Math.min(options.processes ?? 2, options.sessions));
    const ramp = options.rampPerSecond ?? 1000;
    const { processes: _p, rampPerSecond: _r, ...rest } = options;
    const children = Array.from({ length: n }, () =>
      // Only the tsx loader (the bench's own --cpu-prof is not inherited); to profile the
      // clients too: SWARAM_BENCH_CLIENT_PROF=<dir> (one .cpuprofile per client process).
      fork(CLIENT, [], {
        execArgv: ['--import', 'tsx', ...clientProfileArgs()],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    const readies = await Promise.all(
      children.map((child, i) => {
        const sessions = Math.floor(options.sessions / n) + (i < options.sessions % n ? 1 : 0);
        const config: LoadClientConfig = { ...rest, sessions, rampPerSecond: ramp / n };
        child.send({ cmd: 'start', config });
        return next<{ open: number; refused: Record<string, number>; stuck: number }>(
          child,
          'ready',
        );
      }),
    );
    const refused: Record<string, number> = {};
    for (const r of readies) addCounts(refused, r.refused);
    return new LoadFleet(children, {
      open: readies.reduce((a, r) => a + r.open, 0),
      refused,
      stuck: readies.reduce((a, r) => a + r.stuck, 0),
    });
  }

  /** Starts a measuring window in every client. */
  measure(): void {
    for (const c of this.children) c.send({ cmd: 'measure' });
  }

  /** The window's figures, merged. */
  async report(): Promise<FleetReport> {
    const reports = await Promise.all(
      this.children.map((c) => {
        c.send({ cmd: 'report' });
        return next<{ report: LoadClientReport }>(c, 'report').then((m) => m.report);
      }),
    );
    return mergeReports(reports);
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null) return resolve();
            c.once('exit', () => resolve());
            c.send({ cmd: 'stop' });
            setTimeout(() => c.kill(), 3000).unref();
          }),
      ),
    );
  }
}

function clientProfileArgs(): string[] {
  const dir = process.env.SWARAM_BENCH_CLIENT_PROF;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
}

function mergeReports(reports: LoadClientReport[]): FleetReport {
  const lateness = new LatenessRecorder();
  const out = {
    refused: {},
    closedByServer: {},
    clientCost: { cpu: 0, utilization: 0, loopDelayP99Ms: 0, cpuPressure: 0 },
    clientTickLateMaxMs: 0,
    longestHangSurvivedMs: 0,
  } as FleetReport;
  const sums = [
    'opened',
    'stuckConnecting',
    'deltas',
    'responses',
    'stuckResponses',
    'appends',
    'bargeIns',
    'toolOutputs',
    'reconnects',
    'badFrames',
    'errors',
    'hangs',
  ] as const;
  for (const key of sums) out[key] = 0;
  for (const r of reports) {
    lateness.merge(r.lateness);
    for (const key of sums) out[key] += r[key];
    addCounts(out.refused, r.refused);
    addCounts(out.closedByServer, r.closedByServer);
    for (const key of ['cpu', 'utilization', 'loopDelayP99Ms', 'cpuPressure'] as const) {
      out.clientCost[key] = Math.max(out.clientCost[key], r.cost[key]);
    }
    out.clientTickLateMaxMs = Math.max(out.clientTickLateMaxMs, r.clientTickLateMaxMs);
    out.longestHangSurvivedMs = Math.max(out.longestHangSurvivedMs, r.longestHangSurvivedMs);
  }
  out.lateness = lateness.stats();
  return out;
}

function addCounts(into: Record<string, number>, from: Record<string, number>): void {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
}

function next<T>(child: ChildProcess, kind: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { kind: string } & T) => {
      if (m.kind !== kind) return;
      child.off('message', onMessage);
      child.off('exit', onExit);
      resolve(m);
    };
    const onExit = (code: number | null) =>
      reject(new Error(`a load client process exited (code ${code}) before "${kind}"`));
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** One line for the figures' context: machine, date, load average. */
export function machineLine(): string {
  const cpu = cpus();
  const load = loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  return `${cpu.length} × ${cpu[0]?.model.trim() ?? 'cpu'}, ${new Date().toISOString().slice(0, 16)}Z, load average ${load}`;
}

/** Median of the figures of repeated runs (nearest rank, as the metrics use). */
export function median(xs: readonly number[]): number {
  return summarise(xs).p50 ?? NaN;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
