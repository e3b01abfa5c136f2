import { describe, expect, it } from 'vitest';
import { concatPcm, pcmToBase64, silence, tone } from '../protocol/audio/index.js';
import { FakeClock } from './clock.js';
import { FaultStage } from './faults.js';
import { Scheduler } from './scheduler.js';
import { Session, type SessionScript } from './session.js';

type OutboundEvent = { type: string; [key: string]: unknown };

const reply = concatPcm(tone(330, 1000, -12));
const script: SessionScript = {
  turns: [
    { user: { transcript: 'ഹലോ' }, responses: [{ pcm: reply, transcript: 'ഒന്ന് രണ്ട് മൂന്ന്' }] },
    {
      user: { transcript: 'കാലാവസ്ഥ?' },
      responses: [
        { toolCall: { name: 'get_weather', arguments: { city: 'Kochi' } } },
        { pcm: reply, transcript: 'മുപ്പത് ഡിഗ്രി' },
      ],
    },
  ],
};

/** A session on a fake clock, with everything it sends collected. */
function harness(mode: 'simple' | 'premium' = 'simple', turns: SessionScript = script) {
  const clock = new FakeClock();
  const scheduler = new Scheduler(clock);
  const sent: OutboundEvent[] = [];
  const closes: number[] = [];
  let n = 0;
  const stage = new FaultStage(
    {
      write: (text) => sent.push(JSON.parse(text) as OutboundEvent),
      close: (code) => closes.push(code),
      terminate: () => closes.push(1006),
      nextEventId: () => `e${++n}`,
    },
    scheduler,
    1,
  );
  const session = new Session({
    id: 'sess_test',
    model: 'mal-realtime-simple',
    mode,
    script: turns,
    scheduler,
    out: stage,
  });
  session.start();
  const send = (e: Record<string, unknown>) => session.receiveText(JSON.stringify(e));
  const audio = (pcm: Int16Array) =>
    send({ type: 'input_audio_buffer.append', audio: pcmToBase64(pcm) });
  const types = () => sent.map((e) => e.type);
  return { clock, session, sent, closes, send, audio, types };
}

const speech = () => concatPcm(silence(300), tone(440, 500, -10), silence(600));

