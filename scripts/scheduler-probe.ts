import { PerformanceObserver, monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { startMockServer } from '../mock-server/mock-server.js';
import { Scheduler } from '../mock-server/scheduler.js';
import { LoadFleet, sleep } from '../bench/load/load-fleet.js';

/*
 * Where a loaded mock's pacing lateness comes from: N talking sessions (as in
 * `npm run bench -- mock-load`) against a mock in this process whose scheduler is instrumented,
 * then, over a 10 s window: how many deltas fall due together, how long a batch takes, how late
 * the scheduler's timer fired (the loop was busy elsewhere), and the garbage collections.
 *
 *   SWARAM_PROBE_SESSIONS=300 npx tsx scripts/scheduler-probe.ts
 */

const sessions = Number(process.env.SWARAM_PROBE_SESSIONS ?? 300);
const batches: Array<{ fireLate: number; tasks: number; ms: number }> = [];
const gcs: number[] = [];
let measuring = false;

// Wraps the scheduler's private run(): a probe, not an API.
const proto = Scheduler.prototype as unknown as {
  run(this: { timerAt: number; lateness: { stats(): { count: number } } }): void;
};
const run = proto.run;
proto.run = function (this: { timerAt: number; lateness: { stats(): { count: number } } }) {
  const due = this.timerAt;
  const t0 = performance.now();
  const before = this.lateness.stats().count;
  run.call(this);
  if (measuring) {
    const tasks = this.lateness.stats().count - before;
    batches.push({ fireLate: t0 - due, tasks, ms: performance.now() - t0 });
  }
};
new PerformanceObserver((list) => {
  if (measuring) for (const e of list.getEntries()) gcs.push(e.duration);
}).observe({ entryTypes: ['gc'] });

const mock = await startMockServer({ fixture: 'greeting', idleTimeoutSeconds: 0 });
const fleet = await LoadFleet.start({
  url: `${mock.url}?model=mal-realtime-simple&api_key=${mock.keys[0]}`,
  sessions,
  replyRate: 1,
});
await sleep(3000);
fleet.measure();
const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
measuring = true;
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await sleep(10_000);
measuring = false;
const cpu = process.cpuUsage(cpu0);
const ms = performance.now() - t0;
const report = await fleet.report();
await fleet.stop();
await mock.close();

const q = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))] ?? 0;
const f = (x: number) => x.toFixed(1);
const of = (pick: (b: (typeof batches)[number]) => number) => {
  const xs = batches.map(pick);
  return `p50 ${f(q(xs, 0.5))}, p99 ${f(q(xs, 0.99))}, max ${f(Math.max(0, ...xs))}`;
};
console.log(`${sessions} talking sessions, 10 s window`);
console.log(
  `  lateness at the clients: p99 ${f(report.lateness.p99)} ms, max ${f(report.lateness.max)} ms`,
);
console.log(
  `  mock process CPU ${f(((cpu.user + cpu.system) / 1000 / ms) * 100)} % of a core; loop delay p99 ${f(loop.percentile(99) / 1e6)} ms`,
);
console.log(`  scheduler runs: ${batches.length}; deltas due together ${of((b) => b.tasks)}`);
console.log(`  a run's duration, ms: ${of((b) => b.ms)}`);
console.log(`  timer fired late by, ms: ${of((b) => b.fireLate)}`);
console.log(
  `  garbage collections: ${gcs.length}, ${f(gcs.reduce((a, b) => a + b, 0))} ms in all, longest ${f(Math.max(0, ...gcs))} ms`,
);
process.exit(0);
