import { base64Pcm16Schema, eventIdSchema, SCHEMA_DIALECT } from './common.js';
import { functionCallOutputItemSchema } from './item.js';
import { responseCreateParamsSchema } from './response.js';
import { sessionUpdateConfigSchema } from './session.js';

/*
 * The 7 client events of swaram's subset. Every envelope is closed in the strict set (swaram
 * documents each one completely) and every one accepts an optional `event_id`, which the server
 * echoes in `error.event_id` when that event fails.
 */

/** Set instructions, voice, tools, tool choice, turn detection. Send it first, before audio. */
export const sessionUpdateSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:client/session.update',
  title: 'session.update',
  type: 'object',
  properties: {
    type: { const: 'session.update' },
    event_id: eventIdSchema,
    session: sessionUpdateConfigSchema,
  },
  required: ['type', 'session'],
  additionalProperties: false,
  examples: [
    {
      type: 'session.update',
      session: {
        instructions: 'നിങ്ങൾ ഒരു സഹായിയാണ്. ചുരുക്കി മറുപടി പറയുക.',
        voice: 'mal-female',
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            description: 'Current weather for a city.',
            parameters: {
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            },
          },
        ],
        tool_choice: 'auto',
      },
    },
    {
      type: 'session.update',
      event_id: 'evt_gaSession1',
      session: {
        type: 'realtime',
        instructions: 'Speak Malayalam.',
        audio: { output: { voice: 'mal-male' } },
      },
    },
  ],
} as const;

/** A chunk of the user's voice. No reply. */
export const inputAudioBufferAppendSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:client/input_audio_buffer.append',
  title: 'input_audio_buffer.append',
  type: 'object',
  properties: {
    type: { const: 'input_audio_buffer.append' },
    event_id: eventIdSchema,
    audio: base64Pcm16Schema,
  },
  required: ['type', 'audio'],
  additionalProperties: false,
  examples: [{ type: 'input_audio_buffer.append', event_id: 'evt_a1', audio: 'AACwBFD7LAEAANT+' }],
} as const;

/** Optional nudge (Simple mode): end the user's turn now. Premium ignores it. */
export const inputAudioBufferCommitSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:client/input_audio_buffer.commit',
  title: 'input_audio_buffer.commit',
  type: 'object',
  properties: {
    type: { const: 'input_audio_buffer.commit' },
    event_id: eventIdSchema,
  },
  required: ['type'],
  additionalProperties: false,
  examples: [{ type: 'input_audio_buffer.commit' }],
} as const;

/** Optional nudge (Simple mode): discard the buffered audio. Premium ignores it. */
export const inputAudioBufferClearSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:client/input_audio_buffer.clear',
  title: 'input_audio_buffer.clear',
  type: 'object',
  properties: {
    type: { const: 'input_audio_buffer.clear' },
    event_id: eventIdSchema,
  },
  required: ['type'],
  additionalProperties: false,
  examples: [{ type: 'input_audio_buffer.clear' }],
} as const;

/** Optional nudge (Simple mode): ask for a reply now. Premium ignores it. */
export const responseCreateSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:client/response.create',
  title: 'response.create',
  type: 'object',
  properties: {
    type: { const: 'response.create' },
    event_id: eventIdSchema,
    response: responseCreateParamsSchema,
  },
  required: ['type'],
  additionalProperties: false,
  examples: [
    { type: 'response.create' },
    { type: 'response.create', response: { instructions: 'Answer in one sentence.' } },
  ],
} as const;

/** Stop the current reply (explicit interrupt). */
export const responseCancelSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:client/response.cancel',
  title: 'response.cancel',
  type: 'object',
  properties: {
    type: { const: 'response.cancel' },
    event_id: eventIdSchema,
    response_id: { type: 'string', description: 'The reply to cancel; the active one if absent.' },
  },
  required: ['type'],
  additionalProperties: false,
  examples: [
    { type: 'response.cancel' },
    { type: 'response.cancel', event_id: 'evt_c1', response_id: 'resp_001' },
  ],
} as const;

/**
 * Send a tool result back. swaram only documents `function_call_output` items here, so other
 * item types (OpenAI's text messages, …) are invalid in both sets.
 */
export const conversationItemCreateSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:client/conversation.item.create',
  title: 'conversation.item.create',
  type: 'object',
  properties: {
    type: { const: 'conversation.item.create' },
    event_id: eventIdSchema,
    item: functionCallOutputItemSchema,
  },
  required: ['type', 'item'],
  additionalProperties: false,
  examples: [
    {
      type: 'conversation.item.create',
      item: {
        type: 'function_call_output',
        call_id: 'call_weather_1',
        output: '{"city":"Kochi","temperature_c":31,"sky":"cloudy"}',
      },
    },
  ],
} as const;

/** The client event schemas, keyed by event type, in the order swaram lists them. */
export const clientEventSchemas = {
  'session.update': sessionUpdateSchema,
  'input_audio_buffer.append': inputAudioBufferAppendSchema,
  'input_audio_buffer.commit': inputAudioBufferCommitSchema,
  'input_audio_buffer.clear': inputAudioBufferClearSchema,
  'response.create': responseCreateSchema,
  'response.cancel': responseCancelSchema,
  'conversation.item.create': conversationItemCreateSchema,
} as const;
