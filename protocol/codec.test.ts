import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import {
  decodedBase64Length,
  isStrictBase64,
  MAX_VIOLATIONS,
  parseClientEvent,
  parseServerEvent,
  pcm16Base64Problem,
  serializeEvent,
  TextFrame,
  validateClientEvent,
  validateServerEvent,
  violationsFromAjv,
} from './codec.js';
import type { ParseResult, Violation, ViolationCode } from './codec.js';
import type { ClientEvent, ServerEvent } from './events.js';
import { clientEventSchemas, serverEventSchemas } from './schemas/index.js';

// ---------------------------------------------------------------------------------------------
// Helpers

const pcm = (...samples: number[]) =>
  Buffer.from(Int16Array.from(samples).buffer).toString('base64');
const AUDIO = pcm(0, 1200, -1200, 300);
const MALAYALAM = 'നമസ്കാരം, എനിക്ക് സഹായം വേണം';

type Side = 'client' | 'server';
const parse = (side: Side, frame: string | Uint8Array, strict = false) =>
  side === 'client'
    ? (parseClientEvent(frame, { strict }) as ParseResult<{ type: string }>)
    : (parseServerEvent(frame, { strict }) as ParseResult<{ type: string }>);

function violationsOf(result: ParseResult<{ type: string }>): readonly Violation[] {
  return result.ok ? [] : result.violations;
}

const CODES: readonly ViolationCode[] = [
  'invalid_json',
  'unknown_event',
  'unsupported_event',
  'invalid_event',
  'invalid_audio',
];

/** The shape every result must have, whatever the input. */
function expectWellFormed(result: ParseResult<{ type: string }>): void {
  if (result.ok) {
    expect(result.type).toBe(result.event.type);
    return;
  }
  expect(result.violations.length).toBeGreaterThanOrEqual(1);
  expect(result.violations.length).toBeLessThanOrEqual(MAX_VIOLATIONS);
  for (const v of result.violations) {
    expect(CODES).toContain(v.code);
    expect(v.path === '' || v.path.startsWith('/')).toBe(true);
    expect(typeof v.message).toBe('string');
    expect(v.message.length).toBeGreaterThan(0);
  }
}

// ---------------------------------------------------------------------------------------------
// Documented examples

const schemaExamples = [
  ...Object.entries(clientEventSchemas).flatMap(([type, s]) =>
    s.examples.map((example, i) => ({ side: 'client' as const, name: `${type} #${i}`, example })),
  ),
  ...Object.entries(serverEventSchemas).flatMap(([type, s]) =>
    s.examples.map((example, i) => ({ side: 'server' as const, name: `${type} #${i}`, example })),
  ),
];

/** swaram's documented shapes, written out as the wire would carry them. */
const documented: { name: string; side: Side; event: object }[] = [
  {
    name: 'flat session.update with the default voice',
    side: 'client',
    event: { type: 'session.update', session: { voice: 'mal-female' } },
  },
  {
    name: 'flat session.update with every documented setting',
    side: 'client',
    event: {
      type: 'session.update',
      event_id: 'evt_1',
      session: {
        instructions: 'മലയാളത്തിൽ മറുപടി പറയുക.',
        voice: 'mal-male',
        tools: [{ type: 'function', name: 'lookup', description: 'd', parameters: {} }],
        tool_choice: 'required',
        turn_detection: { type: 'server_vad', silence_duration_ms: 500, prefix_padding_ms: 300 },
      },
    },
  },
  {
    name: 'GA nested session.update (extension)',
    side: 'client',
    event: {
      type: 'session.update',
      session: {
        type: 'realtime',
        model: 'mal-realtime-simple',
        output_modalities: ['audio'],
        audio: {
          input: { format: { type: 'audio/pcm', rate: 24000 }, turn_detection: null },
          output: { format: { type: 'audio/pcm', rate: 24000 }, voice: 'mal-female' },
        },
        tool_choice: 'none',
      },
    },
  },
  {
    name: 'append of 100 ms of silence',
    side: 'client',
    event: { type: 'input_audio_buffer.append', audio: Buffer.alloc(4800).toString('base64') },
  },
  {
    name: 'the error example without a top-level event_id',
    side: 'server',
    event: {
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'invalid_event',
        message: 'Invalid event.',
      },
    },
  },
  {
    name: 'a Malayalam transcript',
    side: 'server',
    event: {
      type: 'conversation.item.input_audio_transcription.completed',
      event_id: 'event_5',
      item_id: 'item_1',
      transcript: MALAYALAM,
    },
  },
  {
    name: 'response.done cancelled by the client',
    side: 'server',
    event: {
      type: 'response.done',
      event_id: 'e',
      response: {
        id: 'resp_1',
        status: 'cancelled',
        status_details: { type: 'cancelled', reason: 'client_cancelled' },
        output: [],
      },
    },
  },
  {
    name: 'response.done incomplete after barge-in (accepted alternative)',
    side: 'server',
    event: {
      type: 'response.done',
      event_id: 'e',
      response: {
        id: 'resp_1',
        status: 'incomplete',
        status_details: { type: 'incomplete', reason: 'turn_detected' },
        output: [],
      },
    },
  },
  {
    name: 'response.done failed with an error',
    side: 'server',
    event: {
      type: 'response.done',
      event_id: 'e',
      response: {
        id: 'resp_1',
        status: 'failed',
        status_details: { type: 'failed', error: { type: 'server_error', code: 'server_error' } },
        output: [],
        usage: null,
      },
    },
  },
  {
    name: 'response.done with a tool call in its output',
    side: 'server',
    event: {
      type: 'response.done',
      event_id: 'e',
      response: {
        id: 'resp_2',
        object: 'realtime.response',
        status: 'completed',
        output: [
          {
            id: 'item_3',
            type: 'function_call',
            call_id: 'call_1',
            name: 'get_weather',
            arguments: '{"city":"Kochi"}',
          },
        ],
      },
    },
  },
];

