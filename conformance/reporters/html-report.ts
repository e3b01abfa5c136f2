import { createHash } from 'node:crypto';
import { fmtMs } from '../trace/format.js';
import {
  NOT_RUN_REASON,
  type MetricResult,
  type RuleResult,
  type RuleRunResult,
  type RunResult,
  type ScenarioResult,
} from '../results/result-schema.js';
import { escapeHtml as h, scriptJson } from './html-escape.js';
import { HTML_SCRIPT } from './html-script.js';
import { HTML_STYLE } from './html-style.js';
import { metricChart } from './metric-chart.js';
import {
  STATUS_LABEL,
  STATUS_ORDER,
  exploreLines,
  isProblem,
  runName,
  type Status,
} from './result-text.js';
import { readTimeline, type TimelineData } from './timeline-data.js';

/**
 * Renders `report.html`: one self-contained page (inline style, script and SVG; no remote
 * resources, a CSP that allows only its own script and style) with the verdict table by rule,
 * each metric's distribution against its budget, and a timeline per scenario run whose
 * evidence links jump to the frame they name. It renders the result model and computes no
 * verdict.
 *
 * @param timelines the runs' timeline rows by their `file` (see {@link readTimeline}); a run
 *   without an entry shows its verdicts only.
 */
export function renderHtml(
  result: RunResult,
  timelines: ReadonlyMap<string, TimelineData>,
): string {
  const keys = new Map<string, string>();
  let n = 0;
  for (const s of result.scenarios) for (const r of s.runs) keys.set(`${s.id}#${r.run}`, `r${++n}`);
  const keyOf = (scenario: string, run: number) => keys.get(`${scenario}#${run}`);
  const csp = [
    "default-src 'none'",
    `script-src '${sha256(HTML_SCRIPT)}'`,
    `style-src '${sha256(HTML_STYLE)}'`,
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const verdict = `${
    result.summary.passed
      ? '<span class="verdict passed">PASSED</span>'
      : '<span class="verdict failed">FAILED</span>'
  }${result.interrupted ? '<span class="verdict interrupted">INTERRUPTED</span>' : ''}`;
  const notRun = result.scenarios.filter((x) => x.skipReason === NOT_RUN_REASON).length;
  const interrupted = result.interrupted
    ? `<p class="interrupted">The run was interrupted: ${notRun} scenario(s) did not run. This is what was judged so far.</p>\n`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${h(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${h(`swaram-conform: ${result.target.name} ${result.summary.passed ? 'passed' : 'failed'}${result.interrupted ? ' (interrupted)' : ''}`)}</title>
<style>${HTML_STYLE}</style>
</head>
<body>
<main>
<h1>swaram-conform: ${h(result.target.name)}${verdict}</h1>
${interrupted}${header(result)}${exploreHtml(result)}
<nav><a href="#rules">Rules</a><a href="#metrics">Metrics</a><a href="#scenarios">Scenarios</a></nav>
${rulesSection(result, keyOf)}
${metricsSection(result.metrics)}
${scenariosSection(result, keyOf, timelines)}
</main>
<script>${HTML_SCRIPT}</script>
</body>
</html>
`;
}

/** Reads every run's timeline from `runDir` and renders the page (see {@link renderHtml}). */
export async function htmlReport(result: RunResult, runDir: string): Promise<string> {
  const timelines = new Map<string, TimelineData>();
  for (const s of result.scenarios)
    for (const r of s.runs) timelines.set(r.file, await readTimeline(runDir, r.file));
  return renderHtml(result, timelines);
}

function header(result: RunResult): string {
  const c = result.summary.counts;
  const client = result.target.client;
  const o = result.options;
  const rows: Array<[string, string]> = [
    ['run', h(result.runId)],
    [
      'started',
      `${h(result.startedAt)} · ${h((result.durationMs / 1000).toFixed(1))} s · ${h(result.tool.name)} ${h(result.tool.version)}`,
    ],
    [
      'client',
      client
        ? h(`${client.name ?? '?'} ${client.version ?? ''} (${client.language ?? '?'})`)
        : '<span class="muted">wire only</span>',
    ],
    ['mode', h(result.target.mode)],
    ['command', `<code>${h(result.target.command)}</code>`],
    ['features', h(result.target.features.join(', ') || '–')],
    [
      'options',
      h(
        `speed ${o.speed} · repeat ${o.repeat} · fail on ${o.failOn}${o.model ? ` · model ${o.model}` : ''}${o.rules ? ` · rules ${o.rules.join(',')}` : ''}${o.grep ? ` · grep ${o.grep}` : ''}`,
      ),
    ],
    [
      'rules',
      `<span class="counts">${STATUS_ORDER.map((s) => `<span>${badge(s)} ${c[s]}</span>`).join('')}</span>`,
    ],
  ];
  if (result.summary.failing.length)
    rows.push(['failing', `<span class="problem">${h(result.summary.failing.join(', '))}</span>`]);
  return `<dl class="meta">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>
${command('replay-all', 'replay', result.replay)}`;
}

function command(id: string, what: string, cmd: string): string {
  return `<div class="cmd"><span class="muted">${h(what)}</span><code id="${h(id)}">${h(cmd)}</code><button type="button" class="copy" data-copy="${h(id)}">copy</button></div>`;
}

function badge(status: Status): string {
  return `<span class="badge s-${status}">${h(STATUS_LABEL[status])}</span>`;
}

function rulesSection(
  result: RunResult,
  keyOf: (scenario: string, run: number) => string | undefined,
): string {
  const present = STATUS_ORDER.filter((s) => result.rules.some((r) => r.status === s));
  const filters = [
    ...present.map(
      (s) =>
        `<label><input type="checkbox" data-filter="status" value="${s}" checked> ${badge(s)} ${result.rules.filter((r) => r.status === s).length}</label>`,
    ),
    ...(['MUST', 'SHOULD'] as const).map(
      (l) => `<label><input type="checkbox" data-filter="level" value="${l}" checked> ${l}</label>`,
    ),
  ].join('');
  const rules = [...result.rules].sort(
    (a, b) =>
      STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status) ||
      (a.level === b.level ? 0 : a.level === 'MUST' ? -1 : 1),
  );
  return `<h2 id="rules">Rules (<span id="rule-count">${result.rules.length}</span> shown)</h2>
<div class="filters">${filters}</div>
<table class="rules"><thead><tr><th>status</th><th>level</th><th>rule</th><th>why</th></tr></thead><tbody>
${rules.map((r) => ruleRow(r, keyOf)).join('\n')}
</tbody></table>`;
}

function ruleRow(
  r: RuleResult,
  keyOf: (scenario: string, run: number) => string | undefined,
): string {
  const runs = [...r.runs].sort(
    (a, b) => STATUS_ORDER.indexOf(a.status) - STATUS_ORDER.indexOf(b.status),
  );
  const problems = runs.filter((x) => isProblem(x.status)).length;
  const judgements = runs.length
    ? `<details${problems && problems <= 5 ? ' open' : ''}><summary>${runs.length} judgement(s)${problems ? `, <span class="problem">${problems} to look at</span>` : ''}</summary><ul class="judgements">${runs.map((x) => judgement(x, keyOf)).join('')}</ul></details>`
    : '';
  return `<tr class="rule" id="rule-${h(r.id)}" data-status="${r.status}" data-level="${r.level}"><td>${badge(r.status)}</td><td>${r.level}</td><td class="id">${h(r.id)}<div class="muted">${h(r.title)}</div><div class="muted">${h(r.section)}</div></td><td>${h(r.reason)}${judgements}</td></tr>`;
}

function judgement(
  x: RuleRunResult,
  keyOf: (scenario: string, run: number) => string | undefined,
): string {
  const key = keyOf(x.scenario, x.run);
  const name = key
    ? `<a class="runlink" href="#${key}" data-run="${key}">${h(runName(x))}</a>`
    : h(runName(x));
  const evidence = x.evidence.length
    ? `<ul class="evidence">${x.evidence.map((e) => `<li>${evidenceLink(e, key)}</li>`).join('')}</ul>`
    : '';
  return `<li>${badge(x.status)} ${name}: ${h(x.reason)}${evidence}</li>`;
}

/** An evidence item; frame / observation / time links open the run's timeline there. */
function evidenceLink(e: RuleRunResult['evidence'][number], key: string | undefined): string {
  const at = e.at !== undefined ? ` at ${h(Math.round(e.at * 10) / 10)} ms` : '';
  const row =
    e.frame !== undefined ? `f${e.frame}` : e.observation !== undefined ? `o${e.observation}` : '';
  const what =
    e.frame !== undefined
      ? `frame ${e.frame}`
      : e.observation !== undefined
        ? `observation ${e.observation}`
        : '';
  if (!key || (!row && e.at === undefined))
    return `${h(what)}${at}${what || at ? ': ' : ''}${h(e.note)}`;
  const attrs = row
    ? `href="#${key}-${row}" data-run="${key}" data-row="${row}"`
    : `href="#${key}" data-run="${key}" data-at="${h(e.at!)}"`;
  const text = what ? `${h(what)}${at}` : at.trim();
  return `<a class="ev" ${attrs}>${text}</a>: ${h(e.note)}`;
}

function metricsSection(metrics: MetricResult[]): string {
  if (!metrics.length) return '';
  return `<h2 id="metrics">Metrics</h2>
<div class="metrics">${metrics.map(metricCard).join('\n')}</div>`;
}

function metricCard(m: MetricResult): string {
  const budget =
    m.budget === null
      ? '<span class="muted">no budget</span>'
      : m.withinBudget === false
        ? `<span class="over-budget">p95 over budget ${h(m.budget)} ms</span>`
        : m.withinBudget
          ? `<span class="in-budget">within budget ${h(m.budget)} ms</span>`
          : `budget ${h(m.budget)} ms`;
  const stats =
    m.count > 0 ? `n=${m.count} · p50 ${m.p50} · p95 ${m.p95} · max ${m.max} ms` : 'not measured';
  return `<div class="metric" id="metric-${h(m.name)}"><div class="head"><strong class="mono">${h(m.name)}</strong>${budget}</div><div class="muted">${h(m.description)}</div><div class="mono">${h(stats)}</div>${metricChart(m)}</div>`;
}

function scenariosSection(
  result: RunResult,
  keyOf: (scenario: string, run: number) => string | undefined,
  timelines: ReadonlyMap<string, TimelineData>,
): string {
  return `<h2 id="scenarios">Scenarios</h2>
<p class="muted">Open a run for its timeline: frames both ways, the client's playback, speech, cancels, tool calls and closes on one time axis.</p>
${result.scenarios.map((s) => scenarioBlock(result, s, keyOf, timelines)).join('\n')}`;
}

function scenarioBlock(
  result: RunResult,
  s: ScenarioResult,
  keyOf: (scenario: string, run: number) => string | undefined,
  timelines: ReadonlyMap<string, TimelineData>,
): string {
  const problems = (run: number) =>
    result.rules.flatMap((r) =>
      r.runs
        .filter((x) => x.scenario === s.id && x.run === run && isProblem(x.status))
        .map((x) => ({ rule: r, x })),
    );
  const anyProblem = s.runs.some((r) => Object.values(r.verdicts).some((v) => isProblem(v)));
  const status =
    s.status === 'skipped'
      ? `${badge('skipped')} <span class="muted">${h(s.skipReason ?? '')}</span>`
      : anyProblem
        ? '<span class="problem">✗</span>'
        : '<span class="muted">✓</span>';
  const runs = s.runs
    .map((run) => {
      const key = keyOf(s.id, run.run)!;
      const counts = new Map<Status, number>();
      for (const v of Object.values(run.verdicts)) counts.set(v, (counts.get(v) ?? 0) + 1);
      const summary = STATUS_ORDER.filter((x) => counts.has(x))
        .map((x) => `${counts.get(x)} ${STATUS_LABEL[x]}`)
        .join(', ');
      const failing = Object.entries(run.verdicts)
        .filter(([, v]) => isProblem(v))
        .map(([id]) => id);
      const list = problems(run.run)
        .map(
          ({ rule, x }) =>
            `<li>${badge(x.status)} <a href="#rule-${h(rule.id)}">${h(rule.id)}</a> (${rule.level}): ${h(x.reason)}${x.evidence.length ? `<ul class="evidence">${x.evidence.map((e) => `<li>${evidenceLink(e, key)}</li>`).join('')}</ul>` : ''}</li>`,
        )
        .join('');
      const harness = run.harnessErrors.length
        ? `<pre class="problem">${h(run.harnessErrors.join('\n'))}</pre>`
        : '';
      const retried = (run.retried ?? [])
        .map(
          (a) =>
            `<li>an earlier attempt failed ${h(a.failed.join(' '))} while the machine starved the harness (stalled ${h(fmtMs(a.stalledMs))}, longest ${h(fmtMs(a.longestStallMs))}): ${h(a.file)}</li>`,
        )
        .join('');
      const stalled =
        run.stalledMs !== undefined && run.stalledMs > 0
          ? `, the harness stalled ${h(fmtMs(run.stalledMs))} (discounted)`
          : '';
      const data = timelines.get(run.file);
      return `<details class="run" id="${key}" data-run="${key}"><summary>#${run.run} · ${h((run.durationMs / 1000).toFixed(1))} s · ${h(summary || 'no rule exercised')}${failing.length ? ` · <span class="problem">✗ ${h(failing.join(' '))}</span>` : ''} · ${run.frames} frames, ${run.connections} connection(s)</summary>
${list ? `<ul class="judgements">${list}</ul>` : ''}${harness}${retried ? `<ul class="muted">${retried}</ul>` : ''}<div class="muted">trace: ${h(run.file)}${stalled}</div>
<div class="timeline"></div>${data ? `<script type="application/json" id="data-${key}">${scriptJson(data)}</script>` : ''}</details>`;
    })
    .join('\n');
  return `<details class="scenario" id="scenario-${h(s.id)}"${anyProblem ? ' open' : ''}><summary><h3>${h(s.title)}</h3> <code>${h(s.id)}</code> <span class="muted">${h(s.family)}</span> ${status}</summary>
<p>${h(s.description)}</p>
${command(`replay-${keyOf(s.id, s.runs[0]?.run ?? -1) ?? s.id}`, 'replay', s.replay)}
${runs}</details>`;
}

function sha256(text: string): string {
  return `sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}`;
}

/** The explore block (swaram-conform explore); nothing for an ordinary run. */
function exploreHtml(result: RunResult): string {
  const lines = exploreLines(result);
  if (!lines.length) return '';
  return `<section id="explore"><h2>Explore</h2><ul>${lines.map((l) => `<li>${h(l)}</li>`).join('')}</ul></section>\n`;
}
