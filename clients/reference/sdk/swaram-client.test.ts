import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_EVENT_TYPES } from '../../../protocol/events.js';
import { parseClientEvent } from '../../../protocol/codec.js';
import { FakeSwaramServer, type FakeConnection } from '../test-support/fake-swaram-server.js';
import { ExponentialBackoff } from './backoff.js';
import { ManualClock } from './clock.js';
import { encodePcm16 } from './pcm16.js';
import type { SwaramError } from './swaram-error.js';
import {
  SwaramClient,
  type ConnectionEvent,
  type ResponseEvent,
  type SwaramClientOptions,
  type TranscriptEvent,
  type AudioDroppedEvent,
} from './swaram-client.js';
import type { ToolHandler } from './tool-dispatcher.js';
import { VirtualSpeaker, type PlaybackStop, type PlayedAudio } from './virtual-speaker.js';

/*
 * The reference client against a scripted WebSocket server: the test plays swaram's part.
 * Time in the client (speaker, backoff, liveness) runs on a ManualClock; sockets are real.
 */

const servers: FakeSwaramServer[] = [];
const clients: SwaramClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.end();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

const pcm = (ms: number, fill = 1) => new Uint8Array(ms * 48).fill(fill);
const b64 = (ms: number) => encodePcm16(pcm(ms));

