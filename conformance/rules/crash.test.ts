import { describe, expect, it } from 'vitest';
import { traceBuilder } from '../testing/trace-builder.js';
import { crashBlame, isExitError } from './crash.js';

const exit = { code: 1, signal: null };

describe('crashBlame', () => {
  it('blames PLAY-STRICT for an exit right after a malformed audio delta', () => {
    const t = traceBuilder()
      .handshake()
      .server({
        type: 'response.output_audio.delta',
        event_id: 'e1',
        response_id: 'r1',
        item_id: 'i1',
        output_index: 0,
        content_index: 0,
        delta: '!!not base64',
      })
      .wait(3)
      .act('target-exit', exit)
      .build();
    const blame = crashBlame(t)!;
    expect(blame.rule).toBe('PLAY-STRICT');
    expect(blame.verdict.status).toBe('fail');
    expect(blame.verdict.reason).toMatch(
      /exited \(code 1\) 3(\.0)? ms after the mock sent response\.output_audio\.delta \(malformed\)/,
    );
    expect(blame.verdict.evidence[0]!.frame).toBe(blame.frame);
  });

  it('blames the nearest stimulus: an error event after an unknown one is ERROR-SURVIVE', () => {
    const t = traceBuilder()
      .handshake()
      .server({ type: 'swaram.future_event', event_id: 'x' })
      .wait(400)
      .error('unsupported_event')
      .wait(10)
      .act('target-exit', exit)
      .build();
    expect(crashBlame(t)?.rule).toBe('ERROR-SURVIVE');
  });

  it('blames UNKNOWN-TOLERANT for a text frame that is not JSON', () => {
    const t = traceBuilder()
      .handshake()
      .server('{"type":"resp')
      .wait(2)
      .act('target-exit', exit)
      .build();
    expect(crashBlame(t)?.rule).toBe('UNKNOWN-TOLERANT');
  });

  it('leaves an exit after ordinary traffic, or long after the stimulus, to the harness', () => {
    const ordinary = traceBuilder().handshake().wait(50).act('target-exit', exit).build();
    expect(crashBlame(ordinary)).toBeUndefined();
    const late = traceBuilder().handshake().error('x').wait(6000).act('target-exit', exit).build();
    expect(crashBlame(late)).toBeUndefined();
  });

  it('never blames a wire-only app (it may quit on its own)', () => {
    const t = traceBuilder({ drive: 'wire-only' })
      .handshake()
      .error('x')
      .wait(2)
      .act('target-exit', exit)
      .build();
    expect(crashBlame(t)).toBeUndefined();
  });

  it('knows the exit harness error', () => {
    expect(
      isExitError('exited: the target exited on its own (code 1) while the runner was using it'),
    ).toBe(true);
    expect(isExitError('flood: too many lines')).toBe(false);
  });
});