describe('Session (fake clock)', () => {
  it('paces reply audio in 100 ms chunks from 200 ms after response.created, in step with the transcript', () => {
    const h = harness();
    h.send({ type: 'session.update', session: {} });
    h.audio(speech());
    expect(h.types()).toContain('response.created');
    const deltasAt = (t: number) => {
      h.clock.advance(t);
      return h.sent.filter((e) => e.type === 'response.output_audio.delta').length;
    };
    expect(deltasAt(199)).toBe(0);
    expect(deltasAt(1)).toBe(1);
    expect(deltasAt(100)).toBe(2);
    expect(deltasAt(799)).toBe(9);
    expect(h.types()).not.toContain('response.done');
    // Generation ends with the last chunk: response.done follows it at once.
    expect(deltasAt(1)).toBe(10);
    expect(h.types().at(-1)).toBe('response.done');
    const text = h.sent
      .filter((e) => e.type === 'response.output_audio_transcript.delta')
      .map((e) => e.delta);
    expect(text.join('')).toBe('ഒന്ന് രണ്ട് മൂന്ന്');
    // The last word goes out with the last third of the audio, not all at the start.
    const lastWord = h.sent.findIndex((e) => e.delta === 'മൂന്ന്');
    const deltasBefore = h.sent
      .slice(0, lastWord)
      .filter((e) => e.type === 'response.output_audio.delta').length;
    expect(deltasBefore).toBeGreaterThanOrEqual(6);
  });

  it('sends the transcript after the reply started (transcripts may come late)', () => {
    const h = harness();
    h.audio(speech());
    h.clock.advance(400);
    const types = h.types();
    expect(types.indexOf('conversation.item.input_audio_transcription.completed')).toBeGreaterThan(
      types.indexOf('response.created'),
    );
  });

  it('a tool turn: call, then the next response only after the output for that call_id', () => {
    const h = harness();
    h.audio(speech());
    h.clock.advance(2000);
    h.audio(speech());
    h.clock.advance(500);
    const call = h.sent.find((e) => e.type === 'response.function_call_arguments.done')!;
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Kochi"}' });
    const before = h.sent.filter((e) => e.type === 'response.created').length;
    h.clock.advance(5000);
    expect(h.sent.filter((e) => e.type === 'response.created')).toHaveLength(before);
    h.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: call.call_id, output: '{"c":30}' },
    });
    expect(h.types().slice(-2)).toEqual(['conversation.item.created', 'response.created']);
    // A second output for the same call is an error: each call is answered once.
    h.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: call.call_id, output: '{}' },
    });
    expect(h.sent.at(-1)).toMatchObject({ type: 'error', error: { code: 'unknown_call_id' } });
  });

  it('several calls in one response: each sent in order, the next response once every call is answered', () => {
    const twoCalls: SessionScript = {
      turns: [
        {
          user: { transcript: 'കാലാവസ്ഥ?' },
          responses: [
            {
              toolCalls: [
                { name: 'get_weather', arguments: { city: 'Kochi' } },
                { name: 'get_weather', arguments: '{"city": "Kochi"' },
              ],
            },
            { pcm: reply, transcript: 'മുപ്പത് ഡിഗ്രി' },
          ],
        },
      ],
    };
    const h = harness('simple', twoCalls);
    h.audio(speech());
    h.clock.advance(1500);
    const calls = h.sent.filter((e) => e.type === 'response.function_call_arguments.done');
    expect(calls.map((c) => [c.output_index, c.arguments])).toEqual([
      [0, '{"city":"Kochi"}'],
      [1, '{"city": "Kochi"'],
    ]);
    expect(calls[0]!.call_id).not.toBe(calls[1]!.call_id);
    const done = h.sent.find((e) => e.type === 'response.done') as unknown as {
      response: { output: Array<{ call_id: string }> };
    };
    expect(done.response.output.map((o) => o.call_id)).toEqual(calls.map((c) => c.call_id));
    const created = () => h.sent.filter((e) => e.type === 'response.created').length;
    const answer = (callId: unknown) =>
      h.send({
        type: 'conversation.item.create',
        item: { type: 'function_call_output', call_id: callId, output: '{}' },
      });
    answer(calls[1]!.call_id);
    expect(created()).toBe(1);
    answer(calls[1]!.call_id);
    expect(h.sent.at(-1)).toMatchObject({ type: 'error', error: { code: 'unknown_call_id' } });
    expect(created()).toBe(1);
    answer(calls[0]!.call_id);
    expect(h.types().slice(-2)).toEqual(['conversation.item.created', 'response.created']);
  });

  it('turns cycle when the user speaks more turns than the fixture has', () => {
    const h = harness();
    for (let i = 0; i < 3; i++) {
      h.audio(speech());
      h.clock.advance(3000);
      const last = h.sent.filter((e) => e.type === 'response.function_call_arguments.done').length;
      if (last > 0 && i === 1) {
        const call = h.sent.find((e) => e.type === 'response.function_call_arguments.done')!;
        h.send({
          type: 'conversation.item.create',
          item: { type: 'function_call_output', call_id: call.call_id, output: '1' },
        });
        h.clock.advance(3000);
      }
    }
    const transcripts = h.sent
      .filter((e) => e.type === 'conversation.item.input_audio_transcription.completed')
      .map((e) => e.transcript);
    expect(transcripts).toEqual(['ഹലോ', 'കാലാവസ്ഥ?', 'ഹലോ']);
  });

  it('Premium sends nothing for commit, clear and response.create', () => {
    const h = harness('premium');
    h.audio(tone(440, 300, -10));
    const n = h.sent.length;
    for (const type of ['input_audio_buffer.commit', 'input_audio_buffer.clear', 'response.create'])
      h.send({ type });
    h.clock.advance(1000);
    expect(h.sent.slice(n)).toEqual([]);
  });

  it('echoes the client event_id in errors and maps a missing field to missing_required_parameter', () => {
    const h = harness();
    h.send({
      type: 'conversation.item.create',
      event_id: 'evt_7',
      item: { type: 'function_call_output', output: 'x' },
    });
    expect(h.sent.at(-1)).toMatchObject({
      type: 'error',
      error: { code: 'missing_required_parameter', event_id: 'evt_7' },
    });
  });

  it('stops everything when it ends: no event after end()', () => {
    const h = harness();
    h.audio(speech());
    h.clock.advance(250);
    const n = h.sent.length;
    h.session.end();
    h.clock.advance(5000);
    expect(h.sent.length).toBe(n);
  });
});