async function setup(
  options: Partial<SwaramClientOptions> = {},
  tools: Record<string, ToolHandler> = {},
) {
  const server = await FakeSwaramServer.start();
  servers.push(server);
  const clock = new ManualClock();
  const played: PlayedAudio[] = [];
  const stops: PlaybackStop[] = [];
  const speaker = new VirtualSpeaker({
    clock,
    onPlayed: (a) => played.push(a),
    onStopped: (s) => stops.push(s),
  });
  const client = new SwaramClient({
    url: server.url,
    apiKey: 'swaram_test_key',
    session: {
      instructions: 'Answer in Malayalam.',
      voice: 'mal-female',
      tools: [
        {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
    },
    tools,
    player: speaker,
    clock,
    backoff: new ExponentialBackoff({ random: () => 0.5 }),
    pingIntervalMs: 0,
    ...options,
  });
  clients.push(client);
  const states: ConnectionEvent[] = [];
  const errors: SwaramError[] = [];
  const transcripts: TranscriptEvent[] = [];
  const responses: ResponseEvent[] = [];
  const dropped: AudioDroppedEvent[] = [];
  client.on('connection', (e) => states.push(e));
  client.on('error', (e) => errors.push(e));
  client.on('transcript', (t) => transcripts.push(t));
  client.on('response', (r) => responses.push(r));
  client.on('audioDropped', (d) => dropped.push(d));
  return {
    server,
    clock,
    client,
    speaker,
    played,
    stops,
    states,
    errors,
    transcripts,
    responses,
    dropped,
  };
}

/** Connects and completes the session handshake on connection `n`. */
async function ready(env: Awaited<ReturnType<typeof setup>>, n = 1): Promise<FakeConnection> {
  if (n === 1) env.client.connect();
  const conn = await env.server.connection(n);
  await conn.acceptSession();
  await env.client.whenReady();
  return conn;
}

/** Every frame the client sent is one of swaram's 7 events and valid under the strict schemas. */
function expectConformingFrames(conn: FakeConnection): void {
  for (const frame of conn.received) {
    expect(CLIENT_EVENT_TYPES as readonly string[]).toContain(frame.type);
    const parsed = parseClientEvent(frame.text, { strict: true });
    expect(parsed.ok ? [] : parsed.violations, frame.text.slice(0, 200)).toEqual([]);
  }
}

async function settle(ms = 30): Promise<void> {
  await new Promise((r) => setTimeout(r, ms));
}

const delta = (responseId: string, ms: number, extra: Record<string, unknown> = {}) => ({
  type: 'response.output_audio.delta',
  response_id: responseId,
  item_id: `item_${responseId}`,
  output_index: 0,
  content_index: 0,
  delta: b64(ms),
  ...extra,
});

describe('SwaramClient: session set-up', () => {
  it('sends a flat session.update first, with the key in the header and the model in the URL', async () => {
    const env = await setup();
    env.client.connect();
    const conn = await env.server.connection();
    const update = await conn.next('session.update');
    expect(conn.received[0]?.type).toBe('session.update');
    expect(update.session).toEqual({
      instructions: 'Answer in Malayalam.',
      voice: 'mal-female',
      tools: [
        {
          type: 'function',
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } } },
        },
      ],
    });
    expect(conn.request.headers.authorization).toBe('Bearer swaram_test_key');
    expect(conn.request.url).toBe('/v1/realtime?model=mal-realtime-simple');
    expect(env.states.map((s) => s.state)).toEqual(['connecting', 'open']);
    expectConformingFrames(conn);
  });

  it('holds audio until session.updated, keeps only the most recent, then sends even 40 ms chunks', async () => {
    const env = await setup({ preReadyBufferMs: 200 });
    env.client.connect();
    for (let i = 0; i < 30; i++) env.client.appendAudio(pcm(20, i)); // 600 ms before the socket opens
    const conn = await env.server.connection();
    await conn.next('session.update');
    env.client.appendAudio(pcm(20, 99));
    await settle();
    expect(conn.all('input_audio_buffer.append')).toEqual([]);
    conn.send({ type: 'session.updated', session: {} });
    await conn.next('input_audio_buffer.append', 5);
    await settle();
    const appends = conn.all('input_audio_buffer.append');
    expect(appends).toHaveLength(5);
    const sizes = appends.map((a) => Buffer.from(a.audio as string, 'base64').length);
    expect(sizes).toEqual([1920, 1920, 1920, 1920, 1920]);
    // The oldest audio was dropped: the 200 ms kept start with the 21st input.
    expect(Buffer.from(appends[0]!.audio as string, 'base64')[0]).toBe(20);
    expect(env.states.map((s) => s.state)).toEqual(['connecting', 'open', 'ready']);
    expectConformingFrames(conn);
  });

  it('tells the app when session.updated does not come, and never sends audio meanwhile', async () => {
    const env = await setup({ sessionAckTimeoutMs: 5000 });
    env.client.connect();
    const conn = await env.server.connection();
    await conn.next('session.update');
    env.client.appendAudio(pcm(100));
    env.clock.advance(5000);
    expect(env.errors.map((e) => [e.kind, e.code])).toEqual([['session', 'session_ack_timeout']]);
    await settle();
    expect(conn.all('input_audio_buffer.append')).toEqual([]);
  });

  it('reports a rejected session.update as a session error', async () => {
    const env = await setup();
    env.client.connect();
    const conn = await env.server.connection();
    const update = await conn.next('session.update');
    conn.send({
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'invalid_event',
        message: 'bad voice',
        event_id: update.event_id,
      },
    });
    await settle();
    expect(env.errors.map((e) => [e.kind, e.code, e.fatal])).toEqual([
      ['session', 'invalid_event', false],
    ]);
  });

  it('never sends a second session.update once audio went out', async () => {
    const env = await setup();
    const conn = await ready(env);
    env.client.appendAudio(pcm(40));
    await conn.next('input_audio_buffer.append');
    expect(env.client.updateSession({ voice: 'mal-male' })).toBe(false);
    await settle();
    expect(conn.all('session.update')).toHaveLength(1);
    expect(env.errors.map((e) => e.code)).toEqual(['session_locked']);
  });
});

