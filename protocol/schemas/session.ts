import { toolChoiceSchema, turnDetectionSchema, voiceSchema } from './common.js';
import { toolsSchema } from './tool.js';

/** The settings swaram documents, in its flat shape (`session.voice`, `session.tools`, …). */
const flatSettings = {
  instructions: { type: 'string', description: 'System instructions for the assistant.' },
  voice: voiceSchema,
  tools: toolsSchema,
  tool_choice: toolChoiceSchema,
  turn_detection: turnDetectionSchema,
} as const;

/**
 * `session` of `session.update`, swaram's documented flat shape. Closed in the strict set:
 * these five fields are everything swaram documents. A flat session has no `type`: that is what
 * tells it from the GA shape, even in the tolerant set where both shapes are open.
 */
export const flatSessionSchema = {
  type: 'object',
  properties: { ...flatSettings, type: false },
  additionalProperties: false,
} as const;

/** A GA audio format object; swaram only speaks PCM16 at 24 kHz. */
const pcmFormatSchema = {
  type: 'object',
  properties: {
    type: { const: 'audio/pcm' },
    rate: { const: 24000 },
  },
} as const;

/**
 * `session` in the OpenAI Realtime GA nested shape (`type: "realtime"`, `audio.output.voice`,
 * `audio.input.turn_detection`, …). swaram does not document it; it is accepted as an extension
 * so clients written for OpenAI GA can connect, and mapped onto the flat settings. Every object
 * here is open: only the fields that map onto swaram's settings are checked.
 */
export const gaSessionSchema = {
  type: 'object',
  properties: {
    type: { const: 'realtime' },
    model: { type: 'string' },
    instructions: flatSettings.instructions,
    tools: toolsSchema,
    tool_choice: toolChoiceSchema,
    audio: {
      type: 'object',
      properties: {
        input: {
          type: 'object',
          properties: { format: pcmFormatSchema, turn_detection: turnDetectionSchema },
        },
        output: {
          type: 'object',
          properties: { format: pcmFormatSchema, voice: voiceSchema },
        },
      },
    },
  },
  required: ['type'],
} as const;

/** `session` of the client's `session.update`: the flat shape, or the GA nested extension. */
export const sessionUpdateConfigSchema = {
  anyOf: [flatSessionSchema, gaSessionSchema],
} as const;

/**
 * `session` of `session.created` / `session.updated`: the effective settings in the flat shape
 * plus the session's identity. Closed in the strict set (this is what the mock sends). A server
 * answering in the GA nested shape is accepted too, as an open object.
 */
export const serverSessionSchema = {
  anyOf: [
    {
      type: 'object',
      properties: {
        id: { type: 'string', description: 'Session id.' },
        object: { const: 'realtime.session' },
        model: { type: 'string', description: 'Model of the session (mal-realtime-simple, …).' },
        expires_at: { type: 'integer', description: 'Unix seconds after which it ends.' },
        ...flatSettings,
        type: false,
      },
      additionalProperties: false,
    },
    gaSessionSchema,
  ],
} as const;
