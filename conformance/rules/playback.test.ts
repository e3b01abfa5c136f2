import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_CONTEXT } from '../metrics/budgets.js';
import type { Rule } from './rule.js';
import type { Trace } from '../trace/trace.js';
import { traceBuilder } from '../testing/trace-builder.js';
import { playOrder, playStrict } from './playback.js';
import { harnessStalls } from '../trace/trace-query.js';

const check = (rule: Rule, trace: Trace) => rule.check(trace, DEFAULT_RULE_CONTEXT);
const features = ['playback'];

/** A reply of three 100 ms deltas sent at 100 ms, completed. */
function reply() {
  return traceBuilder({ features })
    .handshake()
    .at(100)
    .responseCreated('r1')
    .delta('r1', 100)
    .delta('r1', 100)
    .delta('r1', 100)
    .responseDone('r1');
}

describe('PLAY-ORDER at the server close frame', () => {
  it("does not blame a stop at or after the server's close frame (server-close-1000)", () => {
    // The mock dates a server close at its close frame; the client stops when it sees it.
    const t = reply()
      .play('r1', 100)
      .close(1000, 'server')
      .wait(2)
      .playbackStopped('other', ['r1'], 9600)
      .at(2000)
      .build();
    expect(check(playOrder, t)?.status).toBe('pass');
    const before = reply()
      .play('r1', 100)
      .playbackStopped('other', ['r1'], 9600)
      .wait(2)
      .close(1000, 'server')
      .at(2000)
      .build();
    expect(check(playOrder, before)?.reason).toContain('playback cut short');
  });
});

describe('PLAY-ORDER', () => {
  it('passes a reply played whole and in order', () => {
    const t = reply().play('r1', 300).at(2000).build();
    expect(check(playOrder, t)?.status).toBe('pass');
  });

  it('fails tail loss', () => {
    const t = reply().play('r1', 200).at(2000).build();
    const v = check(playOrder, t)!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('tail loss');
    expect(v.evidence[0]!.note).toContain('100 ms of 300 ms never played');
  });

  it('does not judge the tail before there was time to play it', () => {
    const t = reply().play('r1', 200).build();
    expect(check(playOrder, t)?.status).toBe('pass');
  });

  it('fails playback cut short at response.done', () => {
    const t = reply().play('r1', 100).playbackStopped('other', ['r1'], 9600).at(2000).build();
    expect(check(playOrder, t)?.reason).toContain('playback cut short');
  });

  it('does not call a barge-in a cut', () => {
    const t = reply()
      .play('r1', 100)
      .speechStarted()
      .wait(5)
      .playbackStopped('barge-in', ['r1'], 9600)
      .at(2000)
      .build();
    expect(check(playOrder, t)?.status).toBe('pass');
  });

  it('fails a gap while the audio had arrived', () => {
    const t = reply().play('r1', 100).wait(300).play('r1', 200).at(2000).build();
    expect(check(playOrder, t)?.reason).toContain('gaps in playback');
  });

  it('discounts gaps the harness itself caused (bunched timestamps after a stall)', () => {
    // Deltas paced in real time; the runner stalls for 300 ms, then stamps three deltas and two
    // speaker reports in a bunch: the apparent 300 ms silence is the harness's, not the client's.
    const b = traceBuilder({ features }).handshake().at(100).responseCreated('r1');
    for (let i = 0; i < 4; i++) b.delta('r1', 100).wait(100);
    b.at(100).play('r1', 300); // chunks end at 200, 300, 400
    b.at(800)
      .delta('r1', 100)
      .delta('r1', 100)
      .delta('r1', 100)
      .played('r1', 100)
      .played('r1', 100);
    b.play('r1', 200).responseDone('r1');
    expect(check(playOrder, b.at(5000).build())?.status).toBe('pass');
  });

  it("discounts a gap the runner's heartbeat saw it stall through (and only that much)", () => {
    // The runner did not run for 300 ms, then stamped the waiting report: the silence before
    // it is the runner's. The same silence with a 100 ms stall is still the client's.
    const gap = (stallMs: number) =>
      reply().play('r1', 100).wait(300).stalled(stallMs).play('r1', 200).at(2000).build();
    expect(check(playOrder, gap(300))?.status).toBe('pass');
    expect(check(playOrder, gap(100))?.reason).toContain('gaps in playback');
  });

  it('plays in real time at any run speed', () => {
    // At speed 2 the mock sends 100 ms deltas every 50 ms; the speaker still takes 100 ms each.
    const b = traceBuilder({ features, speed: 2 }).handshake().at(100).responseCreated('r1');
    for (let i = 0; i < 6; i++) b.delta('r1', 100).wait(50);
    b.responseDone('r1').at(100).play('r1', 600);
    expect(check(playOrder, b.at(3000).build())?.status).toBe('pass');
    expect(harnessStalls(b.build())).toEqual([]);
  });

  it('does not read a late report of the last chunk as a gap', () => {
    // The adapter's timer fired 250 ms late for the reply's last chunk (a loaded machine).
    const t = reply().play('r1', 200).wait(350).played('r1', 100).at(3000).build();
    expect(check(playOrder, t)?.status).toBe('pass');
  });

  it('fails when more is played than was sent', () => {
    const t = reply().play('r1', 400).at(2000).build();
    expect(check(playOrder, t)?.reason).toContain('more audio played than sent');
  });

  it('leaves the bytes of a malformed delta played as noise to PLAY-STRICT', () => {
    const t = traceBuilder({ features })
      .handshake()
      .at(100)
      .responseCreated('r1')
      .delta('r1', 100)
      .delta('r1', 0, { audio: 'AAEC' }) // three bytes: odd
      .delta('r1', 100)
      .responseDone('r1')
      .play('r1', 200)
      .played('r1', 0, { bytes: 3 })
      .at(3000)
      .build();
    expect(check(playOrder, t)?.status).toBe('pass');
    expect(check(playStrict, t)?.reason).toContain('played as noise');
  });

  it('tolerates late audio.played reports', () => {
    // One report arrives 27 ms late; the next one is on time again (as seen with real adapters).
    const t = reply().play('r1', 100).wait(127).played('r1', 100).wait(73).played('r1', 100);
    expect(check(playOrder, t.at(2000).build())?.status).toBe('pass');
  });

  it('fails two replies playing at once', () => {
    const t = reply()
      .responseCreated('r2')
      .delta('r2', 300)
      .responseDone('r2')
      .wait(300)
      .played('r1', 300)
      .played('r2', 300)
      .at(2000)
      .build();
    const v = check(playOrder, t)!;
    expect(v.reason).toContain('overlapping playback');
    expect(v.reason).toContain('responses interleaved');
  });

  it('fails interleaved replies', () => {
    const t = reply()
      .responseCreated('r2')
      .delta('r2', 100)
      .responseDone('r2')
      .play('r1', 100)
      .play('r2', 100)
      .play('r1', 200)
      .at(2000)
      .build();
    expect(check(playOrder, t)?.reason).toContain('responses interleaved');
  });

  it('checks the byte order when the adapter reports audio', () => {
    const a = Buffer.alloc(4800, 1).toString('base64');
    const b = Buffer.alloc(4800, 2).toString('base64');
    const base = () =>
      traceBuilder({ features })
        .handshake()
        .responseCreated('r1')
        .delta('r1', 0, { audio: a })
        .delta('r1', 0, { audio: b })
        .responseDone('r1');
    const inOrder = base()
      .wait(100)
      .played('r1', 100, { audio: a })
      .wait(100)
      .played('r1', 100, { audio: b });
    expect(check(playOrder, inOrder.at(3000).build())?.status).toBe('pass');
    const swapped = base()
      .wait(100)
      .played('r1', 100, { audio: b })
      .wait(100)
      .played('r1', 100, { audio: a });
    expect(check(playOrder, swapped.at(3000).build())?.reason).toContain('reordered');
  });

  it('does not apply without reply audio', () => {
    expect(check(playOrder, traceBuilder({ features }).handshake().build())).toBeUndefined();
  });
});

