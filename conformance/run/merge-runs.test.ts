import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { referenceInProcess } from '../../clients/reference/in-process.js';
import { FakeClock } from '../../mock-server/clock.js';
import type { RunResult } from '../results/result-schema.js';
import { readRunResult } from '../reporters/render-reports.js';
import { mergeRuns } from './merge-runs.js';
import { defaultJobs, longestFirst, parseShard, shardScenarios } from './plan-order.js';
import { runConformance, type ConformanceOptions } from './run-conformance.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function scratch(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'swaram-merge-'));
  dirs.push(dir);
  return dir;
}

const ids = (xs: ReadonlyArray<{ id: string }>) => xs.map((x) => x.id);

describe('plan order', () => {
  const scenarios = ['greeting', 'multi-turn', 'close-4001', 'barge-in', 'unlisted', 'tool-call'];
  const list = scenarios.map((id) => ({ id }));

  it('every scenario goes to exactly one shard, the same one every time', () => {
    for (const n of [1, 2, 3, 4, 7]) {
      const slices = Array.from({ length: n }, (_, i) =>
        ids(shardScenarios(list, { index: i + 1, count: n })),
      );
      expect(slices.flat().sort()).toEqual([...scenarios].sort());
      const again = Array.from({ length: n }, (_, i) =>
        ids(shardScenarios(list, { index: i + 1, count: n })),
      );
      expect(again).toEqual(slices);
    }
  });

  it('balances shards by expected duration: the two longest land apart', () => {
    const [a, b] = [1, 2].map((index) => ids(shardScenarios(list, { index, count: 2 })));
    expect(a).toContain('multi-turn');
    expect(b).toContain('barge-in');
    expect(a).not.toContain('barge-in');
  });

  it('orders runs longest first and reads --shard i/n', () => {
    const runs = ['close-4001', 'multi-turn', 'greeting'].map((id) => ({ scenario: { id } }));
    expect(longestFirst(runs).map((r) => r.scenario.id)).toEqual([
      'multi-turn',
      'greeting',
      'close-4001',
    ]);
    expect(parseShard(' 2/4 ')).toEqual({ index: 2, count: 4 });
    for (const bad of ['0/2', '3/2', '2', 'a/b', '1/0'])
      expect(() => parseShard(bad)).toThrow(/give i\/n with 1 ≤ i ≤ n/);
    expect(defaultJobs(1)).toBe(3);
    expect(defaultJobs(2)).toBe(6);
    expect(defaultJobs(64)).toBe(8);
  });
});

/** rule id → status, and scenario → run → rule → status: what "the same verdicts" means. */
function verdicts(result: RunResult) {
  return {
    rules: Object.fromEntries(result.rules.map((r) => [r.id, r.status])),
    runs: Object.fromEntries(
      result.scenarios.map((s) => [s.id, [s.status, s.runs.map((r) => r.verdicts)]]),
    ),
    judgements: Object.fromEntries(
      result.rules.map((r) => [
        r.id,
        r.runs.map((x) => `${x.scenario}#${x.run}:${x.status}`).sort(),
      ]),
    ),
    summary: { ...result.summary, line: undefined },
    metricCounts: Object.fromEntries(result.metrics.map((m) => [m.name, m.count])),
  };
}

describe('--shard and merge', () => {
  // A fake clock and the client in process: each scenario takes a fraction of its real time.
  // A 1 ms largest append makes APPEND-SIZE fail (the client sends 20 ms chunks): a fail is
  // merged too, besides passes, skips and not_observable.
  const base = (reportDir: string): ConformanceOptions => ({
    spec: referenceInProcess(),
    clock: new FakeClock(),
    scenarios: ['greeting', 'close-4001', 'tool-call', 'close-4003'],
    budgets: { 'append.maxChunkMs': 1 },
    reportDir,
    failOn: 'should',
  });

  it('merged shards give the verdicts of the unsharded run, and every report', async () => {
    const reportDir = await scratch();
    const whole = await runConformance(base(reportDir));
    const shards = [];
    for (const index of [2, 1, 3]) {
      shards.push(await runConformance({ ...base(reportDir), shard: { index, count: 3 } }));
    }
    for (const s of shards) expect(s.result.options.shard?.count).toBe(3);
    // every scenario ran in exactly one shard
    expect(shards.flatMap((s) => ids(s.result.scenarios)).sort()).toEqual(
      [...whole.result.options.scenarios].sort(),
    );
    expect(whole.result.rules.find((r) => r.id === 'APPEND-SIZE')?.status).toBe('fail');
    const out = join(reportDir, 'merged');
    const merged = await mergeRuns(
      shards.map((s) => s.dir),
      { out },
    );
    expect(merged.dir).toBe(out);
    expect(verdicts(merged.result)).toEqual(verdicts(whole.result));
    expect(ids(merged.result.scenarios)).toEqual(ids(whole.result.scenarios));
    expect(merged.result.options).toEqual(whole.result.options);
    expect(merged.result.mergedFrom).toHaveLength(3);
    expect(merged.result.replay).not.toContain('--shard');
    // the written index.json is a valid result; every scenario file is there
    const read = await readRunResult(out);
    expect(verdicts(read)).toEqual(verdicts(whole.result));
    const files = await readdir(join(out, 'scenarios'));
    for (const s of read.scenarios)
      for (const r of s.runs) expect(files).toContain(r.file.replace('scenarios/', ''));

    // the shards must belong together: all of them, once each, of one run
    await expect(mergeRuns([shards[0]!.dir, shards[1]!.dir])).rejects.toThrow(
      /shard\(s\) 3\/3 missing/,
    );
    await expect(
      mergeRuns([shards[0]!.dir, shards[0]!.dir, shards[1]!.dir, shards[2]!.dir]),
    ).rejects.toThrow(/given twice/);
    await expect(mergeRuns([whole.dir])).rejects.toThrow(/is not a shard run/);
  }, 120_000);
});
