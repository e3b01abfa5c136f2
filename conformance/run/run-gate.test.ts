import { describe, expect, it } from 'vitest';
import { RunGate } from './run-gate.js';

/** A run that ends when told, logging its start and end. */
function runOf(log: string[], name: string) {
  let end!: () => void;
  const ended = new Promise<void>((resolve) => (end = resolve));
  return {
    fn: async () => {
      log.push(`${name}+`);
      await ended;
      log.push(`${name}-`);
    },
    end: () => end(),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('RunGate', () => {
  it('runs shared runs together, a lone run only after them and before later ones', async () => {
    const gate = new RunGate();
    const log: string[] = [];
    const [a, b, retry, c] = ['a', 'b', 'retry', 'c'].map((n) => runOf(log, n));
    const done = [
      gate.together(a!.fn),
      gate.together(b!.fn),
      gate.aloneRun(retry!.fn),
      gate.together(c!.fn),
    ];
    await settle();
    expect(log).toEqual(['a+', 'b+']); // the retry waits; c queues behind it
    a!.end();
    await settle();
    expect(log).toEqual(['a+', 'b+', 'a-']);
    b!.end();
    await settle();
    expect(log).toEqual(['a+', 'b+', 'a-', 'b-', 'retry+']);
    retry!.end();
    await settle();
    expect(log.slice(-2)).toEqual(['retry-', 'c+']);
    c!.end();
    await Promise.all(done);
  });

  it('runs lone runs one at a time, and frees its place when a run throws', async () => {
    const gate = new RunGate();
    const log: string[] = [];
    const [x, y] = ['x', 'y'].map((n) => runOf(log, n));
    const first = gate.aloneRun(async () => {
      await x!.fn();
      throw new Error('boom');
    });
    const second = gate.aloneRun(y!.fn);
    await settle();
    expect(log).toEqual(['x+']);
    x!.end();
    await expect(first).rejects.toThrow('boom');
    await settle();
    expect(log).toEqual(['x+', 'x-', 'y+']);
    y!.end();
    await second;
  });
});
