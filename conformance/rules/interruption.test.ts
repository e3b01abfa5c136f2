import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import type { Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { bargeStop, cancelActive, raceTolerant, staleFence } from './interruption.js';

const check = (rule: Rule, trace: Trace) => rule.check(trace, DEFAULT_RULE_CONTEXT);
const features = ['playback', 'barge-in', 'cancel', 'transcripts'];

/** A 1 s reply delivered at 100 ms, 300 ms of it played by 400 ms. */
function playing() {
  return traceBuilder({ features })
    .handshake()
    .at(100)
    .responseCreated('r1')
    .delta('r1', 500)
    .delta('r1', 500)
    .play('r1', 300);
}

describe('BARGE-STOP', () => {
  it('passes when playback stops at once and the queue is dropped', () => {
    const t = playing()
      .wait(50)
      .speechStarted()
      .responseDone('r1', 'cancelled', 'turn_detected')
      .wait(20)
      .played('r1', 70)
      .playbackStopped('barge-in', ['r1'], 30000)
      .build();
    const v = check(bargeStop, t)!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('L_stop p95 20 ms');
  });

  it('fails when playback goes on past the budget', () => {
    const t = playing()
      .wait(50)
      .speechStarted()
      .responseDone('r1', 'cancelled', 'turn_detected')
      .wait(50)
      .play('r1', 500)
      .playbackStopped('barge-in', ['r1'], 9600)
      .build();
    const v = check(bargeStop, t)!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('past the 200 ms budget');
  });

  it('does not blame the client for a harness stall, but reports it', () => {
    // Right after speech_started the runner stalls ~300 ms: the partial chunk's report and
    // three deltas of the next reply are all stamped in a bunch at 800.
    const t = playing()
      .wait(50)
      .speechStarted()
      .responseDone('r1', 'cancelled', 'turn_detected')
      .responseCreated('r2')
      .at(800)
      .played('r1', 50)
      .playbackStopped('barge-in', ['r1'])
      .delta('r2', 100)
      .wait(1)
      .delta('r2', 100)
      .wait(1)
      .delta('r2', 100)
      .build();
    const v = check(bargeStop, t)!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('L_stop p95 350 ms');
    expect(v.reason).toContain('198 ms of it harness stalls');
  });

  it('fails when a reply already done but still playing is not stopped', () => {
    const t = traceBuilder({ features })
      .handshake()
      .at(100)
      .responseCreated('r1')
      .delta('r1', 1000)
      .responseDone('r1')
      .play('r1', 300)
      .speechStarted()
      .play('r1', 700)
      .build();
    const v = check(bargeStop, t)!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('never reported dropping their audio');
  });

  // explore's counterexample (seed 20261129): the speaker ran dry (a held reply stream), the
  // user barged in with nothing queued, the held deltas then arrived and were refused as
  // stale, and the reply was cancelled. At the NEXT barge-in that old reply is not "queued".
  /** r1: 200 ms delivered and played, barge-in on an empty speaker, 300 ms late deltas. */
  function ranDry() {
    return traceBuilder({ features })
      .handshake()
      .at(100)
      .responseCreated('r1')
      .delta('r1', 200)
      .play('r1', 200)
      .wait(200)
      .speechStarted()
      .wait(100)
      .delta('r1', 300);
  }

  it('does not count late deltas the client reported dropping as queued later', () => {
    const t = ranDry()
      .observe('audio.dropped', { reason: 'stale', response_id: 'r1', bytes: 14400 })
      .wait(300)
      .speechStarted()
      .build();
    expect(check(bargeStop, t)).toBeUndefined();
  });

  it('does not count a reply cancelled before the barge-in as queued (STALE-FENCE judges it)', () => {
    const t = ranDry()
      .responseDone('r1', 'cancelled', 'turn_detected')
      .wait(300)
      .speechStarted()
      .build();
    expect(check(bargeStop, t)).toBeUndefined();
  });

  it('does not apply when nothing was playing', () => {
    const t = playing().play('r1', 700).wait(100).speechStarted().build();
    expect(check(bargeStop, t)).toBeUndefined();
  });

  it('does not judge a client that stopped on its own VAD first', () => {
    const t = playing().playbackStopped('barge-in', ['r1'], 33600).wait(80).speechStarted().build();
    expect(check(bargeStop, t)).toBeUndefined();
  });
});

describe('STALE-FENCE', () => {
  const cancelled = () =>
    playing().wait(50).speechStarted().responseDone('r1', 'cancelled', 'turn_detected');

  it('passes when nothing of the cancelled reply plays afterwards', () => {
    const t = cancelled().wait(20).played('r1', 70).playbackStopped('barge-in', ['r1']).build();
    const v = check(staleFence, t)!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('stale leak max 20 ms');
  });

  it('fails when audio of it ends after the cancel plus slack', () => {
    const t = cancelled().wait(50).play('r1', 400).build();
    expect(check(staleFence, t)?.reason).toContain('audio played after the cancel');
  });

  it('does not call a report the harness stamped late after its own stall a leak', () => {
    // The chunk ended 20 ms after the cancel; the runner stalled 300 ms before stamping it.
    const late = (stallMs: number) =>
      cancelled().wait(320).stalled(stallMs).played('r1', 70).build();
    expect(check(staleFence, late(300))?.status).toBe('pass');
    expect(check(staleFence, late(50))?.reason).toContain('audio played after the cancel');
  });

  it('fails when late deltas of it are played', () => {
    const t = traceBuilder({ features })
      .handshake()
      .responseCreated('r1')
      .delta('r1', 100)
      .play('r1', 100)
      .responseDone('r1', 'cancelled', 'client_cancelled')
      .delta('r1', 100)
      .play('r1', 100)
      .build();
    expect(check(staleFence, t)?.reason).toContain('late deltas played');
  });

  it('fails when late text of it is shown', () => {
    const t = traceBuilder({ features })
      .handshake()
      .responseCreated('r1')
      .transcriptDelta('r1', 'നമസ്')
      .responseDone('r1', 'cancelled', 'client_cancelled')
      .wait(10)
      .transcriptDelta('r1', 'കാരം')
      .observe('transcript', {
        role: 'assistant',
        item_id: 'item_r1',
        response_id: 'r1',
        text: 'നമസ്കാരം',
        final: false,
      })
      .build();
    expect(check(staleFence, t)?.reason).toContain('late text shown');
  });

  it('fails when a late response.done of it stops a newer reply', () => {
    const t = traceBuilder({ features })
      .handshake()
      .responseCreated('r1')
      .delta('r1', 100)
      .responseDone('r1', 'cancelled', 'client_cancelled')
      .wait(10)
      .responseCreated('r2')
      .delta('r2', 1000)
      .play('r2', 100)
      .responseDone('r1', 'cancelled', 'client_cancelled')
      .wait(5)
      .playbackStopped('cancelled', ['r2'], 43200)
      .observe('response', { response_id: 'r2', status: 'cancelled' })
      .build();
    const v = check(staleFence, t)!;
    expect(v.status).toBe('fail');
    expect(v.evidence.map((e) => e.note).join(' ')).toContain('stopped r2');
    expect(v.evidence.map((e) => e.note).join(' ')).toContain('finished r2 early');
  });

  it('does not apply without cancelled replies', () => {
    expect(check(staleFence, playing().build())).toBeUndefined();
  });
});

describe('CANCEL-ACTIVE', () => {
  it('passes an interrupt mapped to cancel + local flush', () => {
    const t = playing()
      .act('interrupt')
      .wait(5)
      .played('r1', 5)
      .playbackStopped('interrupt', ['r1'], 33000)
      .wait(5)
      .client({ type: 'response.cancel' })
      .responseDone('r1', 'cancelled', 'client_cancelled')
      .build();
    const v = check(cancelActive, t)!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('L_cancel p95 10 ms');
  });

  it('fails a cancel with no reply in flight', () => {
    const t = traceBuilder().handshake().client({ type: 'response.cancel' }).build();
    expect(check(cancelActive, t)?.reason).toContain('cancel with no reply in flight');
  });

  it('tolerates a cancel that crossed response.done', () => {
    const t = playing()
      .speechStarted()
      .responseDone('r1', 'cancelled', 'turn_detected')
      .wait(20)
      .client({ type: 'response.cancel' })
      .build();
    const v = check(cancelActive, t)!;
    expect(v.status).toBe('pass');
    expect(v.reason).toContain('race, tolerated');
  });

  it('fails an interrupt that does not cancel or flush', () => {
    const v = check(cancelActive, playing().act('interrupt').wait(500).build())!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('interrupt not mapped to response.cancel');
    expect(v.reason).toContain('no local flush on interrupt');
  });

  it('does not ask for a cancel when the app interrupts after the connection closed mid-reply', () => {
    // The server closed (4003) during the reply, so no response.done came; an interrupt after
    // the close has nothing to cancel on the wire (explore, seed 20261129).
    const t = playing().close(4003, 'server').wait(2000).act('interrupt').wait(500).build();
    expect(check(cancelActive, t)?.status ?? 'not exercised').not.toBe('fail');
  });

  it('warns when the cancel is slow', () => {
    const t = playing()
      .act('interrupt')
      .playbackStopped('interrupt', ['r1'])
      .wait(400)
      .client({ type: 'response.cancel' })
      .build();
    expect(check(cancelActive, t)?.status).toBe('warn');
  });

  it('does not apply without cancels or interrupts', () => {
    expect(check(cancelActive, playing().build())).toBeUndefined();
  });
});

describe('RACE-TOLERANT', () => {
  const race = () =>
    traceBuilder({ features })
      .handshake()
      .client({ type: 'response.cancel' })
      .error('response_cancel_not_active', 'nothing to cancel');

  it('passes when the session goes on and the next reply plays', () => {
    const t = race()
      .wait(100)
      .responseCreated('r2')
      .delta('r2', 200)
      .play('r2', 200)
      .at(3000)
      .build();
    expect(check(raceTolerant, t)?.status).toBe('pass');
  });

  it('fails when the client closes the connection', () => {
    const t = race().wait(10).close(1000, 'client').wait(3000).build();
    expect(check(raceTolerant, t)?.reason).toContain('closed the connection');
  });

  it('fails a fatal error', () => {
    const t = race()
      .appError('protocol', 'response_cancel_not_active', 'x', { fatal: true })
      .build();
    expect(check(raceTolerant, t)?.reason).toContain('fatal error');
  });

  it('fails when the next reply is never played', () => {
    const t = race().wait(100).responseCreated('r2').delta('r2', 200).at(3000).build();
    expect(check(raceTolerant, t)?.reason).toContain('next reply not played');
  });

  it('does not apply without race errors', () => {
    expect(
      check(raceTolerant, traceBuilder().handshake().error('invalid_event').build()),
    ).toBeUndefined();
  });
});