describe('SwaramClient: playback, barge-in and fencing', () => {
  it('plays deltas in order and finishes the reply after response.done', async () => {
    const env = await setup();
    const conn = await ready(env);
    conn.send({ type: 'response.created', response: { id: 'r1', status: 'in_progress' } });
    conn.send(delta('r1', 100));
    conn.send(delta('r1', 50));
    conn.send({ type: 'response.done', response: { id: 'r1', status: 'completed', output: [] } });
    await settle();
    env.clock.advance(150);
    expect(env.played.map((p) => [p.responseId, p.pcm.length])).toEqual([
      ['r1', 4800],
      ['r1', 2400],
    ]);
    expect(env.responses).toEqual([{ responseId: 'r1', status: 'completed' }]);
  });

  it('stops at speech_started, drops queued audio also of a finished reply, and fences late deltas', async () => {
    const env = await setup();
    const conn = await ready(env);
    conn.send({ type: 'response.created', response: { id: 'r1' } });
    conn.send(delta('r1', 200));
    conn.send({ type: 'response.done', response: { id: 'r1', status: 'completed' } });
    conn.send({ type: 'response.created', response: { id: 'r2' } });
    conn.send(delta('r2', 200));
    conn.send({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r2',
      item_id: 'item_r2',
      delta: 'ഇന്ന്',
    });
    await settle();
    env.clock.advance(50);
    conn.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 1000, item_id: 'u2' });
    await settle();
    expect(env.stops).toEqual([
      { reason: 'barge-in', droppedBytes: (150 + 200) * 48, responseIds: ['r1', 'r2'] },
    ]);
    expect(env.played.map((p) => p.pcm.length)).toEqual([50 * 48]);
    // Late delta and text of the interrupted reply: not played, not shown.
    conn.send(delta('r2', 100));
    conn.send({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r2',
      item_id: 'item_r2',
      delta: ' late',
    });
    conn.send({
      type: 'response.done',
      response: {
        id: 'r2',
        status: 'cancelled',
        status_details: { type: 'cancelled', reason: 'turn_detected' },
      },
    });
    await settle();
    env.clock.advance(1000);
    expect(env.played).toHaveLength(1);
    expect(env.dropped).toMatchObject([{ reason: 'stale', responseId: 'r2', bytes: 4800 }]);
    expect(env.transcripts.map((t) => [t.text, t.final])).toEqual([
      ['ഇന്ന്', false],
      ['ഇന്ന്', true],
    ]);
    expect(env.responses).toEqual([
      { responseId: 'r1', status: 'completed' },
      { responseId: 'r2', status: 'cancelled', reason: 'turn_detected' },
    ]);
    // The next reply plays normally.
    conn.send({ type: 'response.created', response: { id: 'r3' } });
    conn.send(delta('r3', 20));
    await settle();
    env.clock.advance(20);
    expect(env.played.map((p) => p.responseId)).toEqual(['r1', 'r3']);
  });

  it('drops malformed deltas and reports them', async () => {
    const env = await setup();
    const conn = await ready(env);
    conn.send({ type: 'response.created', response: { id: 'r1' } });
    conn.send(delta('r1', 10, { delta: 'AAA' }));
    conn.send(delta('r1', 10, { delta: 'AA==' }));
    conn.send(delta('r1', 10, { delta: '' }));
    conn.send(delta('r1', 10, { delta: 'data:audio/pcm;base64,AAAA' }));
    conn.send(delta('r1', 10));
    await settle();
    env.clock.advance(10);
    expect(env.dropped.map((d) => d.detail)).toEqual([
      'audio is not strict base64',
      'audio has an odd number of bytes (1)',
      'audio is empty',
      'audio is not strict base64',
    ]);
    expect(env.played.map((p) => p.pcm.length)).toEqual([480]);
  });

  it('a late response.done of an old reply does not disturb the newer one', async () => {
    const env = await setup();
    const conn = await ready(env);
    conn.send({ type: 'response.created', response: { id: 'r1' } });
    conn.send({ type: 'response.created', response: { id: 'r2' } });
    conn.send({ type: 'response.done', response: { id: 'r1', status: 'cancelled' } });
    conn.send(delta('r2', 10));
    await settle();
    expect(env.client.interrupt()).toBe(true);
    const cancel = await conn.next('response.cancel');
    expect(cancel.response_id).toBe('r2');
  });

  it('cancels only while a reply is in flight, and stops playback on interrupt', async () => {
    const env = await setup();
    const conn = await ready(env);
    expect(env.client.interrupt()).toBe(false);
    conn.send({ type: 'response.created', response: { id: 'r1' } });
    conn.send(delta('r1', 100));
    await settle();
    expect(env.client.interrupt()).toBe(true);
    expect(env.stops).toMatchObject([{ reason: 'interrupt', droppedBytes: 4800 }]);
    expect(env.client.interrupt()).toBe(false); // already being cancelled
    conn.send(delta('r1', 100));
    conn.send({ type: 'response.done', response: { id: 'r1', status: 'cancelled' } });
    await settle();
    expect(env.client.interrupt()).toBe(false);
    // A race: the reply ended before the cancel arrived. Recoverable.
    conn.send({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'response_cancel_not_active', message: 'x' },
    });
    await settle();
    expect(conn.all('response.cancel')).toHaveLength(1);
    expect(env.errors.map((e) => [e.code, e.fatal])).toEqual([
      ['response_cancel_not_active', false],
    ]);
    expect(env.client.state).toBe('ready');
    expect(env.dropped.map((d) => d.reason)).toEqual(['stale']);
    expectConformingFrames(conn);
  });
});

