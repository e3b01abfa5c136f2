import { describe, expect, it } from 'vitest';
import { bargeStop, staleFence } from '../rules/interruption.js';
import { BUDGET_DEFINITIONS, budget, DEFAULT_BUDGETS, DEFAULT_RULE_CONTEXT } from './budgets.js';
import { busyCloses } from './episodes.js';
import {
  computeMetrics,
  d1013,
  lCancel,
  lFirstAppend,
  lPlay,
  lReady,
  lStop,
  lToolOut,
  METRICS,
  staleLeak,
} from './metrics.js';
import { summarise } from './statistics.js';
import { traceBuilder } from '../testing/trace-builder.js';

describe('summarise', () => {
  it('is empty for no samples', () => {
    expect(summarise([])).toEqual({ count: 0, p50: undefined, p95: undefined, max: undefined });
  });

  it('uses nearest-rank percentiles', () => {
    const samples = Array.from({ length: 20 }, (_, i) => 20 - i); // 20..1, unsorted
    expect(summarise(samples)).toEqual({ count: 20, p50: 10, p95: 19, max: 20 });
    expect(summarise([7])).toEqual({ count: 1, p50: 7, p95: 7, max: 7 });
    expect(summarise([1, 2, 3])).toEqual({ count: 3, p50: 2, p95: 3, max: 3 });
  });

  it('ignores non-finite samples', () => {
    expect(summarise([Number.NaN, 5, Infinity]).count).toBe(1);
  });
});

describe('budgets', () => {
  it('has one default per definition, with the catalogue values', () => {
    expect(Object.keys(DEFAULT_BUDGETS)).toHaveLength(BUDGET_DEFINITIONS.length);
    expect(DEFAULT_BUDGETS['L_stop.p95']).toBe(200);
    expect(DEFAULT_BUDGETS['L_tool_out.p95']).toBe(50);
    expect(DEFAULT_BUDGETS['D_1013.firstMin']).toBe(250);
    expect(DEFAULT_BUDGETS['D_1013.cvMin']).toBe(0.03);
    expect(DEFAULT_BUDGETS['close.limitQuietMs']).toBe(5000);
  });

  it('reads a context and falls back to the default', () => {
    expect(budget({ budgets: { 'L_stop.p95': 120 } }, 'L_stop.p95')).toBe(120);
    expect(budget({ budgets: {} }, 'L_stop.p95')).toBe(200);
  });
});

describe('L_stop of what was playing at speech_started', () => {
  it('L_stop: late stale deltas replayed after the stop do not count (STALE-FENCE does)', () => {
    // agents-realtime, late-deltas: stopped 4.7 ms after speech_started, then played the
    // cancelled reply's late deltas again.
    const t = traceBuilder({ features: ['playback', 'barge-in'] })
      .handshake()
      .at(100)
      .responseCreated('r1')
      .delta('r1', 1000)
      .at(200)
      .play('r1', 200)
      .at(450)
      .speechStarted()
      .responseDone('r1', 'cancelled', 'turn_detected')
      .wait(4.7)
      .playbackStopped('barge-in', ['r1'], 30000)
      .at(500)
      .delta('r1', 500) // late deltas of the cancelled reply
      .play('r1', 420)
      .build();
    expect(lStop(t)).toEqual([0]);
    const v = bargeStop.check(t, DEFAULT_RULE_CONTEXT)!;
    expect(v.status).toBe('pass');
    expect(staleFence.check(t, DEFAULT_RULE_CONTEXT)?.status).toBe('fail');
  });

  it('L_stop: a client that never stops is measured to the end of what was queued', () => {
    const t = traceBuilder({ features: ['playback', 'barge-in'] })
      .handshake()
      .at(100)
      .responseCreated('r1')
      .delta('r1', 300)
      .at(200)
      .play('r1', 100)
      .at(250)
      .speechStarted()
      .responseDone('r1', 'cancelled', 'turn_detected')
      .at(300)
      .play('r1', 200) // the queued 200 ms, chunks end at 400 and 500
      .build();
    expect(lStop(t)).toEqual([250]);
  });
});

