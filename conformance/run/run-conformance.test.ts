import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { referenceInProcess } from '../../clients/reference/in-process.js';
import { FakeClock } from '../../mock-server/clock.js';
import type { RuleRunResult } from '../results/result-schema.js';
import { validateRunResult } from '../results/validate-run-result.js';
import { ruleById } from '../rules/catalogue.js';
import { aggregateRule, failingRules, summaryOf } from './aggregate-run.js';
import { runConformance } from './run-conformance.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const judged = (status: RuleRunResult['status'], scenario: string, run = 1): RuleRunResult => ({
  scenario,
  run,
  status,
  reason: `${status} in ${scenario}`,
  evidence: [],
});

describe('aggregate step', () => {
  it("a rule's status is the worst of its judgements, with where it happened first", () => {
    const rule = ruleById('BARGE-STOP')!;
    const r = aggregateRule(
      rule,
      [judged('pass', 'a'), judged('fail', 'b', 2), judged('fail', 'c')],
      false,
    );
    expect(r.status).toBe('fail');
    expect(r.reason).toBe('fail in b (in b #2, and 1 more)');
    expect(aggregateRule(rule, [], false).status).toBe('skipped');
    expect(failingRules([r], 'must')).toEqual(rule.level === 'MUST' ? ['BARGE-STOP'] : []);
    expect(failingRules([r], 'should')).toEqual(['BARGE-STOP']);
  });

  it('names as failed only what the client failed; a rule the harness could not judge apart', () => {
    const failed = aggregateRule(ruleById('BARGE-STOP')!, [judged('fail', 'barge-in')], false);
    const unjudged = aggregateRule(
      ruleById('SESSION-FIRST')!,
      [judged('pass', 'greeting'), judged('harness_error', 'multi-turn')],
      false,
    );
    const summary = summaryOf([failed, unjudged], [], 'must');
    expect(summary.exitCode).toBe(1);
    expect(summary.line).toBe('FAILED: BARGE-STOP; not judged: SESSION-FIRST');
    expect(summaryOf([unjudged], [], 'must')).toMatchObject({
      exitCode: 3,
      line: 'HARNESS ERROR (adapter or runner problems, exit 3)',
    });
  });
});

describe('runConformance (plan → execute → judge → aggregate → write)', () => {
  it('runs the reference client in process on a fake clock and writes the result model', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'swaram-run-'));
    dirs.push(reportDir);
    const { result, dir } = await runConformance({
      spec: referenceInProcess(),
      clock: new FakeClock(),
      scenarios: ['greeting', 'close-4001'],
      reportDir,
    });
    expect(result.summary).toMatchObject({ passed: true, exitCode: 0, failing: [] });
    expect(result.scenarios.map((s) => [s.id, s.status, s.runs.length])).toEqual([
      ['greeting', 'ran', 1],
      ['close-4001', 'ran', 1],
    ]);
    expect(result.rules.find((r) => r.id === 'CLOSE-CLEAN')?.status).toBe('pass');
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as typeof result;
    expect(index.runId).toBe(result.runId);
    const run = JSON.parse(
      await readFile(join(dir, result.scenarios[0]!.runs[0]!.file), 'utf8'),
    ) as { trace: { startedAt: number; frames: unknown[] } };
    expect(run.trace.startedAt).toBe(0);
    expect(run.trace.frames.length).toBe(result.scenarios[0]!.runs[0]!.frames);
  }, 60_000);

  it('stops when its signal aborts: what was judged so far, marked interrupted', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'swaram-run-'));
    dirs.push(reportDir);
    const controller = new AbortController();
    const started: string[] = [];
    const { result, dir } = await runConformance({
      spec: referenceInProcess(),
      clock: new FakeClock(),
      scenarios: ['greeting', 'close-4001', 'tool-call'],
      reportDir,
      signal: controller.signal,
      // Ctrl-C while the second scenario is under way
      reporter: {
        onScenarioStart: (s) => {
          started.push(s.id);
          if (started.length === 2) controller.abort();
        },
      },
    });
    expect(started).toHaveLength(2); // the third never starts
    expect(result.interrupted).toBe(true);
    const notRun = [undefined, 'not run: the run was interrupted'];
    expect(result.scenarios.map((s) => [s.id, s.status, s.runs.length, s.skipReason])).toEqual(
      result.options.scenarios.map((id) =>
        id === started[0] ? [id, 'ran', 1, notRun[0]] : [id, 'skipped', 0, notRun[1]],
      ),
    );
    expect(result.scenarios).toHaveLength(3);
    expect(
      result.rules.flatMap((r) => r.runs.map((x) => x.scenario)).every((id) => id === started[0]),
    ).toBe(true);
    const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as unknown;
    expect(validateRunResult(index)).toMatchObject({ ok: true, result: { interrupted: true } });
    // audio stored once, as a summary, by default
    const ran = result.scenarios.find((s) => s.id === started[0])!;
    const file = await readFile(join(dir, ran.runs[0]!.file), 'utf8');
    const frames = (JSON.parse(file) as { trace: { frames: Array<Record<string, unknown>> } }).trace
      .frames;
    const append = frames.find(
      (f) => (f.event as { type?: string } | undefined)?.type === 'input_audio_buffer.append',
    )!;
    expect(append).not.toHaveProperty('text');
    expect((append.event as { audio: unknown }).audio).toMatchObject({
      bytes: expect.any(Number),
      durationMs: expect.any(Number),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  }, 60_000);

  it('refuses parallel runs on one fake clock', async () => {
    await expect(
      runConformance({ spec: referenceInProcess(), clock: new FakeClock(), jobs: 2 }),
    ).rejects.toThrow(/one scenario at a time/);
  });

  it('refuses unknown scenario ids before running anything', async () => {
    await expect(
      runConformance({ spec: referenceInProcess(), scenarios: ['no-such'], reportDir: tmpdir() }),
    ).rejects.toThrow(/unknown scenario\(s\) no-such/);
  });
});