describe('PLAY-STRICT', () => {
  const bad = () =>
    traceBuilder({ features })
      .handshake()
      .responseCreated('r1')
      .delta('r1', 100)
      .delta('r1', 0, { audio: 'AA==' }) // one byte: odd
      .delta('r1', 100)
      .responseDone('r1');

  it('passes when the bad delta is dropped, reported and playback goes on', () => {
    const t = bad()
      .observe('audio.dropped', { reason: 'malformed', response_id: 'r1', bytes: 1 })
      .play('r1', 200)
      .at(3000)
      .build();
    expect(check(playStrict, t)?.status).toBe('pass');
  });

  it('fails when it is not reported', () => {
    const t = bad().play('r1', 200).at(3000).build();
    expect(check(playStrict, t)?.reason).toContain('not reported');
  });

  it('fails when it is played as noise', () => {
    const t = bad()
      .observe('audio.dropped', { reason: 'malformed', response_id: 'r1' })
      .play('r1', 200)
      .played('r1', 10)
      .at(3000)
      .build();
    expect(check(playStrict, t)?.reason).toContain('played as noise');
  });

  it('fails an odd-length chunk played after a malformed delta, even within the byte slack', () => {
    // One stray byte: the total stays within the 2-byte slack, the odd count gives it away.
    const t = bad()
      .observe('audio.dropped', { reason: 'malformed', response_id: 'r1' })
      .play('r1', 200)
      .played('r1', 0, { bytes: 1 })
      .at(3000)
      .build();
    const v = check(playStrict, t)!;
    expect(v.status).toBe('fail');
    expect(v.reason).toContain('played as noise');
    expect(v.evidence.map((e) => e.note).join()).toContain('not whole PCM16 samples');
  });

  it('takes an odd chunk without a malformed delta as a split sample, not noise', () => {
    // 4800 bytes played as 2401 + 2399: a player that splits a sample across chunks.
    const t = reply().played('r1', 0, { bytes: 2401 }).played('r1', 0, { bytes: 2399 }).build();
    expect(check(playStrict, t)).toBeUndefined();
    const withBad = bad()
      .observe('audio.dropped', { reason: 'malformed', response_id: 'r1' })
      .played('r2', 0, { bytes: 2401 })
      .play('r1', 200)
      .at(3000)
      .build();
    expect(check(playStrict, withBad)?.status).toBe('pass');
  });

  it('fails when the client drops the connection or stops playing', () => {
    const t = bad()
      .observe('audio.dropped', { reason: 'malformed', response_id: 'r1' })
      .wait(10)
      .close(1006, 'client')
      .at(3000)
      .build();
    const v = check(playStrict, t)!;
    expect(v.reason).toContain('client closed the connection');
    expect(v.reason).toContain('playback stopped working');
  });

  it('does not apply without malformed deltas', () => {
    expect(check(playStrict, reply().play('r1', 300).build())).toBeUndefined();
  });
});