describe('Session: a bug while handling a frame', () => {
  it('answers server_error, reports it, never throws, and the session goes on', () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(clock);
    const sent: OutboundEvent[] = [];
    const reported: unknown[] = [];
    const stage = new FaultStage(
      {
        write: (text) => sent.push(JSON.parse(text) as OutboundEvent),
        close: () => {},
        terminate: () => {},
        nextEventId: () => 'e',
      },
      scheduler,
      1,
    );
    let broken = true;
    const session = new Session({
      id: 'sess_test',
      model: 'mal-realtime-simple',
      mode: 'simple',
      script,
      scheduler,
      out: stage,
      credits: {
        spend: () => {
          if (broken) throw new RangeError('boom');
          return true;
        },
      },
      onInternalError: (error) => reported.push(error),
    });
    const append = () =>
      session.receiveText(
        JSON.stringify({ type: 'input_audio_buffer.append', audio: pcmToBase64(speech()) }),
      );
    expect(append).not.toThrow();
    expect(reported).toHaveLength(1);
    expect(sent.map((e) => e.type)).toEqual(['error']);
    expect(sent[0]!.error).toMatchObject({ type: 'server_error', code: 'server_error' });
    broken = false;
    append();
    expect(sent.map((e) => e.type)).toContain('response.created');
  });
});

