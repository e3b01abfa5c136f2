import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { boundedMemory, judgeMemory, type MemorySample } from './resources.js';

const check = (trace: ReturnType<ReturnType<typeof traceBuilder>['build']>) =>
  boundedMemory.check(trace, DEFAULT_RULE_CONTEXT);

function sampled(mbPerMinute: number): MemorySample[] {
  const samples: MemorySample[] = [];
  for (let minute = 0; minute <= 20; minute++) {
    samples.push({ at: minute * 60_000, mb: 100 + mbPerMinute * minute });
  }
  return samples;
}

describe('BOUNDED-MEMORY', () => {
  it('is not observable without memory samples, never a pass', () => {
    const v = check(traceBuilder().handshake().build())!;
    expect(v.status).toBe('not_observable');
    expect(v.reason).toContain('no memory samples');
  });

  it('is not observable on samples spanning too little time', () => {
    const v = judgeMemory(sampled(0).slice(0, 2), DEFAULT_RULE_CONTEXT);
    expect(v.status).toBe('not_observable');
  });

  it('passes flat memory from the optional samples', () => {
    expect(judgeMemory(sampled(0.1), DEFAULT_RULE_CONTEXT).status).toBe('pass'); // 6 MB/h
  });

  it('fails growing memory', () => {
    const v = judgeMemory(sampled(1), DEFAULT_RULE_CONTEXT); // 60 MB/h
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('60.0 MB/h');
  });

  it('does not apply without a connection', () => {
    expect(check(traceBuilder().build())).toBeUndefined();
  });
});
