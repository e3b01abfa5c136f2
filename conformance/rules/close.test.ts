import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import type { Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { traceBuilder } from '../testing/trace-builder.js';
import type { TraceBuilder } from '../testing/trace-builder.js';
import { chiSquareQuantile, growthFactor } from '../metrics/statistics.js';
import {
  closeAuth,
  closeBusy,
  closeClean,
  closeLimit,
  liveness,
  looksUnjittered,
} from './close.js';

const check = (rule: Rule, trace: Trace) => rule.check(trace, DEFAULT_RULE_CONTEXT);

describe('CLOSE-AUTH', () => {
  const rejected = () =>
    traceBuilder()
      .open()
      .error('invalid_api_key', 'invalid API key')
      .close(4001, 'server')
      .wait(2)
      .appError('auth', '4001', 'invalid API key', { fatal: true })
      .connectionState('closed', 1, { code: 4001, by: 'server' });

  it('passes when the client stops and reports an auth error', () => {
    expect(check(closeAuth, rejected().wait(2000).build())?.status).toBe('pass');
  });

  it('fails an automatic reconnect', () => {
    const v = check(closeAuth, rejected().wait(500).open().wait(2000).build())!;
    expect(v.status).toBe('fail');
    expect(v.evidence[0]!.note).toContain('connection 2 opened 502 ms after close 4001');
  });

  it('allows a connection the app asked for', () => {
    const t = rejected()
      .wait(500)
      .act('connect', { model: 'mal-realtime-simple' })
      .wait(5)
      .open()
      .wait(2000)
      .build();
    expect(check(closeAuth, t)?.status).toBe('pass');
  });

  it('fails when no billing error is surfaced after 4003', () => {
    const t = traceBuilder()
      .open()
      .error('insufficient_credits')
      .close(4003, 'server')
      .appError('network', '4003', 'connection lost')
      .wait(2000)
      .build();
    expect(check(closeAuth, t)?.evidence[0]!.note).toContain(
      'no error of kind billing surfaced (saw network)',
    );
  });

  it('does not apply without 4001 or 4003', () => {
    expect(
      check(closeAuth, traceBuilder().handshake().close(1000, 'server').build()),
    ).toBeUndefined();
  });
});

describe('CLOSE-LIMIT', () => {
  const limited = () =>
    traceBuilder().handshake().error('too_many_connections').close(4008, 'server');

  it('passes a long back-off', () => {
    expect(check(closeLimit, limited().wait(6000).handshake().build())?.status).toBe('pass');
  });

  it('fails a reconnect within 5 s', () => {
    expect(check(closeLimit, limited().wait(1000).handshake().build())?.reason).toContain(
      'within 5 s',
    );
  });

  it('fails two live sockets', () => {
    const t = traceBuilder()
      .handshake()
      .wait(100)
      .handshake()
      .use(1)
      .wait(100)
      .close(1000, 'client');
    expect(check(closeLimit, t.build())?.reason).toContain('two live sockets');
  });

  it('does not apply to one connection without 4008', () => {
    expect(check(closeLimit, traceBuilder().handshake().build())).toBeUndefined();
  });
});

describe('chiSquareQuantile', () => {
  it('approximates the tables', () => {
    expect(chiSquareQuantile(0.05, 6)).toBeCloseTo(1.635, 1);
    expect(chiSquareQuantile(0.05, 20)).toBeCloseTo(10.851, 1);
    expect(chiSquareQuantile(0.95, 6)).toBeCloseTo(12.592, 1);
  });
});

describe('growthFactor and looksUnjittered', () => {
  it('fits the growth factor', () => {
    expect(growthFactor([500, 1000, 2000, 4000])).toBeCloseTo(2, 6);
    expect(growthFactor([1000, 1000, 1000])).toBeCloseTo(1, 6);
  });

  it('spots constant ratios, with or without a cap', () => {
    expect(looksUnjittered([500, 1000, 2000], 0.005)).toBe(true);
    expect(looksUnjittered([500, 1000, 2000, 4000, 4000, 4000], 0.005)).toBe(true);
    expect(looksUnjittered([1000, 1000, 1000], 0.005)).toBe(true);
    expect(looksUnjittered([512, 1130, 1870], 0.02)).toBe(false);
    expect(looksUnjittered([500, 1000], 0.005)).toBe(false);
  });
});

/** Busy closes followed by reconnects after the given delays; the last connection survives. */
function busy(delays: readonly number[], fresh = true, reported?: readonly number[]): TraceBuilder {
  const b = traceBuilder({ features: ['reconnect'] })
    .handshake()
    .at(1000);
  delays.forEach((d, k) => {
    b.close(1013, 'server');
    if (reported) b.connectionState('reconnecting', k + 2, { code: 1013, delayMs: reported[k] });
    b.wait(d).open().sessionCreated();
    if (fresh) b.sessionUpdate().sessionUpdated();
    else b.append();
    if (k < delays.length - 1) b.wait(50);
  });
  return b.wait(1000);
}

describe('CLOSE-BUSY', () => {
  it('passes jittered exponential backoff on fresh sessions', () => {
    const v = check(closeBusy, busy([612, 1130, 2480]).build())!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('612 ms, 1.13 s, 2.48 s');
  });

  it('fails a first delay under 250 ms', () => {
    expect(check(closeBusy, busy([50, 700, 1500]).build())?.reason).toContain(
      'first delay under 250 ms',
    );
  });

  it('does not judge growth within one run (full jitter goes up and down)', () => {
    expect(check(closeBusy, busy([538, 1010, 697]).build())?.status).toBe('pass');
  });

  it('fails a reconnect that is not a fresh session', () => {
    expect(check(closeBusy, busy([612], false).build())?.reason).toContain('not a fresh session');
  });

  it('fails when the client never reconnects', () => {
    const t = traceBuilder({ features: ['reconnect'] })
      .handshake()
      .close(1013, 'server')
      .wait(31000);
    expect(check(closeBusy, t.build())?.reason).toContain('no reconnect');
  });

  it('fails delays the client reports as exactly geometric (no jitter)', () => {
    const v = check(closeBusy, busy([503, 1004, 2006], true, [500, 1000, 2000]).build())!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('no jitter');
  });

  it('warns when measured delays look unjittered', () => {
    expect(check(closeBusy, busy([500, 1001, 2000]).build())?.status).toBe('warn');
  });

  it('does not apply without busy closes', () => {
    expect(check(closeBusy, traceBuilder().handshake().build())).toBeUndefined();
  });

  describe('across runs', () => {
    const runs = (sets: number[][]) => sets.map((d) => busy(d).build());

    it('passes delays that spread', () => {
      const v = closeBusy.checkRuns!(
        runs([
          [300, 900],
          [700, 1400],
          [450, 2000],
          [900, 1100],
        ]),
        DEFAULT_RULE_CONTEXT,
      )!;
      expect(v.status).toBe('pass');
    });

    it('passes full jitter seen on the reference client', () => {
      const v = closeBusy.checkRuns!(
        runs([
          [1460, 800, 3740],
          [538, 1010, 697],
          [910, 1190, 784],
          [622, 512, 5340],
        ]),
        DEFAULT_RULE_CONTEXT,
      )!;
      expect(v.status).toBe('pass');
      expect(v.reason).toContain('envelope 1.46 s, 1.19 s, 5.34 s');
    });

    it('fails delays that spread but do not grow', () => {
      const v = closeBusy.checkRuns!(
        runs([
          [1000, 800, 1200],
          [700, 1300, 900],
          [1250, 950, 1100],
          [850, 1150, 700],
        ]),
        DEFAULT_RULE_CONTEXT,
      )!;
      expect(v.status).toBe('fail');
      expect(v.reason).toContain('the longest delays grow only ×0.98');
    });

    it('fails identical schedules', () => {
      const v = closeBusy.checkRuns!(
        runs([
          [500, 1000],
          [502, 1001],
          [501, 1003],
        ]),
        DEFAULT_RULE_CONTEXT,
      )!;
      expect(v.status).toBe('fail');
      expect(v.reason).toContain('no jitter');
    });

    it('only warns about low spread that too few runs cannot confirm', () => {
      const v = closeBusy.checkRuns!(
        runs([
          [500, 1000],
          [510, 1030],
          [492, 990],
        ]),
        DEFAULT_RULE_CONTEXT,
      )!;
      expect(v.status).toBe('warn');
      expect(v.reason).toContain('coefficient of variation 0.02');
    });

    it('accepts narrow multiplicative jitter as jitter, and fails only the missing growth', () => {
      // OpenAIRealtimeWS, close-1013 --repeat 3: ×U[0.75, 1], no growth after a reopen.
      const v = closeBusy.checkRuns!(
        runs([
          [433, 474, 394],
          [472, 484, 484],
          [401, 455, 490],
        ]),
        DEFAULT_RULE_CONTEXT,
      )!;
      expect(v.status).toBe('fail');
      expect(v.reason).not.toContain('no jitter');
      expect(v.reason).toContain('grow only');
    });

    it('needs enough runs', () => {
      expect(closeBusy.checkRuns!(runs([[500], [900]]), DEFAULT_RULE_CONTEXT)).toBeUndefined();
    });
  });
});

describe('CLOSE-BUSY findings apart', () => {
  it('fails no retry limit', () => {
    const delays = [300, 600, 1200, 2400, 3000, 3100, 2900, 3050, 3000, 2950, 3010];
    const v = check(closeBusy, busy(delays).build())!;
    expect(v.reason).toContain('no retry limit');
    expect(v.reason).not.toContain('no growth');
  });

  it('judges growth, jitter and limit apart (OpenAIRealtimeWS against busy-forever)', () => {
    // ×U[0.75, 1] jitter over a backoff that starts over after every reopen: ~0.45 s each.
    const chosen = [472, 484, 484, 391, 455, 430, 498, 377, 466, 410, 488, 441];
    const v = check(closeBusy, busy(chosen, true, chosen).build())!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('no growth');
    expect(v.reason).toContain('no retry limit');
    expect(v.reason).not.toContain('no jitter');
    expect(v.evidence.map((e) => e.note).join('\n')).toMatch(/growth: 12 consecutive delays/);
  });

  it('does not call two equal last delays of three "no jitter" (472, 484, 484)', () => {
    const v = check(closeBusy, busy([472, 484, 484], true, [472, 484, 484]).build())!;
    expect(v.status).toBe('pass');
  });

  it('passes growth under full jitter over a growing ceiling', () => {
    expect(check(closeBusy, busy([1100, 420, 2900, 5100]).build())?.status).toBe('pass');
  });
});

describe('CLOSE-CLEAN', () => {
  it('passes a prompt 1000 from the client after end', () => {
    const t = traceBuilder().handshake().act('end').wait(3).close(1000, 'client').wait(2000);
    expect(check(closeClean, t.build())?.status).toBe('pass');
  });

  it('fails a connection left open after end', () => {
    const t = traceBuilder().handshake().act('end').wait(2000).build();
    expect(check(closeClean, t)?.reason).toContain('not closed promptly');
  });

  it('fails a close with another code', () => {
    const t = traceBuilder()
      .handshake()
      .act('end')
      .wait(100)
      .append()
      .wait(3)
      .close(1006, 'client');
    const v = check(closeClean, t.build())!;
    expect(v.reason).toContain('not closed with 1000');
    expect(v.reason).not.toContain('sent after end'); // 100 ms: still in flight
  });

  it('passes a close handshake without a status code (1005), and says so', () => {
    // agents-realtime: websocket.close() without a code.
    const t = traceBuilder().handshake().act('end').wait(3).close(1005, 'client').wait(2000);
    const v = check(closeClean, t.build())!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('1005');
  });

  it('still fails 1006 (no close frame)', () => {
    const t = traceBuilder().handshake().act('end').wait(3).close(1006, 'client').wait(2000);
    expect(check(closeClean, t.build())?.status).toBe('fail');
  });

  it('fails a client that keeps streaming after end', () => {
    const t = traceBuilder().handshake().act('end').stream(800).close(1000, 'client').build();
    const v = check(closeClean, t)!;
    expect(v.reason).toContain('sent after end');
    expect(v.evidence.at(-1)!.note).toContain('input_audio_buffer.append sent 520 ms after');
  });

  it('fails a reconnect after the server closed with 1000', () => {
    const t = traceBuilder().handshake().close(1000, 'server').wait(300).handshake().build();
    expect(check(closeClean, t)?.reason).toContain('reconnected after 1000');
  });

  it('does not apply without end or 1000', () => {
    expect(check(closeClean, traceBuilder().handshake().build())).toBeUndefined();
  });
});

describe('LIVENESS', () => {
  const blackhole = {
    fault: {
      when: { on: 'time' as const, afterMs: 0 },
      do: { action: 'blackhole' as const },
      session: 1,
    },
  };

  it('passes answered pings of the mock', () => {
    const t = traceBuilder().handshake().ping('server', 3).wait(5000).ping('server', 2).build();
    const v = check(liveness, t)!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('2 pings answered');
  });

  it('fails a ping left unanswered while the connection stayed open', () => {
    const t = traceBuilder().handshake().ping('server').wait(12_000).close(1000, 'client').build();
    const v = check(liveness, t)!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('1 ping of the mock left unanswered');
  });

  it('does not count a ping whose connection closed before its pong was due', () => {
    const t = traceBuilder().handshake().ping('server').wait(100).close(1000, 'server').build();
    expect(check(liveness, t)).toBeUndefined();
  });

  it('passes a client that cuts a silent connection within the budget (no close frame)', () => {
    const t = traceBuilder()
      .handshake()
      .act('fault', blackhole)
      .wait(22_000)
      .close(1006, 'client')
      .wait(1000)
      .handshake()
      .build();
    const v = check(liveness, t)!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('silence of connection 1 noticed after 22');
  });

  it('passes a client that reconnects without closing the silent connection first', () => {
    const t = traceBuilder().handshake().act('fault', blackhole).wait(30_000).handshake().build();
    expect(check(liveness, t)?.status).toBe('pass');
  });

  it('fails a client that sits on a silent connection until the app ends it', () => {
    const t = traceBuilder()
      .handshake()
      .act('fault', blackhole)
      .wait(50_000)
      .act('end')
      .close(1000, 'client')
      .build();
    const v = check(liveness, t)!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('not noticed in 50');
  });

  it('fails a client that notices only after the budget', () => {
    const t = traceBuilder()
      .handshake()
      .act('fault', blackhole)
      .wait(60_000)
      .close(1006, 'client')
      .build();
    expect(check(liveness, t)?.reason).toContain('noticed only after 60');
  });

  it("does not count the silenced connection's pings after the silence", () => {
    const t = traceBuilder()
      .handshake()
      .ping('server', 1)
      .act('fault', blackhole)
      .wait(20_000)
      .ping('client')
      .wait(10_000)
      .close(1006, 'client')
      .build();
    expect(check(liveness, t)?.status).toBe('pass');
  });

  it('is not observable when the run ended before the budget', () => {
    const t = traceBuilder().handshake().act('fault', blackhole).wait(5000).build();
    expect(check(liveness, t)?.status).toBe('not_observable');
  });

  it('does not apply without pings or silence', () => {
    expect(check(liveness, traceBuilder().handshake().build())).toBeUndefined();
    expect(check(liveness, traceBuilder().build())).toBeUndefined();
  });
});