describe('Session: turn_detection is honoured', () => {
  const errors = (h: ReturnType<typeof harness>) =>
    h.sent.filter((e) => e.type === 'error').map((e) => e.error as Record<string, unknown>);

  it('null: manual turns, no server VAD and no reply until the client commits and asks', () => {
    const h = harness();
    h.send({ type: 'session.update', session: { turn_detection: null } });
    expect(h.types()).toContain('session.updated');
    h.audio(speech());
    h.clock.advance(1000);
    expect(h.types()).not.toContain('input_audio_buffer.speech_started');
    expect(h.types()).not.toContain('response.created');
    h.send({ type: 'input_audio_buffer.commit' });
    h.clock.advance(1000);
    expect(h.types()).toContain('conversation.item.created');
    expect(h.types()).not.toContain('response.created');
    h.send({ type: 'response.create' });
    expect(h.types()).toContain('response.created');
    // The reply answers the committed turn.
    h.clock.advance(2000);
    expect(h.types().at(-1)).toBe('response.done');
    // Talking over it is no barge-in without server VAD.
    h.send({ type: 'input_audio_buffer.clear' });
    h.send({ type: 'response.create' });
    h.audio(speech());
    expect(h.types().filter((t) => t === 'response.done')).toHaveLength(1);
    expect(errors(h)).toEqual([]);
  });

  it('server_vad: silence_duration_ms and threshold tune the detector', () => {
    const pause = concatPcm(silence(200), tone(440, 400, -10), silence(350), tone(440, 400, -10));
    const stops = (session: Record<string, unknown>) => {
      const h = harness();
      h.send({ type: 'session.update', session });
      h.audio(concatPcm(pause, silence(1200)));
      return h.types().filter((t) => t === 'input_audio_buffer.speech_stopped').length;
    };
    // 350 ms of silence inside the utterance: one turn at the default 500 ms, two at 300 ms.
    expect(stops({})).toBe(1);
    expect(stops({ turn_detection: { type: 'server_vad', silence_duration_ms: 300 } })).toBe(2);
    // A -10 dBFS tone is speech at the default threshold, not at 0.9 (-25 dBFS on this scale)
    // once quieter: a -30 dBFS tone is not loud enough.
    const quiet = (threshold: number) => {
      const h = harness();
      h.send({
        type: 'session.update',
        session: { turn_detection: { type: 'server_vad', threshold } },
      });
      h.audio(concatPcm(silence(200), tone(440, 600, -30), silence(800)));
      return h.types().includes('input_audio_buffer.speech_started');
    };
    expect(quiet(0.5)).toBe(true);
    expect(quiet(0.9)).toBe(false);
  });

  it('server_vad: prefix_padding_ms moves audio_start_ms; create_response false waits for response.create', () => {
    const h = harness();
    h.send({
      type: 'session.update',
      session: {
        turn_detection: { type: 'server_vad', prefix_padding_ms: 100, create_response: false },
      },
    });
    h.audio(speech());
    const started = h.sent.find((e) => e.type === 'input_audio_buffer.speech_started');
    // Speech begins at 300 ms of audio: 100 ms of padding before it.
    expect(started?.audio_start_ms).toBe(200);
    expect(h.types()).toContain('input_audio_buffer.speech_stopped');
    expect(h.types()).not.toContain('response.created');
    h.send({ type: 'response.create' });
    expect(h.types()).toContain('response.created');
  });

  it('interrupt_response false: speech_started does not cancel the reply', () => {
    const h = harness();
    h.send({
      type: 'session.update',
      session: { turn_detection: { type: 'server_vad', interrupt_response: false } },
    });
    h.audio(speech());
    h.clock.advance(300);
    h.audio(concatPcm(tone(440, 300, -10)));
    expect(h.types()).toContain('input_audio_buffer.speech_started');
    h.clock.advance(2000);
    const done = h.sent.find((e) => e.type === 'response.done');
    expect((done?.response as { status?: string }).status).toBe('completed');
  });

  it("semantic_vad (the OpenAI SDKs' default) is served by the energy VAD, eagerness ignored", () => {
    const h = harness();
    h.send({
      type: 'session.update',
      session: { turn_detection: { type: 'semantic_vad', eagerness: 'high' } },
    });
    expect(h.types()).toContain('session.updated');
    h.audio(speech());
    expect(h.types()).toContain('input_audio_buffer.speech_stopped');
    expect(h.types()).toContain('response.created');
  });

  it('refuses what the mock cannot honour, with a clear error naming the field, and changes nothing', () => {
    const cases: Array<[Record<string, unknown> | null, 'simple' | 'premium', string]> = [
      [
        { type: 'semantic_vad', create_response: false },
        'premium',
        'session.turn_detection.create_response',
      ],
      [null, 'premium', 'session.turn_detection'],
      [
        { type: 'server_vad', create_response: false },
        'premium',
        'session.turn_detection.create_response',
      ],
    ];
    for (const [td, mode, param] of cases) {
      const h = harness(mode);
      h.send({
        type: 'session.update',
        event_id: 'evt_td',
        session: { voice: 'mal-male', turn_detection: td },
      });
      expect(h.types(), JSON.stringify(td)).not.toContain('session.updated');
      expect(errors(h), JSON.stringify(td)).toMatchObject([
        { code: 'unsupported_value', param, event_id: 'evt_td' },
      ]);
      expect(h.session.effectiveSettings.voice).toBe('mal-female');
      expect(h.session.effectiveSettings.turn_detection).toEqual({ type: 'server_vad' });
      // Server VAD still takes the turn.
      h.audio(speech());
      expect(h.types()).toContain('input_audio_buffer.speech_stopped');
    }
  });
});
