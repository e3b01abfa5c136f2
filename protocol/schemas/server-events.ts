import {
  base64Pcm16Schema,
  eventIdSchema,
  idSchema,
  indexSchema,
  SCHEMA_DIALECT,
} from './common.js';
import { realtimeErrorSchema } from './error.js';
import { itemSchema } from './item.js';
import { finishedResponseSchema, startedResponseSchema } from './response.js';
import { serverSessionSchema } from './session.js';

/*
 * The 12 server events of swaram's subset. Every one carries `event_id` except `error`, whose
 * documented example has none (both forms are accepted). Envelopes are closed in the strict set;
 * the OpenAI GA fields swaram may add are listed as optional so that closing them is safe.
 */

/** First event after connecting: the session with its defaults. */
export const sessionCreatedSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/session.created',
  title: 'session.created',
  type: 'object',
  properties: {
    type: { const: 'session.created' },
    event_id: eventIdSchema,
    session: serverSessionSchema,
  },
  required: ['type', 'event_id', 'session'],
  additionalProperties: false,
  examples: [
    {
      type: 'session.created',
      event_id: 'event_001',
      session: {
        id: 'sess_001',
        object: 'realtime.session',
        model: 'mal-realtime-simple',
        instructions: '',
        voice: 'mal-female',
        tools: [],
        tool_choice: 'auto',
        turn_detection: { type: 'server_vad' },
      },
    },
  ],
} as const;

/** Reply to `session.update`: the effective settings. */
export const sessionUpdatedSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/session.updated',
  title: 'session.updated',
  type: 'object',
  properties: {
    type: { const: 'session.updated' },
    event_id: eventIdSchema,
    session: serverSessionSchema,
  },
  required: ['type', 'event_id', 'session'],
  additionalProperties: false,
  examples: [
    {
      type: 'session.updated',
      event_id: 'event_002',
      session: {
        id: 'sess_001',
        object: 'realtime.session',
        model: 'mal-realtime-simple',
        voice: 'mal-male',
        tool_choice: 'auto',
      },
    },
  ],
} as const;

/** VAD heard the user start speaking. */
export const speechStartedSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/input_audio_buffer.speech_started',
  title: 'input_audio_buffer.speech_started',
  type: 'object',
  properties: {
    type: { const: 'input_audio_buffer.speech_started' },
    event_id: eventIdSchema,
    audio_start_ms: {
      ...indexSchema,
      description: "Milliseconds of the session's input audio before speech started.",
    },
    item_id: { ...idSchema, description: 'Id the user item of this turn will get.' },
  },
  required: ['type', 'event_id', 'audio_start_ms', 'item_id'],
  additionalProperties: false,
  examples: [
    {
      type: 'input_audio_buffer.speech_started',
      event_id: 'event_003',
      audio_start_ms: 1240,
      item_id: 'item_001',
    },
  ],
} as const;

/** VAD heard the user stop speaking. */
export const speechStoppedSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/input_audio_buffer.speech_stopped',
  title: 'input_audio_buffer.speech_stopped',
  type: 'object',
  properties: {
    type: { const: 'input_audio_buffer.speech_stopped' },
    event_id: eventIdSchema,
    audio_end_ms: {
      ...indexSchema,
      description: "Milliseconds of the session's input audio before speech stopped.",
    },
    item_id: idSchema,
  },
  required: ['type', 'event_id', 'audio_end_ms', 'item_id'],
  additionalProperties: false,
  examples: [
    {
      type: 'input_audio_buffer.speech_stopped',
      event_id: 'event_004',
      audio_end_ms: 3180,
      item_id: 'item_001',
    },
  ],
} as const;

