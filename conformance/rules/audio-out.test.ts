import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import type { Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { appendFormat, appendPace, appendSize, streamPace, appendStreams } from './audio-out.js';

const check = (rule: Rule, trace: Trace) => rule.check(trace, DEFAULT_RULE_CONTEXT);

describe('APPEND-FORMAT', () => {
  it('passes strict base64 PCM16', () => {
    expect(check(appendFormat, traceBuilder().handshake().stream(100).build())?.status).toBe(
      'pass',
    );
  });

  it.each([
    ['a data: URL', 'data:audio/pcm;base64,AAAA', 'data: URL'],
    ['whitespace', 'AAAA\nAAAA', 'whitespace'],
    ['an odd byte count', 'AA==', 'even number'],
    ['nothing', '', 'empty'],
  ])('fails on %s', (_what, audio, phrase) => {
    const t = traceBuilder().handshake().append(20).append(0, audio).build();
    const v = check(appendFormat, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence).toHaveLength(1);
    expect(v.evidence[0]!.note).toContain(phrase);
  });

  it('fails when audio is missing', () => {
    const t = traceBuilder().handshake().client({ type: 'input_audio_buffer.append' }).build();
    expect(check(appendFormat, t)?.evidence[0]!.note).toContain('missing');
  });

  it('does not apply without appends', () => {
    expect(check(appendFormat, traceBuilder().handshake().build())).toBeUndefined();
  });
});

describe('APPEND-SIZE', () => {
  it('passes 20 ms chunks and a short last chunk', () => {
    const t = traceBuilder().handshake().stream(105, 20).build(); // last chunk: 5 ms
    expect(check(appendSize, t)?.status).toBe('pass');
  });

  it('fails a 500 ms chunk', () => {
    const t = traceBuilder().handshake().append(20).wait(20).append(500).build();
    const v = check(appendSize, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('500 ms');
  });

  it('fails a tiny chunk in the middle of a stream', () => {
    const t = traceBuilder().handshake().append(20).wait(5).append(4).wait(5).append(20).build();
    expect(check(appendSize, t)?.evidence[0]!.note).toContain('4 ms');
  });

  it('does not apply without valid appends', () => {
    expect(check(appendSize, traceBuilder().handshake().append(0, 'AA==').build())).toBeUndefined();
  });
});

describe('APPEND-PACE', () => {
  it('passes real-time streaming and reports the burst', () => {
    const v = check(appendPace, traceBuilder().handshake().stream(3000, 20).build())!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('rate 1.00');
    expect(v.reason).toContain('largest burst 20 ms');
  });

  it('expects the run speed', () => {
    const fast = traceBuilder({ speed: 2 }).handshake().stream(3000, 20, 10).build();
    expect(check(appendPace, fast)?.status).toBe('pass');
    const slow = traceBuilder({ speed: 2 }).handshake().stream(3000, 20, 20).build();
    expect(check(appendPace, slow)?.status).toBe('fail');
  });

  it('fails a file pushed at 10× real time', () => {
    const v = check(appendPace, traceBuilder().handshake().stream(3000, 20, 2).build())!;
    expect(v.status).toBe('fail');
    expect(v.reason).toMatch(/rate 10\.00/);
  });

  it('fails 16 kHz audio declared as 24 kHz over a long stream, with a hint', () => {
    const v = check(appendPace, traceBuilder().handshake().stream(12000, 20, 30).build())!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('16 kHz');
  });

  it('holds short streams to gross errors only', () => {
    // 20 ms every 16 ms: rate 1.25. Over 3 s that is within harness noise; over 12 s it is not.
    expect(check(appendPace, traceBuilder().handshake().stream(3000, 20, 16).build())?.status).toBe(
      'pass',
    );
    expect(
      check(appendPace, traceBuilder().handshake().stream(12000, 20, 16).build())?.status,
    ).toBe('fail');
  });

  it('does not blame the client for appends the runner stamped late after its own stall', () => {
    // Real-time streaming; near the end the runner does not run for 2.2 s, then stamps the 110
    // appends that waited for it in a bunch (40 ms later): one stream, rate 1.
    const stalled = (measured: boolean) => {
      const b = traceBuilder().handshake().stream(5000, 20);
      b.wait(2200);
      if (measured) b.stalled(2200);
      b.wait(40);
      for (let i = 0; i < 110; i++) b.append(20).wait(0.1);
      return b.build();
    };
    expect(check(appendPace, stalled(true))?.status).toBe('pass');
    expect(appendStreams(stalled(true), 500)).toHaveLength(1);
    // Without the heartbeat's measurement the pause splits the stream and the bunch is a burst.
    expect(check(appendPace, stalled(false))?.status).toBe('fail');
  });

  it('still fails a client that pushes a file at 10× around a stall of the runner', () => {
    const b = traceBuilder().handshake().stream(3000, 20, 2).wait(300).stalled(300);
    expect(check(appendPace, b.stream(3000, 20, 2).build())?.status).toBe('fail');
  });

  it('does not count a backlog flushed after session.updated', () => {
    const b = traceBuilder().handshake();
    for (let i = 0; i < 50; i++) b.append(20); // 1 s held until the ack, sent at once
    const v = check(appendPace, b.stream(3000, 20).build())!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('largest burst 1.0');
  });

  it('fails when more audio is sent than the microphone gave', () => {
    const b = traceBuilder().handshake();
    for (let i = 0; i < 10; i++) b.act('mic.audio', { bytes: 960 }).wait(20); // 200 ms fed
    const v = check(appendPace, b.stream(300, 20).build())!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('the microphone audio');
  });

  it('does not apply to short streams without microphone data', () => {
    expect(check(appendPace, traceBuilder().handshake().stream(500, 20).build())).toBeUndefined();
  });

  it('measures the burst as audio ahead of real time', () => {
    const t = traceBuilder().handshake().append(100).append(100).wait(100).append(100).build();
    const [stream] = appendStreams(t, 500);
    expect(streamPace(stream!).burstMs).toBe(200);
  });
});