/** The turn flows of swaram's protocol, frame by frame (server side). */
const flows: Record<string, object[]> = {
  'automatic turn': [
    { type: 'input_audio_buffer.speech_started', event_id: 'e1', audio_start_ms: 0, item_id: 'i1' },
    { type: 'input_audio_buffer.speech_stopped', event_id: 'e2', audio_end_ms: 900, item_id: 'i1' },
    {
      type: 'conversation.item.created',
      event_id: 'e3',
      item: {
        id: 'i1',
        type: 'message',
        role: 'user',
        content: [{ type: 'input_audio', text: MALAYALAM }],
      },
    },
    {
      type: 'response.created',
      event_id: 'e4',
      response: { id: 'r1', object: 'realtime.response', status: 'in_progress', output: [] },
    },
    ...[0, 1].flatMap((n) => [
      {
        type: 'response.output_audio.delta',
        event_id: `e5${n}`,
        response_id: 'r1',
        item_id: 'i2',
        output_index: 0,
        content_index: 0,
        delta: Buffer.alloc(4800, n).toString('base64'),
      },
      {
        type: 'response.output_audio_transcript.delta',
        event_id: `e6${n}`,
        response_id: 'r1',
        item_id: 'i2',
        output_index: 0,
        content_index: 0,
        delta: 'ശരി ',
      },
    ]),
    {
      type: 'conversation.item.input_audio_transcription.completed',
      event_id: 'e7',
      item_id: 'i1',
      transcript: MALAYALAM,
    },
    {
      type: 'response.done',
      event_id: 'e8',
      response: {
        id: 'r1',
        status: 'completed',
        output: [
          {
            id: 'i2',
            type: 'message',
            role: 'assistant',
            content: [{ type: 'output_audio', transcript: 'ശരി ശരി ' }],
          },
        ],
      },
    },
  ],
  'tool turn': [
    {
      type: 'response.function_call_arguments.done',
      event_id: 'e1',
      response_id: 'r1',
      item_id: 'i3',
      output_index: 0,
      call_id: 'call_9',
      name: 'get_weather',
      arguments: '{}',
    },
    {
      type: 'response.done',
      event_id: 'e2',
      response: { id: 'r1', status: 'completed', output: [] },
    },
    {
      type: 'conversation.item.created',
      event_id: 'e3',
      previous_item_id: 'i3',
      item: { id: 'i4', type: 'function_call_output', call_id: 'call_9', output: '{"ok":true}' },
    },
    {
      type: 'response.created',
      event_id: 'e4',
      response: { id: 'r2', status: 'in_progress', output: [] },
    },
  ],
  'barge-in': [
    {
      type: 'input_audio_buffer.speech_started',
      event_id: 'e1',
      audio_start_ms: 5200,
      item_id: 'i5',
    },
    {
      type: 'response.done',
      event_id: 'e2',
      response: {
        id: 'r2',
        status: 'cancelled',
        status_details: { type: 'cancelled', reason: 'turn_detected' },
        output: [],
      },
    },
  ],
};

