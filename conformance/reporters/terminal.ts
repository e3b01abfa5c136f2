import type { ProgressReporter } from '../run/run-conformance.js';
import { fmtMs } from '../trace/format.js';
import { NOT_RUN_REASON } from '../results/result-schema.js';
import { displayPath } from '../run/run-conformance.js';
import type { VerdictStatus } from '../rules/rule.js';
import { exploreLines } from './result-text.js';

const MARK: Record<VerdictStatus, string> = {
  pass: 'pass',
  fail: 'FAIL',
  warn: 'warn',
  skipped: 'skip',
  not_observable: 'n/o',
  harness_error: 'HARNESS',
};

/**
 * Progress on the terminal (stderr): a line as each scenario run starts and one as it
 * finishes, with a running count and, under a failure, the command that replays it; then a
 * summary of failing rules and metrics. Plain lines, so CI logs read well too.
 */
export function terminalReporter(out: NodeJS.WritableStream = process.stderr): ProgressReporter {
  let total = 0;
  let repeats = 1;
  let done = 0;
  let replayOf: ((id: string) => string) | undefined;
  const count = (n: number) => `[${String(n).padStart(String(total).length)}/${total}]`;
  return {
    onRunStart({ runId, scenarios, skipped, repeat, target, replayOf: replay }) {
      total = scenarios.length * repeat;
      repeats = repeat;
      replayOf = replay;
      out.write(
        `swaram-conform ${runId}\n  target: ${target.name} (${target.mode === 'wire' ? 'wire only' : 'adapter'})\n`,
      );
      out.write(
        `  ${scenarios.length} scenario(s) × ${repeat} run(s)${skipped.length ? `, ${skipped.length} skipped` : ''}\n`,
      );
      for (const s of skipped) out.write(`  skip ${s.id}: ${s.skipReason}\n`);
    },
    onScenarioStart(scenario, run) {
      // A run can take a minute: say what is under way, so a long silence has a name.
      const tag = repeats > 1 ? ` #${run}` : '';
      out.write(`  ${' '.repeat(count(0).length)} start ${scenario.id}${tag}: ${scenario.title}\n`);
    },
    onScenarioRetry(scenario, run, attempt) {
      const tag = repeats > 1 ? ` #${run}` : '';
      out.write(
        `  ${' '.repeat(count(0).length)} again ${scenario.id}${tag}: it failed ${attempt.failed.join(' ')} ` +
          `while the machine starved the harness (stalled ${fmtMs(attempt.stalledMs)}, ` +
          `longest ${fmtMs(attempt.longestStallMs)}); kept as ${attempt.file}
`,
      );
    },
    onScenarioEnd(scenario, run, verdicts, outcome) {
      done += 1;
      const counts = new Map<VerdictStatus, number>();
      for (const v of verdicts.values()) counts.set(v.status, (counts.get(v.status) ?? 0) + 1);
      const summary = [...counts].map(([s, n]) => `${n} ${MARK[s]}`).join(', ');
      const fails = [...verdicts]
        .filter(([, v]) => v.status === 'fail' || v.status === 'harness_error')
        .map(([id]) => id);
      const harness = outcome.trace.harnessErrors.length
        ? `  harness: ${outcome.trace.harnessErrors[0]}`
        : '';
      out.write(
        `  ${count(done)} ${scenario.id}${repeats > 1 ? ` #${run}` : ''}` +
          ` ${(outcome.durationMs / 1000).toFixed(1)} s  ${summary || 'no rule exercised'}` +
          `${fails.length ? `  ✗ ${fails.join(' ')}` : ''}${harness}\n`,
      );
      if ((fails.length || harness) && replayOf)
        out.write(`  ${' '.repeat(count(done).length)} replay: ${replayOf(scenario.id)}\n`);
    },
    onRunEnd(result, dir) {
      const c = result.summary.counts;
      out.write(
        `\nrules: ${c.pass} pass, ${c.fail} fail, ${c.warn} warn, ${c.skipped} skipped, ${c.not_observable} not observable, ${c.harness_error} harness error\n`,
      );
      for (const r of result.rules.filter(
        (x) => x.status === 'fail' || x.status === 'harness_error' || x.status === 'warn',
      )) {
        out.write(`  ${MARK[r.status]} ${r.level} ${r.id}: ${r.reason}\n`);
      }
      const explored = exploreLines(result);
      if (explored.length) out.write(`explore:\n${explored.map((l) => `  ${l}\n`).join('')}`);
      const measured = result.metrics.filter((m) => m.count > 0);
      if (measured.length) {
        out.write('metrics (ms):\n');
        for (const m of measured) {
          const budget =
            m.budget !== null ? `  budget p95 ≤ ${m.budget}${m.withinBudget ? '' : '  OVER'}` : '';
          out.write(
            `  ${m.name.padEnd(14)} n=${String(m.count).padEnd(4)} p50 ${m.p50}  p95 ${m.p95}  max ${m.max}${budget}\n`,
          );
        }
      }
      const verdict =
        result.summary.line ??
        (result.summary.passed ? 'PASSED' : `FAILED (${result.summary.failing.join(', ')})`);
      const notRun = result.scenarios.filter((s) => s.skipReason === NOT_RUN_REASON);
      out.write(
        result.interrupted
          ? `\nINTERRUPTED after ${(result.durationMs / 1000).toFixed(1)} s: so far ${verdict}, ${notRun.length} scenario(s) not run — ${displayPath(dir)}\n`
          : `\n${verdict} in ${(result.durationMs / 1000).toFixed(1)} s — ${displayPath(dir)}\n`,
      );
    },
  };
}
