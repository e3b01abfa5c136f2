import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import type { Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { sessionAck, sessionFirst, sessionLock, sessionShape, subsetOnly } from './session.js';
import { wireSchema } from './wire.js';

const check = (rule: Rule, trace: Trace) => rule.check(trace, DEFAULT_RULE_CONTEXT);

describe('WIRE-SCHEMA', () => {
  it('passes when every client frame is valid', () => {
    const t = traceBuilder().handshake().wait(20).append(20).build();
    expect(check(wireSchema, t)?.status).toBe('pass');
  });

  it('fails with the frame, time and JSON path of each violation', () => {
    const b = traceBuilder().open().wait(5);
    const index = b.frameCount;
    const t = b
      .client({ type: 'session.update', session: { voice: 'mal-female', foo: 1 } })
      .build();
    const v = check(wireSchema, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]).toMatchObject({ frame: index, at: 5 });
    expect(v.evidence[0]!.note).toContain('/session/foo');
  });

  it('counts binary frames as violations', () => {
    const t = traceBuilder().handshake().binary('in').build();
    expect(check(wireSchema, t)?.status).toBe('fail');
  });

  it('does not apply when the client sent nothing', () => {
    const t = traceBuilder().open().sessionCreated().build();
    expect(check(wireSchema, t)).toBeUndefined();
  });
});

describe('SESSION-FIRST', () => {
  it('passes when session.update comes first on every connection', () => {
    const t = traceBuilder()
      .handshake()
      .append()
      .close(1013, 'server')
      .wait(500)
      .handshake()
      .build();
    expect(check(sessionFirst, t)?.status).toBe('pass');
  });

  it('fails when audio comes first', () => {
    const t = traceBuilder().open().sessionCreated().append().sessionUpdate().build();
    const v = check(sessionFirst, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('input_audio_buffer.append');
  });

  it('fails when a reconnect skips session.update', () => {
    const t = traceBuilder().handshake().close(1013, 'server').wait(500).open().append().build();
    const v = check(sessionFirst, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('connection 2');
  });

  it('does not apply without client frames', () => {
    expect(check(sessionFirst, traceBuilder().open().build())).toBeUndefined();
  });
});

describe('SESSION-ACK', () => {
  it('passes when audio waits for session.updated', () => {
    const t = traceBuilder().open().sessionUpdate().wait(10).sessionUpdated().append().build();
    expect(check(sessionAck, t)?.status).toBe('pass');
  });

  it('fails when audio is sent before session.updated', () => {
    const t = traceBuilder().open().sessionUpdate().append().wait(10).sessionUpdated().build();
    const v = check(sessionAck, t)!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('audio before session.updated');
  });

  it('fails when a rejected update never reaches the app', () => {
    const t = traceBuilder()
      .open()
      .client({ type: 'session.update', event_id: 'ev_1', session: { voice: 'x' } })
      .error('invalid_event', 'bad voice', { event_id: 'ev_1', param: 'session.voice' })
      .wait(2000)
      .build();
    const v = check(sessionAck, t)!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('rejected update not surfaced');
  });

  it('passes when a rejected update is surfaced', () => {
    const t = traceBuilder()
      .open()
      .client({ type: 'session.update', event_id: 'ev_1', session: { voice: 'x' } })
      .error('invalid_event', 'bad voice', { event_id: 'ev_1' })
      .wait(5)
      .appError('session', 'invalid_event', 'bad voice')
      .wait(2000)
      .build();
    expect(check(sessionAck, t)?.status).toBe('pass');
  });

  it('fails when a missing ack is not surfaced, but only through an adapter', () => {
    const build = (drive: 'adapter' | 'wire-only') =>
      traceBuilder({ drive }).open().sessionUpdate().wait(6000).build();
    expect(check(sessionAck, build('adapter'))?.reason).toContain('missing ack not surfaced');
    expect(check(sessionAck, build('wire-only'))?.status).toBe('pass');
  });

  it('does not apply without session.update or audio', () => {
    expect(check(sessionAck, traceBuilder().open().sessionCreated().build())).toBeUndefined();
  });
});

describe('SESSION-LOCK', () => {
  it('passes when settings are sent before the conversation', () => {
    const t = traceBuilder().handshake().sessionUpdate().append().build();
    expect(check(sessionLock, t)?.status).toBe('pass');
  });

  it('fails on session.update after the first append', () => {
    const t = traceBuilder().handshake().append().wait(40).sessionUpdate().build();
    const v = check(sessionLock, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('40 ms after input_audio_buffer.append');
  });

  it('fails on session.update after a response began', () => {
    const t = traceBuilder().handshake().responseCreated('resp_1').sessionUpdate().build();
    expect(check(sessionLock, t)?.status).toBe('fail');
  });

  it('starts over on a new connection', () => {
    const t = traceBuilder()
      .handshake()
      .append()
      .close(1013, 'server')
      .handshake()
      .append()
      .build();
    expect(check(sessionLock, t)?.status).toBe('pass');
  });

  it('does not apply before any conversation', () => {
    expect(check(sessionLock, traceBuilder().handshake().build())).toBeUndefined();
  });
});

describe('SUBSET-ONLY', () => {
  it('passes with swaram events only', () => {
    const t = traceBuilder().handshake().append().client({ type: 'response.cancel' }).build();
    expect(check(subsetOnly, t)?.status).toBe('pass');
  });

  it('fails on OpenAI-only events, naming them', () => {
    const t = traceBuilder()
      .handshake()
      .client({
        type: 'conversation.item.truncate',
        item_id: 'i',
        content_index: 0,
        audio_end_ms: 5,
      })
      .client({ type: 'bogus.event' })
      .build();
    const v = check(subsetOnly, t)!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('conversation.item.truncate');
    expect(v.evidence[0]!.note).toContain('OpenAI');
    expect(v.evidence[1]!.note).toContain('not a swaram client event');
  });

  it('does not apply without client events', () => {
    expect(check(subsetOnly, traceBuilder().open().client('not json').build())).toBeUndefined();
  });
});

describe('SESSION-SHAPE', () => {
  it('passes the flat shape', () => {
    expect(
      check(sessionShape, traceBuilder().handshake({ voice: 'mal-male' }).build())?.status,
    ).toBe('pass');
  });

  it('warns on the GA nested shape', () => {
    const t = traceBuilder()
      .handshake({ type: 'realtime', audio: { output: { voice: 'mal-male' } } })
      .build();
    const v = check(sessionShape, t)!;
    expect(v.status).toBe('warn');
    expect(v.evidence[0]!.note).toContain('type, audio');
  });

  it('does not apply without session.update', () => {
    expect(check(sessionShape, traceBuilder().open().append().build())).toBeUndefined();
  });
});
