/**
 * A function tool the model may call. swaram documents `{ type: "function", name, description,
 * parameters }`, so the tool object is closed in the strict set. `parameters` is itself a JSON
 * Schema written by the client and stays open.
 */
export const toolSchema = {
  type: 'object',
  properties: {
    type: { const: 'function' },
    name: { type: 'string', minLength: 1, description: 'Name the model uses to call the tool.' },
    description: { type: 'string', description: 'When and how to use the tool.' },
    parameters: {
      type: 'object',
      description: 'JSON Schema of the arguments object (passed through, never validated here).',
    },
  },
  required: ['type', 'name'],
  additionalProperties: false,
} as const;

/** `tools`: the list of function tools. */
export const toolsSchema = { type: 'array', items: toolSchema } as const;
