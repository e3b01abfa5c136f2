import { writeHeapSnapshot } from 'node:v8';
import { join } from 'node:path';
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
    idle.push(await perSession(sessions, true, options.quick));
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
    const fleet = await LoadFleet.start({
      url,
      sessions,
      replyRate: 1,
      idle,
      rampPerSecond: 500,
      processes: quick ? 1 : 2,
    });
    // Talking sessions fill their journals (1000 frames each) in about 40 s: wait for that
    // (--quick, a smoke test, waits 1–2 s: its figure is not the steady state).
    await sleep(quick ? (idle ? 1000 : 2000) : idle ? 3000 : 45_000);
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
  const warmMin = durationMs / 60_000 / 5;
  const snapshots = process.env.SWARAM_BENCH_HEAP_SNAPSHOTS;
  const points: MemoryPoint[] = [];
  while (performance.now() - t0 < durationMs) {
    await sleep(5000);
    const minute = (performance.now() - t0) / 60_000;
    const m = process.memoryUsage();
    points.push({ minute, rss: m.rss, heap: m.heapUsed, external: m.external });
    // Heap snapshots at the end of warm-up and at the end, to diff (e.g. in Chrome DevTools).
    if (
      snapshots &&
      (points.length === Math.ceil((warmMin * 60_000) / 5000) ||
        performance.now() - t0 >= durationMs)
    ) {
      console.log(
        `  heap snapshot at ${minute.toFixed(1)} min: ${writeHeapSnapshot(join(snapshots, `long-session-${Math.round(minute * 60)}s.heapsnapshot`))}`,
      );
    }
  }
  const report = await fleet.report();
  await fleet.stop();
  await server.close();
  const warm = points.filter((p) => p.minute >= warmMin);
  const line = (key: 'rss' | 'heap' | 'external') => {
    const mibs = warm.map((p) => p[key] / MIB);
    const fit = slope(warm.map((p) => [p.minute, p[key] / MIB] as [number, number]));
    return `${Math.min(...mibs).toFixed(0)}–${Math.max(...mibs).toFixed(0)} MiB, slope ${fit.toFixed(3)} MiB/min`;
  };
  console.log(
    `  long-session, 20 sessions at speed 10 for ${(durationMs / 60_000).toFixed(1)} min: ${report.responses} replies, ${report.toolOutputs} tool calls answered (${points.length} samples, after warm-up):`,
  );
  console.log(
    `    RSS ${line('rss')}; JS heap used ${line('heap')}; external (buffers) ${line('external')}`,
  );
}

/** Memory of the mock's process at one moment of the long session. */
interface MemoryPoint {
  minute: number;
  rss: number;
  heap: number;
  external: number;
}

async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await sleep(500);
}

const kib = (bytes: number) => `${Math.round(bytes / 1024)} KiB`;
