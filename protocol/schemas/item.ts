import { idSchema } from './common.js';

const itemStatusSchema = { enum: ['completed', 'incomplete', 'in_progress'] } as const;

/**
 * One part of a message item's `content`. swaram puts the text of a user turn in `text`; an
 * assistant's spoken reply carries its `transcript` (audio itself is never repeated in items).
 * The content types are the GA ones plus the beta `text` / `audio`, since swaram keeps some
 * beta names.
 */
export const contentPartSchema = {
  type: 'object',
  properties: {
    type: { enum: ['input_text', 'input_audio', 'output_text', 'output_audio', 'text', 'audio'] },
    text: { type: 'string' },
    transcript: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
  required: ['type'],
  additionalProperties: false,
} as const;

/** A message: the user's turn (role `user`) or the assistant's reply (role `assistant`). */
export const messageItemSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { const: 'realtime.item' },
    type: { const: 'message' },
    status: itemStatusSchema,
    role: { enum: ['user', 'assistant', 'system'] },
    content: { type: 'array', items: contentPartSchema },
  },
  required: ['type', 'role', 'content'],
  additionalProperties: false,
} as const;

/** The model calling a tool. `call_id` (not `id`) is what the tool result must quote. */
export const functionCallItemSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { const: 'realtime.item' },
    type: { const: 'function_call' },
    status: itemStatusSchema,
    call_id: idSchema,
    name: { type: 'string', minLength: 1 },
    arguments: { type: 'string', description: 'The arguments as a JSON text.' },
  },
  required: ['type', 'call_id', 'name', 'arguments'],
  additionalProperties: false,
} as const;

/** A tool result sent back by the client (and echoed by `conversation.item.created`). */
export const functionCallOutputItemSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    object: { const: 'realtime.item' },
    type: { const: 'function_call_output' },
    status: itemStatusSchema,
    call_id: idSchema,
    output: { type: 'string', description: 'The result, as text (usually JSON).' },
  },
  required: ['type', 'call_id', 'output'],
  additionalProperties: false,
} as const;

/** Any conversation item a server event may carry. */
export const itemSchema = {
  anyOf: [messageItemSchema, functionCallItemSchema, functionCallOutputItemSchema],
} as const;
