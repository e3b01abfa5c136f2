/**
 * The `error` object of an `error` event. Clients rely on `code` (messages are deliberately
 * generic); `param` names the offending field as a JSON Pointer and `event_id` echoes the
 * client event that failed. OpenAI sends `null` for an absent `param` / `event_id`, so `null`
 * is accepted. Closed in the strict set: these are all the fields swaram documents.
 */
export const realtimeErrorSchema = {
  type: 'object',
  properties: {
    type: { type: 'string', description: 'Error class, e.g. invalid_request_error.' },
    code: { type: 'string', description: 'Stable error code, e.g. invalid_event.' },
    message: { type: 'string', description: 'Human-readable, deliberately generic.' },
    param: { anyOf: [{ type: 'string' }, { type: 'null' }] },
    event_id: { anyOf: [{ type: 'string' }, { type: 'null' }] },
  },
  required: ['type', 'code', 'message'],
  additionalProperties: false,
} as const;