describe('SwaramClient: tools', () => {
  const callEvent = (callId: string, name: string, args: string) => ({
    type: 'response.function_call_arguments.done',
    response_id: 'r1',
    item_id: `item_${callId}`,
    output_index: 0,
    call_id: callId,
    name,
    arguments: args,
  });

  it('answers each call once, with its call_id and a string output, and never nudges', async () => {
    const runs: unknown[] = [];
    const env = await setup(
      {},
      {
        get_weather: (args) => {
          runs.push(args);
          return { temp_c: 31 };
        },
        broken: () => {
          throw new Error('down');
        },
      },
    );
    const conn = await ready(env);
    conn.send({ type: 'response.created', response: { id: 'r1' } });
    conn.send(callEvent('call_1', 'get_weather', '{"city":"Kochi"}'));
    conn.send(callEvent('call_1', 'get_weather', '{"city":"Kochi"}'));
    conn.send({
      type: 'response.done',
      response: {
        id: 'r1',
        status: 'completed',
        output: [
          {
            type: 'function_call',
            id: 'item_call_1',
            call_id: 'call_1',
            name: 'get_weather',
            arguments: '{}',
          },
        ],
      },
    });
    conn.send(callEvent('call_2', 'unknown_tool', '{}'));
    conn.send(callEvent('call_3', 'get_weather', '{not json'));
    conn.send(callEvent('call_4', 'broken', '{}'));
    await conn.next('conversation.item.create', 4);
    await settle(50);
    const outputs = conn
      .all('conversation.item.create')
      .map((e) => e.item as Record<string, unknown>);
    outputs.sort((a, b) => String(a.call_id).localeCompare(String(b.call_id)));
    expect(outputs.map((o) => o.call_id)).toEqual(['call_1', 'call_2', 'call_3', 'call_4']);
    for (const o of outputs) {
      expect(o.type).toBe('function_call_output');
      expect(typeof o.output).toBe('string');
    }
    expect(outputs[0]!.output).toBe('{"temp_c":31}');
    expect(JSON.parse(outputs[1]!.output as string).error.code).toBe('unknown_tool');
    expect(JSON.parse(outputs[2]!.output as string).error.code).toBe('invalid_arguments');
    expect(JSON.parse(outputs[3]!.output as string).error.code).toBe('tool_failed');
    expect(runs).toEqual([{ city: 'Kochi' }]);
    expect(conn.all('response.create')).toEqual([]);
    expect(env.errors.map((e) => [e.kind, e.code]).sort()).toEqual([
      ['tool', 'invalid_arguments'],
      ['tool', 'tool_failed'],
      ['tool', 'unknown_tool'],
    ]);
    expectConformingFrames(conn);
  });

  it('acts on a function_call in response.done when arguments.done never came', async () => {
    const env = await setup({}, { get_weather: () => 'sunny' });
    const conn = await ready(env);
    conn.send({
      type: 'response.done',
      response: {
        id: 'r1',
        status: 'completed',
        output: [
          {
            type: 'function_call',
            id: 'i1',
            call_id: 'call_9',
            name: 'get_weather',
            arguments: '{}',
          },
        ],
      },
    });
    const answer = await conn.next('conversation.item.create');
    expect(answer.item).toEqual({
      type: 'function_call_output',
      call_id: 'call_9',
      output: 'sunny',
    });
  });

  it('never answers a call of a previous connection', async () => {
    let release: (value: string) => void = () => undefined;
    const env = await setup(
      {},
      {
        get_weather: () => new Promise<string>((resolve) => (release = resolve)),
      },
    );
    const first = await ready(env);
    first.send(callEvent('call_1', 'get_weather', '{}'));
    await settle();
    first.close(1013);
    await settle();
    env.clock.advance(10_000);
    const second = await env.server.connection(2);
    await second.acceptSession();
    await env.client.whenReady();
    second.send(callEvent('call_1', 'get_weather', '{}'));
    release('late');
    await settle(50);
    expect(second.all('conversation.item.create')).toEqual([]);
    expect(first.all('conversation.item.create')).toEqual([]);
    expect(env.errors.map((e) => e.code)).toContain('stale_tool_result');
  });

  it('answers a tool that never returns with a timeout error', async () => {
    const env = await setup(
      { toolTimeoutMs: 1000 },
      { get_weather: () => new Promise(() => undefined) },
    );
    const conn = await ready(env);
    conn.send(callEvent('call_1', 'get_weather', '{}'));
    await settle();
    env.clock.advance(1000);
    const answer = await conn.next('conversation.item.create');
    expect(JSON.parse((answer.item as { output: string }).output).error.code).toBe('tool_timeout');
  });
});

