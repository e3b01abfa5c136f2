import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import type { Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { modePremium, pushToTalk } from './modes.js';

const check = (rule: Rule, trace: Trace) => rule.check(trace, DEFAULT_RULE_CONTEXT);

describe('MODE-PREMIUM', () => {
  const premium = () =>
    traceBuilder({ features: ['premium'], model: 'mal-realtime-premium' })
      .handshake()
      .stream(200);

  /** The runner keeps feeding the microphone for 2 s; the client streams it or not. */
  function feed(b: ReturnType<typeof premium>, stream: boolean) {
    for (let i = 0; i < 100; i++) {
      b.act('mic.audio', { bytes: 960 });
      if (stream) b.append(20);
      b.wait(20);
    }
    return b;
  }

  it('passes a client that keeps streaming after a nudge', () => {
    const t = feed(premium().client({ type: 'input_audio_buffer.commit' }), true).build();
    expect(check(modePremium, t)?.status).toBe('pass');
  });

  it('fails a client that stops streaming, waiting for a reply', () => {
    const t = feed(premium().client({ type: 'input_audio_buffer.commit' }), false).build();
    expect(check(modePremium, t)?.reason).toContain('stopped streaming after a nudge');
  });

  it('fails a client that retries its nudge', () => {
    const t = premium()
      .client({ type: 'response.create' })
      .wait(500)
      .client({ type: 'response.create' })
      .wait(500)
      .client({ type: 'response.create' })
      .build();
    expect(check(modePremium, t)?.reason).toContain('retried response.create');
  });

  it('does not apply in Simple mode or without nudges', () => {
    const simple = traceBuilder({ features: ['premium'] })
      .handshake()
      .client({ type: 'response.create' });
    expect(check(modePremium, simple.build())).toBeUndefined();
    expect(check(modePremium, premium().build())).toBeUndefined();
  });
});

describe('PUSH-TO-TALK', () => {
  const features = ['push-to-talk'];

  it('passes a commit after enough audio', () => {
    const t = traceBuilder({ features })
      .handshake()
      .stream(120)
      .client({ type: 'input_audio_buffer.commit' });
    expect(check(pushToTalk, t.build())?.status).toBe('pass');
  });

  it('fails a commit after too little audio', () => {
    const t = traceBuilder({ features })
      .handshake()
      .stream(60)
      .client({ type: 'input_audio_buffer.commit' });
    const v = check(pushToTalk, t.build())!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('60 ms');
  });

  it('counts from the server turn end (speech_stopped)', () => {
    const t = traceBuilder({ features })
      .handshake()
      .stream(500)
      .speechStopped()
      .stream(40)
      .client({ type: 'input_audio_buffer.commit' })
      .build();
    expect(check(pushToTalk, t)?.status).toBe('fail');
  });

  it('does not apply without commits or in Premium', () => {
    expect(check(pushToTalk, traceBuilder({ features }).handshake().build())).toBeUndefined();
    const premium = traceBuilder({ features, model: 'mal-realtime-premium' })
      .handshake()
      .client({ type: 'input_audio_buffer.commit' });
    expect(check(pushToTalk, premium.build())).toBeUndefined();
  });
});
