import type { FromSchema } from 'json-schema-to-ts';

/**
 * When a fault fires. Counts are 1-based and per session.
 *
 * - `connect`: as soon as the WebSocket is open (before `session.created`).
 * - `server-event`: right after the `count`-th server event of `type` was sent.
 * - `client-event`: right after the `count`-th client event of `type` was received.
 * - `delta`: right after the `count`-th `response.output_audio.delta` was sent.
 * - `tool-call`: right after the `count`-th `response.function_call_arguments.done` was sent.
 * - `time`: `afterMs` milliseconds after the connection opened.
 */
export const faultTriggerSchema = {
  oneOf: [
    {
      type: 'object',
      properties: { on: { const: 'connect' } },
      required: ['on'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        on: { enum: ['server-event', 'client-event'] },
        type: { type: 'string', minLength: 1 },
        count: { type: 'integer', minimum: 1 },
      },
      required: ['on', 'type'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        on: { enum: ['delta', 'tool-call'] },
        count: { type: 'integer', minimum: 1 },
      },
      required: ['on'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        on: { const: 'time' },
        afterMs: { type: 'number', minimum: 0 },
      },
      required: ['on', 'afterMs'],
      additionalProperties: false,
    },
  ],
} as const;

const serverEventType = { type: 'string', minLength: 1 } as const;

/**
 * What a fault does once triggered.
 *
 * - `close`: send an `error` event first when `error` is given, then close with `code`.
 * - `terminate`: destroy the socket without a close frame.
 * - `stall`: stop sending (the socket stays open) for `ms`, or for good when omitted.
 * - `delay`: hold every later outbound event by `ms` plus a uniform random jitter in
 *   `[0, jitterMs]`, keeping their order; with `types`, only events of those types are held and
 *   the rest pass at once (so held deltas can arrive after their `response.done`).
 * - `duplicate`: send the next outbound event (of `type`, when given) `times` extra times.
 * - `drop`: drop the next `count` outbound events (of `type`, when given).
 * - `inject`: send `event` as is (an unknown type, extra fields, anything JSON).
 * - `raw`: send `text` as a text frame, unparsed (malformed JSON and the like).
 * - `extra-fields`: merge `fields` into the next outbound event (of `type`, when given).
 * - `corrupt-delta`: make the next audio delta bad base64, odd-length or empty.
 * - `hold-session-updated`: answer `session.update` only after `ms` (never when omitted).
 */
export const faultActionSchema = {
  oneOf: [
    {
      type: 'object',
      properties: {
        action: { const: 'close' },
        code: { type: 'integer', minimum: 1000, maximum: 4999 },
        reason: { type: 'string' },
        error: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            code: { type: 'string' },
            message: { type: 'string' },
          },
          required: ['code'],
          additionalProperties: false,
        },
      },
      required: ['action', 'code'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { action: { const: 'terminate' } },
      required: ['action'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { action: { const: 'stall' }, ms: { type: 'number', minimum: 0 } },
      required: ['action'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        action: { const: 'delay' },
        ms: { type: 'number', minimum: 0 },
        jitterMs: { type: 'number', minimum: 0 },
        types: { type: 'array', items: serverEventType },
      },
      required: ['action', 'ms'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        action: { const: 'duplicate' },
        type: serverEventType,
        times: { type: 'integer', minimum: 1 },
      },
      required: ['action'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        action: { const: 'drop' },
        type: serverEventType,
        count: { type: 'integer', minimum: 1 },
      },
      required: ['action'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        action: { const: 'inject' },
        event: { type: 'object' },
      },
      required: ['action', 'event'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { action: { const: 'raw' }, text: { type: 'string' } },
      required: ['action', 'text'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        action: { const: 'extra-fields' },
        type: serverEventType,
        fields: { type: 'object' },
      },
      required: ['action', 'fields'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        action: { const: 'corrupt-delta' },
        kind: { enum: ['bad-base64', 'odd-length', 'empty'] },
      },
      required: ['action', 'kind'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        action: { const: 'hold-session-updated' },
        ms: { type: 'number', minimum: 0 },
      },
      required: ['action'],
      additionalProperties: false,
    },
  ],
} as const;

/**
 * One fault: a trigger, an action, and which sessions it applies to (`session`: the 1-based
 * connection number on this server, or `"all"`, the default). A fault fires once per session
 * unless `repeat` is true.
 */
export const faultSchema = {
  $id: 'swaram:fault',
  type: 'object',
  properties: {
    id: { type: 'string' },
    when: faultTriggerSchema,
    do: faultActionSchema,
    session: { oneOf: [{ type: 'integer', minimum: 1 }, { const: 'all' }] },
    repeat: { type: 'boolean' },
  },
  required: ['when', 'do'],
  additionalProperties: false,
} as const;

export type FaultTrigger = FromSchema<typeof faultTriggerSchema>;
export type FaultAction = FromSchema<typeof faultActionSchema>;
export type Fault = FromSchema<typeof faultSchema>;
