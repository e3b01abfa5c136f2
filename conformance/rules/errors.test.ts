import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import type { Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { doneStatus, errorSurvive, transcriptAttrib, unknownTolerant } from './errors.js';

const check = (rule: Rule, trace: Trace) => rule.check(trace, DEFAULT_RULE_CONTEXT);

describe('ERROR-SURVIVE', () => {
  const errored = (drive: 'adapter' | 'wire-only' = 'adapter') =>
    traceBuilder({ drive }).handshake().error('invalid_event', '/item/output must be a string');

  it('passes when the session survives and the app is told', () => {
    const t = errored()
      .wait(5)
      .appError('protocol', 'invalid_event', 'swaram: /item/output must be a string')
      .wait(2000);
    expect(check(errorSurvive, t.build())?.status).toBe('pass');
  });

  it('fails when the error never reaches the app', () => {
    const v = check(errorSurvive, errored().wait(2000).build())!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('not surfaced to the app');
  });

  it('judges only survival on a wire-only run', () => {
    expect(check(errorSurvive, errored('wire-only').wait(2000).build())?.reason).toContain(
      'wire only',
    );
  });

  it('fails when the client closes on the error, or treats it as fatal', () => {
    const t = errored()
      .appError('protocol', 'invalid_event', 'x', { fatal: true })
      .wait(10)
      .close(1000, 'client')
      .wait(2000)
      .build();
    const v = check(errorSurvive, t)!;
    expect(v.reason).toContain('closed the connection');
    expect(v.reason).toContain('treated as fatal');
  });

  it('blames a close on the nearest preceding cause, not an earlier survived error', () => {
    // agents-realtime, malformed-deltas: survived unsupported_event, kept playing, then crashed
    // on a non-base64 delta 400 ms later and closed 10 ms after it.
    const t = traceBuilder()
      .handshake()
      .error('unsupported_event', 'conversation.item.retrieve is not supported')
      .wait(5)
      .appError('protocol', 'unsupported_event', 'x')
      .responseCreated('resp_1')
      .delta('resp_1', 200)
      .wait(50)
      .played('resp_1', 200)
      .wait(350)
      .delta('resp_1', 100, { audio: '!!!not base64!!!' })
      .wait(10)
      .close(1006, 'client')
      .wait(2000)
      .build();
    const v = check(errorSurvive, t)!;
    expect(v.status).toBe('pass');
  });

  it('says when the blame of a close is ambiguous', () => {
    const t = traceBuilder()
      .handshake()
      .responseCreated('resp_1')
      .delta('resp_1', 100, { audio: '!!!not base64!!!' })
      .wait(30)
      .error('invalid_event', 'bad')
      .wait(5)
      .appError('protocol', 'invalid_event', 'x')
      .wait(10)
      .close(1000, 'client')
      .wait(2000)
      .build();
    const v = check(errorSurvive, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('ambiguous: a malformed audio delta came 30 ms before');
  });

  it('does not blame the error for the runner stopping the client, or a much later close', () => {
    // The scenario timed out 30 s later and the runner shut the client down.
    const stopped = errored().wait(5).appError('protocol', 'invalid_event', 'x').wait(30000);
    expect(check(errorSurvive, stopped.close(1000, 'client').build())?.status).toBe('pass');
    const later = errored().wait(5).appError('protocol', 'invalid_event', 'x').wait(20000);
    expect(check(errorSurvive, later.close(1000, 'client').wait(5000).build())?.status).toBe(
      'pass',
    );
  });

  it('does not judge an error answering a frame in flight after the app ended', () => {
    const t = traceBuilder()
      .handshake()
      .act('end')
      .wait(5)
      .error('invalid_audio')
      .wait(5)
      .close(1000, 'client')
      .wait(3000)
      .build();
    expect(check(errorSurvive, t)).toBeUndefined();
  });

  it('leaves errors followed by a server close to the close rules', () => {
    const t = traceBuilder()
      .handshake()
      .error('invalid_api_key')
      .wait(5)
      .close(4001, 'server')
      .build();
    expect(check(errorSurvive, t)).toBeUndefined();
  });
});

describe('UNKNOWN-TOLERANT', () => {
  const strange = () =>
    traceBuilder({ features: ['playback'] })
      .handshake()
      .server({ type: 'rate_limits.updated', rate_limits: [] })
      .server({ type: 'whatever.new', x: 1 })
      .server('{not json')
      .responseCreated('r1')
      .delta('r1', 200, { itemId: 'i' });

  it('passes when the client ignores them and keeps working', () => {
    expect(check(unknownTolerant, strange().play('r1', 200).at(3000).build())?.status).toBe('pass');
  });

  it('fails when playback stops working after them', () => {
    const v = check(unknownTolerant, strange().at(3000).build())!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('playback stopped working');
  });

  it('judges the first non-JSON frame too, not only the first unknown event', () => {
    // Played the reply after rate_limits.updated, then broke on a text frame that is not JSON.
    const t = traceBuilder({ features: ['playback'] })
      .handshake()
      .server({ type: 'rate_limits.updated', rate_limits: [] })
      .responseCreated('r1')
      .delta('r1', 200)
      .play('r1', 200)
      .server('{"type":"response.output_audio.delta","delta":"AAAA')
      .responseCreated('r2')
      .delta('r2', 300)
      .at(3000)
      .build();
    const v = check(unknownTolerant, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('after a non-JSON frame');
  });

  it('fails when the client closes after an unknown field', () => {
    const t = traceBuilder()
      .handshake()
      .server({ type: 'session.updated', session: { model: 'm' }, brand_new: true })
      .wait(10)
      .close(1006, 'client')
      .wait(3000)
      .build();
    expect(check(unknownTolerant, t)?.reason).toContain('closed the connection');
  });

  it('does not blame an unknown event for a fatal error that a later server error explains', () => {
    // Found by swaram-conform explore: an unknown event, then out of credits (error, 4003).
    const build = (serverError: boolean) => {
      const b = traceBuilder().handshake().server({ type: 'swaram.future_event', x: 1 }).wait(500);
      if (serverError) b.error('insufficient_credits');
      return b.observe('error', { kind: 'billing', code: '4003', fatal: true }).wait(3000).build();
    };
    expect(check(unknownTolerant, build(true))?.status).toBe('pass');
    expect(check(unknownTolerant, build(false))?.reason).toContain('fatal error');
  });

  it('does not apply when every server frame is known', () => {
    expect(check(unknownTolerant, traceBuilder().handshake().build())).toBeUndefined();
  });
});

describe('DONE-STATUS', () => {
  const features = ['responses'];
  const finished = () =>
    traceBuilder({ features })
      .handshake()
      .responseCreated('r1')
      .responseDone('r1', 'cancelled', 'turn_detected')
      .responseDone('r1', 'cancelled', 'turn_detected');

  it('passes one report with the right status, despite a duplicated done', () => {
    const t = finished().observe('response', { response_id: 'r1', status: 'cancelled' }).wait(2000);
    expect(check(doneStatus, t.build())?.status).toBe('pass');
  });

  it('fails a wrong status and a second report', () => {
    const t = finished()
      .observe('response', { response_id: 'r1', status: 'completed' })
      .observe('response', { response_id: 'r1', status: 'cancelled' })
      .wait(2000)
      .build();
    const notes = check(doneStatus, t)!.evidence.map((e) => e.note);
    expect(notes).toEqual(['r1 reported completed; it ended cancelled', 'r1 finalised 2 times']);
  });

  it('fails a missing report, but not right at the end of the trace', () => {
    expect(check(doneStatus, finished().wait(2000).build())?.status).toBe('fail');
    expect(check(doneStatus, finished().build())).toBeUndefined();
  });
});

describe('TRANSCRIPT-ATTRIB', () => {
  const features = ['transcripts'];
  const turn = () =>
    traceBuilder({ features })
      .handshake()
      .server({
        type: 'conversation.item.created',
        item: {
          id: 'item_u1',
          object: 'realtime.item',
          type: 'message',
          role: 'user',
          content: [],
        },
      })
      .responseCreated('r1')
      .transcriptDelta('r1', 'നമസ്കാരം!', 'item_a1')
      .wait(300)
      .userTranscript('item_u1', 'സുഖമാണോ?');

  it('passes a late user transcript attributed to its item', () => {
    const t = turn()
      .observe('transcript', { role: 'user', item_id: 'item_u1', text: 'സുഖമാണോ?', final: true })
      .observe('transcript', { role: 'assistant', item_id: 'item_a1', text: 'നമസ്', final: false })
      .build();
    const v = check(transcriptAttrib, t)!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('1 late transcript');
  });

  it('fails a user transcript put under the reply', () => {
    const t = turn()
      .observe('transcript', {
        role: 'assistant',
        item_id: 'item_a1',
        text: 'സുഖമാണോ?',
        final: true,
      })
      .build();
    const v = check(transcriptAttrib, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence.map((e) => e.note).join(' ')).toContain('shown under item_a1');
  });

  it('fails a user transcript never shown', () => {
    expect(check(transcriptAttrib, turn().wait(2000).build())?.evidence[0]!.note).toContain(
      'never shown',
    );
  });

  it('does not apply without transcripts', () => {
    expect(check(transcriptAttrib, traceBuilder({ features }).handshake().build())).toBeUndefined();
  });
});
