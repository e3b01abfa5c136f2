import { startMockServer, type MockServer } from '../mock-server/mock-server.js';
import { LoadFleet, machineLine, median, sleep } from './load/load-fleet.js';
import { ProcessMeter } from './load/process-meter.js';
import type { BenchOptions } from './run.js';

export const description =
  'load shedding: talking sessions ramp well past saturation; the admitted keep their pacing at the clients, the rest get 1013, then full admission again';

const BUDGET_MS = 20;
/** Sessions that must all get in once the load is gone: fewer than this machine carries. */
const RECOVERY_SESSIONS = 50;

/**
 * Ramps `SWARAM_BENCH_SESSIONS` (default 4000) talking sessions (mic + replies, as in
 * `mock-load`) at 200 new sessions a second against a mock with load shedding on (its
 * defaults), holds 10 s, and reads: reply lateness at the clients of the sessions admitted
 * (during the ramp and in the hold, apart; the budget holds only when both are within it), sessions admitted and refused (1013, counted by the clients and
 * by the mock's `/health`), anything lost or stuck. Then the load drops (every client hangs
 * up) and 50 new sessions (under the capacity seen) must all be admitted. `SWARAM_BENCH_RUNS` runs (default 3), medians.
 */
export async function run(options: BenchOptions): Promise<void> {
  const sessions = Number(process.env.SWARAM_BENCH_SESSIONS ?? (options.quick ? 150 : 4000));
  const runs = Number(process.env.SWARAM_BENCH_RUNS ?? (options.quick ? 1 : 3));
  const holdMs = options.quick ? 2000 : 10_000;
  console.log(`  ${machineLine()}`);
  console.log(
    `  ${sessions} talking sessions ramped at 200/s, held ${holdMs / 1000} s; mock with default shedding; ${runs} run(s), medians`,
  );
  const results: Array<Awaited<ReturnType<typeof overloadOnce>>> = [];
  for (let r = 0; r < runs; r++) {
    const result = await overloadOnce(sessions, holdMs);
    results.push(result);
    console.log(
      `  run ${r + 1}: admitted ${result.admitted}, refused 1013 ${result.refused} (mock counted ${result.mockRefused}, ${result.episodes} episode(s)), ` +
        `lateness at the clients p99 ${result.rampP99.toFixed(1)} ms during the ramp, ${result.p99.toFixed(1)} ms in the hold (p50 ${result.p50.toFixed(1)}, max ${result.max.toFixed(1)}), lost/stuck ${result.lost}, ` +
        `recovery ${result.recovered}/${RECOVERY_SESSIONS} admitted after ${(result.recoveryMs / 1000).toFixed(1)} s`,
    );
    console.log(
      `    over the ramp and hold: mock cpu ${pct(result.cost.cpu)} of a core, loop delay p99 ${result.cost.loopDelayP99Ms.toFixed(1)} ms; ` +
        `busiest client cpu ${pct(result.clientCost.cpu)}, loop delay p99 ${result.clientCost.loopDelayP99Ms.toFixed(1)} ms; ` +
        `machine CPU pressure ${pct(result.cost.cpuPressure)}`,
    );
  }
  const med = (f: (x: (typeof results)[number]) => number) => median(results.map(f));
  console.log(
    `  median: admitted ${med((x) => x.admitted)} of ${sessions}, refused ${med((x) => x.refused)}, ` +
      `lateness at the clients of the admitted p99 ${med((x) => x.rampP99).toFixed(1)} ms during the ramp, in the hold p50 ${med((x) => x.p50).toFixed(1)} p99 ${med((x) => x.p99).toFixed(1)} max ${med((x) => x.max).toFixed(1)} ms ` +
      `(${med((x) => x.p99Both) <= BUDGET_MS ? 'within' : 'OVER'} the ${BUDGET_MS} ms budget), lost/stuck ${med((x) => x.lost)}, recovered ${med((x) => x.recovered)}/${RECOVERY_SESSIONS}`,
  );
}

async function overloadOnce(sessions: number, holdMs: number) {
  const server = await startMockServer({
    fixture: 'greeting',
    idleTimeoutSeconds: 0,
    shedding: true,
    // What the terminal of swaram-mock would say, indented.
    onShedding: (c) =>
      console.log(
        c.kind === 'shedding'
          ? `    shedding at ${c.live} live: ${c.reason}`
          : `    admitting again at ${c.live} live (${c.refused} refused meanwhile)`,
      ),
  });
  const url = `${server.url}?model=mal-realtime-simple&api_key=swaram_test_key`;
  try {
    const meter = new ProcessMeter();
    const fleet = await LoadFleet.start({ url, sessions, replyRate: 1, rampPerSecond: 200 });
    // The ramp (handshakes and refusals arriving) and the hold after it, apart: a tail made
    // by the connection storm is not one the admitted sessions live with.
    const ramp = await fleet.report();
    fleet.measure();
    await sleep(holdMs);
    const report = await fleet.report();
    const cost = meter.read();
    meter.close();
    const load = health(server);
    await fleet.stop();
    const t0 = performance.now();
    while (health(server).status !== 'ok' || server.sessions.size > 0) {
      if (performance.now() - t0 > 30_000) break;
      await sleep(100);
    }
    const again = await LoadFleet.start({
      url,
      sessions: RECOVERY_SESSIONS,
      replyRate: 1,
      rampPerSecond: 200,
    });
    const recoveryMs = performance.now() - t0;
    await again.stop();
    // Closed by the mock in either window (measure() starts the counts again).
    const closed = [ramp, report]
      .flatMap((r) => Object.values(r.closedByServer))
      .reduce((a, b) => a + b, 0);
    return {
      admitted: fleet.ready.open,
      refused: fleet.ready.refused['1013'] ?? 0,
      mockRefused: load.load.refused,
      episodes: load.load.episodes,
      p50: report.lateness.p50,
      p99: report.lateness.p99,
      max: report.lateness.max,
      rampP99: ramp.lateness.p99,
      p99Both: Math.max(ramp.lateness.p99, report.lateness.p99),
      lost: fleet.ready.stuck + report.stuckResponses + closed + otherRefusals(fleet.ready.refused),
      recovered: again.ready.open,
      recoveryMs,
      cost,
      clientCost: report.clientCost,
    };
  } finally {
    await server.close();
  }
}

const pct = (v: number) => (Number.isNaN(v) ? '–' : `${Math.round(v * 100)} %`);

function health(server: MockServer) {
  return server.health() as { status: string; load: { refused: number; episodes: number } };
}

function otherRefusals(refused: Record<string, number>): number {
  return Object.entries(refused).reduce((a, [code, n]) => a + (code === '1013' ? 0 : n), 0);
}