describe('latency metrics', () => {
  it('L_ready: session.updated − open, per connection', () => {
    const t = traceBuilder()
      .open()
      .sessionCreated()
      .sessionUpdate()
      .wait(15)
      .sessionUpdated()
      .wait(100)
      .close(1013, 'server')
      .wait(500)
      .open()
      .sessionUpdate()
      .wait(40)
      .sessionUpdated()
      .build();
    expect(lReady(t)).toEqual([15, 40]);
  });

  it('L_first_append: first append − session.updated, negative when early', () => {
    const good = traceBuilder().open().sessionUpdate().wait(10).sessionUpdated().wait(25).append();
    expect(lFirstAppend(good.build())).toEqual([25]);
    const early = traceBuilder().open().sessionUpdate().append().wait(30).sessionUpdated();
    expect(lFirstAppend(early.build())).toEqual([-30]);
  });

  it('L_play: first sample played − first delta sent', () => {
    const t = traceBuilder({ features: ['playback'] })
      .handshake()
      .at(100)
      .responseCreated('r1')
      .delta('r1', 500)
      .at(350)
      .played('r1', 100) // started at 250
      .build();
    expect(lPlay(t)).toEqual([150]);
  });

  it('L_stop: last played sample of the interrupted reply − speech_started', () => {
    const t = traceBuilder({ features: ['playback', 'barge-in'] })
      .handshake()
      .at(100)
      .responseCreated('r1')
      .delta('r1', 1000)
      .at(200)
      .play('r1', 200) // chunks end at 300 and 400
      .at(450)
      .speechStarted()
      .responseDone('r1', 'cancelled', 'turn_detected')
      .at(470)
      .played('r1', 70) // the chunk playing at 450, cut at 470
      .playbackStopped('barge-in', ['r1'], 30000)
      .build();
    expect(lStop(t)).toEqual([20]);
  });

  it('L_stop: no sample when nothing was playing or queued', () => {
    const t = traceBuilder({ features: ['playback', 'barge-in'] })
      .handshake()
      .responseCreated('r1')
      .delta('r1', 100)
      .wait(100)
      .played('r1', 100)
      .wait(200)
      .speechStarted()
      .build();
    expect(lStop(t)).toEqual([]);
  });

  it('L_cancel: response.cancel − interrupt while a reply is in flight', () => {
    const t = traceBuilder({ features: ['cancel'] })
      .handshake()
      .at(100)
      .responseCreated('r1')
      .at(200)
      .act('interrupt')
      .at(230)
      .client({ type: 'response.cancel' })
      .build();
    expect(lCancel(t)).toEqual([30]);
  });

  it('L_tool_out: output − call − tool run time', () => {
    const t = traceBuilder({ features: ['tools'] })
      .handshake()
      .at(100)
      .toolCall({ callId: 'call_1' })
      .at(110)
      .observe('tool.invoke', { call_id: 'call_1', name: 'get_weather', arguments: '{}' })
      .at(610)
      .act('tool.result', { call_id: 'call_1', output: '{}' })
      .at(630)
      .toolOutput('call_1')
      .build();
    expect(lToolOut(t)).toEqual([30]);
  });

  it("L_tool_out leaves out the runner's own stalls (outside the tool's run time)", () => {
    const t = traceBuilder({ features: ['tools'] })
      .handshake()
      .at(100)
      .toolCall({ callId: 'call_1' })
      .at(190)
      .stalled(80) // the runner stamped the invoke 80 ms late
      .observe('tool.invoke', { call_id: 'call_1', name: 'get_weather', arguments: '{}' })
      .at(400)
      .stalled(100) // inside the tool's run time: already subtracted with it
      .at(690)
      .act('tool.result', { call_id: 'call_1', output: '{}' })
      .at(710)
      .toolOutput('call_1')
      .build();
    expect(lToolOut(t)).toEqual([30]);
  });
});

describe('metrics of closes, leaks and the table', () => {
  it('D_1013: next open − busy close, with attempt numbers', () => {
    const t = traceBuilder()
      .handshake()
      .at(1000)
      .close(1013, 'server')
      .at(1600)
      .handshake()
      .at(1700)
      .close(1013, 'server')
      .at(2900)
      .handshake()
      .build();
    expect(d1013(t)).toEqual([600, 1200]);
    expect(busyCloses(t).map((b) => b.attempt)).toEqual([1, 2]);
  });

  it('D_1013: a close right after a server_error counts as busy', () => {
    const t = traceBuilder()
      .handshake()
      .at(1000)
      .error('server_error', 'temporarily unavailable')
      .at(1010)
      .close(1011, 'server')
      .at(1510)
      .handshake()
      .build();
    expect(d1013(t)).toEqual([500]);
    expect(busyCloses(t)[0]!.viaServerError).toBe(true);
  });

  it('stale leak: ms of a cancelled reply played after its cancel', () => {
    const t = traceBuilder({ features: ['playback'] })
      .handshake()
      .at(100)
      .responseCreated('r1')
      .delta('r1', 1000)
      .at(500)
      .responseDone('r1', 'cancelled', 'client_cancelled')
      .at(550)
      .played('r1', 100) // 450–550: 50 ms after the cancel
      .at(700)
      .played('r1', 100) // 600–700: 100 ms after
      .build();
    expect(staleLeak(t)).toEqual([150]);
  });

  it('stale leak counts audio ms at any run speed (the speaker plays at the run speed)', () => {
    const t = traceBuilder({ features: ['playback'], speed: 4 })
      .handshake()
      .responseCreated('r1')
      .delta('r1', 1000)
      .at(500)
      .responseDone('r1', 'cancelled', 'client_cancelled')
      .at(550)
      .played('r1', 100) // 100 ms of audio in 25 ms of wall time: 525–550, all after the cancel
      .build();
    expect(staleLeak(t)).toEqual([100]);
  });

  it('computes every metric by name', () => {
    const all = computeMetrics(traceBuilder().handshake().build());
    expect(Object.keys(all).sort()).toEqual(METRICS.map((m) => m.name).sort());
    expect(all.L_ready).toEqual([0]);
  });
});
