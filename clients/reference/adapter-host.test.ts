import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { validateAdapterMessage } from '../../conformance/target/adapter-protocol.js';
import { resolveTarget } from '../../conformance/target/resolve-target.js';
import { Target } from '../../conformance/target/target.js';
import { AdapterHost, REFERENCE_FEATURES } from './adapter-host.js';
import { ManualClock, encodePcm16 } from './sdk/index.js';
import { FakeSwaramServer } from './test-support/fake-swaram-server.js';

/*
 * The adapter in-process on a pair of streams (fast), and once as a real process through the
 * runner's Target (the path the conformance runner takes).
 */

type Line = Record<string, unknown> & { type: string };

const servers: FakeSwaramServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

function startHost() {
  const input = new PassThrough();
  const output = new PassThrough();
  const clock = new ManualClock();
  const lines: Line[] = [];
  const invalid: string[] = [];
  const exits: number[] = [];
  let buffer = '';
  output.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const text = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (text === '') continue;
      const value = JSON.parse(text) as Line;
      if (!validateAdapterMessage(value).ok) invalid.push(text);
      lines.push(value);
    }
  });
  const host = new AdapterHost({
    client: { name: 'test', version: '0.0.0' },
    input,
    output,
    clock,
    log: () => undefined,
    exit: (code) => exits.push(code),
  });
  host.start();
  let nextId = 0;
  const send = (command: Record<string, unknown>): number => {
    const id = ++nextId;
    input.write(JSON.stringify({ id, ...command }) + '\n');
    return id;
  };
  const until = async (predicate: () => boolean, what: string) => {
    const deadline = Date.now() + 3000;
    while (!predicate()) {
      if (Date.now() > deadline) {
        throw new Error(`timed out waiting for ${what}: ${JSON.stringify(lines.slice(-5))}`);
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const reply = async (id: number) => {
    await until(() => lines.some((l) => l.type === 'reply' && l.id === id), `reply ${id}`);
    return lines.find((l) => l.type === 'reply' && l.id === id)!;
  };
  const observed = async (type: string, where: (l: Line) => boolean = () => true) => {
    await until(() => lines.some((l) => l.type === type && where(l)), type);
    return lines.find((l) => l.type === type && where(l))!;
  };
  return { input, lines, invalid, exits, clock, send, reply, observed, until };
}

describe('AdapterHost', () => {
  it('says hello first, with every feature of the reference client', () => {
    const h = startHost();
    expect(h.lines[0]).toEqual({
      type: 'hello',
      protocol: 'swaram-adapter/1',
      client: { name: 'test', version: '0.0.0' },
      features: [...REFERENCE_FEATURES],
    });
  });

  it('refuses bad commands with the documented codes and never crashes', async () => {
    const h = startHost();
    h.input.write('not json\n');
    h.input.write('{"type":"end"}\n');
    await h.until(() => h.lines.length >= 3, 'two refusals');
    expect(h.lines.slice(1)).toMatchObject([
      { type: 'reply', id: null, ok: false, error: { code: 'invalid_json' } },
      { type: 'reply', id: null, ok: false, error: { code: 'invalid_command' } },
    ]);
    const codeOf = async (command: Record<string, unknown>) =>
      ((await h.reply(h.send(command))).error as { code: string } | undefined)?.code;
    expect(await codeOf({ type: 'dance' })).toBe('unknown_command');
    expect(await codeOf({ type: 'mic.audio', audio: 'AAAA' })).toBe('bad_state');
    expect(await codeOf({ type: 'interrupt' })).toBe('bad_state');
    expect(await codeOf({ type: 'connect', url: 'ws://x' })).toBe('invalid_command');
    expect(await codeOf({ type: 'tool.result', call_id: 'nope', output: '' })).toBe('unknown_call');
    expect(await codeOf({ type: 'tool.result', call_id: 'c', output: '', error: 'e' })).toBe(
      'invalid_command',
    );
    expect(await codeOf({ type: 'mic.end' })).toBeUndefined();
    expect(h.invalid).toEqual([]);
  });

  it('drives a whole session and reports it in valid observations', async () => {
    const server = await FakeSwaramServer.start();
    servers.push(server);
    const h = startHost();
    const connectId = h.send({
      type: 'connect',
      url: server.url,
      apiKey: 'swaram_test_key',
      model: 'mal-realtime-simple',
      session: {
        instructions: 'hi',
        tools: [{ type: 'function', name: 'get_weather', parameters: { type: 'object' } }],
      },
      options: { reportAudio: true },
    });
    expect(await h.reply(connectId)).toMatchObject({ ok: true });
    const conn = await server.connection();
    await conn.acceptSession();
    await h.observed('connection', (l) => l.state === 'ready');
    expect(h.lines.filter((l) => l.type === 'connection').map((l) => [l.state, l.attempt])).toEqual(
      [
        ['connecting', 1],
        ['open', 1],
        ['ready', 1],
      ],
    );
    expect(
      (await h.reply(h.send({ type: 'connect', url: server.url, apiKey: 'k', model: 'm' }))).error,
    ).toMatchObject({ code: 'bad_state' });

    // Microphone audio reaches the wire through the client.
    const mic = encodePcm16(new Uint8Array(1920).fill(3));
    await h.reply(h.send({ type: 'mic.audio', audio: mic }));
    const append = await conn.next('input_audio_buffer.append');
    expect(append.audio).toBe(mic);
    expect((await h.reply(h.send({ type: 'mic.audio', audio: 'AAA' }))).error).toMatchObject({
      code: 'invalid_command',
    });

    // A tool call goes to the runner and its result back to swaram.
    conn.send({
      type: 'response.function_call_arguments.done',
      response_id: 'r1',
      item_id: 'item_9',
      output_index: 0,
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Kochi"}',
    });
    expect(await h.observed('tool.invoke')).toEqual({
      type: 'tool.invoke',
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Kochi"}',
      item_id: 'item_9',
      response_id: 'r1',
    });
    await h.reply(h.send({ type: 'tool.result', call_id: 'call_1', output: '{"temp_c":31}' }));
    const answer = await conn.next('conversation.item.create');
    expect(answer.item).toEqual({
      type: 'function_call_output',
      call_id: 'call_1',
      output: '{"temp_c":31}',
    });
    conn.send({
      type: 'response.function_call_arguments.done',
      response_id: 'r1',
      item_id: 'item_10',
      output_index: 0,
      call_id: 'call_2',
      name: 'get_weather',
      arguments: '{}',
    });
    await h.observed('tool.invoke', (l) => l.call_id === 'call_2');
    await h.reply(h.send({ type: 'tool.result', call_id: 'call_2', error: 'service down' }));
    const failed = await conn.next('conversation.item.create', 2);
    expect(JSON.parse((failed.item as { output: string }).output)).toEqual({
      error: { code: 'tool_failed', message: 'service down' },
    });
    await h.observed('error', (l) => l.kind === 'tool');

    // Audio plays through the virtual speaker; barge-in stops it.
    conn.send({ type: 'response.created', response: { id: 'r2' } });
    const audio = encodePcm16(new Uint8Array(4800).fill(5));
    conn.send({
      type: 'response.output_audio.delta',
      response_id: 'r2',
      item_id: 'item_11',
      output_index: 0,
      content_index: 0,
      delta: audio,
    });
    conn.send({
      type: 'response.output_audio.delta',
      response_id: 'r2',
      item_id: 'item_11',
      output_index: 0,
      content_index: 0,
      delta: audio,
    });
    conn.send({
      type: 'response.output_audio_transcript.delta',
      response_id: 'r2',
      item_id: 'item_11',
      delta: 'മഴ',
    });
    await h.observed('transcript');
    h.clock.advance(100);
    expect(await h.observed('audio.played')).toEqual({
      type: 'audio.played',
      response_id: 'r2',
      item_id: 'item_11',
      bytes: 4800,
      audio,
    });
    h.clock.advance(25);
    conn.send({ type: 'input_audio_buffer.speech_started', audio_start_ms: 10, item_id: 'u2' });
    expect(await h.observed('playback.stopped')).toEqual({
      type: 'playback.stopped',
      reason: 'barge-in',
      droppedBytes: 3600,
      response_ids: ['r2'],
    });
    conn.send({
      type: 'response.done',
      response: { id: 'r2', status: 'cancelled', status_details: { reason: 'turn_detected' } },
    });
    expect(await h.observed('response')).toEqual({
      type: 'response',
      response_id: 'r2',
      status: 'cancelled',
      reason: 'turn_detected',
    });
    expect(h.lines.filter((l) => l.type === 'audio.played').map((l) => l.bytes)).toEqual([
      4800, 1200,
    ]);
    await h.reply(h.send({ type: 'interrupt' }));
    await h.reply(h.send({ type: 'commit' }));

    // The app ends the session: a clean 1000.
    await h.reply(h.send({ type: 'end' }));
    expect(await conn.closed).toMatchObject({ code: 1000 });
    expect(await h.observed('connection', (l) => l.state === 'closed')).toMatchObject({
      code: 1000,
      by: 'client',
    });

    const shutdown = h.send({ type: 'shutdown' });
    await h.reply(shutdown);
    await h.until(() => h.exits.length === 1, 'exit');
    expect(h.exits).toEqual([0]);
    expect(conn.all('response.create')).toEqual([]);
    expect(h.invalid).toEqual([]);
  });

  it('exits when its input ends', async () => {
    const h = startHost();
    h.input.end();
    await h.until(() => h.exits.length === 1, 'exit');
  });
});

describe('clients/reference as a target', () => {
  it('starts through its manifest and shakes hands with the runner', async () => {
    const folder = fileURLToPath(new URL('.', import.meta.url));
    const target = new Target(resolveTarget({ target: folder }));
    try {
      const hello = await target.start();
      expect(hello).toMatchObject({
        protocol: 'swaram-adapter/1',
        client: { name: 'swaram-reference-ts', language: 'typescript' },
      });
      expect(target.supports('barge-in')).toBe(true);
      const refused = await target.request({ type: 'interrupt' });
      expect(refused.reply).toMatchObject({ ok: false, error: { code: 'bad_state' } });
    } finally {
      expect(await target.stop()).toMatchObject({ how: 'shutdown', code: 0 });
    }
    expect(target.findings).toEqual([]);
  });
});
