import { describe, expect, expectTypeOf, it } from 'vitest';
import type { ServerEventOf } from '../protocol/events.js';
import { Journal, MIN_FRAMES_PER_SESSION, type JournalFrame } from './journal.js';

function frame(session: string, dir: 'in' | 'out', event: Record<string, unknown>, at = 0) {
  return { session, dir, at, text: JSON.stringify(event), type: event.type as string };
}

describe('Journal', () => {
  it('keeps frames per session, parsed, audio stripped and keys redacted', () => {
    const j = new Journal();
    j.connection({ kind: 'opened', session: 's1', number: 1, at: 5 });
    j.frame(frame('s1', 'in', { type: 'input_audio_buffer.append', audio: 'AAAAAA==' }));
    j.frame(frame('s1', 'out', { type: 'error', error: { message: 'key swaram_test_key_abcd' } }));
    const [append, error] = j.frames({ session: 's1' });
    expect(append!.event).toEqual({
      type: 'input_audio_buffer.append',
      audio: '<4 bytes of audio>',
    });
    expect(JSON.stringify(error!.event)).toContain('swaram_…abcd');
    expect(JSON.stringify(error!.event)).not.toContain('swaram_test_key');
    expect(j.frames({ dir: 'out' }).map((f) => f.type)).toEqual(['error']);
    expect(j.frames({ type: 'input_audio_buffer.append' })).toHaveLength(1);
    expect(j.sessions()[0]).toMatchObject({ id: 's1', state: 'live', frames: { in: 1, out: 1 } });
  });

  it('strips audio however the field is spaced, in deltas too, and keeps a value that is not audio as it came', () => {
    const j = new Journal();
    const wire = (text: string, type: string) => ({
      session: 's',
      dir: 'in' as const,
      at: 0,
      text,
      type,
    });
    j.frame(
      wire(
        '{"type":"input_audio_buffer.append", "audio" :\t"AAAA","event_id":"e1"}',
        'input_audio_buffer.append',
      ),
    );
    j.frame(
      wire(
        '{"type":"response.output_audio.delta","delta":"AAAAAAA=","response_id":"r"}',
        'response.output_audio.delta',
      ),
    );
    const odd = '{"type":"input_audio_buffer.append","audio":"a\\"b"}';
    j.frame(wire(odd, 'input_audio_buffer.append'));
    const [spaced, delta, kept] = j.frames({ session: 's' });
    expect(spaced!.event).toEqual({
      type: 'input_audio_buffer.append',
      audio: '<3 bytes of audio>',
      event_id: 'e1',
    });
    expect(delta!.event).toMatchObject({ delta: '<5 bytes of audio>', response_id: 'r' });
    expect(kept!.event).toEqual(JSON.parse(odd));
  });

  it('keeps about maxFramesTotal frames over all sessions, each its share (at least 50)', () => {
    const j = new Journal({ maxFramesPerSession: 1000, maxFramesTotal: 1000 });
    for (let i = 0; i < 300; i++) j.frame(frame('s1', 'in', { type: `a${i}` }));
    expect(j.frames({ session: 's1' })).toHaveLength(300); // alone: up to 1000
    for (let s = 2; s <= 10; s++) j.frame(frame(`s${s}`, 'in', { type: 'x' }));
    // Ten sessions now share 1000: s1's next frame trims it to 100, the newest kept.
    j.frame(frame('s1', 'in', { type: 'last' }));
    const kept = j.frames({ session: 's1' });
    expect(kept).toHaveLength(100);
    expect(kept.at(-1)!.type).toBe('last');
    expect(j.sessions().find((r) => r.id === 's1')!.frames.dropped).toBe(201);
    // Never under the floor, however many sessions.
    for (let s = 11; s <= 100; s++) j.frame(frame(`s${s}`, 'in', { type: 'x' }));
    for (let i = 0; i < 60; i++) j.frame(frame('s1', 'in', { type: `b${i}` }));
    expect(j.frames({ session: 's1' })).toHaveLength(MIN_FRAMES_PER_SESSION);
  });

  it('bounds frames per session and closed sessions, and says how many it dropped', () => {
    const j = new Journal({ maxFramesPerSession: 3, maxClosedSessions: 1 });
    for (let i = 0; i < 5; i++) j.frame(frame('s1', 'out', { type: `t${i}` }));
    expect(j.frames({ session: 's1' }).map((f) => f.type)).toEqual(['t2', 't3', 't4']);
    expect(j.sessions()[0]!.frames).toEqual({ in: 0, out: 5, dropped: 2 });
    for (const s of ['s1', 's2', 's3']) {
      j.connection({ kind: 'opened', session: s, number: 1, at: 0 });
      j.connection({
        kind: 'closed',
        session: s,
        number: 1,
        at: 1,
        code: 1000,
        reason: '',
        closedBy: 'client',
      });
    }
    expect(j.sessions().map((s) => s.id)).toEqual(['s3']);
    expect(j.sessions()[0]).toMatchObject({ state: 'closed', closeCode: 1000, closedAt: 1 });
  });

  it('waitFor resolves on a kept frame, on the next one, or rejects after its timeout', async () => {
    const j = new Journal();
    j.frame(frame('s1', 'out', { type: 'session.created' }));
    const kept = await j.waitFor('session.created');
    expect(kept.seq).toBe(1);
    const next = j.waitFor('session.created', { after: kept.seq });
    j.frame(frame('s1', 'out', { type: 'session.created', n: 2 }));
    expect((await next).event).toMatchObject({ n: 2 });
    const elsewhere = j.waitFor('response.done', { session: 's2', timeoutMs: 50 });
    j.frame(frame('s1', 'out', { type: 'response.done' }));
    await expect(elsewhere).rejects.toThrow('no response.done frame in s2 within 50 ms');
    expectTypeOf<Awaited<ReturnType<typeof j.waitFor<'session.updated'>>>>().toEqualTypeOf<
      JournalFrame<ServerEventOf<'session.updated'>>
    >();
  });

  it('reset forgets closed sessions and the frames of live ones', () => {
    const j = new Journal();
    j.connection({ kind: 'opened', session: 'live', number: 1, at: 0 });
    j.frame(frame('live', 'out', { type: 'x' }));
    j.connection({ kind: 'opened', session: 'gone', number: 2, at: 0 });
    j.connection({
      kind: 'closed',
      session: 'gone',
      number: 2,
      at: 1,
      code: 1000,
      reason: '',
      closedBy: 'client',
    });
    j.reset();
    expect(j.sessions().map((s) => [s.id, s.frames.out])).toEqual([['live', 0]]);
    expect(j.frames()).toEqual([]);
  });
});