describe('SwaramClient: events, errors and transcripts', () => {
  it('survives error events, unknown events, unknown fields and garbage', async () => {
    const env = await setup();
    const conn = await ready(env);
    conn.send({
      type: 'error',
      error: { type: 'invalid_request_error', code: 'invalid_event', message: 'm' },
    });
    conn.send({ type: 'response.output_item.done', item: {} });
    conn.send({ type: 'conversation.item.added', item: {} });
    conn.sendRaw('{not json');
    conn.sendRaw('[1,2]');
    conn.send({
      type: 'response.created',
      response: { id: 'r1', future_field: 1 },
      surprise: true,
    });
    conn.send(delta('r1', 10, { extra: { nested: true } }));
    await settle();
    env.clock.advance(10);
    expect(env.played).toHaveLength(1);
    expect(env.client.state).toBe('ready');
    expect(env.errors.map((e) => [e.kind, e.code])).toEqual([
      ['protocol', 'invalid_event'],
      ['protocol', 'invalid_server_message'],
    ]);
  });

  it('attributes user transcripts by item_id even after the reply started', async () => {
    const env = await setup();
    const conn = await ready(env);
    conn.send({ type: 'response.created', response: { id: 'r1' } });
    conn.send({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r1',
      item_id: 'a1',
      delta: 'ഹലോ',
    });
    conn.send({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: 'u1',
      content_index: 0,
      transcript: 'നമസ്കാരം',
    });
    conn.send({
      type: 'conversation.item.input_audio_transcription.completed',
      item_id: 'u1',
      content_index: 0,
      transcript: 'നമസ്കാരം',
    });
    conn.send({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r1',
      item_id: 'a1',
      delta: '!',
    });
    conn.send({ type: 'response.done', response: { id: 'r1', status: 'completed' } });
    conn.send({ type: 'response.done', response: { id: 'r1', status: 'completed' } });
    await settle();
    expect(env.transcripts).toEqual([
      {
        role: 'assistant',
        itemId: 'a1',
        responseId: 'r1',
        text: 'ഹലോ',
        delta: 'ഹലോ',
        final: false,
      },
      { role: 'user', itemId: 'u1', text: 'നമസ്കാരം', final: true },
      { role: 'assistant', itemId: 'a1', responseId: 'r1', text: 'ഹലോ!', delta: '!', final: false },
      { role: 'assistant', itemId: 'a1', responseId: 'r1', text: 'ഹലോ!', final: true },
    ]);
    expect(env.responses).toHaveLength(1);
  });

  it('commits only after 100 ms of audio since the last commit or detected turn end', async () => {
    const env = await setup();
    const conn = await ready(env);
    env.client.appendAudio(pcm(60));
    expect(env.client.commit()).toBe(false);
    env.client.appendAudio(pcm(60));
    expect(env.client.commit()).toBe(true);
    expect(env.client.commit()).toBe(false);
    env.client.appendAudio(pcm(200));
    conn.send({ type: 'input_audio_buffer.speech_stopped', audio_end_ms: 500, item_id: 'u1' });
    await settle();
    expect(env.client.commit()).toBe(false);
    await settle();
    expect(conn.all('input_audio_buffer.commit')).toHaveLength(1);
    expectConformingFrames(conn);
  });
});

