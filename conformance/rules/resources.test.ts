import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/metrics.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { boundedMemory } from './resources.js';

const check = (trace: ReturnType<ReturnType<typeof traceBuilder>['build']>) =>
  boundedMemory.check(trace, DEFAULT_RULE_CONTEXT);

function sampled(mbPerMinute: number) {
  const b = traceBuilder().handshake();
  for (let minute = 0; minute <= 20; minute++) {
    b.at(minute * 60_000).observe('memory', { bytes: (100 + mbPerMinute * minute) * 1e6 });
  }
  return b.build();
}

describe('BOUNDED-MEMORY', () => {
  it('is not observable without memory samples, never a pass', () => {
    const v = check(traceBuilder().handshake().build())!;
    expect(v.status).toBe('not_observable');
    expect(v.reason).toContain('no memory samples');
  });

  it('passes flat memory from the optional samples', () => {
    expect(check(sampled(0.1))?.status).toBe('pass'); // 6 MB/h
  });

  it('fails growing memory', () => {
    const v = check(sampled(1))!; // 60 MB/h
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('60.0 MB/h');
  });

  it('does not apply without a connection', () => {
    expect(check(traceBuilder().build())).toBeUndefined();
  });
});
