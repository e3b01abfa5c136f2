import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { NOT_RUN_REASON, type RunResult } from '../results/result-schema.js';
import { validateRunResult } from '../results/validate-run-result.js';
import { renderReports, showRun, type ReporterName } from './index.js';

const fixture = fileURLToPath(new URL('./testdata/payload-run/', import.meta.url));

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'swaram-reports-'));
  cpSync(fixture, dir, { recursive: true });
  return dir;
}

function sink(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

describe('showRun / renderReports', () => {
  it('re-renders every file reporter from an existing run folder', async () => {
    const dir = runDir();
    const out = sink();
    const err = sink();
    const { result, reports } = await showRun(
      dir,
      ['html', 'junit', 'markdown', 'github', 'terminal'],
      {
        env: {},
        stdout: out.stream,
        stderr: err.stream,
      },
    );
    expect(result.runId).toBe('2026-11-29T00-00-00-000Z-payload');
    expect(reports.map((r) => [r.reporter, r.file])).toEqual([
      ['html', join(dir, 'report.html')],
      ['junit', join(dir, 'junit.xml')],
      ['markdown', join(dir, 'summary.md')],
      ['github', undefined],
      ['terminal', undefined],
    ]);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toMatch(/^<!doctype html>/);
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain('<testsuite name="TOOL-ANSWER"');
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain('#### TOOL-ANSWER');
    expect(out.text()).toBe(''); // annotations only on GitHub Actions
    expect(err.text()).toContain('FAIL MUST TOOL-ANSWER: The client answered');
    expect(err.text()).toContain('FAILED (TOOL-ANSWER, HARNESS-CASE) in 1.2 s');
  });

  it('on GitHub Actions prints annotations and appends the summary to the step summary', async () => {
    const dir = runDir();
    const summary = join(dir, 'step-summary.md');
    writeFileSync(summary, 'earlier step\n');
    const out = sink();
    await showRun(dir, ['markdown', 'github'], {
      env: { GITHUB_ACTIONS: 'true', GITHUB_STEP_SUMMARY: summary },
      stdout: out.stream,
    });
    const text = readFileSync(summary, 'utf8');
    expect(text.startsWith('earlier step\n## ❌ swaram-conform')).toBe(true);
    expect(text).toContain(readFileSync(join(dir, 'summary.md'), 'utf8'));
    expect(out.text()).toMatch(/^::error title=swaram-conform MUST TOOL-ANSWER/);
  });

  it('renders runs with judgements across repetitions (run 0)', async () => {
    const dir = runDir();
    const result = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8')) as RunResult;
    result.rules[0]!.runs.push({
      scenario: 'payload',
      run: 0,
      status: 'fail',
      reason: 'flaky over repetitions',
      evidence: [{ frame: 2, note: 'which run?' }],
    });
    writeFileSync(join(dir, 'index.json'), JSON.stringify(result));
    await showRun(dir, ['html', 'junit', 'markdown'], { env: {} });
    expect(readFileSync(join(dir, 'junit.xml'), 'utf8')).toContain(
      'payload (across runs): fail: flaky over repetitions',
    );
    // a run-0 frame index names no one trace: no link
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain(
      '<li>frame 2: which run?</li>',
    );
  });

  it('reads judgements across repetitions (run 0) and interrupted runs as valid results', async () => {
    const result = JSON.parse(readFileSync(join(fixture, 'index.json'), 'utf8')) as RunResult;
    // what `--repeat` writes for a judgement across the repetitions of a scenario
    result.rules[0]!.runs.push({ ...result.rules[0]!.runs[0]!, run: 0 });
    expect(validateRunResult(result)).toEqual({ ok: true, result });
    const dir = runDir();
    writeFileSync(join(dir, 'index.json'), JSON.stringify(result));
    expect((await showRun(dir, ['junit'])).result.rules[0]!.runs[1]!.run).toBe(0);
    expect(validateRunResult({ ...result, interrupted: true }).ok).toBe(true);
    expect(validateRunResult({ ...result, interrupted: 'yes' })).toEqual({
      ok: false,
      problems: ['/interrupted must be boolean'],
    });
  });

  it('says in every report when the run was interrupted', async () => {
    const dir = runDir();
    const result = JSON.parse(readFileSync(join(fixture, 'index.json'), 'utf8')) as RunResult;
    const err = sink();
    await renderReports(result, dir, ['html', 'markdown', 'terminal'], {
      env: {},
      stderr: err.stream,
    });
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).not.toContain('Interrupted');
    expect(err.text()).not.toContain('INTERRUPTED');
    result.interrupted = true;
    result.scenarios[0] = {
      ...result.scenarios[0]!,
      status: 'skipped',
      runs: [],
      skipReason: NOT_RUN_REASON,
    };
    await renderReports(result, dir, ['html', 'markdown', 'terminal'], {
      env: {},
      stderr: err.stream,
    });
    expect(readFileSync(join(dir, 'summary.md'), 'utf8')).toContain(
      '> **Interrupted**: 1 scenario(s) did not run; this is what was judged so far.',
    );
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain(
      '<span class="verdict interrupted">INTERRUPTED</span>',
    );
    expect(err.text()).toMatch(
      /INTERRUPTED after [\d.]+ s: so far FAILED \(.*\), 1 scenario\(s\) not run/,
    );
  });

  it('writes index.json for the json reporter', async () => {
    const dir = runDir();
    const result = JSON.parse(readFileSync(join(fixture, 'index.json'), 'utf8')) as RunResult;
    result.runId = 'rewritten';
    await renderReports(result, dir, ['json']);
    expect(JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'))).toEqual(result);
  });

  it('says what is wrong with the run folder or the reporter', async () => {
    await expect(showRun(join(tmpdir(), 'no-such-run-folder'), ['html'])).rejects.toMatchObject({
      name: 'ReportError',
      code: 'ERR_NO_RUN',
    });
    const dir = runDir();
    writeFileSync(join(dir, 'index.json'), JSON.stringify({ schema: 'something/else' }));
    await expect(showRun(dir, ['html'])).rejects.toMatchObject({
      code: 'ERR_BAD_RESULT',
      message: expect.stringContaining('is not a swaram-conform/result/1 run result'),
    });
    // strictly: every bound of the schema, not only the top-level shape
    const broken = JSON.parse(readFileSync(join(fixture, 'index.json'), 'utf8')) as RunResult;
    broken.rules[0]!.runs[0]!.run = -1;
    writeFileSync(join(dir, 'index.json'), JSON.stringify(broken));
    await expect(showRun(dir, ['html'])).rejects.toMatchObject({
      code: 'ERR_BAD_RESULT',
      message: expect.stringContaining('/rules/0/runs/0/run must be >= 0'),
    });
    const result = JSON.parse(readFileSync(join(fixture, 'index.json'), 'utf8')) as RunResult;
    await expect(renderReports(result, dir, ['pdf' as ReporterName])).rejects.toMatchObject({
      code: 'ERR_UNKNOWN_REPORTER',
      message: "unknown reporter 'pdf': use terminal, json, html, junit, markdown, github",
    });
  });
});
