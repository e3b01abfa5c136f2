import { describe, expect, it } from 'vitest';
import { silence, tone } from '../../protocol/audio/index.js';
import type { MockServer } from '../../mock-server/mock-server.js';
import { useMockServers, utterance } from '../support/mock-servers.js';
import { TestClient, type Received } from '../support/test-client.js';

const serve = useMockServers();

const errorCode = (e: Received | undefined) => (e?.error as { code?: string } | undefined)?.code;

async function ready(server: MockServer, model = 'mal-realtime-simple'): Promise<TestClient> {
  const c = await TestClient.connect(server.url, { key: server.keys[0], model });
  c.send({ type: 'session.update', session: { voice: 'mal-female' } });
  await c.next('session.updated');
  return c;
}

/** Sends `event` and waits briefly; returns what arrived meanwhile. */
async function quietAfter(
  c: TestClient,
  event: Record<string, unknown>,
  ms = 200,
): Promise<Received[]> {
  const before = c.events.length;
  c.send(event);
  await new Promise((r) => setTimeout(r, ms));
  return c.events.slice(before);
}

describe('mock server: modes (swaram protocol §4)', () => {
  it('Premium ignores commit, clear and response.create: no reply, no error', async () => {
    const server = await serve();
    const c = await ready(server, 'mal-realtime-premium');
    c.sendAudio(tone(440, 300, -10));
    await c.next('input_audio_buffer.speech_started');
    for (const type of [
      'input_audio_buffer.commit',
      'input_audio_buffer.clear',
      'response.create',
    ]) {
      expect(await quietAfter(c, { type })).toEqual([]);
    }
    c.close();
  });

  it('Simple: commit ends the turn and starts a reply; under 100 ms it is input_audio_buffer_commit_empty', async () => {
    const server = await serve();
    const c = await ready(server);
    c.send({ type: 'input_audio_buffer.commit', event_id: 'evt_c1' });
    const err = await c.next('error');
    expect(errorCode(err)).toBe('input_audio_buffer_commit_empty');
    expect((err.error as { event_id?: string }).event_id).toBe('evt_c1');
    c.sendAudio(tone(440, 300, -10));
    c.send({ type: 'input_audio_buffer.commit' });
    await c.next('response.done');
    expect(c.types()).toContain('conversation.item.created');
    c.close();
  });

  it('Simple: response.create while a reply is active is conversation_already_has_active_response, and the session goes on', async () => {
    const server = await serve();
    const c = await ready(server);
    c.send({ type: 'response.create' });
    await c.next('response.created');
    c.send({ type: 'response.create' });
    expect(errorCode(await c.next('error'))).toBe('conversation_already_has_active_response');
    await c.next('response.done');
    c.sendAudio(utterance());
    await c.next('response.done', 2);
    c.close();
  });

  it('turn_detection null: manual turns over the socket (no VAD events, the reply only on response.create)', async () => {
    const server = await serve();
    const c = await TestClient.connect(server.url, { key: server.keys[0] });
    c.send({ type: 'session.update', session: { turn_detection: null } });
    expect((await c.next('session.updated')).session).toMatchObject({ turn_detection: null });
    c.sendAudio(utterance());
    const heard = await quietAfter(c, { type: 'input_audio_buffer.commit' }, 300);
    expect(heard.map((e) => e.type)).toContain('conversation.item.created');
    expect(c.types()).not.toContain('input_audio_buffer.speech_started');
    expect(c.types()).not.toContain('response.created');
    c.send({ type: 'response.create' });
    await c.next('response.done');
    c.close();
  });

  it('turn_detection the mock cannot honour (null in Premium): unsupported_value naming the field, settings unchanged', async () => {
    const server = await serve();
    const c = await TestClient.connect(server.url, {
      key: server.keys[0],
      model: 'mal-realtime-premium',
    });
    c.send({
      type: 'session.update',
      event_id: 'evt_sv',
      session: { voice: 'mal-male', turn_detection: null },
    });
    const err = await c.next('error');
    expect(err.error).toMatchObject({
      code: 'unsupported_value',
      param: 'session.turn_detection',
      event_id: 'evt_sv',
    });
    expect((err.error as { message: string }).message).toContain('Premium');
    c.send({ type: 'session.update', session: {} });
    expect((await c.next('session.updated')).session).toMatchObject({
      voice: 'mal-female',
      turn_detection: { type: 'server_vad' },
    });
    c.close();
  });

  it('session.update after audio is session_locked and leaves settings unchanged', async () => {
    const server = await serve();
    const c = await ready(server);
    c.sendAudio(silence(100));
    c.send({ type: 'session.update', session: { voice: 'mal-male' } });
    expect(errorCode(await c.next('error'))).toBe('session_locked');
    expect(c.of('session.updated')).toHaveLength(1);
    c.close();
  });

  it('accepts the OpenAI GA nested session shape and answers in the flat shape', async () => {
    const server = await serve();
    const c = await TestClient.connect(server.url, { key: server.keys[0] });
    c.send({
      type: 'session.update',
      session: { type: 'realtime', audio: { output: { voice: 'mal-male' } } },
    });
    const updated = await c.next('session.updated');
    expect((updated.session as { voice: string }).voice).toBe('mal-male');
    c.close();
  });
});

