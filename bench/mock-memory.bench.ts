import { slope } from '../conformance/metrics/statistics.js';
import { startMockServer } from '../mock-server/mock-server.js';
import { LoadFleet, machineLine, median, sleep } from './load/load-fleet.js';
import type { BenchOptions } from './run.js';

export const description =
  'mock memory: RSS per idle and per streaming session; RSS slope of long-session sessions at high speed (10 min, --duration)';

const MIB = 2 ** 20;

/**
 * RSS of this process (the mock; the clients run in their own processes):
 *
 * - per session: `SWARAM_BENCH_SESSIONS` (default 1000) idle sessions (connected, silent), then
 *   as many talking ones (microphone + replies), each against the RSS before; `SWARAM_BENCH_RUNS`
 *   runs (default 3), medians. Run with `NODE_OPTIONS=--expose-gc` for steadier figures.
 * - long session: 20 sessions on `long-session` at speed 10 (tool calls, replies at 20× real
 *   time, the microphone streaming) for 10 minutes (`--duration`); RSS every 5 s, the
 *   least-squares slope after the first fifth (warm-up).
 */
export async function run(options: BenchOptions): Promise<void> {
  const sessions = Number(process.env.SWARAM_BENCH_SESSIONS ?? (options.quick ? 50 : 1000));
  const runs = Number(process.env.SWARAM_BENCH_RUNS ?? (options.quick ? 1 : 3));
  console.log(`  ${machineLine()}`);
  const idle: Growth[] = [];
  const talking: Growth[] = [];
  for (let r = 0; r < runs; r++) {
    idle.push(await perSession(sessions, true));
    talking.push(await perSession(sessions, false, options.quick));
  }
  for (const [name, xs] of [
    ['idle', idle],
    ['streaming', talking],
  ] as const) {
    console.log(
      `  per ${name} session (${sessions} sessions, ${runs} run(s), median): RSS ${kib(median(xs.map((x) => x.rss)))}, ` +
        `JS heap + buffers ${kib(median(xs.map((x) => x.heap)))} (runs, RSS: ${xs.map((x) => kib(x.rss)).join(', ')})`,
    );
  }
  const durationMs = options.durationMs ?? (options.quick ? 10_000 : 10 * 60_000);
  if (durationMs > 0) await longSession(durationMs);
}

/** Growth per session, bytes: of the RSS, and of the JS heap plus buffers (steadier, after a GC). */
interface Growth {
  rss: number;
  heap: number;
}

function heapNow(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

async function perSession(sessions: number, idle: boolean, quick = false): Promise<Growth> {
  const server = await startMockServer({ fixture: 'greeting', idleTimeoutSeconds: 0 });
  const url = `${server.url}?model=mal-realtime-simple&api_key=swaram_test_key`;
  try {
    await settle();
    const before = process.memoryUsage.rss();
    const heapBefore = heapNow();
    const fleet = await LoadFleet.start({ url, sessions, replyRate: 1, idle, rampPerSecond: 500 });
    // Talking sessions fill their journals (1000 frames each) in about 40 s: wait for that
    // (--quick, a smoke test, waits 5 s: its figure is not the steady state).
    await sleep(idle ? 3000 : quick ? 5000 : 45_000);
    await settle();
    const after = process.memoryUsage.rss();
    const heapAfter = heapNow();
    const open = Math.max(1, fleet.ready.open);
    await fleet.stop();
    return { rss: (after - before) / open, heap: (heapAfter - heapBefore) / open };
  } finally {
    await server.close();
  }
}

async function longSession(durationMs: number): Promise<void> {
  const server = await startMockServer({
    fixture: 'long-session',
    speed: 10,
    idleTimeoutSeconds: 0,
  });
  const url = `${server.url}?model=mal-realtime-simple&api_key=swaram_test_key`;
  const fleet = await LoadFleet.start({ url, sessions: 20, replyRate: 20, processes: 1 });
  const t0 = performance.now();
  const points: Array<[number, number]> = [];
  while (performance.now() - t0 < durationMs) {
    await sleep(5000);
    points.push([(performance.now() - t0) / 60_000, process.memoryUsage.rss() / MIB]);
  }
  const report = await fleet.report();
  await fleet.stop();
  await server.close();
  const warm = points.filter(([m]) => m >= durationMs / 60_000 / 5);
  const mibs = warm.map(([, m]) => m);
  console.log(
    `  long-session, 20 sessions at speed 10 for ${(durationMs / 60_000).toFixed(1)} min: ${report.responses} replies, ${report.toolOutputs} tool calls answered; ` +
      `RSS after warm-up ${Math.min(...mibs).toFixed(0)}–${Math.max(...mibs).toFixed(0)} MiB, slope ${slope(warm).toFixed(3)} MiB/min (${points.length} samples)`,
  );
}

async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(500);
}

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
