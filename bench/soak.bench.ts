import { cpus } from 'node:os';
import { slope } from '../conformance/metrics/statistics.js';
import { startMockServer } from '../mock-server/mock-server.js';
import { LoadFleet, machineLine, sleep } from './load/load-fleet.js';
import type { BenchOptions } from './run.js';

export const description =
  'soak (on demand): many sessions for 30 min (--duration) with barge-ins, tool calls, reconnects, hangs and bad frames; RSS slope, inputs tried, sessions held, longest hang survived';

/**
 * `npm run bench -- soak [--duration 30m]` (`--quick`: 10 s, a smoke test).
 * `SWARAM_BENCH_SESSIONS` sessions (default 200) talk to a mock serving `long-session`
 * (tool calls every second turn, replies at twice real time): microphone always streaming,
 * a barge-in every ~20 s, a new connection after 30–180 s, one session in 20 stops reading
 * for 1–30 s once, one reply in 50 preceded by a malformed frame. The mock's RSS is sampled
 * every 10 s; the slope is fitted after the first fifth (warm-up).
 */
export async function run(options: BenchOptions): Promise<void> {
  const durationMs = options.durationMs ?? (options.quick ? 10_000 : 30 * 60_000);
  const sessions = Number(process.env.SWARAM_BENCH_SESSIONS ?? 200);
  console.log(`  ${machineLine()} (${cpus().length} cores shared with whatever else runs)`);
  console.log(
    `  ${sessions} sessions for ${Math.round(durationMs / 60_000)} min on long-session, barge-ins, tool calls, reconnects, hangs, bad frames`,
  );
  const server = await startMockServer({ fixture: 'long-session', idleTimeoutSeconds: 0 });
  const url = `${server.url}?model=mal-realtime-simple&api_key=swaram_test_key`;
  const rss: Array<[number, number]> = [];
  let peakLive = 0;
  const t0 = performance.now();
  const sample = () => {
    peakLive = Math.max(peakLive, server.sessions.size);
    rss.push([(performance.now() - t0) / 60_000, process.memoryUsage.rss() / 2 ** 20]);
  };
  sample();
  const fleet = await LoadFleet.start({
    url,
    sessions,
    replyRate: 2,
    rampPerSecond: 50,
    soak: {
      bargeInEveryMs: 20_000,
      lifetimeMs: [30_000, 180_000],
      hangChance: 0.05,
      hangMs: [1000, 30_000],
      badFrameChance: 0.02,
    },
  });
  const every = Math.min(10_000, durationMs / 12);
  while (performance.now() - t0 < durationMs) {
    await sleep(every);
    sample();
    const last = rss.at(-1)!;
    if (!options.quick && rss.length % 6 === 0) {
      console.log(
        `    ${last[0].toFixed(1)} min: RSS ${last[1].toFixed(0)} MiB, ${server.sessions.size} live`,
      );
    }
  }
  const report = await fleet.report();
  await fleet.stop();
  const health = server.health() as { totalSessions: number; pacing: { p99: number; max: number } };
  await server.close();

  const warm = rss.filter(([m]) => m >= durationMs / 60_000 / 5);
  const mibPerMin = warm.length >= 2 ? slope(warm) : NaN;
  const mibs = warm.map(([, m]) => m);
  console.log(
    `  RSS after warm-up: ${Math.min(...mibs).toFixed(0)}–${Math.max(...mibs).toFixed(0)} MiB, slope ${mibPerMin.toFixed(3)} MiB/min (${rss.length} samples)`,
  );
  console.log(
    `  sessions held: ${peakLive} live at peak, ${health.totalSessions} in all (${report.reconnects} reconnects)`,
  );
  console.log(
    `  inputs tried: ${report.appends} mic appends, ${report.bargeIns} barge-ins, ${report.toolOutputs} tool outputs, ` +
      `${report.responses} replies played (${report.deltas} deltas), ${report.badFrames} malformed frames (${report.errors} error events back), ${report.hangs} hangs`,
  );
  console.log(
    `  longest hang survived: ${(report.longestHangSurvivedMs / 1000).toFixed(1)} s (a session not reading, then reading on); ` +
      `server closes: ${JSON.stringify(report.closedByServer)}, refused: ${JSON.stringify(fleet.ready.refused)}, stuck: ${report.stuckResponses} replies, ${report.stuckConnecting} connects`,
  );
  console.log(
    `  reply lateness at the clients p50 ${report.lateness.p50.toFixed(1)} p99 ${report.lateness.p99.toFixed(1)} max ${report.lateness.max.toFixed(1)} ms; mock pacing p99 ${health.pacing.p99.toFixed(1)} max ${health.pacing.max.toFixed(1)} ms`,
  );
}
