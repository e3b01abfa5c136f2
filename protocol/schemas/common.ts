/**
 * Small sub-schemas shared by several events: ids, audio, voice, tool choice, turn detection.
 *
 * Sub-schemas carry no `$id`: they are inlined into every event schema that uses them, so one
 * definition here is the single source for all of them (and for the derived TypeScript types).
 */

/** The JSON Schema dialect of every event schema. */
export const SCHEMA_DIALECT = 'https://json-schema.org/draft/2020-12/schema';

/** `event_id`: optional on client events (echoed in `error.event_id`), required on server events. */
export const eventIdSchema = {
  type: 'string',
  description: 'Identifier of this event, chosen by its sender.',
} as const;

/**
 * Base64 of PCM16 audio: 24 kHz, mono, little-endian. The schema only says "string"; the codec
 * adds the semantic checks (canonical padded base64, non-empty, even byte count) and reports
 * them as `invalid_audio`.
 */
export const base64Pcm16Schema = {
  type: 'string',
  contentEncoding: 'base64',
  contentMediaType: 'audio/L16; rate=24000; channels=1',
  description: 'Base64 of PCM16 little-endian mono audio at 24 kHz (48 bytes per millisecond).',
} as const;

/** swaram's voices. `mal-female` is the default. */
export const voiceSchema = {
  enum: ['mal-female', 'mal-male'],
  description: 'Voice of the replies; mal-female when not set.',
} as const;

/** Whether swaram may call tools: `auto` (default), `none`, or `required`. */
export const toolChoiceSchema = {
  enum: ['auto', 'none', 'required'],
  description: 'Whether the model may call tools; auto when not set.',
} as const;

/**
 * Turn detection settings. swaram always detects turns automatically and documents no fields,
 * so this object stays open; the fields OpenAI defines are type-checked when present. `null`
 * (OpenAI's "manual turns") is accepted on the wire; what a mode does with it is the server's
 * choice.
 */
export const turnDetectionSchema = {
  anyOf: [
    {
      type: 'object',
      properties: {
        type: { enum: ['server_vad', 'semantic_vad'] },
        threshold: { type: 'number', minimum: 0, maximum: 1 },
        prefix_padding_ms: { type: 'integer', minimum: 0 },
        silence_duration_ms: { type: 'integer', minimum: 0 },
        create_response: { type: 'boolean' },
        interrupt_response: { type: 'boolean' },
        eagerness: { enum: ['low', 'medium', 'high', 'auto'] },
      },
      required: ['type'],
    },
    { type: 'null' },
  ],
  description: 'Voice activity detection settings; automatic (server_vad) when not set.',
} as const;

/** Ids that must not be empty (`call_id`, `item_id`, `response_id`, …). */
export const idSchema = { type: 'string', minLength: 1 } as const;

/** Zero-based positions (`output_index`, `content_index`) and millisecond offsets. */
export const indexSchema = { type: 'integer', minimum: 0 } as const;
