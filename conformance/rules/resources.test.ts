import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { boundedMemory, judgeMemory, memorySamples, type MemorySample } from './resources.js';

const check = (trace: ReturnType<ReturnType<typeof traceBuilder>['build']>) =>
  boundedMemory.check(trace, DEFAULT_RULE_CONTEXT);

/** One sample a second for `seconds`, growing `mbPerMinute`, with a GC sawtooth of `sawMB`. */
function sampled(mbPerMinute: number, seconds = 60, sawMB = 0): MemorySample[] {
  const samples: MemorySample[] = [];
  for (let s = 0; s <= seconds; s++) {
    samples.push({ at: s * 1000, mb: 50 + (mbPerMinute * s) / 60 + ((s % 4) * sawMB) / 3 });
  }
  return samples;
}

describe('BOUNDED-MEMORY', () => {
  it('reads memory observations: live heap and buffers when reported, else rss', () => {
    const t = traceBuilder()
      .handshake()
      .observe('memory', { rss: 100 * 1048576, heapUsed: 20 * 1048576, external: 4 * 1048576 })
      .observe('memory', { rss: 30 * 1048576 })
      .build();
    expect(memorySamples(t).map((s) => s.mb)).toEqual([24, 30]);
  });

  it('is not observable on a long trace without memory samples, never a pass', () => {
    const v = check(traceBuilder().handshake().wait(60_000).build())!;
    expect(v.status).toBe('not_observable');
    expect(v.reason).toContain('no memory samples');
  });

  it('does not apply to a trace shorter than the warm-up plus the span it needs', () => {
    expect(check(traceBuilder().handshake().wait(20_000).build())).toBeUndefined();
    expect(check(traceBuilder().build())).toBeUndefined();
  });

  it('does not apply to a long trace whose samples cover less than the span it needs', () => {
    // silent-server: a 26 s trace whose client reported memory for 24 s of it.
    let b = traceBuilder().handshake();
    for (let s = 0; s <= 24; s++) b = b.observe('memory', { rss: 40 * 1048576 }).wait(1000);
    expect(check(b.wait(2000).build())).toBeUndefined();
  });

  it('is not observable on samples spanning too little time after the warm-up', () => {
    const v = judgeMemory(sampled(0, 20), DEFAULT_RULE_CONTEXT);
    expect(v.status).toBe('not_observable');
    expect(v.reason).toContain('at least 20');
  });

  it('passes flat memory with a garbage-collection sawtooth of 6 MB', () => {
    const v = judgeMemory(sampled(0, 60, 6), DEFAULT_RULE_CONTEXT);
    expect(v.status).toBe('pass');
  });

  it('passes a slow drift within the noise allowance (2 MB over the span)', () => {
    expect(judgeMemory(sampled(2.4, 60), DEFAULT_RULE_CONTEXT).status).toBe('pass');
  });

  it('fails a client that keeps what it received (10 MB a minute)', () => {
    const v = judgeMemory(sampled(10, 60, 3), DEFAULT_RULE_CONTEXT);
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/600\.\d MB\/h/);
  });

  it('does not count the warm-up (the first buffers) as growth', () => {
    const samples = sampled(0, 60).map((s) => (s.at < 5_000 ? { ...s, mb: s.mb - 20 } : s));
    expect(judgeMemory(samples, DEFAULT_RULE_CONTEXT).status).toBe('pass');
  });
});