/** The whole transcript of one user turn; one per turn, never streamed. */
export const inputAudioTranscriptionCompletedSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/conversation.item.input_audio_transcription.completed',
  title: 'conversation.item.input_audio_transcription.completed',
  type: 'object',
  properties: {
    type: { const: 'conversation.item.input_audio_transcription.completed' },
    event_id: eventIdSchema,
    item_id: idSchema,
    content_index: indexSchema,
    transcript: { type: 'string' },
    usage: { type: 'object', description: 'Transcription usage (shape varies; open).' },
    logprobs: { anyOf: [{ type: 'array' }, { type: 'null' }] },
  },
  required: ['type', 'event_id', 'item_id', 'transcript'],
  additionalProperties: false,
  examples: [
    {
      type: 'conversation.item.input_audio_transcription.completed',
      event_id: 'event_005',
      item_id: 'item_001',
      content_index: 0,
      transcript: 'നമസ്കാരം, എനിക്ക് സഹായം വേണം',
    },
  ],
} as const;

/** A turn item was added: the user's turn or a tool result. */
export const conversationItemCreatedSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/conversation.item.created',
  title: 'conversation.item.created',
  type: 'object',
  properties: {
    type: { const: 'conversation.item.created' },
    event_id: eventIdSchema,
    previous_item_id: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    item: itemSchema,
  },
  required: ['type', 'event_id', 'item'],
  additionalProperties: false,
  examples: [
    {
      type: 'conversation.item.created',
      event_id: 'event_006',
      previous_item_id: null,
      item: {
        id: 'item_001',
        object: 'realtime.item',
        type: 'message',
        status: 'completed',
        role: 'user',
        content: [{ type: 'input_audio', text: 'നമസ്കാരം, എനിക്ക് സഹായം വേണം' }],
      },
    },
    {
      type: 'conversation.item.created',
      event_id: 'event_020',
      previous_item_id: 'item_003',
      item: {
        id: 'item_004',
        object: 'realtime.item',
        type: 'function_call_output',
        call_id: 'call_weather_1',
        output: '{"city":"Kochi","temperature_c":31,"sky":"cloudy"}',
      },
    },
  ],
} as const;

/** A reply started. */
export const responseCreatedSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/response.created',
  title: 'response.created',
  type: 'object',
  properties: {
    type: { const: 'response.created' },
    event_id: eventIdSchema,
    response: startedResponseSchema,
  },
  required: ['type', 'event_id', 'response'],
  additionalProperties: false,
  examples: [
    {
      type: 'response.created',
      event_id: 'event_007',
      response: { id: 'resp_001', object: 'realtime.response', status: 'in_progress', output: [] },
    },
  ],
} as const;

const outputPosition = {
  response_id: idSchema,
  item_id: idSchema,
  output_index: indexSchema,
  content_index: indexSchema,
} as const;

/** A chunk of the reply's audio: the main payload. */
export const outputAudioDeltaSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/response.output_audio.delta',
  title: 'response.output_audio.delta',
  type: 'object',
  properties: {
    type: { const: 'response.output_audio.delta' },
    event_id: eventIdSchema,
    ...outputPosition,
    delta: base64Pcm16Schema,
  },
  required: [
    'type',
    'event_id',
    'response_id',
    'item_id',
    'output_index',
    'content_index',
    'delta',
  ],
  additionalProperties: false,
  examples: [
    {
      type: 'response.output_audio.delta',
      event_id: 'event_008',
      response_id: 'resp_001',
      item_id: 'item_002',
      output_index: 0,
      content_index: 0,
      delta: 'AAIA/gAIAPg=',
    },
  ],
} as const;

/** A piece of the text of what swaram is saying, in step with the audio. */
export const outputAudioTranscriptDeltaSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/response.output_audio_transcript.delta',
  title: 'response.output_audio_transcript.delta',
  type: 'object',
  properties: {
    type: { const: 'response.output_audio_transcript.delta' },
    event_id: eventIdSchema,
    ...outputPosition,
    delta: { type: 'string' },
  },
  required: [
    'type',
    'event_id',
    'response_id',
    'item_id',
    'output_index',
    'content_index',
    'delta',
  ],
  additionalProperties: false,
  examples: [
    {
      type: 'response.output_audio_transcript.delta',
      event_id: 'event_009',
      response_id: 'resp_001',
      item_id: 'item_002',
      output_index: 0,
      content_index: 0,
      delta: 'തീർച്ചയായും, ',
    },
  ],
} as const;

