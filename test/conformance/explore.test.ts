import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { inProcessSpec } from '../../clients/faulty/reuses-first-call-id/in-process.js';
import { runConformCli } from '../../conformance/conform-cli.js';
import { runExplore } from '../../conformance/explore/run-explore.js';
import type { RunResult } from '../../conformance/results/result-schema.js';
import { runConformance } from '../../conformance/run/run-conformance.js';
import { FakeClock } from '../../mock-server/clock.js';
import { loadFixture } from '../../protocol/fixture/load-fixture.js';

/*
 * `swaram-conform explore` in CI, with a small budget: it catches a faulty variant whose bug
 * no named scenario reaches (reuses-first-call-id: it answers the second of two calls in one
 * response with the first's call_id), its replay line reproduces the failure through the
 * command line, and the counterexample fixture it writes loads and is judged failing by a
 * `--fixture` run. The variant runs in process on a fake clock (in-process.ts), as explore
 * runs it. Detection over ten seeds with the default budget, of this variant and of the
 * timing-only misses-barge-in-after-delta, is a bench (`npm run bench -- explore`), not this
 * test.
 */

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VARIANT = join(ROOT, 'clients/faulty/reuses-first-call-id');
const expected = JSON.parse(readFileSync(join(VARIANT, 'expected.json'), 'utf8')) as {
  explore: { fails: string[] };
};
const reports = mkdtempSync(join(tmpdir(), 'swaram-explore-ci-'));
afterAll(() => rmSync(reports, { recursive: true, force: true }));

/** A seed whose first generated case (5 steps, no fault) has two calls in one response. */
const SEED = 18;

describe('swaram-conform explore (small budget)', () => {
  it('finds the two-calls-only bug, shrinks it, and its replay line and fixture reproduce it', async () => {
    const run = await runExplore({
      target: VARIANT,
      seed: SEED,
      runs: 3,
      timeBudgetMs: 15_000,
      shrinkRuns: 3,
      reportDir: reports,
    });
    const failure = run.summary.failure;
    expect(failure?.rule, JSON.stringify(run.summary)).toBe(expected.explore.fails[0]);
    expect(run.summary.speed).toMatch(/^fake clock/);
    expect(failure!.shrunkSize).toBeLessThanOrEqual(failure!.originalSize);
    expect(failure!.shrinkRuns).toBeLessThanOrEqual(3 + 2); // the budget, plus the confirmation
    // The written result carries the explore block, and its judged scenario fails the rule.
    const index = JSON.parse(readFileSync(join(run.dir, 'index.json'), 'utf8')) as RunResult;
    expect(index.explore?.failure?.replay).toBe(failure!.replay);
    expect(index.summary.failing).toContain(failure!.rule);

    // The replay line, through the command line.
    const replay = /--replay (\S+)/.exec(failure!.replay)![1]!;
    expect(failure!.replay).toContain(`--target ${VARIANT}`);
    const replayDir = mkdtempSync(join(reports, 'replay-'));
    process.exitCode = undefined;
    await runConformCli([
      'explore',
      '--target',
      VARIANT,
      '--replay',
      replay,
      '--report-dir',
      replayDir,
      '--reporter',
      'markdown',
    ]);
    expect(process.exitCode).toBe(1);
    process.exitCode = undefined;
    const [replayRun] = readdirSync(replayDir);
    const replayed = JSON.parse(
      readFileSync(join(replayDir, replayRun!, 'index.json'), 'utf8'),
    ) as RunResult;
    expect(replayed.explore?.failure?.rule).toBe(failure!.rule);
    expect(replayed.explore?.failure?.path).toBe(failure!.path);

    // The counterexample fixture: loadable, and a --fixture run judges it failing.
    const fixture = await loadFixture(failure!.fixture);
    expect(fixture.name).toBe(failure!.rule);
    const judged = await runConformance({
      spec: inProcessSpec(),
      clock: new FakeClock(),
      fixture: failure!.fixture,
      reportDir: reports,
    });
    expect(judged.result.summary.failing).toContain(failure!.rule);
  }, 120_000);
});