describe('documented examples validate, strict and tolerant', () => {
  it.each(schemaExamples)('schema example $side $name', ({ side, example }) => {
    for (const strict of [true, false]) {
      const result = parse(side, JSON.stringify(example), strict);
      expect(violationsOf(result)).toEqual([]);
      expect(result.ok && result.event).toEqual(example);
    }
  });

  it.each(documented)('$name', ({ side, event }) => {
    for (const strict of [true, false]) {
      expect(violationsOf(parse(side, JSON.stringify(event), strict))).toEqual([]);
    }
  });

  it.each(Object.entries(flows))('every frame of the %s flow', (_name, frames) => {
    for (const frame of frames) {
      expect(violationsOf(parseServerEvent(JSON.stringify(frame), { strict: true }))).toEqual([]);
    }
  });

  it('the tool result of the tool turn', () => {
    const result = parseClientEvent(
      '{"type":"conversation.item.create","item":{"type":"function_call_output","call_id":"call_9","output":"{\\"ok\\":true}"}}',
      { strict: true },
    );
    expect(violationsOf(result)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// Targeted invalid events

const append = (audio: unknown) => JSON.stringify({ type: 'input_audio_buffer.append', audio });
const update = (session: unknown) => JSON.stringify({ type: 'session.update', session });
const itemCreate = (item: unknown) => JSON.stringify({ type: 'conversation.item.create', item });
const delta = (patch: object) =>
  JSON.stringify({
    type: 'response.output_audio.delta',
    event_id: 'e',
    response_id: 'r',
    item_id: 'i',
    output_index: 0,
    content_index: 0,
    delta: AUDIO,
    ...patch,
  });
const done = (response: object) =>
  JSON.stringify({
    type: 'response.done',
    event_id: 'e',
    response: { id: 'r', status: 'completed', output: [], ...response },
  });

interface InvalidCase {
  name: string;
  side: Side;
  frame: string;
  code: ViolationCode;
  path: string;
  strict?: boolean;
}

const invalid: InvalidCase[] = [
  // Not an event at all.
  { name: 'not JSON', side: 'client', frame: 'hello', code: 'invalid_json', path: '' },
  { name: 'empty frame', side: 'client', frame: '', code: 'invalid_json', path: '' },
  {
    name: 'truncated JSON',
    side: 'server',
    frame: '{"type":"error"',
    code: 'invalid_json',
    path: '',
  },
  { name: 'JSON array', side: 'client', frame: '[]', code: 'invalid_event', path: '' },
  { name: 'JSON null', side: 'client', frame: 'null', code: 'invalid_event', path: '' },
  { name: 'JSON number', side: 'server', frame: '42', code: 'invalid_event', path: '' },
  {
    name: 'JSON string',
    side: 'client',
    frame: '"session.update"',
    code: 'invalid_event',
    path: '',
  },
  {
    name: 'object without type',
    side: 'client',
    frame: '{}',
    code: 'invalid_event',
    path: '/type',
  },
  {
    name: 'non-string type',
    side: 'client',
    frame: '{"type":7}',
    code: 'invalid_event',
    path: '/type',
  },
  // Unknown and unsupported types.
  {
    name: 'unknown type',
    side: 'client',
    frame: '{"type":"foo.bar"}',
    code: 'unknown_event',
    path: '/type',
  },
  {
    name: 'a server event sent by a client',
    side: 'client',
    frame: '{"type":"session.created","event_id":"e","session":{}}',
    code: 'unknown_event',
    path: '/type',
  },
  {
    name: 'OpenAI-only client event',
    side: 'client',
    frame:
      '{"type":"conversation.item.truncate","item_id":"i","content_index":0,"audio_end_ms":10}',
    code: 'unsupported_event',
    path: '/type',
  },
  {
    name: 'OpenAI output_audio_buffer.clear',
    side: 'client',
    frame: '{"type":"output_audio_buffer.clear"}',
    code: 'unsupported_event',
    path: '/type',
  },
  {
    name: 'OpenAI-only server event',
    side: 'server',
    frame: '{"type":"input_audio_buffer.committed","event_id":"e","item_id":"i"}',
    code: 'unsupported_event',
    path: '/type',
  },
  {
    name: 'OpenAI beta audio delta name',
    side: 'server',
    frame: '{"type":"response.audio.delta","event_id":"e","delta":"AAAA"}',
    code: 'unsupported_event',
    path: '/type',
  },
  // Missing fields, wrong types, bad enums.
  {
    name: 'append without audio',
    side: 'client',
    frame: '{"type":"input_audio_buffer.append"}',
    code: 'invalid_event',
    path: '/audio',
  },
  {
    name: 'audio as a number',
    side: 'client',
    frame: append(12),
    code: 'invalid_event',
    path: '/audio',
  },
  {
    name: 'audio as an array',
    side: 'client',
    frame: append([1, 2]),
    code: 'invalid_event',
    path: '/audio',
  },
  {
    name: 'session.update without session',
    side: 'client',
    frame: '{"type":"session.update"}',
    code: 'invalid_event',
    path: '/session',
  },
  {
    name: 'session not an object',
    side: 'client',
    frame: update('mal-female'),
    code: 'invalid_event',
    path: '/session',
  },
  {
    name: 'OpenAI voice',
    side: 'client',
    frame: update({ voice: 'alloy' }),
    code: 'invalid_event',
    path: '/session/voice',
  },
  {
    name: 'bad tool_choice',
    side: 'client',
    frame: update({ tool_choice: 'sometimes' }),
    code: 'invalid_event',
    path: '/session/tool_choice',
  },
  {
    name: 'tools not an array',
    side: 'client',
    frame: update({ tools: {} }),
    code: 'invalid_event',
    path: '/session/tools',
  },
  {
    name: 'tool without name',
    side: 'client',
    frame: update({ tools: [{ type: 'function' }] }),
    code: 'invalid_event',
    path: '/session/tools/0/name',
  },
  {
    name: 'non-function tool',
    side: 'client',
    frame: update({ tools: [{ type: 'mcp', name: 'x' }] }),
    code: 'invalid_event',
    path: '/session/tools/0/type',
  },
  {
    name: 'instructions as a number',
    side: 'client',
    frame: update({ instructions: 3 }),
    code: 'invalid_event',
    path: '/session/instructions',
  },
  {
    name: 'turn_detection as a string',
    side: 'client',
    frame: update({ turn_detection: 'auto' }),
    code: 'invalid_event',
    path: '/session/turn_detection',
  },
  {
    name: 'turn_detection threshold out of range',
    side: 'client',
    frame: update({ turn_detection: { type: 'server_vad', threshold: 2 } }),
    code: 'invalid_event',
    path: '/session/turn_detection/threshold',
  },
  {
    name: 'GA nested shape with an OpenAI voice',
    side: 'client',
    frame: update({ type: 'realtime', audio: { output: { voice: 'alloy' } } }),
    code: 'invalid_event',
    path: '/session/audio/output/voice',
  },
  {
    name: 'GA nested shape with G.711 input',
    side: 'client',
    frame: update({ type: 'realtime', audio: { input: { format: { type: 'audio/pcmu' } } } }),
    code: 'invalid_event',
    path: '/session/audio/input/format/type',
  },
  {
    name: 'event_id as a number',
    side: 'client',
    frame: '{"type":"input_audio_buffer.commit","event_id":5}',
    code: 'invalid_event',
    path: '/event_id',
  },
  {
    name: 'response_id as a number',
    side: 'client',
    frame: '{"type":"response.cancel","response_id":1}',
    code: 'invalid_event',
    path: '/response_id',
  },
  {
    name: 'response overrides not an object',
    side: 'client',
    frame: '{"type":"response.create","response":[]}',
    code: 'invalid_event',
    path: '/response',
  },
  {
    name: 'item not a tool result',
    side: 'client',
    frame: itemCreate({ type: 'message', role: 'user', content: [] }),
    code: 'invalid_event',
    path: '/item/type',
  },
  {
    name: 'tool result without call_id',
    side: 'client',
    frame: itemCreate({ type: 'function_call_output', output: '{}' }),
    code: 'invalid_event',
    path: '/item/call_id',
  },
  {
    name: 'tool result with empty call_id',
    side: 'client',
    frame: itemCreate({ type: 'function_call_output', call_id: '', output: '{}' }),
    code: 'invalid_event',
    path: '/item/call_id',
  },
  {
    name: 'tool result output as an object',
    side: 'client',
    frame: itemCreate({ type: 'function_call_output', call_id: 'c', output: { ok: true } }),
    code: 'invalid_event',
    path: '/item/output',
  },
  // Audio.
  {
    name: 'odd byte count',
    side: 'client',
    frame: append('AAAA'),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'one byte',
    side: 'client',
    frame: append('AA=='),
    code: 'invalid_audio',
    path: '/audio',
  },
  { name: 'empty audio', side: 'client', frame: append(''), code: 'invalid_audio', path: '/audio' },
  {
    name: 'whitespace inside',
    side: 'client',
    frame: append(`${AUDIO.slice(0, 4)} ${AUDIO.slice(4)}`),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'line breaks (MIME style)',
    side: 'client',
    frame: append(`${AUDIO.slice(0, 4)}\n${AUDIO.slice(4)}`),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'trailing newline',
    side: 'client',
    frame: append(`${AUDIO}\n`),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'data: URL',
    side: 'client',
    frame: append(`data:audio/pcm;base64,${AUDIO}`),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'missing padding',
    side: 'client',
    frame: append('AAAAAA'),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'padding in the middle',
    side: 'client',
    frame: append('AA==AAAA'),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'too much padding',
    side: 'client',
    frame: append('AAAAA==='),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'non-canonical character before ==',
    side: 'client',
    frame: append('AAAAAB=='),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'non-canonical last character',
    side: 'client',
    frame: append('AAB='),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'base64url alphabet',
    side: 'client',
    frame: append('AA-_AAAA'),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'non-ASCII character',
    side: 'client',
    frame: append('AAÅA'),
    code: 'invalid_audio',
    path: '/audio',
  },
  {
    name: 'odd-length output audio',
    side: 'server',
    frame: delta({ delta: 'AAAA' }),
    code: 'invalid_audio',
    path: '/delta',
  },
  {
    name: 'empty output audio',
    side: 'server',
    frame: delta({ delta: '' }),
    code: 'invalid_audio',
    path: '/delta',
  },
  {
    name: 'output audio with a newline',
    side: 'server',
    frame: delta({ delta: `${AUDIO}\r\n` }),
    code: 'invalid_audio',
    path: '/delta',
  },
  // Server events.
  {
    name: 'server event without event_id',
    side: 'server',
    frame: '{"type":"session.created","session":{}}',
    code: 'invalid_event',
    path: '/event_id',
  },
  {
    name: 'delta without response_id',
    side: 'server',
    frame: delta({ response_id: undefined }),
    code: 'invalid_event',
    path: '/response_id',
  },
  {
    name: 'negative output_index',
    side: 'server',
    frame: delta({ output_index: -1 }),
    code: 'invalid_event',
    path: '/output_index',
  },
  {
    name: 'fractional content_index',
    side: 'server',
    frame: delta({ content_index: 0.5 }),
    code: 'invalid_event',
    path: '/content_index',
  },
  {
    name: 'speech_started with negative time',
    side: 'server',
    frame:
      '{"type":"input_audio_buffer.speech_started","event_id":"e","audio_start_ms":-5,"item_id":"i"}',
    code: 'invalid_event',
    path: '/audio_start_ms',
  },
  {
    name: 'response.done still in progress',
    side: 'server',
    frame: done({ status: 'in_progress' }),
    code: 'invalid_event',
    path: '/response/status',
  },
  {
    name: 'response.created already completed',
    side: 'server',
    frame:
      '{"type":"response.created","event_id":"e","response":{"id":"r","status":"completed","output":[]}}',
    code: 'invalid_event',
    path: '/response/status',
  },
  {
    name: 'unknown cancel reason',
    side: 'server',
    frame: done({ status: 'cancelled', status_details: { type: 'cancelled', reason: 'bored' } }),
    code: 'invalid_event',
    path: '/response/status_details/reason',
  },
  {
    name: 'response.done without output',
    side: 'server',
    frame: done({ output: undefined }),
    code: 'invalid_event',
    path: '/response/output',
  },
  {
    name: 'output item of unknown type',
    side: 'server',
    frame: done({ output: [{ type: 'web_search' }] }),
    code: 'invalid_event',
    path: '/response/output/0/type',
  },
  {
    name: 'function_call item with object arguments',
    side: 'server',
    frame: done({ output: [{ type: 'function_call', call_id: 'c', name: 'f', arguments: {} }] }),
    code: 'invalid_event',
    path: '/response/output/0/arguments',
  },
  {
    name: 'error without code',
    side: 'server',
    frame: '{"type":"error","error":{"type":"t","message":"m"}}',
    code: 'invalid_event',
    path: '/error/code',
  },
  {
    name: 'error with numeric event_id',
    side: 'server',
    frame: '{"type":"error","event_id":1,"error":{"type":"t","code":"c","message":"m"}}',
    code: 'invalid_event',
    path: '/event_id',
  },
  // Strict only: undocumented fields.
  {
    name: 'extra envelope field',
    side: 'client',
    frame: '{"type":"input_audio_buffer.clear","foo":1}',
    code: 'invalid_event',
    path: '/foo',
    strict: true,
  },
  {
    name: 'OpenAI beta session field',
    side: 'client',
    frame: update({ modalities: ['audio'] }),
    code: 'invalid_event',
    path: '/session/modalities',
    strict: true,
  },
  {
    name: 'extra tool field',
    side: 'client',
    frame: update({ tools: [{ type: 'function', name: 'f', strict: true }] }),
    code: 'invalid_event',
    path: '/session/tools/0/strict',
    strict: true,
  },
  {
    name: 'extra server field',
    side: 'server',
    frame: delta({ obfuscation: 'x' }),
    code: 'invalid_event',
    path: '/obfuscation',
    strict: true,
  },
  {
    name: 'extra error field',
    side: 'server',
    frame: '{"type":"error","error":{"type":"t","code":"c","message":"m","retry":true}}',
    code: 'invalid_event',
    path: '/error/retry',
    strict: true,
  },
];

describe('invalid events are rejected with the right code and path', () => {
  it.each(invalid)('$name → $code at "$path"', ({ side, frame, code, path, strict }) => {
    const result = parse(side, frame, strict ?? false);
    expectWellFormed(result);
    expect(result.ok).toBe(false);
    expect(violationsOf(result)[0]).toMatchObject({ code, path });
  });

  it.each(invalid.filter((c) => !c.strict))('$name is rejected in strict mode too', (c) => {
    expect(violationsOf(parse(c.side, c.frame, true))).toContainEqual(
      expect.objectContaining({ code: c.code, path: c.path }),
    );
  });

  it.each(invalid.filter((c) => c.strict))('$name is accepted in tolerant mode', (c) => {
    expect(violationsOf(parse(c.side, c.frame, false))).toEqual([]);
  });
});

describe('messages say what was expected', () => {
  const first = (side: Side, frame: string, strict = false) =>
    violationsOf(parse(side, frame, strict))[0];

  it('lists the allowed values of an enum', () => {
    expect(first('client', update({ voice: 'alloy' }))?.message).toBe(
      '/session/voice must be one of mal-female, mal-male; got "alloy"',
    );
  });

  it('names the missing field', () => {
    expect(first('client', '{"type":"input_audio_buffer.append"}')?.message).toBe(
      '/audio is required',
    );
    expect(first('client', '{"type":"input_audio_buffer.append"}')?.keyword).toBe('required');
  });

  it('names the expected and the actual JSON type', () => {
    expect(first('client', append(12))?.message).toBe('/audio must be a string; got number 12');
    expect(first('client', update({ turn_detection: 'auto' }))?.message).toBe(
      '/session/turn_detection must be an object or null; got string "auto"',
    );
  });

  it('reports a wrong item type alone, not the fields it would need', () => {
    const result = parseClientEvent(itemCreate({ type: 'message', role: 'user', content: [] }));
    expect(violationsOf(result)).toEqual([
      {
        code: 'invalid_event',
        path: '/item/type',
        message: '/item/type must be "function_call_output"; got "message"',
        keyword: 'const',
      },
    ]);
  });

  it('lists the item types when none matches', () => {
    expect(first('server', done({ output: [{ type: 'web_search' }] }))?.message).toBe(
      '/response/output/0/type must be one of message, function_call, function_call_output; got "web_search"',
    );
  });

  it('reports only the shape the value was meant to be (flat vs GA session)', () => {
    const flat = violationsOf(parseClientEvent(update({ voice: 'alloy', tool_choice: 'x' })));
    expect(flat.map((v) => v.path)).toEqual(['/session/voice', '/session/tool_choice']);
    const ga = violationsOf(
      parseClientEvent(update({ type: 'realtime', audio: { output: { voice: 'alloy' } } }), {
        strict: true,
      }),
    );
    expect(ga.map((v) => v.path)).toEqual(['/session/audio/output/voice']);
  });

  it('tells a GA session with another type from a flat one', () => {
    expect(first('client', update({ type: 'transcription', voice: 'mal-male' }))?.message).toBe(
      '/session/type must be "realtime"; got "transcription"',
    );
  });

  it('says which base64 rule audio breaks', () => {
    const message = (audio: string) => first('client', append(audio))?.message;
    expect(message('')).toMatch(/^\/audio is empty/);
    expect(message('AAAA')).toBe(
      '/audio decodes to 3 bytes; PCM16 needs an even number (2 bytes per sample)',
    );
    expect(message(`AAAA\nAAAA`)).toMatch(/whitespace \("\\n" at index 4\)/);
    expect(message(`data:audio/pcm;base64,${AUDIO}`)).toMatch(/data: URL/);
    expect(message('AA-A')).toMatch(/base64url/);
    expect(message('AAAAAA')).toMatch(/not a multiple of 4/);
    expect(message('AAB=')).toMatch(/not canonical/);
    expect(message('A=AA')).toMatch(/padding may only end/);
  });

  it('hints at the intended type for a typo, and explains OpenAI-only events', () => {
    expect(first('client', '{"type":"input_audio_buffer.apend"}')?.message).toMatch(
      /did you mean "input_audio_buffer.append"/,
    );
    expect(first('client', '{"type":"conversation.item.delete"}')?.message).toMatch(
      /OpenAI Realtime client event that swaram does not support/,
    );
    expect(first('server', '{"type":"response.audio_transcript.delta"}')?.message).toMatch(
      /beta name of "response.output_audio_transcript.delta"/,
    );
  });

  it('never lets a huge value into a message', () => {
    const message = first('client', update({ voice: 'x'.repeat(100_000) }))?.message ?? '';
    expect(message.length).toBeLessThan(200);
  });
});

describe('result fields', () => {
  it('reads type and event_id of a failing event so the error can echo them', () => {
    const result = parseClientEvent('{"type":"session.update","event_id":"evt_42","session":5}');
    expect(result).toMatchObject({ ok: false, type: 'session.update', eventId: 'evt_42' });
  });

  it('reads event_id even when the type is unknown', () => {
    expect(parseClientEvent('{"type":"nope","event_id":"evt_1"}')).toMatchObject({
      ok: false,
      type: 'nope',
      eventId: 'evt_1',
    });
    expect(parseClientEvent('{"event_id":"evt_2"}')).toMatchObject({ ok: false, eventId: 'evt_2' });
  });

  it('leaves out type and eventId when they are not strings', () => {
    const result = parseClientEvent('{"type":1,"event_id":2}');
    expect(result.ok).toBe(false);
    expect('type' in result).toBe(false);
    expect('eventId' in result).toBe(false);
  });

  it('returns the event, its type and its event_id on success', () => {
    const result = parseClientEvent(
      `{"type":"input_audio_buffer.append","event_id":"a","audio":"${AUDIO}"}`,
    );
    expect(result).toEqual({
      ok: true,
      type: 'input_audio_buffer.append',
      eventId: 'a',
      event: { type: 'input_audio_buffer.append', event_id: 'a', audio: AUDIO },
    });
  });

  it('caps the number of violations', () => {
    const extras = Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`x${i}`, i]));
    const result = parseClientEvent(JSON.stringify({ type: 'response.cancel', ...extras }), {
      strict: true,
    });
    expect(violationsOf(result)).toHaveLength(MAX_VIOLATIONS);
  });

  it('reports schema and audio problems together', () => {
    const result = parseClientEvent('{"type":"input_audio_buffer.append","audio":"AAAA","x":1}', {
      strict: true,
    });
    expect(violationsOf(result).map((v) => v.code)).toEqual(['invalid_event', 'invalid_audio']);
  });

  it('defaults to the tolerant schemas', () => {
    expect(parseClientEvent('{"type":"input_audio_buffer.commit","x":1}').ok).toBe(true);
    expect(parseClientEvent('{"type":"input_audio_buffer.commit","x":1}', {}).ok).toBe(true);
  });
});

describe('frames', () => {
  const frame = `{"type":"input_audio_buffer.append","audio":"${AUDIO}"}`;

  it('accepts Buffers and Uint8Arrays as UTF-8 text', () => {
    expect(parseClientEvent(Buffer.from(frame)).ok).toBe(true);
    expect(parseClientEvent(new TextEncoder().encode(frame)).ok).toBe(true);
    const sliced = Buffer.from(`xx${frame}yy`).subarray(2, 2 + frame.length);
    expect(parseClientEvent(sliced).ok).toBe(true);
    const malayalam = JSON.stringify({
      type: 'conversation.item.input_audio_transcription.completed',
      event_id: 'e',
      item_id: 'i',
      transcript: MALAYALAM,
    });
    const parsed = parseServerEvent(Buffer.from(malayalam, 'utf8'));
    expect(
      parsed.ok &&
        parsed.event.type === 'conversation.item.input_audio_transcription.completed' &&
        parsed.event.transcript,
    ).toBe(MALAYALAM);
  });

  it('accepts fragment arrays and ArrayBuffers', () => {
    const bytes = Buffer.from(frame);
    expect(
      parseClientEvent([bytes.subarray(0, 10), bytes.subarray(10)] as unknown as Uint8Array).ok,
    ).toBe(true);
    expect(parseClientEvent(new Uint8Array(bytes).buffer as unknown as Uint8Array).ok).toBe(true);
  });

  it('checks audio in ASCII byte frames as strictly as in strings (JSON escapes included)', () => {
    // Node's base64 decoder reads a character by its low byte: "\u0141" would decode as "A".
    // An ASCII frame that spells a non-ASCII character with an escape must still fail.
    const escaped = `{"type":"input_audio_buffer.append","audio":"\\u0141${AUDIO.slice(1)}"}`;
    for (const input of [escaped, Buffer.from(escaped), TextFrame.decode(Buffer.from(escaped))]) {
      expect(violationsOf(parseClientEvent(input))[0]).toMatchObject({
        code: 'invalid_audio',
        path: '/audio',
      });
    }
    const spaced = `{"type":"input_audio_buffer.append","audio":"${AUDIO.slice(0, 8)} ${AUDIO.slice(9)}"}`;
    expect(violationsOf(parseClientEvent(Buffer.from(spaced)))[0]).toMatchObject({
      code: 'invalid_audio',
    });
    const parsed = parseClientEvent(Buffer.from(frame));
    expect(
      parsed.ok && parsed.event.type === 'input_audio_buffer.append' && parsed.event.audio,
    ).toBe(AUDIO);
  });

  it('decodes a frame once as TextFrame: the same text as UTF-8, ascii only when it is', () => {
    const malayalam = JSON.stringify({ type: 'x', text: MALAYALAM });
    const cases: Array<[string, boolean]> = [
      [frame, true],
      [malayalam, false],
      [`{"type":"x","text":"\\u0141"}`, false],
    ];
    for (const [text, ascii] of cases) {
      const decoded = TextFrame.decode(Buffer.from(text, 'utf8'));
      expect(decoded.text).toBe(text);
      expect(decoded.ascii).toBe(ascii);
    }
    expect(parseClientEvent(TextFrame.decode(Buffer.from(frame)))).toEqual(parseClientEvent(frame));
  });

  it('reads a flat ASCII frame without JSON.parse, and the same as JSON.parse would', () => {
    const jsonParse = vi.spyOn(JSON, 'parse');
    try {
      const appended = `{"type":"input_audio_buffer.append","event_id":"evt_9","audio":"${AUDIO}"}`;
      const fast = parseClientEvent(Buffer.from(appended), { strict: true });
      expect(jsonParse).not.toHaveBeenCalled();
      expect(fast).toEqual({
        ok: true,
        type: 'input_audio_buffer.append',
        eventId: 'evt_9',
        event: { type: 'input_audio_buffer.append', event_id: 'evt_9', audio: AUDIO },
      });
      expect(parseClientEvent(appended, { strict: true })).toEqual(fast);
      expect(jsonParse).not.toHaveBeenCalled();
      // A frame the shortcut cannot be sure of (whitespace here) takes the general path.
      expect(parseClientEvent(`{ ${appended.slice(1)}`, { strict: true })).toEqual(fast);
      expect(jsonParse).toHaveBeenCalledTimes(1);
      const badAudio = `{"type":"input_audio_buffer.append","audio":"${AUDIO.slice(0, 8)}\u0001${AUDIO.slice(8)}"}`;
      expect(violationsOf(parseClientEvent(Buffer.from(badAudio)))[0]).toMatchObject({
        code: 'invalid_json',
      });
      expect(jsonParse).toHaveBeenCalledTimes(2);
      // Non-ASCII text is read by the shortcut too; an escape anywhere sends it to JSON.parse.
      const transcript = `{"type":"response.output_audio_transcript.delta","event_id":"e","response_id":"r","item_id":"i","output_index":0,"content_index":0,"delta":"${MALAYALAM}"}`;
      expect(parseServerEvent(Buffer.from(transcript)).ok).toBe(true);
      expect(jsonParse).toHaveBeenCalledTimes(2);
      expect(parseServerEvent(transcript.replace('"e"', '"\\u0065"'))).toEqual(
        parseServerEvent(transcript),
      );
      expect(jsonParse).toHaveBeenCalledTimes(3);
    } finally {
      jsonParse.mockRestore();
    }
  });

  it('property: the shortcut reads a frame as JSON.parse does, as bytes or as a string', () => {
    // Short, and longer than the 64 characters below which the shortcut checks a string itself.
    const base64 = fc
      .oneof(fc.uint8Array({ maxLength: 40 }), fc.uint8Array({ minLength: 49, maxLength: 200 }))
      .map((bytes) => Buffer.from(bytes).toString('base64'));
    const audio = fc.oneof(
      base64,
      fc
        .tuple(base64, fc.nat(), fc.constantFrom('-', '_', ' ', '=', '!', 'ന', '\u0001', '"'))
        .map(
          ([text, at, c]) =>
            text.slice(0, at % (text.length + 1)) + c + text.slice((at % (text.length + 1)) + 1),
        ),
      fc.string({
        unit: fc.constantFrom('A', 'b', '+', '/', '=', '-', '_', ' ', '\u0001', '"'),
        minLength: 60,
        maxLength: 120,
      }),
    );
    const append = fc
      .tuple(fc.option(fc.string({ maxLength: 12 })), audio, fc.boolean())
      .map(([eventId, data, audioFirst]) =>
        audioFirst
          ? {
              audio: data,
              type: 'input_audio_buffer.append',
              ...(eventId === null ? {} : { event_id: eventId }),
            }
          : {
              type: 'input_audio_buffer.append',
              ...(eventId === null ? {} : { event_id: eventId }),
              audio: data,
            },
      );
    const delta = fc
      .tuple(audio, fc.integer({ min: -2, max: 3 }), fc.string({ maxLength: 8 }))
      .map(([data, index, id]) => ({
        type: 'response.output_audio.delta',
        event_id: id,
        response_id: 'resp_1',
        item_id: 'item_1',
        output_index: index,
        content_index: 0,
        delta: data,
      }));
    const types = [...Object.keys(clientEventSchemas), ...Object.keys(serverEventSchemas)];
    const flat = fc
      .tuple(
        fc.constantFrom(...types),
        fc.dictionary(
          fc.constantFrom('audio', 'delta', 'event_id', 'item_id', 'x', 'type'),
          fc.oneof(audio, fc.integer(), fc.boolean(), fc.constant(null)),
        ),
      )
      .map(([type, fields]) => ({ type, ...fields }));
    const event = fc.oneof(append, delta, flat, anyClientEvent, anyServerEvent);
    fc.assert(
      fc.property(event, fc.boolean(), (value, strict) => {
        const text = JSON.stringify(value);
        const general = `{ ${text.slice(1)}`; // whitespace: the shortcut leaves it to JSON.parse
        for (const side of ['client', 'server'] as const) {
          const expected = parse(side, general, strict);
          expect(parse(side, Buffer.from(text), strict)).toEqual(expected);
          expect(parse(side, text, strict)).toEqual(expected);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('turns anything else into invalid_json without throwing', () => {
    for (const value of [undefined, null, 42, {}, [1, 2], Symbol('x'), () => 1]) {
      const result = parseClientEvent(value as unknown as string);
      expect(violationsOf(result)[0]).toMatchObject({ code: 'invalid_json', path: '' });
    }
  });
});

describe('validateClientEvent / validateServerEvent', () => {
  it('checks values that are already parsed', () => {
    expect(validateClientEvent({ type: 'response.cancel' }).ok).toBe(true);
    expect(validateServerEvent({ type: 'response.cancel' })).toMatchObject({ ok: false });
  });

  it('does not throw on hostile objects', () => {
    const trap = new Proxy(
      {},
      {
        get() {
          throw new Error('trap');
        },
        ownKeys() {
          throw new Error('trap');
        },
      },
    );
    expect(validateClientEvent(trap).ok).toBe(false);
    const cyclic = { type: 'response.create', response: { metadata: {} as object } };
    cyclic.response.metadata = cyclic;
    for (const strict of [false, true]) {
      expectWellFormed(validateClientEvent(cyclic, { strict }) as ParseResult<{ type: string }>);
    }
  });
});

describe('violationsFromAjv on untagged alternatives', () => {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  const check = (schema: object, data: unknown) => {
    const validate = ajv.compile(schema);
    expect(validate(data)).toBe(false);
    return violationsFromAjv(validate.errors ?? [], data);
  };
  const shapeA = {
    type: 'object',
    properties: { a: { type: 'string' } },
    required: ['a'],
    additionalProperties: false,
  };
  const shapeB = {
    type: 'object',
    properties: { b: { type: 'object', properties: { c: { enum: [1, 2] } } } },
    required: ['b'],
    additionalProperties: false,
  };

  it('keeps the alternative that matched the most structure', () => {
    for (const anyOf of [
      [shapeA, shapeB],
      [shapeB, shapeA],
    ]) {
      expect(check({ anyOf }, { b: { c: 3 } })).toEqual([
        {
          code: 'invalid_event',
          path: '/b/c',
          message: '/b/c must be one of 1, 2; got 3',
          keyword: 'enum',
        },
      ]);
    }
  });

  it('ignores an alternative that rejects the JSON type, in any order', () => {
    const object = { type: 'object', properties: { n: { type: 'integer' } } };
    for (const anyOf of [
      [{ type: 'null' }, object],
      [object, { type: 'null' }],
    ]) {
      expect(check({ anyOf }, { n: 'x' }).map((v) => v.path)).toEqual(['/n']);
    }
  });

  it('lists the accepted JSON types when none matches', () => {
    expect(check({ anyOf: [{ type: 'null' }, { type: 'integer' }] }, 'x')[0]?.message).toBe(
      'the event must be null or an integer; got string "x"',
    );
  });
});

// ---------------------------------------------------------------------------------------------
// base64 helpers

/** An independent oracle for canonical padded base64 (regex plus the unused-bits rule). */
function referenceStrictBase64(text: string): boolean {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return false;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  if (text.endsWith('==')) return alphabet.indexOf(text[text.length - 3]!) % 16 === 0;
  if (text.endsWith('=')) return alphabet.indexOf(text[text.length - 2]!) % 4 === 0;
  return true;
}

const base64ish = fc.string({
  unit: fc.constantFrom(
    ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n',
  ),
  maxLength: 24,
});

describe('isStrictBase64 and decodedBase64Length', () => {
  it('accept exactly what the encoder produces', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = Buffer.from(bytes).toString('base64');
        expect(isStrictBase64(text)).toBe(true);
        expect(decodedBase64Length(text)).toBe(bytes.length);
      }),
    );
  });

  it('agree with an independent oracle on near-base64 strings', () => {
    fc.assert(
      fc.property(base64ish, (text) => {
        expect(isStrictBase64(text)).toBe(referenceStrictBase64(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('agree with the oracle on valid base64 with one character changed', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ \n\u0141';
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 12 }),
        fc.nat(),
        fc.constantFrom(...alphabet),
        fc.boolean(),
        (bytes, at, char, nearEnd) => {
          const valid = Buffer.from(bytes).toString('base64');
          const index = nearEnd ? valid.length - 1 - (at % 4) : at % valid.length;
          const text = valid.slice(0, index) + char + valid.slice(index + 1);
          expect(isStrictBase64(text)).toBe(referenceStrictBase64(text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('agree with the oracle on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 16 }), (text) => {
        expect(isStrictBase64(text)).toBe(referenceStrictBase64(text));
      }),
    );
  });

  it('reject characters outside Latin-1 that Node might truncate to base64 letters', () => {
    // U+0141 truncated to one byte would read as "A".
    expect(isStrictBase64('AA\u0141A')).toBe(false);
  });

  it('pcm16Base64Problem accepts even, non-empty, canonical audio only', () => {
    fc.assert(
      fc.property(base64ish, (text) => {
        const ok =
          referenceStrictBase64(text) && text.length > 0 && decodedBase64Length(text) % 2 === 0;
        expect(pcm16Base64Problem(text) === undefined).toBe(ok);
      }),
      { numRuns: 2000 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Property tests: arbitrary valid events derived from the schemas

type SchemaNode = Record<string, unknown>;

const HANDLED = new Set([
  '$schema',
  '$id',
  'title',
  'description',
  'examples',
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'anyOf',
  'minLength',
  'minimum',
  'maximum',
  'contentEncoding',
  'contentMediaType',
]);

const extraKey = fc.stringMatching(/^x_[a-z]{1,6}$/);

/** Free-form JSON values for open objects; fc.jsonValue may hold -0, which JSON cannot carry. */
const anyJson = (maxDepth: number) =>
  fc.jsonValue({ maxDepth }).map((v) => JSON.parse(JSON.stringify(v)) as unknown);

/**
 * An arbitrary of values valid against `schema`, derived from the schema itself. Only the
 * keywords our schemas use are understood; a new keyword makes this throw, so the generator
 * cannot silently fall out of step with the schemas. Open objects get a few extra fields.
 */
function arbitraryOf(schema: SchemaNode): fc.Arbitrary<unknown> {
  for (const key of Object.keys(schema)) {
    if (!HANDLED.has(key)) throw new Error(`arbitraryOf: unsupported keyword "${key}"`);
  }
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...(schema.enum as unknown[]));
  if (schema.anyOf) return fc.oneof(...(schema.anyOf as SchemaNode[]).map(arbitraryOf));
  switch (schema.type) {
    case 'string':
      if (schema.contentEncoding === 'base64') {
        return fc
          .array(fc.integer({ min: -32768, max: 32767 }), { minLength: 1, maxLength: 24 })
          .map((samples) => pcm(...samples));
      }
      return fc.string({
        unit: 'grapheme',
        minLength: (schema.minLength as number | undefined) ?? 0,
        maxLength: 12,
      });
    case 'integer':
      return fc.integer({
        min: (schema.minimum as number | undefined) ?? -1_000_000,
        max: (schema.maximum as number | undefined) ?? 1_000_000,
      });
    case 'number':
      return fc
        .double({
          min: (schema.minimum as number | undefined) ?? -1e6,
          max: (schema.maximum as number | undefined) ?? 1e6,
          noNaN: true,
          noDefaultInfinity: true,
        })
        .map((x) => x + 0); // JSON has no -0
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(schema.items ? arbitraryOf(schema.items as SchemaNode) : anyJson(2), {
        maxLength: 3,
      });
    case 'object': {
      const properties = (schema.properties ?? {}) as Record<string, SchemaNode | false>;
      const allowed = Object.entries(properties).filter(
        (entry): entry is [string, SchemaNode] => entry[1] !== false,
      );
      const record = fc.record(Object.fromEntries(allowed.map(([k, s]) => [k, arbitraryOf(s)])), {
        requiredKeys: (schema.required ?? []) as string[],
        noNullPrototype: true,
      });
      if (schema.additionalProperties === false) return record;
      const extras = fc.dictionary(extraKey, anyJson(2), {
        maxKeys: 2,
        noNullPrototype: true,
      });
      return fc.tuple(extras, record).map(([more, known]) => ({ ...more, ...known }));
    }
    default:
      throw new Error(`arbitraryOf: unsupported type ${String(schema.type)}`);
  }
}

const clientArbitraries = Object.values(clientEventSchemas).map(
  (s) => arbitraryOf(s as unknown as SchemaNode) as fc.Arbitrary<ClientEvent>,
);
const serverArbitraries = Object.values(serverEventSchemas).map(
  (s) => arbitraryOf(s as unknown as SchemaNode) as fc.Arbitrary<ServerEvent>,
);
const anyClientEvent = fc.oneof(...clientArbitraries);
const anyServerEvent = fc.oneof(...serverArbitraries);

describe('property: valid events round-trip unchanged (strict)', () => {
  it.each(Object.keys(clientEventSchemas).map((type, i) => ({ type, i })))(
    'client $type',
    ({ i }) => {
      fc.assert(
        fc.property(clientArbitraries[i]!, (event) => {
          const result = parseClientEvent(serializeEvent(event), { strict: true });
          expect(violationsOf(result)).toEqual([]);
          expect(result.ok && result.event).toEqual(event);
        }),
        { numRuns: 200 },
      );
    },
  );

  it.each(Object.keys(serverEventSchemas).map((type, i) => ({ type, i })))(
    'server $type',
    ({ i }) => {
      fc.assert(
        fc.property(serverArbitraries[i]!, (event) => {
          const result = parseServerEvent(serializeEvent(event), { strict: true });
          expect(violationsOf(result)).toEqual([]);
          expect(result.ok && result.event).toEqual(event);
        }),
        { numRuns: 200 },
      );
    },
  );
});

describe('property: tolerant accepts unknown fields, strict reports them', () => {
  it('at the top level of every event', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          anyClientEvent.map((e) => ({ side: 'client' as const, e })),
          anyServerEvent.map((e) => ({ side: 'server' as const, e })),
        ),
        extraKey,
        fc.jsonValue({ maxDepth: 2 }),
        ({ side, e }, key, value) => {
          const frame = JSON.stringify({ ...e, [key]: value });
          expect(violationsOf(parse(side, frame, false))).toEqual([]);
          expect(violationsOf(parse(side, frame, true))).toEqual([
            expect.objectContaining({ code: 'invalid_event', path: `/${key}` }),
          ]);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** Replaces the value at a random path of a JSON value, or deletes a key there. */
function mutate(value: unknown, choices: readonly number[], replacement: unknown): unknown {
  if (choices.length === 0 || value === null || typeof value !== 'object') return replacement;
  const [choice, ...rest] = choices as [number, ...number[]];
  if (Array.isArray(value)) {
    if (value.length === 0) return replacement;
    const i = choice % value.length;
    return value.map((v, j) => (j === i ? mutate(v, rest, replacement) : v));
  }
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[choice % keys.length]!;
  const copy = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && choice % 3 === 0) delete copy[key];
  else copy[key] = mutate(copy[key], rest, replacement);
  return copy;
}

describe('property: the codec never throws', () => {
  const both = (frame: string | Uint8Array) => {
    for (const strict of [false, true]) {
      expectWellFormed(parse('client', frame, strict));
      expectWellFormed(parse('server', frame, strict));
    }
  };

  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), both), { numRuns: 500 });
  });

  it('on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), both), { numRuns: 500 });
  });

  it('on arbitrary JSON', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 4 }), both), { numRuns: 500 });
  });

  it('on arbitrary JSON objects with a known type', () => {
    const types = [...Object.keys(clientEventSchemas), ...Object.keys(serverEventSchemas)];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 })),
        (type, fields) => both(JSON.stringify({ ...fields, type })),
      ),
      { numRuns: 500 },
    );
  });

  it('on valid events with one part replaced or deleted', () => {
    fc.assert(
      fc.property(
        fc.oneof(anyClientEvent, anyServerEvent),
        fc.array(fc.nat(), { minLength: 1, maxLength: 5 }),
        fc.jsonValue({ maxDepth: 2 }),
        (event, choices, replacement) => both(JSON.stringify(mutate(event, choices, replacement))),
      ),
      { numRuns: 1000 },
    );
  });

  it('on deeply nested input', () => {
    both('['.repeat(100_000) + ']'.repeat(100_000));
    both(
      `{"type":"session.update","session":{"tools":[{"type":"function","name":"f","parameters":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}]}}`,
    );
  });
});
