import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silence, tone, concatPcm } from '../../protocol/audio/index.js';
import { parseServerEvent } from '../../protocol/codec.js';
import { startMockServer, type MockServer } from '../../mock-server/mock-server.js';
import type { WireFrame } from '../../mock-server/frame-log.js';
import { TestClient, type Received } from '../support/test-client.js';

/** One utterance the energy VAD sees: speech between silences. */
const utterance = (ms = 600) => concatPcm(silence(200), tone(440, ms, -10), silence(700));

describe('mock server: turns (swaram protocol §6)', () => {
  let server: MockServer;
  const frames: WireFrame[] = [];
  beforeAll(async () => {
    server = await startMockServer({
      fixture: 'greeting',
      speed: 20,
      onFrame: (f) => frames.push(f),
    });
  });
  afterAll(() => server.close());

  it('the real Malayalam greeting audio produces the full automatic turn flow', async () => {
    const c = await TestClient.connect(server.url, { key: server.keys[0] });
    await c.next('session.created');
    c.send({ type: 'session.update', session: { voice: 'mal-female', instructions: 'സഹായിക്കുക' } });
    await c.next('session.updated');
    c.sendAudio(server.fixture.turns[0]!.user.pcm);
    await c.next('response.done', 1, 20_000);
    await c.next('conversation.item.input_audio_transcription.completed');
    const transcriptEvent = 'conversation.item.input_audio_transcription.completed';
    const flow = c.types().filter((t) => !t.endsWith('.delta') && t !== transcriptEvent);
    expect(flow).toEqual([
      'session.created',
      'session.updated',
      'input_audio_buffer.speech_started',
      'input_audio_buffer.speech_stopped',
      'conversation.item.created',
      'response.created',
      'response.done',
    ]);
    expect(c.types().indexOf(transcriptEvent)).toBeGreaterThan(
      c.types().indexOf('conversation.item.created'),
    );
    const order = (t: string) => c.types().indexOf(t);
    expect(order('input_audio_buffer.speech_started')).toBeLessThan(
      order('input_audio_buffer.speech_stopped'),
    );
    expect(order('input_audio_buffer.speech_stopped')).toBeLessThan(
      order('conversation.item.created'),
    );
    expect(order('conversation.item.created')).toBeLessThan(order('response.created'));
    expect(order('response.created')).toBeLessThan(order('response.output_audio.delta'));
    expect(c.types().lastIndexOf('response.output_audio.delta')).toBeLessThan(
      order('response.done'),
    );

    const started = c.of('input_audio_buffer.speech_started')[0]!;
    const stopped = c.of('input_audio_buffer.speech_stopped')[0]!;
    const item = c.of('conversation.item.created')[0]! as Received & {
      item: { id: string; role: string };
    };
    const transcript = c.of('conversation.item.input_audio_transcription.completed')[0]!;
    expect(started.item_id).toBe(item.item.id);
    expect(stopped.item_id).toBe(item.item.id);
    expect(transcript.item_id).toBe(item.item.id);
    expect(item.item.role).toBe('user');
    expect(transcript.transcript).toBe(server.fixture.turns[0]!.user.transcript);
    expect(stopped.audio_end_ms as number).toBeGreaterThan(started.audio_start_ms as number);

    // The reply: every audio byte of the fixture, in order, and the whole transcript.
    const deltas = c.of('response.output_audio.delta');
    const audio = Buffer.concat(deltas.map((d) => Buffer.from(d.delta as string, 'base64')));
    const expected = server.fixture.turns[0]!.responses[0]!.pcm!;
    expect(
      audio.equals(Buffer.from(expected.buffer, expected.byteOffset, expected.byteLength)),
    ).toBe(true);
    const text = c
      .of('response.output_audio_transcript.delta')
      .map((d) => d.delta)
      .join('');
    expect(text).toBe(server.fixture.turns[0]!.responses[0]!.transcript);
    const done = c.of('response.done')[0]! as Received & {
      response: { status: string; usage: unknown };
    };
    expect(done.response.status).toBe('completed');
    expect(done.response.usage).toBeTruthy();
    c.close();
  });

  it('every frame the mock sent validates against the strict schemas', () => {
    const out = frames.filter((f) => f.dir === 'out');
    expect(out.length).toBeGreaterThan(10);
    for (const f of out) {
      const r = parseServerEvent(f.text, { strict: true });
      expect(r.ok ? 'ok' : `${f.type}: ${JSON.stringify(r.violations)}`).toBe('ok');
    }
  });

  it('barge-in: speech during a reply cancels it at once and no delta of it follows', async () => {
    const c = await TestClient.connect(server.url, { key: server.keys[0] });
    c.send({ type: 'session.update', session: {} });
    await c.next('session.updated');
    c.sendAudio(utterance());
    await c.next('response.output_audio.delta', 2);
    c.sendAudio(concatPcm(tone(300, 400, -10)));
    const done = (await c.next('response.done')) as Received & {
      response: { id: string; status: string; status_details: { reason: string } };
    };
    expect(done.response.status).toBe('cancelled');
    expect(done.response.status_details.reason).toBe('turn_detected');
    const at = c.events.indexOf(done);
    // speech_started of the interruption comes right before the cancelled response.done.
    expect(c.events[at - 1]!.type).toBe('input_audio_buffer.speech_started');
    await new Promise((r) => setTimeout(r, 300));
    const late = c.events
      .slice(at)
      .filter((e) => e.type.endsWith('.delta') && e.response_id === done.response.id);
    expect(late).toEqual([]);
    c.close();
  });
});