/** swaram wants the client to run a tool. `call_id` differs from `item_id`. */
export const functionCallArgumentsDoneSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/response.function_call_arguments.done',
  title: 'response.function_call_arguments.done',
  type: 'object',
  properties: {
    type: { const: 'response.function_call_arguments.done' },
    event_id: eventIdSchema,
    response_id: idSchema,
    item_id: idSchema,
    output_index: indexSchema,
    call_id: idSchema,
    name: { type: 'string', minLength: 1 },
    arguments: { type: 'string', description: 'The arguments as a JSON text.' },
  },
  required: [
    'type',
    'event_id',
    'response_id',
    'item_id',
    'output_index',
    'call_id',
    'name',
    'arguments',
  ],
  additionalProperties: false,
  examples: [
    {
      type: 'response.function_call_arguments.done',
      event_id: 'event_010',
      response_id: 'resp_002',
      item_id: 'item_003',
      output_index: 0,
      call_id: 'call_weather_1',
      name: 'get_weather',
      arguments: '{"city":"Kochi"}',
    },
  ],
} as const;

/** The reply finished, whatever the outcome; always sent. */
export const responseDoneSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/response.done',
  title: 'response.done',
  type: 'object',
  properties: {
    type: { const: 'response.done' },
    event_id: eventIdSchema,
    response: finishedResponseSchema,
  },
  required: ['type', 'event_id', 'response'],
  additionalProperties: false,
  examples: [
    {
      type: 'response.done',
      event_id: 'event_011',
      response: {
        id: 'resp_001',
        object: 'realtime.response',
        status: 'completed',
        status_details: null,
        output: [
          {
            id: 'item_002',
            object: 'realtime.item',
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_audio', transcript: 'തീർച്ചയായും, ഞാൻ സഹായിക്കാം.' }],
          },
        ],
        usage: { total_tokens: 310, input_tokens: 120, output_tokens: 190 },
      },
    },
    {
      type: 'response.done',
      event_id: 'event_012',
      response: {
        id: 'resp_003',
        object: 'realtime.response',
        status: 'cancelled',
        status_details: { type: 'cancelled', reason: 'turn_detected' },
        output: [],
      },
    },
  ],
} as const;

/** Something went wrong. swaram's documented example has no top-level `event_id`. */
export const errorEventSchema = {
  $schema: SCHEMA_DIALECT,
  $id: 'swaram:server/error',
  title: 'error',
  type: 'object',
  properties: {
    type: { const: 'error' },
    event_id: eventIdSchema,
    error: realtimeErrorSchema,
  },
  required: ['type', 'error'],
  additionalProperties: false,
  examples: [
    {
      type: 'error',
      error: {
        type: 'invalid_request_error',
        code: 'invalid_event',
        message: 'The event is not valid.',
        param: 'session.voice',
      },
    },
    {
      type: 'error',
      event_id: 'event_013',
      error: {
        type: 'invalid_request_error',
        code: 'response_cancel_not_active',
        message: 'There is no active response to cancel.',
        param: null,
        event_id: 'evt_c1',
      },
    },
  ],
} as const;

/** The server event schemas, keyed by event type, in the order swaram lists them. */
export const serverEventSchemas = {
  'session.created': sessionCreatedSchema,
  'session.updated': sessionUpdatedSchema,
  'input_audio_buffer.speech_started': speechStartedSchema,
  'input_audio_buffer.speech_stopped': speechStoppedSchema,
  'conversation.item.input_audio_transcription.completed': inputAudioTranscriptionCompletedSchema,
  'conversation.item.created': conversationItemCreatedSchema,
  'response.created': responseCreatedSchema,
  'response.output_audio.delta': outputAudioDeltaSchema,
  'response.output_audio_transcript.delta': outputAudioTranscriptDeltaSchema,
  'response.function_call_arguments.done': functionCallArgumentsDoneSchema,
  'response.done': responseDoneSchema,
  error: errorEventSchema,
} as const;