describe('SwaramClient: close codes and reconnection', () => {
  it.each([
    [4001, 'auth'],
    [4003, 'billing'],
    [4008, 'rate'],
  ] as const)('close %i: no reconnect, a distinct %s error', async (code, kind) => {
    const env = await setup();
    const conn = await ready(env);
    conn.send({ type: 'error', error: { type: 'invalid_request_error', code: 'x', message: 'm' } });
    conn.close(code, 'bye');
    await settle(50);
    env.clock.advance(60_000);
    await settle(50);
    expect(env.server.connections).toHaveLength(1);
    expect(env.errors.at(-1)).toMatchObject({ kind, code: String(code), fatal: true });
    expect(env.states.at(-1)).toMatchObject({ state: 'closed', code, by: 'server' });
    await expect(env.client.whenReady()).rejects.toThrow(/closed/);
  });

  it('reconnects after 1013 with a jittered backoff, on a fresh session that sends session.update first', async () => {
    const env = await setup();
    const first = await ready(env);
    first.close(1013);
    await settle();
    const reconnecting = env.states.at(-1);
    expect(reconnecting).toMatchObject({ state: 'reconnecting', attempt: 2, code: 1013 });
    expect(reconnecting?.delayMs).toBe(250 + 0.5 * (1500 - 250));
    env.clock.advance(reconnecting!.delayMs! - 1);
    await settle();
    expect(env.server.connections).toHaveLength(1);
    env.clock.advance(1);
    const second = await env.server.connection(2);
    expect((await second.next('session.update')).session).toMatchObject({ voice: 'mal-female' });
    expect(second.received[0]?.type).toBe('session.update');
    // The second attempt fails too: the delay grows.
    second.close(1013);
    await settle();
    expect(env.states.at(-1)).toMatchObject({
      state: 'reconnecting',
      attempt: 3,
      delayMs: 250 + 0.5 * (3000 - 250),
    });
    env.clock.advance(10_000);
    const third = await env.server.connection(3);
    await third.acceptSession();
    await env.client.whenReady();
    expect(env.errors.map((e) => [e.kind, e.fatal])).toEqual([
      ['transient', false],
      ['transient', false],
    ]);
  });

  it('gives up after the attempt limit', async () => {
    const env = await setup({
      backoff: new ExponentialBackoff({ maxAttempts: 1, random: () => 0 }),
    });
    const first = await ready(env);
    first.close(1013);
    await settle();
    env.clock.advance(250);
    const second = await env.server.connection(2);
    second.close(1013);
    await settle();
    expect(env.states.at(-1)).toMatchObject({ state: 'closed' });
    expect(env.errors.at(-1)).toMatchObject({ code: 'reconnect_exhausted', fatal: true });
  });

  it('treats a close after server_error like 1013, but stays on an open socket', async () => {
    const env = await setup();
    const first = await ready(env);
    first.send({
      type: 'error',
      error: { type: 'server_error', code: 'server_error', message: 'retry' },
    });
    await settle();
    expect(env.client.state).toBe('ready');
    first.close(1000);
    await settle();
    expect(env.states.at(-1)).toMatchObject({ state: 'reconnecting', code: 1000 });
  });

  it('does not reconnect after a clean 1000 from the server', async () => {
    const env = await setup();
    const conn = await ready(env);
    conn.close(1000);
    await settle();
    env.clock.advance(60_000);
    await settle();
    expect(env.states.at(-1)).toMatchObject({ state: 'closed', code: 1000 });
    expect(env.errors).toEqual([]);
    expect(env.server.connections).toHaveLength(1);
  });

  it('closes with 1000 on end() and sends nothing after', async () => {
    const env = await setup();
    const conn = await ready(env);
    conn.send({ type: 'response.created', response: { id: 'r1' } });
    conn.send(delta('r1', 500));
    await settle();
    env.client.end();
    env.client.appendAudio(pcm(100));
    env.client.flushAudio();
    expect(env.client.interrupt()).toBe(false);
    expect(await conn.closed).toEqual({ code: 1000, reason: 'session ended' });
    await settle();
    expect(env.states.at(-1)).toMatchObject({ state: 'closed', code: 1000, by: 'client' });
    expect(env.stops).toMatchObject([{ reason: 'end' }]);
    expect(conn.all('input_audio_buffer.append')).toEqual([]);
  });

  it('detects a dead connection (no pong) and reconnects', async () => {
    const env = await setup({ pingIntervalMs: 15_000, pongTimeoutMs: 10_000 });
    env.client.connect();
    const conn = await env.server.connection();
    await conn.acceptSession();
    await env.client.whenReady();
    // The server stops reading: pings go unanswered.
    (conn.socket as unknown as { _socket: { pause(): void } })._socket.pause();
    env.clock.advance(15_000);
    await settle();
    env.clock.advance(10_000);
    await settle(50);
    expect(env.errors.at(-1)).toMatchObject({ kind: 'network', code: '1006' });
    expect(env.errors.at(-1)?.message).toContain('no pong');
    expect(env.states.at(-1)).toMatchObject({ state: 'reconnecting', by: 'network' });
  });

  it('does not cancel a reply swaram is already cancelling after a barge-in', async () => {
    const env = await setup();
    const conn = await ready(env);
    conn.send({ type: 'response.created', response: { id: 'r1' } });
    conn.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 0, item_id: 'u1' });
    await settle();
    expect(env.client.interrupt()).toBe(false);
    await settle();
    expect(conn.all('response.cancel')).toEqual([]);
  });

  it('ends quietly when it never connected', async () => {
    const env = await setup();
    env.client.end();
    expect(env.states).toEqual([]);
    expect(env.client.state).toBe('closed');
  });

  it('answers pings while idle', async () => {
    const env = await setup();
    const conn = await ready(env);
    const pong = new Promise<void>((resolve) => conn.socket.once('pong', () => resolve()));
    conn.socket.ping();
    await pong;
  });

  it('can authenticate with a subprotocol or a query parameter', async () => {
    const sub = await setup({ auth: 'subprotocol' });
    sub.client.connect();
    const conn = await sub.server.connection();
    expect(conn.request.headers['sec-websocket-protocol']).toBe(
      'realtime,openai-insecure-api-key.swaram_test_key',
    );
    const query = await setup({ auth: 'query', model: 'mal-realtime-premium' });
    query.client.connect();
    const conn2 = await query.server.connection();
    expect(conn2.request.url).toBe(
      '/v1/realtime?model=mal-realtime-premium&api_key=swaram_test_key',
    );
    expect(conn2.request.headers.authorization).toBeUndefined();
  });
});
