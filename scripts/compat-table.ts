import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateRunResult } from '../conformance/results/validate-run-result.js';
import type { RuleResult, RunResult } from '../conformance/results/result-schema.js';

/*
 * Renders the "current verdicts" table of docs/compatibility.md from finished runs, one column
 * per client, so the table says what the runs said and nothing else:
 *
 *   npx tsx scripts/compat-table.ts openai=reports/<run> agents-realtime=reports/<run>
 *
 * Each cell: the rule's status over the run, and for a rule that did not pass, the scenarios
 * it failed in and the first failing run's reason (shortened).
 */

const REASON_CHARS = 160;

function usage(message: string): never {
  console.error(`compat-table: ${message}`);
  console.error('usage: npx tsx scripts/compat-table.ts <label>=<run-dir> [<label>=<run-dir> …]');
  process.exit(2);
}

function readRun(dir: string): RunResult {
  const file = join(dir, 'index.json');
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    usage(`cannot read ${file}: ${(error as Error).message}`);
  }
  const checked = validateRunResult(value);
  if (!checked.ok) usage(`${file} is not a run result: ${checked.problems[0] ?? 'invalid'}`);
  return value as RunResult;
}

function cell(rule: RuleResult | undefined): string {
  if (!rule) return '–';
  if (rule.status === 'pass' || rule.status === 'skipped' || rule.status === 'not_observable') {
    return rule.status.replace('_', ' ');
  }
  const bad = rule.runs.filter((r) => r.status === rule.status);
  const all = [...new Set(bad.map((r) => r.scenario))];
  const scenarios =
    all.length > 3 ? `${all.slice(0, 3).join(', ')} and ${all.length - 3} more` : all.join(', ');
  const reason = (bad[0]?.reason ?? rule.reason ?? '').replace(/\s+/g, ' ');
  const short = reason.length > REASON_CHARS ? `${reason.slice(0, REASON_CHARS - 1)}…` : reason;
  return `**${rule.status.replace('_', ' ')}** (${scenarios}): ${short}`.replace(/\|/g, '\\|');
}

const columns = process.argv.slice(2).map((arg) => {
  const at = arg.indexOf('=');
  if (at <= 0) usage(`expected <label>=<run-dir>, got ${JSON.stringify(arg)}`);
  return { label: arg.slice(0, at), run: readRun(arg.slice(at + 1)) };
});
if (columns.length === 0) usage('name at least one run');

const ids = [...new Set(columns.flatMap((c) => c.run.rules.map((r) => r.id)))];
console.log(`| Rule | ${columns.map((c) => c.label).join(' | ')} |`);
console.log(`|---|${columns.map(() => '---').join('|')}|`);
for (const id of ids) {
  const level = columns.map((c) => c.run.rules.find((r) => r.id === id)?.level).find(Boolean);
  const cells = columns.map((c) => cell(c.run.rules.find((r) => r.id === id)));
  console.log(`| ${id} (${level ?? '?'}) | ${cells.join(' | ')} |`);
}
for (const c of columns) {
  const { summary, startedAt, durationMs } = c.run;
  console.log(
    `\n${c.label}: ${summary.line} (${startedAt}, ${Math.round(durationMs / 1000)} s, ${c.run.target.client?.name ?? c.run.target.name})`,
  );
}
