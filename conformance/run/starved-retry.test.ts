import { describe, expect, it } from 'vitest';
import type { TraceStall } from '../trace/trace.js';
import { retryStarved, starvation } from './starved-retry.js';

/** A finished run of 4 s with these stalls, failing these rules. */
const runOf = (stalls: TraceStall[] | undefined, failed: string[]) => ({
  trace: { startedAt: 0, endedAt: 4000, ...(stalls ? { stalls } : {}) },
  failed,
});
const starvedRun = (failed: string[]) => runOf([{ from: 1000, to: 1400 }], failed);
const quietRun = (failed: string[]) => runOf([{ from: 1000, to: 1020 }], failed);

async function retry(
  runs: Array<ReturnType<typeof runOf>>,
  retries = 2,
  timingFree?: (id: string) => boolean,
) {
  let next = 0;
  const kept: number[] = [];
  const out = await retryStarved({
    attempt: async () => runs[next++]!,
    judge: (r) => new Map(r.failed.map((id) => [id, { status: 'fail' }])),
    retries,
    ...(timingFree ? { timingFree } : {}),
    keep: async (r, k, _verdicts, failed, s) => {
      kept.push(k);
      return { file: `f-${k}`, stalledMs: s.stalledMs, longestStallMs: s.longestMs, failed };
    },
  });
  return { ...out, attempts: next, kept };
}

describe('starvation', () => {
  it('calls a run starved at 5 % stalled or one stall of 250 ms', () => {
    expect(starvation(runOf([{ from: 0, to: 199 }], []).trace)?.starved).toBe(false);
    expect(starvation(runOf([{ from: 0, to: 250 }], []).trace)?.starved).toBe(true);
    const many = Array.from({ length: 10 }, (_, i) => ({ from: i * 300, to: i * 300 + 20 }));
    expect(starvation(runOf(many, []).trace)).toEqual({
      stalledMs: 200,
      longestMs: 20,
      starved: true,
    });
    expect(starvation(runOf(undefined, []).trace)).toBeUndefined();
  });
});

describe('retryStarved', () => {
  it('does not run again a starved run that failed only timing-free rules', async () => {
    const free = (id: string) => id === 'WIRE-SCHEMA' || id === 'SUBSET-ONLY';
    const standing = await retry(
      [starvedRun(['WIRE-SCHEMA', 'SUBSET-ONLY']), quietRun([])],
      2,
      free,
    );
    expect(standing.attempts).toBe(1);
    expect(standing.retried).toEqual([]);
    expect([...standing.verdicts!.keys()]).toEqual(['WIRE-SCHEMA', 'SUBSET-ONLY']);
    // With a timing rule among the failures, the run is in doubt and goes again.
    const doubt = await retry([starvedRun(['WIRE-SCHEMA', 'PLAY-ORDER']), quietRun([])], 2, free);
    expect(doubt.attempts).toBe(2);
    expect(doubt.retried.map((r) => r.failed)).toEqual([['WIRE-SCHEMA', 'PLAY-ORDER']]);
  });

  it('runs again a run that failed in a starved harness, and keeps the failed attempt', async () => {
    const out = await retry([starvedRun(['PLAY-ORDER']), quietRun([])]);
    expect(out.attempts).toBe(2);
    expect(out.run.failed).toEqual([]);
    expect(out.retried).toEqual([
      { file: 'f-1', stalledMs: 400, longestStallMs: 400, failed: ['PLAY-ORDER'] },
    ]);
  });

  it('leaves a real failure standing: every attempt fails, at most `retries` more', async () => {
    const out = await retry([
      starvedRun(['TOOL-ONCE']),
      starvedRun(['TOOL-ONCE']),
      starvedRun(['TOOL-ONCE']),
      quietRun([]),
    ]);
    expect(out.attempts).toBe(3);
    expect(out.run.failed).toEqual(['TOOL-ONCE']);
    expect(out.kept).toEqual([1, 2]);
  });

  it('does not run again a failure the harness kept up with, nor a starved pass', async () => {
    expect((await retry([quietRun(['TOOL-ONCE']), quietRun([])])).attempts).toBe(1);
    expect((await retry([starvedRun([]), quietRun([])])).attempts).toBe(1);
    expect((await retry([starvedRun(['X']), quietRun([])], 0)).attempts).toBe(1);
  });

  it('hands back the verdicts of a starved pass it judged, and only those', async () => {
    const pass = await retry([starvedRun([]), quietRun([])]);
    expect(pass.verdicts).toEqual(new Map());
    // Not judged here: a quiet run, or the last attempt after a retry.
    expect((await retry([quietRun([])])).verdicts).toBeUndefined();
    expect((await retry([starvedRun(['X']), quietRun([])])).verdicts).toBeUndefined();
  });
});
