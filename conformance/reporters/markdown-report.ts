import { NOT_RUN_REASON, type RunResult } from '../results/result-schema.js';
import {
  STATUS_LABEL,
  STATUS_ORDER,
  evidenceText,
  exploreLines,
  isProblem,
  replayOf,
  runName,
} from './result-text.js';

/** GitHub rejects PR comments over 65,536 characters; a summary stays well under. */
export const MARKDOWN_LIMIT = 60_000;
const RUNS_PER_RULE = 3;
const TABLE_ROWS = 40;
const EVIDENCE_PER_RUN = 3;

/**
 * Renders `summary.md`: the verdict, the counts, the rules to look at (each failing run's
 * reason, evidence and replay command) and the metrics, short enough for a PR comment or
 * `$GITHUB_STEP_SUMMARY`. Client strings are escaped so they render as text (no tables
 * broken by `|`, no HTML, no @-mentions).
 */
export function renderMarkdown(result: RunResult): string {
  const c = result.summary.counts;
  const client = result.target.client;
  const head = [
    `## ${result.summary.passed ? '✅' : '❌'} swaram-conform: ${md(result.target.name)} ${result.summary.passed ? 'passed' : `failed (${result.summary.failing.map(md).join(', ')})`}${result.interrupted ? ' (interrupted)' : ''}`,
    '',
    ...(result.interrupted
      ? [
          `> **Interrupted**: ${result.scenarios.filter((s) => s.skipReason === NOT_RUN_REASON).length} scenario(s) did not run; this is what was judged so far.`,
          '',
        ]
      : []),
    `\`${code(result.runId)}\` · ${result.scenarios.filter((s) => s.status === 'ran').length} scenario(s) × ${result.options.repeat} · speed ${result.options.speed} · ${(result.durationMs / 1000).toFixed(1)} s${client ? ` · ${md(`${client.name ?? '?'} ${client.version ?? ''} (${client.language ?? '?'})`)}` : ' · wire only'}`,
    '',
    `| ${STATUS_ORDER.map((s) => STATUS_LABEL[s]).join(' | ')} |`,
    `|${STATUS_ORDER.map(() => '---:').join('|')}|`,
    `| ${STATUS_ORDER.map((s) => c[s]).join(' | ')} |`,
    ...exploreSection(result),
  ];
  const problems = result.rules
    .filter((r) => isProblem(r.status))
    .sort((a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status));
  const table: string[] = [];
  const blocks: string[] = [];
  if (problems.length) {
    table.push(
      '',
      '### Rules to look at',
      '',
      '| status | level | rule | why |',
      '|---|---|---|---|',
    );
    for (const r of problems.slice(0, TABLE_ROWS))
      table.push(`| ${STATUS_LABEL[r.status]} | ${r.level} | ${md(r.id)} | ${md(r.reason)} |`);
    if (problems.length > TABLE_ROWS)
      table.push('', `… and ${problems.length - TABLE_ROWS} more rule(s) in report.html`);
    for (const r of problems) {
      const runs = r.runs.filter((x) => isProblem(x.status));
      const block = ['', `#### ${md(r.id)}: ${md(r.title)}`, ''];
      for (const x of runs.slice(0, RUNS_PER_RULE)) {
        block.push(`- **${md(runName(x))}** (${STATUS_LABEL[x.status]}): ${md(x.reason)}`);
        for (const e of x.evidence.slice(0, EVIDENCE_PER_RUN))
          block.push(`  - ${md(evidenceText(e))}`);
        if (x.evidence.length > EVIDENCE_PER_RUN)
          block.push(`  - … ${x.evidence.length - EVIDENCE_PER_RUN} more in report.html`);
        block.push(`  - replay: \`${code(replayOf(result, x.scenario))}\``);
      }
      if (runs.length > RUNS_PER_RULE)
        block.push(`- … ${runs.length - RUNS_PER_RULE} more run(s) in report.html`);
      blocks.push(block.join('\n'));
    }
  }
  const measured = result.metrics.filter((m) => m.count > 0);
  const metrics = measured.length
    ? [
        '',
        '### Metrics (ms)',
        '',
        '| metric | n | p50 | p95 | max | budget (p95) |',
        '|---|---:|---:|---:|---:|---|',
        ...measured.map(
          (m) =>
            `| ${md(m.name)} | ${m.count} | ${m.p50} | ${m.p95} | ${m.max} | ${m.budget === null ? '–' : `${m.budget} ${m.withinBudget ? '✅' : '❌ over'}`} |`,
        ),
      ]
    : [];
  const tail = [
    '',
    `Replay the run: \`${code(result.replay)}\` · details: \`report.html\` in the run folder`,
    '',
  ];
  // Whole blocks of rule details go in while they fit; the rest is in report.html.
  const fixed = [...head, ...table, ...metrics, ...tail].join('\n').length;
  const cut = '\n\n… more details in report.html (cut to fit a PR comment)';
  let room = MARKDOWN_LIMIT - fixed - cut.length;
  const kept: string[] = [];
  for (const b of blocks) {
    if (b.length + 1 > room) break;
    kept.push(b);
    room -= b.length + 1;
  }
  const details = kept.join('\n') + (kept.length < blocks.length ? cut : '');
  return [...head, ...table, ...(details ? [details] : []), ...metrics, ...tail].join('\n');
}

/** Text for a Markdown paragraph or table cell: one line, no markup, no mentions. */
function md(s: string): string {
  return s
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_[\]|~#]/g, (c) => `\\${c}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/@/g, '&#64;');
}

/** Text inside a one-line code span (backticks would end it). */
function code(s: string): string {
  return s.replace(/\r?\n|\r/g, ' ').replace(/`/g, "'");
}

/** The explore block (swaram-conform explore) as a list; nothing for an ordinary run. */
function exploreSection(result: RunResult): string[] {
  const lines = exploreLines(result);
  if (!lines.length) return [];
  return ['', '### Explore', '', ...lines.map((l) => `- ${md(l)}`)];
}
