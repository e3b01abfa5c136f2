import { healthOf, startMockCluster } from '../mock-server/cluster.js';
import { startMockServer, type MockServer } from '../mock-server/mock-server.js';
import { LoadFleet, machineLine, median, sleep, type FleetReport } from './load/load-fleet.js';
import { startPacedBaseline } from './load/paced-baseline.js';
import { ProcessMeter, type ProcessCost } from './load/process-meter.js';
import type { BenchOptions } from './run.js';

export const description =
  'mock capacity: talking sessions (paced replies + a paced microphone each), reply lateness measured at the clients, vs a bare ws server pacing the same audio';

/** The lateness budget at the clients, p99 ms (issue 13). */
const BUDGET_MS = 20;

/**
 * For each N (env `SWARAM_BENCH_SESSIONS`, e.g. `500,1000,2000`), N sessions talk to the
 * target: each streams its microphone in real-time paced 20–100 ms appends and asks for a
 * reply whenever the last one ended. The clients run in 2 processes of their own and measure
 * each reply delta's arrival against its schedule. Each N runs `SWARAM_BENCH_RUNS` times
 * (default 3); the medians are printed, for the mock (shedding off: this measures what it
 * carries) and for the baseline (`SWARAM_BENCH_TARGETS=mock` for the mock alone, e.g. under
 * `node --cpu-prof`). N grows until the median p99 is over budget. Beside the lateness, each
 * line gives what every process cost (CPU as a share of one core, p99 event-loop delay: the
 * server's and the busiest client's) and the machine's CPU pressure (PSI), so a late figure
 * can be put on the server, the load generator or the machine. `SWARAM_BENCH_CLIENT_PROCESSES`
 * (default 2) splits the clients differently; `SWARAM_BENCH_CLIENT_PROF=<dir>` profiles them.
 * `SWARAM_BENCH_WORKERS=1,2` measures the mock once per worker count (`swaram-mock --workers`:
 * this process is the primary; the server's CPU is the sum of the primary's and the workers').
 */
export async function run(options: BenchOptions): Promise<void> {
  const sizes = (
    process.env.SWARAM_BENCH_SESSIONS ?? (options.quick ? '20' : '500,1000,1500,2000,3000,4000')
  )
    .split(',')
    .map(Number);
  const runs = Number(process.env.SWARAM_BENCH_RUNS ?? (options.quick ? 1 : 3));
  const windows = options.quick
    ? { warmMs: 1000, measureMs: 2000, processes: 1 }
    : { warmMs: 3000, measureMs: 10_000 };
  console.log(`  ${machineLine()}`);
  console.log(
    `  N sessions, each: mic appends of 20–100 ms in real time + back-to-back replies; ${runs} run(s) per N, medians; ` +
      `${windows.warmMs / 1000} s warm-up, ${windows.measureMs / 1000} s measured`,
  );
  console.log(
    "  lateness at the clients (p50, p99, max, ms); cpu: a share of one core; loop: p99 event-loop delay, ms; pace: the mock's own pacing p99 where it sends (since start), ms; " +
      'client: the busiest client process; pressure: share of the time some task waited for a core (Linux PSI)',
  );
  console.log(
    '  target         N     p50     p99     max  deltas/s  srv cpu  srv loop  srv pace  cli cpu  cli loop  pressure  lost',
  );
  const held = new Map<string, number>();
  const targets = (process.env.SWARAM_BENCH_TARGETS ?? 'baseline,mock').split(',') as Array<
    'baseline' | 'mock'
  >;
  const workerCounts = (process.env.SWARAM_BENCH_WORKERS ?? '1').split(',').map(Number);
  const runsOf = targets.flatMap(
    (target): Array<{ target: 'baseline' | 'mock'; workers: number }> =>
      target === 'mock'
        ? workerCounts.map((workers) => ({ target, workers }))
        : [{ target, workers: 1 }],
  );
  // N by N, each target in turn (not target by target): a machine whose load changes over
  // the run then weighs on the targets alike. A target stops at its first N over budget.
  const over = new Set<string>();
  for (const n of sizes) {
    for (const { target, workers } of runsOf) {
      const label = target === 'mock' && workers > 1 ? `mock ×${workers}` : target;
      if (over.has(label)) continue;
      if (!held.has(label)) held.set(label, 0);
      const results: Measured[] = [];
      for (let r = 0; r < runs; r++) results.push(await measureOnce(target, n, windows, workers));
      const p99 = median(results.map((m) => m.report.lateness.p99));
      printLine(label, n, results, p99);
      if (p99 > BUDGET_MS) over.add(label);
      else held.set(label, n);
    }
  }
  const line = [...held].map(([label, n]) => `${label} ${n || 'none'}`).join(', ');
  console.log(
    `  largest N holding p99 ≤ ${BUDGET_MS} ms at the clients: ${line} (of ${sizes.join(', ')})`,
  );
}

