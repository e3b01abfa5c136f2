import { toolChoiceSchema, voiceSchema } from './common.js';
import { itemSchema } from './item.js';
import { toolsSchema } from './tool.js';

const tokenCount = { type: 'integer', minimum: 0 } as const;

/**
 * Token usage of a response. swaram mentions `usage` but documents no fields, and OpenAI's
 * billing details keep growing, so these objects stay open; known counters are type-checked.
 */
export const usageSchema = {
  type: 'object',
  properties: {
    total_tokens: tokenCount,
    input_tokens: tokenCount,
    output_tokens: tokenCount,
    input_token_details: {
      type: 'object',
      properties: {
        text_tokens: tokenCount,
        audio_tokens: tokenCount,
        cached_tokens: tokenCount,
      },
    },
    output_token_details: {
      type: 'object',
      properties: { text_tokens: tokenCount, audio_tokens: tokenCount },
    },
  },
} as const;

/** Final statuses of `response.done`. */
export const FINAL_RESPONSE_STATUSES = ['completed', 'cancelled', 'failed', 'incomplete'] as const;

/**
 * Why a response ended the way it did. swaram documents `{ type, reason }` with reasons
 * `turn_detected` (barge-in) and `client_cancelled` (`response.cancel`); OpenAI adds
 * `max_output_tokens` and `content_filter` (incomplete) and an `error` (failed).
 */
export const statusDetailsSchema = {
  anyOf: [
    {
      type: 'object',
      properties: {
        type: { enum: FINAL_RESPONSE_STATUSES },
        reason: {
          enum: ['turn_detected', 'client_cancelled', 'max_output_tokens', 'content_filter'],
        },
        error: {
          type: 'object',
          properties: { type: { type: 'string' }, code: { type: 'string' } },
        },
      },
      required: ['type'],
      additionalProperties: false,
    },
    { type: 'null' },
  ],
} as const;

const responseProperties = {
  id: { type: 'string', minLength: 1 },
  object: { const: 'realtime.response' },
  status_details: statusDetailsSchema,
  output: { type: 'array', items: itemSchema, description: 'Items produced (without audio).' },
  usage: { anyOf: [usageSchema, { type: 'null' }] },
  conversation_id: { type: 'string' },
  output_modalities: { type: 'array', items: { enum: ['audio', 'text'] } },
  metadata: { anyOf: [{ type: 'object' }, { type: 'null' }] },
} as const;

/**
 * `response` of `response.created`: a reply that has just started (`status: "in_progress"`,
 * usually an empty `output`). Closed in the strict set; `metadata` and `usage` stay open.
 */
export const startedResponseSchema = {
  type: 'object',
  properties: { ...responseProperties, status: { const: 'in_progress' } },
  required: ['id', 'status', 'output'],
  additionalProperties: false,
} as const;

/** `response` of `response.done`: final `status`, `status_details`, `output` items, `usage`. */
export const finishedResponseSchema = {
  type: 'object',
  properties: { ...responseProperties, status: { enum: FINAL_RESPONSE_STATUSES } },
  required: ['id', 'status', 'output'],
  additionalProperties: false,
} as const;

/**
 * `response` overrides of the client's `response.create`. swaram documents no fields ("optional
 * response overrides"), so the object is open; the fields it shares with the session are
 * checked.
 */
export const responseCreateParamsSchema = {
  type: 'object',
  properties: {
    instructions: { type: 'string' },
    voice: voiceSchema,
    tools: toolsSchema,
    tool_choice: toolChoiceSchema,
    conversation: { enum: ['auto', 'none'] },
    metadata: { anyOf: [{ type: 'object' }, { type: 'null' }] },
  },
} as const;
