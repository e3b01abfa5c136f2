import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderAnnotations } from '../reporters/github-annotations.js';
import { renderHtml } from '../reporters/html-report.js';
import { renderJunit } from '../reporters/junit-report.js';
import { renderMarkdown } from '../reporters/markdown-report.js';
import { exploreLines } from '../reporters/result-text.js';
import type { ExploreSummary, RunResult } from '../results/result-schema.js';
import { validateRunResult } from '../results/validate-run-result.js';

const payload = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('../reporters/testdata/payload-run/index.json', import.meta.url)),
    'utf8',
  ),
) as RunResult;

const REPLAY = 'swaram-conform explore --target ./sdk --replay 5:0:1:1';
const explore: ExploreSummary = {
  seed: 5,
  casesTried: 3,
  caseRuns: 11,
  casesPerMinute: 30.5,
  harnessErrorRuns: 0,
  unconfirmed: 0,
  budgetHit: false,
  speed: 'fake clock (in process): no real waiting, timings exact on the scenario clock',
  budgets: { runs: 60, timeMs: 120_000, shrinkRuns: 60, shrinkTimeMs: 120_000 },
  judged: 'the shrunk counterexample of BARGE-STOP',
  failure: {
    rule: 'BARGE-STOP',
    reason: 'Barge-in did not stop playback properly',
    path: '0:1:1',
    replay: REPLAY,
    fixture: 'reports/x/counterexamples/BARGE-STOP',
    originalSize: 9,
    shrunkSize: 4,
    shrinkRuns: 8,
    shrinkSteps: 3,
    shrinkMs: 9000,
    shrinkBudgetHit: false,
    shrunk: { model: 'mal-realtime-simple', turns: [], faults: [] },
  },
};
const explored: RunResult = { ...payload, explore };

describe('the explore block in the result model and every reporter', () => {
  it('is valid index.json', () => {
    expect(validateRunResult(explored)).toMatchObject({ ok: true });
    const bad = validateRunResult({ ...explored, explore: { ...explore, seed: 'x' } });
    expect(bad.ok).toBe(false);
  });

  it('reads as lines with the failing rule, its shrink figures, replay line and fixture', () => {
    const lines = exploreLines(explored);
    expect(lines[0]).toBe(
      'explored 3 generated case(s), 11 run(s) with re-runs and shrinking, 30.5 runs/min, seed 5',
    );
    expect(lines).toContain(
      'FAILING CASE: BARGE-STOP, shrunk from 9 to 4 steps in 8 run(s) (3 shrink steps, 9.0 s)',
    );
    expect(lines).toContain(`replay: ${REPLAY}`);
    expect(exploreLines(payload)).toEqual([]);
  });

  it('shows in markdown, html, junit and the GitHub annotations', () => {
    expect(renderMarkdown(explored)).toContain('### Explore');
    expect(renderMarkdown(explored)).toContain('--replay 5:0:1:1');
    expect(renderMarkdown(payload)).not.toContain('### Explore');
    expect(renderHtml(explored, new Map())).toContain('<section id="explore">');
    const junit = renderJunit(explored);
    expect(junit).toContain('<testsuite name="swaram-conform explore" tests="1" failures="1"');
    expect(junit).toMatch(/failures="(\d+)"/);
    expect(renderAnnotations(explored)).toMatch(/^::error title=swaram-conform explore::/m);
  });
});
