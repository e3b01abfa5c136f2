import { describe, expect, it } from 'vitest';
import { TraceRecorder } from './trace-recorder.js';

function recorder(now = () => 5): TraceRecorder {
  return new TraceRecorder({
    scenario: 's',
    startedAt: 0,
    drive: 'adapter',
    model: 'mal-realtime-simple',
    speed: 2,
    now,
  });
}

describe('TraceRecorder', () => {
  it('numbers frames by the connection of their session and validates them', () => {
    const r = recorder();
    r.connection({ kind: 'opened', session: 'sess_a', number: 1, at: 1 });
    r.frame({ session: 'sess_a', dir: 'in', at: 2, text: '{"type":"response.create"}' });
    r.frame({ session: 'sess_a', dir: 'out', at: 3, text: '{"type":"nope"}' });
    r.connection({
      kind: 'closed',
      session: 'sess_a',
      number: 1,
      at: 4,
      code: 1000,
      reason: 'bye',
      closedBy: 'client',
    });
    const [a, b] = r.trace.frames;
    expect(a).toMatchObject({ connection: 1, dir: 'in', violations: [] });
    expect(b!.violations.length).toBeGreaterThan(0);
    expect(r.trace.connections[0]).toMatchObject({
      closedAt: 4,
      closeCode: 1000,
      closedBy: 'client',
    });
  });

  it('tells subscribers of every change until they unsubscribe', () => {
    const r = recorder();
    let calls = 0;
    const off = r.onChange(() => (calls += 1));
    r.action('interrupt');
    r.harnessError('boom');
    r.observation(7, { type: 'playback.stopped', reason: 'interrupt', droppedBytes: 0 });
    off();
    r.action('end');
    expect(calls).toBe(3);
    expect(r.trace.actions).toEqual([
      { at: 5, kind: 'interrupt', data: {} },
      { at: 5, kind: 'end', data: {} },
    ]);
    expect(r.trace.harnessErrors).toEqual(['boom']);
    expect(r.trace.observations[0]!.at).toBe(7);
  });
});
