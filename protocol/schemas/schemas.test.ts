import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { openSchema } from '../validators.js';
import {
  clientEventSchemas,
  contentPartSchema,
  finishedResponseSchema,
  flatSessionSchema,
  functionCallItemSchema,
  functionCallOutputItemSchema,
  gaSessionSchema,
  messageItemSchema,
  realtimeErrorSchema,
  responseCreateParamsSchema,
  SCHEMA_DIALECT,
  serverEventSchemas,
  startedResponseSchema,
  toolSchema,
  turnDetectionSchema,
  usageSchema,
} from './index.js';

type Node = Record<string, unknown>;

/** JSON Pointers (into the schema) of every object schema, split by closed / open. */
function objectSchemas(schema: unknown, at = ''): { closed: string[]; open: string[] } {
  const out = { closed: [] as string[], open: [] as string[] };
  const visit = (node: unknown, pointer: string) => {
    if (Array.isArray(node)) return node.forEach((n, i) => visit(n, `${pointer}/${i}`));
    if (node === null || typeof node !== 'object') return;
    const n = node as Node;
    if (n.type === 'object')
      (n.additionalProperties === false ? out.closed : out.open).push(pointer);
    for (const [key, value] of Object.entries(n)) {
      if (key === 'examples' || key === 'const' || key === 'enum') continue;
      visit(value, `${pointer}/${key}`);
    }
  };
  visit(schema, at);
  return out;
}

const allEvents = [
  ...Object.entries(clientEventSchemas).map(([type, schema]) => ({ side: 'client', type, schema })),
  ...Object.entries(serverEventSchemas).map(([type, schema]) => ({ side: 'server', type, schema })),
];

describe('event schemas', () => {
  it('has the 7 client and 12 server events of swaram', () => {
    expect(Object.keys(clientEventSchemas)).toHaveLength(7);
    expect(Object.keys(serverEventSchemas)).toHaveLength(12);
  });

  it.each(allEvents)('$side/$type has dialect, $id, title and its type constant', (e) => {
    const schema = e.schema as Node & { properties: Node };
    expect(schema.$schema).toBe(SCHEMA_DIALECT);
    expect(schema.$id).toBe(`swaram:${e.side}/${e.type}`);
    expect(schema.title).toBe(e.type);
    expect(schema.properties.type).toEqual({ const: e.type });
    expect(schema.additionalProperties).toBe(false);
    expect(schema.properties.event_id).toBeDefined();
  });

  it('requires event_id on every server event except error, and on no client event', () => {
    for (const e of allEvents) {
      const required = (e.schema as { required: readonly string[] }).required;
      const expected = e.side === 'server' && e.type !== 'error';
      expect(required.includes('event_id'), `${e.side}/${e.type}`).toBe(expected);
    }
  });

  it.each(allEvents)('$side/$type has examples that its own schema accepts', (e) => {
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    const validate = ajv.compile(e.schema);
    const examples = (e.schema as { examples?: readonly unknown[] }).examples ?? [];
    expect(examples.length).toBeGreaterThan(0);
    for (const example of examples) {
      expect(validate(example), JSON.stringify(validate.errors)).toBe(true);
    }
  });

  it('is plain JSON (survives a JSON round trip unchanged)', () => {
    for (const e of allEvents) expect(JSON.parse(JSON.stringify(e.schema))).toEqual(e.schema);
  });
});

describe('strict / tolerant decisions (docs/protocol.md, "Strict and tolerant")', () => {
  it.each([
    ['flat session', flatSessionSchema],
    ['tool', toolSchema],
    ['message item', messageItemSchema],
    ['content part', contentPartSchema],
    ['function_call item', functionCallItemSchema],
    ['function_call_output item', functionCallOutputItemSchema],
    ['response (created)', startedResponseSchema],
    ['response (done)', finishedResponseSchema],
    ['error object', realtimeErrorSchema],
  ])('closes the %s (fully documented)', (_name, schema) => {
    expect((schema as Node).additionalProperties).toBe(false);
  });

  it.each([
    ['GA nested session (extension)', gaSessionSchema],
    ['response.create overrides', responseCreateParamsSchema],
    ['usage', usageSchema],
  ])('leaves the %s open at every level', (_name, schema) => {
    const { closed } = objectSchemas(schema);
    // Tools inside the GA session reuse the closed tool schema; nothing else is closed.
    expect(closed.every((p) => p.endsWith('/tools/items'))).toBe(true);
  });

  it('leaves tool parameters, turn detection and metadata open', () => {
    expect((toolSchema.properties.parameters as Node).additionalProperties).toBeUndefined();
    expect(objectSchemas(turnDetectionSchema).closed).toEqual([]);
    expect(objectSchemas(finishedResponseSchema.properties.metadata).closed).toEqual([]);
  });

  it('closes every event envelope', () => {
    for (const e of allEvents) expect(objectSchemas(e.schema).closed).toContain('');
  });
});

describe('openSchema', () => {
  it('opens every closed object and keeps everything else', () => {
    for (const e of allEvents) {
      const opened = openSchema(e.schema);
      expect(objectSchemas(opened).closed).toEqual([]);
      const before = objectSchemas(e.schema);
      expect(objectSchemas(opened).open.sort()).toEqual([...before.closed, ...before.open].sort());
      const strip = (node: unknown): unknown =>
        JSON.parse(
          JSON.stringify(node, (key, value: unknown) =>
            key === 'additionalProperties' && value === false ? undefined : value,
          ),
        );
      expect(opened).toEqual(strip(e.schema));
    }
  });

  it('does not modify its input', () => {
    const schema = {
      type: 'object',
      properties: { a: { type: 'object', additionalProperties: false } },
      additionalProperties: false,
    };
    const copy = structuredClone(schema);
    openSchema(schema);
    expect(schema).toEqual(copy);
  });

  it('keeps additionalProperties that are schemas, and removes unevaluatedProperties: false', () => {
    expect(
      openSchema({
        type: 'object',
        additionalProperties: { type: 'string' },
        unevaluatedProperties: false,
      }),
    ).toEqual({ type: 'object', additionalProperties: { type: 'string' } });
  });
});
