import { describe, expect, it } from 'vitest';
import { traceBuilder } from '../testing/trace-builder.js';
import { actionsOf, framesOf, observationsOf, wireEvents } from './trace-query.js';

/*
 * The trace is typed: a misspelt observation state or event field in a rule is a compile
 * error. The `@ts-expect-error` lines below fail `tsc` if they ever compile.
 */

const trace = traceBuilder()
  .handshake()
  .responseCreated('r1')
  .delta('r1', 100)
  .server({ type: 'response.output_audio.delta', response_id: 'r1', delta: 'not base64!' })
  .connectionState('reconnecting', 2, { delayMs: 250 })
  .build();

describe('typed trace queries', () => {
  it('types observations by their type', () => {
    const [o] = observationsOf(trace, 'connection');
    expect(o?.data.state).toBe('reconnecting');
    expect(o?.data.delayMs).toBe(250);
    // @ts-expect-error 'reconecting' is not a connection state
    expect(o?.data.state === 'reconecting').toBe(false);
    // @ts-expect-error a connection observation has no `bytes`
    expect(o?.data.bytes).toBeUndefined();
  });

  it('types valid frames by their event type and leaves invalid ones out', () => {
    const deltas = framesOf(trace, 'response.output_audio.delta');
    expect(deltas).toHaveLength(1);
    expect(deltas[0]!.event.response_id).toBe('r1');
    // @ts-expect-error a delta has `delta`, not `audio`
    expect(deltas[0]!.event.audio).toBeUndefined();
    // @ts-expect-error 'response.don' is not an event type
    expect(framesOf(trace, 'response.don')).toEqual([]);
  });

  it('reads invalid frames loosely: fields are unknown until checked', () => {
    const all = wireEvents(trace, 'out', 'response.output_audio.delta');
    expect(all.map((e) => e.valid)).toEqual([true, false]);
    const bad = all[1]!;
    expect(bad.frame.violations.length).toBeGreaterThan(0);
    const delta: unknown = bad.event.delta;
    expect(typeof delta).toBe('string');
    // @ts-expect-error an unchecked field of a possibly invalid event is not a string
    const text: string = bad.event.delta;
    expect(text).toBe('not base64!');
  });

  it('types runner actions by their kind', () => {
    const t = traceBuilder()
      .act('tool.result', { call_id: 'call_1', output: '{}' })
      .act('interrupt')
      .build();
    const [result] = actionsOf(t, 'tool.result');
    expect(result?.data.call_id).toBe('call_1');
    // @ts-expect-error a tool.result has `call_id`, not `callId`
    expect(result?.data.callId).toBeUndefined();
    // @ts-expect-error 'interupt' is not an action kind
    expect(actionsOf(t, 'interupt')).toEqual([]);
    // @ts-expect-error a tool.result needs its call_id
    traceBuilder().act('tool.result', { output: '{}' });
  });
});
