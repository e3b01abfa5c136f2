import { describe, expect, it } from 'vitest';
import { concatPcm, pcmToBase64, silence, tone } from '../protocol/audio/index.js';
import type { ServerEvent } from '../protocol/events.js';
import { FakeClock } from './clock.js';
import { FaultStage, MAX_COUNTED_UNKNOWN_TYPES, type Fault } from './faults.js';
import { Scheduler } from './scheduler.js';
import { Session } from './session.js';

type Written = { type: string; [key: string]: unknown };

/** A fault stage on a fake clock whose host records writes and closes in one log. */
function stageWith(faults: Fault[], speed = 1) {
  const clock = new FakeClock();
  const scheduler = new Scheduler(clock);
  const log: string[] = [];
  const written: Written[] = [];
  const stage = new FaultStage(
    {
      write: (text) => {
        const event = JSON.parse(text) as Written;
        written.push(event);
        log.push(event.type);
      },
      close: (code) => log.push(`close ${code}`),
      terminate: () => log.push('terminate'),
      nextEventId: () => 'event_x',
    },
    scheduler,
    1,
    Math.random,
    speed,
  );
  for (const f of faults) stage.add(f, { connected: false });
  return { clock, scheduler, stage, log, written };
}

const delta = (n: number): ServerEvent => ({
  type: 'response.output_audio.delta',
  event_id: `e${n}`,
  response_id: 'resp_1',
  item_id: 'item_1',
  output_index: 0,
  content_index: 0,
  delta: 'AAAA',
});

const tick = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('FaultStage: deferred closes', () => {
  it('a close fault stops every later write at once, and closes after the current dispatch', async () => {
    const h = stageWith([{ when: { on: 'delta', count: 3 }, do: { action: 'close', code: 1013 } }]);
    for (let n = 1; n <= 5; n++) h.stage.send(delta(n));
    h.stage.sendRaw('{"type":"late"}');
    // The close has not happened yet (the sender is still in its dispatch) …
    expect(h.log).toEqual([
      'response.output_audio.delta',
      'response.output_audio.delta',
      'response.output_audio.delta',
    ]);
    expect(h.stage.hasClosed).toBe(true);
    await tick();
    // … and then it happens once, with nothing leaked after the third delta.
    expect(h.log).toEqual([
      'response.output_audio.delta',
      'response.output_audio.delta',
      'response.output_audio.delta',
      'close 1013',
    ]);
    h.stage.send(delta(6));
    expect(h.log).toHaveLength(4);
  });

  it('sends a close fault`s error event first, built like every other error', async () => {
    const h = stageWith([
      {
        when: { on: 'delta', count: 1 },
        do: { action: 'close', code: 4008, error: { code: 'too_many_connections' } },
      },
    ]);
    h.stage.send(delta(1));
    h.stage.send(delta(2));
    await tick();
    expect(h.log).toEqual(['response.output_audio.delta', 'error', 'close 4008']);
    expect(h.written[1]).toEqual({
      type: 'error',
      event_id: 'event_x',
      error: {
        type: 'rate_limit_error',
        code: 'too_many_connections',
        message: 'the server closes this session (too_many_connections)',
      },
    });
  });

  it('the first close requested wins; a disposed stage closes nothing', async () => {
    const h = stageWith([]);
    h.stage.close(4003, 'out of credits');
    h.stage.terminate();
    await tick();
    expect(h.log).toEqual(['close 4003']);
    const d = stageWith([]);
    d.stage.close(1013, 'busy');
    d.stage.dispose();
    await tick();
    expect(d.log).toEqual([]);
  });
});

describe('FaultStage: hold-session-updated', () => {
  const updated = (): ServerEvent => ({
    type: 'session.updated',
    event_id: 'e1',
    session: { id: 'sess_1', object: 'realtime.session' },
  });

  it('holds session.updated for ms (scaled by speed) and lets everything else pass', () => {
    const h = stageWith(
      [{ when: { on: 'connect' }, do: { action: 'hold-session-updated', ms: 1000 } }],
      2,
    );
    h.stage.onConnect();
    h.stage.send(updated());
    h.stage.send(delta(1));
    expect(h.log).toEqual(['response.output_audio.delta']);
    h.clock.advance(499);
    expect(h.log).toHaveLength(1);
    h.clock.advance(1);
    expect(h.log).toEqual(['response.output_audio.delta', 'session.updated']);
  });

  it('without ms, never sends it', () => {
    const h = stageWith([{ when: { on: 'connect' }, do: { action: 'hold-session-updated' } }]);
    h.stage.onConnect();
    h.stage.send(updated());
    h.clock.advance(60_000);
    expect(h.log).toEqual([]);
  });
});

describe('Session + FaultStage: a close fault in the middle of a session', () => {
  it('close@delta:3 lets exactly three deltas out, then nothing, and ends the session', async () => {
    const clock = new FakeClock();
    const scheduler = new Scheduler(clock);
    const types: string[] = [];
    const stage = new FaultStage(
      {
        write: (text) => types.push((JSON.parse(text) as Written).type),
        close: (code) => {
          types.push(`close ${code}`);
          session.end();
        },
        terminate: () => {},
        nextEventId: () => 'e',
      },
      scheduler,
      1,
    );
    stage.add(
      { when: { on: 'delta', count: 3 }, do: { action: 'close', code: 1013 } },
      { connected: false },
    );
    const session: Session = new Session({
      id: 'sess_test',
      model: 'mal-realtime-simple',
      mode: 'simple',
      script: {
        turns: [
          {
            user: { transcript: 'ഹലോ' },
            responses: [{ pcm: tone(330, 1000, -12), transcript: 'ഒന്ന് രണ്ട് മൂന്ന് നാല്' }],
          },
        ],
      },
      scheduler,
      out: stage,
    });
    session.start();
    const speech = concatPcm(silence(300), tone(440, 500, -10), silence(600));
    session.receiveText(
      JSON.stringify({ type: 'input_audio_buffer.append', audio: pcmToBase64(speech) }),
    );
    for (let i = 0; i < 20; i++) {
      clock.advance(100);
      await tick();
    }
    const deltas = types.filter((t) => t === 'response.output_audio.delta');
    expect(deltas).toHaveLength(3);
    // Not even the words that start in the third chunk: nothing after the third delta.
    expect(types.slice(types.lastIndexOf('response.output_audio.delta') + 1)).toEqual([
      'close 1013',
    ]);
    expect(types[types.length - 1]).toBe('close 1013');
    expect(types).not.toContain('response.done');
  });
});

describe('FaultStage: what it keeps of client event types is bounded', () => {
  it('10 000 distinct junk types keep at most MAX_COUNTED_UNKNOWN_TYPES counts; protocol types and watched ones are still counted', async () => {
    const watched: Fault = {
      when: { on: 'client-event', type: 'my.custom', count: 2 },
      do: { action: 'close', code: 1013 },
    };
    const { stage, log } = stageWith([watched]);
    for (let i = 0; i < 10_000; i++) stage.onClientEvent(`junk.${i}.${'x'.repeat(i % 50)}`);
    const counts = (stage as unknown as { receivedByType: Map<string, number> }).receivedByType;
    expect(counts.size).toBeLessThanOrEqual(MAX_COUNTED_UNKNOWN_TYPES);
    stage.onClientEvent('input_audio_buffer.append');
    expect(counts.get('input_audio_buffer.append')).toBe(1);
    stage.onClientEvent('my.custom');
    stage.onClientEvent('my.custom');
    await Promise.resolve();
    expect(log).toContain('close 1013');
  });
});