interface Measured {
  report: FleetReport;
  server: ProcessCost;
  /** The mock's own pacing lateness p99 (where it sends, since it started), ms; NaN for the baseline. */
  pacingP99: number;
  /** With workers: the primary's CPU, then each worker's (a share of one core). */
  cpuSplit?: number[];
  ms: number;
  open: number;
}

/** One run: start the target, ramp N sessions, warm up, measure a window, tear down. */
export async function measureOnce(
  target: 'mock' | 'baseline',
  sessions: number,
  windows: { warmMs: number; measureMs: number; processes?: number },
  workers = 1,
): Promise<Measured> {
  const options = { fixture: 'greeting', idleTimeoutSeconds: 0 };
  const tested =
    target === 'baseline'
      ? await startPacedBaseline('greeting')
      : workers > 1
        ? await startMockCluster(options, { workers })
        : await startMockServer(options);
  const url =
    target === 'mock'
      ? `${tested.url}?model=mal-realtime-simple&api_key=swaram_test_key`
      : tested.url;
  const processes = Number(process.env.SWARAM_BENCH_CLIENT_PROCESSES ?? windows.processes ?? 2);
  const fleet = await LoadFleet.start({
    url,
    sessions,
    replyRate: 1,
    rampPerSecond: 1000,
    processes,
  });
  try {
    await sleep(windows.warmMs);
    fleet.measure();
    const meter = new ProcessMeter();
    const workers0 = await workersCpuMicros(tested);
    const t0 = performance.now();
    await sleep(windows.measureMs);
    const report = await fleet.report();
    const server = meter.read();
    // With workers the mock is several processes: its CPU is theirs and the primary's.
    const wallMs = performance.now() - t0;
    const workers1 = await workersCpuMicros(tested);
    const split = workers1.map((w, i) => (w - workers0[i]!) / 1000 / wallMs);
    const cpuSplit = split.length > 0 ? [server.cpu, ...split] : undefined;
    server.cpu += split.reduce((a, b) => a + b, 0);
    meter.close();
    const pacing =
      'health' in tested
        ? ((await healthOf(tested)) as { pacing: { p99: number } }).pacing.p99
        : Number.NaN;
    return {
      report,
      server,
      pacingP99: pacing,
      ...(cpuSplit ? { cpuSplit } : {}),
      ms: performance.now() - t0,
      open: fleet.ready.open,
    };
  } finally {
    await fleet.stop();
    await tested.close();
  }
}

/** CPU time each worker of a `--workers` mock used so far, µs (none for one process). */
async function workersCpuMicros(
  tested: MockServer | { close(): Promise<void> },
): Promise<number[]> {
  if (!('health' in tested)) return [];
  const health = (await healthOf(tested)) as { workers?: Array<{ cpuMicros: number }> };
  return (health.workers ?? []).map((w) => w.cpuMicros);
}

function printLine(target: string, n: number, results: Measured[], p99: number): void {
  const med = (f: (m: Measured) => number) => median(results.map(f));
  const lost = results.reduce(
    (a, m) =>
      a +
      (m.open < n ? n - m.open : 0) +
      m.report.stuckResponses +
      Object.values(m.report.closedByServer).reduce((x, y) => x + y, 0),
    0,
  );
  const cells = [
    target.padEnd(9),
    String(n).padStart(5),
    fmt(med((m) => m.report.lateness.p50)),
    fmt(p99),
    fmt(med((m) => m.report.lateness.max)),
    String(Math.round(med((m) => (m.report.deltas / m.ms) * 1000))).padStart(7),
    pct(med((m) => m.server.cpu)),
    fmt(med((m) => m.server.loopDelayP99Ms)),
    Number.isNaN(results[0]!.pacingP99) ? '     –' : fmt(med((m) => m.pacingP99)),
    pct(med((m) => m.report.clientCost.cpu)),
    fmt(med((m) => m.report.clientCost.loopDelayP99Ms)),
    pct(med((m) => m.server.cpuPressure)),
    String(lost).padStart(4),
  ];
  console.log(`  ${cells.join('  ')}${p99 > BUDGET_MS ? '   over budget' : ''}`);
  const split = results[0]!.cpuSplit;
  if (split) {
    const each = split.map((_, i) => pct(med((m) => m.cpuSplit![i]!)).trim());
    console.log(
      `  ${''.padEnd(16)}server cpu: primary ${each[0]}, workers ${each.slice(1).join(', ')}`,
    );
  }
}

const fmt = (v: number) => v.toFixed(1).padStart(6);
const pct = (v: number) => (Number.isNaN(v) ? '   –' : `${Math.round(v * 100)} %`.padStart(5));