describe('mock server: cancel (swaram protocol §6)', () => {
  it('response.cancel cancels the active reply with client_cancelled; with nothing active it is response_cancel_not_active', async () => {
    const server = await serve();
    const c = await ready(server);
    c.send({ type: 'response.cancel' });
    expect(errorCode(await c.next('error'))).toBe('response_cancel_not_active');
    c.sendAudio(utterance());
    const created = (await c.next('response.created')) as Received & { response: { id: string } };
    await c.next('response.output_audio.delta');
    c.send({ type: 'response.cancel' });
    const done = (await c.next('response.done')) as Received & {
      response: { id: string; status: string; status_details: { reason: string } };
    };
    expect(done.response).toMatchObject({ id: created.response.id, status: 'cancelled' });
    expect(done.response.status_details.reason).toBe('client_cancelled');
    const at = c.events.indexOf(done);
    await new Promise((r) => setTimeout(r, 300));
    expect(c.events.slice(at + 1).filter((e) => e.response_id === created.response.id)).toEqual([]);
    c.close();
  });
});

describe('mock server: tools (swaram protocol §6, tool turn)', () => {
  it('calls the tool with distinct call_id and item_id, takes the output and continues on its own', async () => {
    const server = await serve({ fixture: 'tool-call' });
    const c = await ready(server);
    c.sendAudio(server.fixture.turns[0]!.user.pcm);
    const call = await c.next('response.function_call_arguments.done', 1, 20_000);
    expect(call.call_id).not.toBe(call.item_id);
    expect(() => JSON.parse(call.arguments as string)).not.toThrow();
    await c.next('response.done');
    c.send({
      type: 'conversation.item.create',
      item: { type: 'function_call_output', call_id: call.item_id, output: '{}' },
    });
    expect(errorCode(await c.next('error'))).toBe('unknown_call_id');
    c.send({
      type: 'conversation.item.create',
      item: {
        type: 'function_call_output',
        call_id: call.call_id,
        output: JSON.stringify({ temperature_c: 31 }),
      },
    });
    await c.until(
      (e) =>
        e.some(
          (x) =>
            x.type === 'conversation.item.created' &&
            (x.item as { type: string }).type === 'function_call_output',
        ),
      'the tool result item',
    );
    await c.next('response.done', 2, 20_000);
    const second = c.of('response.created')[1]!;
    expect(second).toBeTruthy();
    expect(
      c
        .of('response.output_audio.delta')
        .some((d) => d.response_id === (second.response as { id: string }).id),
    ).toBe(true);
    c.close();
  });
});

describe('mock server: bad input never hurts (mock profile)', () => {
  const cases: Array<[string, string, string | Record<string, unknown>]> = [
    ['not JSON', 'invalid_json', '{"type": '],
    ['unknown type', 'unknown_event', { type: 'input_audio_buffer.appendd' }],
    [
      'OpenAI-only type',
      'unsupported_event',
      { type: 'conversation.item.truncate', item_id: 'x', content_index: 0, audio_end_ms: 0 },
    ],
    ['wrong field type', 'invalid_event', { type: 'session.update', session: 'mal-female' }],
    ['bad enum', 'invalid_event', { type: 'session.update', session: { voice: 'alloy' } }],
    [
      'odd-length audio',
      'invalid_audio',
      { type: 'input_audio_buffer.append', audio: Buffer.from([1, 2, 3]).toString('base64') },
    ],
    [
      'data: prefix',
      'invalid_audio',
      { type: 'input_audio_buffer.append', audio: 'data:audio/pcm;base64,AAAA' },
    ],
  ];
  it.each(cases)(
    '%s gets an error with code %s and the session continues',
    async (_name, code, frame) => {
      const server = await serve();
      const c = await ready(server);
      c.send(frame);
      expect(errorCode(await c.next('error'))).toBe(code);
      c.send({ type: 'response.cancel' });
      expect(errorCode(await c.next('error', 2))).toBe('response_cancel_not_active');
      c.close();
    },
  );

  it('a binary frame gets an error; the session continues', async () => {
    const server = await serve();
    const c = await ready(server);
    c.ws.send(Buffer.from([1, 2, 3, 4]));
    expect(errorCode(await c.next('error'))).toBe('binary_frame_not_supported');
    c.sendAudio(utterance());
    await c.next('response.done');
    c.close();
  });

  it('a frame over the size limit is closed with 1009 and other sessions do not notice', async () => {
    const server = await serve({ maxPayloadBytes: 64 * 1024 });
    const healthy = await ready(server);
    const big = await ready(server);
    big.send({
      type: 'input_audio_buffer.append',
      audio: Buffer.alloc(100_000).toString('base64'),
    });
    expect(await big.closed()).toBe(1009);
    healthy.sendAudio(utterance());
    await healthy.next('response.done');
    healthy.close();
  });

  it('an abrupt disconnect mid-reply is cleaned up', async () => {
    const server = await serve();
    const c = await ready(server);
    c.sendAudio(utterance());
    await c.next('response.output_audio.delta');
    c.ws.terminate();
    await new Promise((r) => setTimeout(r, 100));
    expect(server.sessions.size).toBe(0);
  });
});

describe('mock server: backpressure', () => {
  it('closes a session whose client stops reading, with 1008, and keeps serving others', async () => {
    const ended: number[] = [];
    const server = await serve({
      maxBufferedBytes: 64 * 1024,
      onSessionEnd: (s) => ended.push(s.closeCode),
    });
    const healthy = await ready(server);
    const slow = await ready(server);
    // Stop reading: the kernel buffers fill, then the mock's send buffer grows past its bound.
    (slow.ws as unknown as { _socket: { pause(): void } })._socket.pause();
    // Every cancel with nothing active earns an error event: ~170 bytes out per 27 bytes in.
    const flood = JSON.stringify({ type: 'response.cancel' });
    for (let i = 0; i < 60_000; i++) slow.ws.send(flood);
    const deadline = Date.now() + 10_000;
    while (server.sessions.size > 1 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    expect(server.sessions.size).toBe(1);
    expect(ended).toEqual([1006]);
    healthy.sendAudio(utterance());
    await healthy.next('response.done');
    healthy.close();
  });
});
