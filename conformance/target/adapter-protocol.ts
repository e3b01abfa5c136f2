import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { FromSchema } from 'json-schema-to-ts';

/**
 * The adapter protocol `swaram-adapter/1` (docs/adapter-protocol.md) as JSON Schemas, the
 * TypeScript types derived from them, and the runner's validators.
 *
 * The schemas are written closed (`additionalProperties: false`) so the derived types are
 * exact. Lines from an adapter are validated against an opened copy (unknown fields are
 * ignored, as the versioning rules say); the runner's own commands against the closed one.
 */

/** The protocol version this runner speaks, as an adapter must say it in `hello`. */
export const ADAPTER_PROTOCOL = 'swaram-adapter/1';

/** Feature names of `hello.features` that this version defines (docs: "Features"). */
export const ADAPTER_FEATURES = [
  'playback',
  'barge-in',
  'cancel',
  'push-to-talk',
  'tools',
  'reconnect',
  'transcripts',
  'responses',
  'premium',
] as const;

/** One of {@link ADAPTER_FEATURES}. */
export type AdapterFeature = (typeof ADAPTER_FEATURES)[number];

/** `error.code` values of an `ok: false` reply (docs: "Errors"). */
export const ADAPTER_REPLY_ERROR_CODES = [
  'invalid_json',
  'unknown_command',
  'invalid_command',
  'unsupported',
  'bad_state',
  'unknown_call',
  'internal',
] as const;

/** `kind` values of an `error` observation. */
export const CLIENT_ERROR_KINDS = [
  'auth',
  'billing',
  'rate',
  'transient',
  'protocol',
  'session',
  'network',
  'tool',
  'audio',
  'other',
] as const;

/** `state` values of a `connection` observation. */
export const CONNECTION_STATES = ['connecting', 'open', 'ready', 'reconnecting', 'closed'] as const;

/** `reason` values of a `playback.stopped` observation. */
export const PLAYBACK_STOP_REASONS = [
  'barge-in',
  'interrupt',
  'cancelled',
  'end',
  'reconnect',
  'other',
] as const;

/** `status` values of a `response` observation (swaram's final `response.status`). */
export const RESPONSE_STATUSES = ['completed', 'cancelled', 'failed', 'incomplete'] as const;

// ---------------------------------------------------------------------------------------------
// Shared pieces

/** Strict base64 (RFC 4648, padded, no whitespace) of a non-empty, even number of bytes. */
const base64AudioSchema = {
  type: 'string',
  minLength: 4,
  pattern: '^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$',
  description: 'Base64 of PCM16 24 kHz mono little-endian audio.',
} as const;

const commandIdSchema = { type: 'integer', minimum: 1 } as const;
const nonEmptyString = { type: 'string', minLength: 1 } as const;
/** The sender's own clock, informational only (the runner stamps arrival itself). */
const tsSchema = { type: 'number' } as const;

// ---------------------------------------------------------------------------------------------
// Commands: runner → adapter

/** A function tool the app declares, passed on as the app would. */
export const adapterToolSchema = {
  type: 'object',
  properties: {
    type: { const: 'function' },
    name: nonEmptyString,
    description: { type: 'string' },
    parameters: { type: 'object' },
  },
  required: ['type', 'name', 'parameters'],
  additionalProperties: false,
} as const;

/**
 * The session settings the app asks for. Deliberately loose (any voice string, any
 * `turn_detection` object): scenarios may ask for settings swaram refuses.
 */
export const adapterSessionSchema = {
  type: 'object',
  properties: {
    instructions: { type: 'string' },
    voice: { type: 'string' },
    tools: { type: 'array', items: adapterToolSchema },
    tool_choice: { type: 'string' },
    turn_detection: { anyOf: [{ type: 'object' }, { type: 'null' }] },
  },
  additionalProperties: false,
} as const;

export const connectCommandSchema = {
  $id: 'swaram-adapter:connect',
  type: 'object',
  properties: {
    type: { const: 'connect' },
    id: commandIdSchema,
    url: nonEmptyString,
    apiKey: { type: 'string' },
    model: nonEmptyString,
    session: adapterSessionSchema,
    options: {
      type: 'object',
      properties: {
        reportAudio: { type: 'boolean' },
        speed: { type: 'number', exclusiveMinimum: 0 },
      },
      additionalProperties: false,
    },
  },
  required: ['type', 'id', 'url', 'apiKey', 'model'],
  additionalProperties: false,
} as const;

export const micAudioCommandSchema = {
  $id: 'swaram-adapter:mic.audio',
  type: 'object',
  properties: { type: { const: 'mic.audio' }, id: commandIdSchema, audio: base64AudioSchema },
  required: ['type', 'id', 'audio'],
  additionalProperties: false,
} as const;

function bareCommand<T extends string>(type: T) {
  return {
    $id: `swaram-adapter:${type}`,
    type: 'object',
    properties: { type: { const: type }, id: commandIdSchema },
    required: ['type', 'id'],
    additionalProperties: false,
  } as const;
}

export const micEndCommandSchema = bareCommand('mic.end');
export const commitCommandSchema = bareCommand('commit');
export const interruptCommandSchema = bareCommand('interrupt');
export const endCommandSchema = bareCommand('end');
export const shutdownCommandSchema = bareCommand('shutdown');

export const toolResultCommandSchema = {
  $id: 'swaram-adapter:tool.result',
  type: 'object',
  properties: {
    type: { const: 'tool.result' },
    id: commandIdSchema,
    call_id: nonEmptyString,
    output: { type: 'string' },
    error: { type: 'string' },
  },
  required: ['type', 'id', 'call_id'],
  // Exactly one of `output` and `error`.
  oneOf: [
    { type: 'object', properties: { output: { type: 'string' } }, required: ['output'] },
    { type: 'object', properties: { error: { type: 'string' } }, required: ['error'] },
  ],
  additionalProperties: false,
} as const;

/** Every command schema by `type`. */
export const commandSchemas = {
  connect: connectCommandSchema,
  'mic.audio': micAudioCommandSchema,
  'mic.end': micEndCommandSchema,
  commit: commitCommandSchema,
  interrupt: interruptCommandSchema,
  'tool.result': toolResultCommandSchema,
  end: endCommandSchema,
  shutdown: shutdownCommandSchema,
} as const;

// ---------------------------------------------------------------------------------------------
// Adapter → runner: hello, reply, observations

export const helloSchema = {
  $id: 'swaram-adapter:hello',
  type: 'object',
  properties: {
    type: { const: 'hello' },
    protocol: { type: 'string' },
    client: {
      type: 'object',
      properties: {
        name: nonEmptyString,
        version: nonEmptyString,
        language: { type: 'string' },
      },
      required: ['name', 'version'],
      additionalProperties: false,
    },
    features: { type: 'array', items: { type: 'string' }, uniqueItems: true },
    ts: tsSchema,
  },
  required: ['type', 'protocol', 'client', 'features'],
  additionalProperties: false,
} as const;

const replyErrorSchema = {
  type: 'object',
  properties: { code: { enum: ADAPTER_REPLY_ERROR_CODES }, message: { type: 'string' } },
  required: ['code', 'message'],
  additionalProperties: false,
} as const;

export const replySchema = {
  $id: 'swaram-adapter:reply',
  type: 'object',
  properties: {
    type: { const: 'reply' },
    id: { anyOf: [commandIdSchema, { type: 'null' }] },
    ok: { type: 'boolean' },
    error: replyErrorSchema,
    ts: tsSchema,
  },
  required: ['type', 'id', 'ok'],
  // `error` is required when `ok` is false.
  anyOf: [
    { type: 'object', properties: { ok: { const: true } } },
    {
      type: 'object',
      properties: { ok: { const: false }, error: replyErrorSchema },
      required: ['ok', 'error'],
    },
  ],
  additionalProperties: false,
} as const;

export const connectionObservationSchema = {
  $id: 'swaram-adapter:connection',
  type: 'object',
  properties: {
    type: { const: 'connection' },
    state: { enum: CONNECTION_STATES },
    attempt: { type: 'integer', minimum: 1 },
    code: { type: 'integer' },
    reason: { type: 'string' },
    delayMs: { type: 'number', minimum: 0 },
    by: { enum: ['client', 'server', 'network'] },
    ts: tsSchema,
  },
  required: ['type', 'state', 'attempt'],
  additionalProperties: false,
} as const;

export const errorObservationSchema = {
  $id: 'swaram-adapter:error',
  type: 'object',
  properties: {
    type: { const: 'error' },
    kind: { enum: CLIENT_ERROR_KINDS },
    code: { type: 'string' },
    message: { type: 'string' },
    fatal: { type: 'boolean' },
    ts: tsSchema,
  },
  required: ['type', 'kind', 'message'],
  additionalProperties: false,
} as const;

export const responseObservationSchema = {
  $id: 'swaram-adapter:response',
  type: 'object',
  properties: {
    type: { const: 'response' },
    response_id: nonEmptyString,
    status: { enum: RESPONSE_STATUSES },
    reason: { type: 'string' },
    ts: tsSchema,
  },
  required: ['type', 'response_id', 'status'],
  additionalProperties: false,
} as const;

export const transcriptObservationSchema = {
  $id: 'swaram-adapter:transcript',
  type: 'object',
  properties: {
    type: { const: 'transcript' },
    role: { enum: ['user', 'assistant'] },
    item_id: nonEmptyString,
    response_id: nonEmptyString,
    text: { type: 'string' },
    final: { type: 'boolean' },
    ts: tsSchema,
  },
  required: ['type', 'role', 'item_id', 'text', 'final'],
  additionalProperties: false,
} as const;

export const toolInvokeObservationSchema = {
  $id: 'swaram-adapter:tool.invoke',
  type: 'object',
  properties: {
    type: { const: 'tool.invoke' },
    call_id: nonEmptyString,
    name: { type: 'string' },
    arguments: { type: 'string' },
    item_id: nonEmptyString,
    response_id: nonEmptyString,
    ts: tsSchema,
  },
  required: ['type', 'call_id', 'name', 'arguments'],
  additionalProperties: false,
} as const;

export const audioPlayedObservationSchema = {
  $id: 'swaram-adapter:audio.played',
  type: 'object',
  properties: {
    type: { const: 'audio.played' },
    response_id: { type: 'string' },
    item_id: { type: 'string' },
    // Any count: an SDK that plays an odd-length chunk (a malformed delta, a sample split
    // across chunks) must be able to say so; PLAY-STRICT judges what it means.
    bytes: { type: 'integer', minimum: 1 },
    audio: { ...base64AudioSchema, description: 'Base64 of the bytes played, as played.' },
    ts: tsSchema,
  },
  required: ['type', 'response_id', 'item_id', 'bytes'],
  additionalProperties: false,
} as const;

export const playbackStoppedObservationSchema = {
  $id: 'swaram-adapter:playback.stopped',
  type: 'object',
  properties: {
    type: { const: 'playback.stopped' },
    reason: { enum: PLAYBACK_STOP_REASONS },
    droppedBytes: { type: 'integer', minimum: 0 },
    response_ids: { type: 'array', items: { type: 'string' } },
    ts: tsSchema,
  },
  required: ['type', 'reason', 'droppedBytes'],
  additionalProperties: false,
} as const;

export const audioDroppedObservationSchema = {
  $id: 'swaram-adapter:audio.dropped',
  type: 'object',
  properties: {
    type: { const: 'audio.dropped' },
    reason: { enum: ['malformed', 'stale'] },
    response_id: { type: 'string' },
    item_id: { type: 'string' },
    bytes: { type: 'integer', minimum: 0 },
    detail: { type: 'string' },
    ts: tsSchema,
  },
  required: ['type', 'reason'],
  additionalProperties: false,
} as const;

/**
 * A memory sample of the client's process (BOUNDED-MEMORY), sent periodically (about once a
 * second) while the adapter runs. `rss` is resident bytes; `heapUsed` and `external` are the
 * live bytes of a garbage-collected runtime (JS heap and buffers outside it), when it has them.
 */
export const memoryObservationSchema = {
  $id: 'swaram-adapter:memory',
  type: 'object',
  properties: {
    type: { const: 'memory' },
    rss: { type: 'integer', minimum: 0 },
    heapUsed: { type: 'integer', minimum: 0 },
    external: { type: 'integer', minimum: 0 },
    ts: tsSchema,
  },
  required: ['type', 'rss'],
  additionalProperties: false,
} as const;

/** Every observation schema by `type`. */
export const observationSchemas = {
  connection: connectionObservationSchema,
  error: errorObservationSchema,
  response: responseObservationSchema,
  transcript: transcriptObservationSchema,
  'tool.invoke': toolInvokeObservationSchema,
  'audio.played': audioPlayedObservationSchema,
  'playback.stopped': playbackStoppedObservationSchema,
  'audio.dropped': audioDroppedObservationSchema,
  memory: memoryObservationSchema,
} as const;

/** Every schema of a message an adapter may send, by `type`. */
export const adapterMessageSchemas = {
  hello: helloSchema,
  reply: replySchema,
  ...observationSchemas,
} as const;

// ---------------------------------------------------------------------------------------------
// Types

type CommandSchemas = typeof commandSchemas;
type ObservationSchemas = typeof observationSchemas;

/** Each command `type` mapped to its message type. */
export type CommandMap = { [T in keyof CommandSchemas]: FromSchema<CommandSchemas[T]> };
/** Each observation `type` mapped to its message type. */
export type ObservationMap = { [T in keyof ObservationSchemas]: FromSchema<ObservationSchemas[T]> };

export type CommandType = keyof CommandMap;
export type ObservationType = keyof ObservationMap;

/** Any runner → adapter command; narrow on `type`. */
export type AdapterCommand = CommandMap[CommandType];
/** Any adapter → runner observation; narrow on `type`. */
export type Observation = ObservationMap[ObservationType];
/** One observation by name: `ObservationOf<'audio.played'>`. */
export type ObservationOf<T extends ObservationType> = ObservationMap[T];
/** One command by name: `CommandOf<'connect'>`. */
export type CommandOf<T extends CommandType> = CommandMap[T];

export type Hello = FromSchema<typeof helloSchema>;
export type Reply = FromSchema<typeof replySchema>;
/** Anything an adapter may write on stdout. */
export type AdapterMessage = Hello | Reply | Observation;

/** `session` of `connect`. */
export type AdapterSession = FromSchema<typeof adapterSessionSchema>;
/** A tool of `connect.session.tools`. */
export type AdapterTool = FromSchema<typeof adapterToolSchema>;
export type ReplyErrorCode = (typeof ADAPTER_REPLY_ERROR_CODES)[number];
export type ClientErrorKind = (typeof CLIENT_ERROR_KINDS)[number];
export type ConnectionState = (typeof CONNECTION_STATES)[number];
export type PlaybackStopReason = (typeof PLAYBACK_STOP_REASONS)[number];
export type ResponseStatus = (typeof RESPONSE_STATUSES)[number];

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A command without its `id`: what runner code passes to `Target.send` / `request`. */
export type CommandInput = DistributiveOmit<AdapterCommand, 'id'>;

// ---------------------------------------------------------------------------------------------
// Validation

/** One problem found in a message, in ajv's terms (returned as data, never thrown). */
export interface ValidationIssue {
  /** JSON Pointer of the offending value, `''` for the whole message. */
  readonly path: string;
  /** What is wrong, in words. */
  readonly message: string;
  /** The JSON Schema keyword that failed (`required`, `type`, `enum`, …). */
  readonly keyword: string;
}

/** Why a line from an adapter was not a valid message. */
export type LineProblem =
  | 'invalid-json' // not JSON, or not a JSON object
  | 'missing-type' // an object without a string `type`
  | 'unknown-type' // a `type` this protocol version does not define for adapters
  | 'invalid-message'; // a known `type` with missing or mistyped fields

/** The outcome of {@link parseAdapterLine}. */
export type ParsedLine =
  | { readonly ok: true; readonly message: AdapterMessage }
  | {
      readonly ok: false;
      readonly problem: LineProblem;
      /** The `type` when one was found. */
      readonly type?: string;
      readonly issues: readonly ValidationIssue[];
      /** The parsed value when the line was JSON. */
      readonly value?: unknown;
    };

/** Removes `additionalProperties: false` everywhere: the tolerant variant of a schema. */
function openSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = openSchema(value);
  }
  return out;
}

interface Validators {
  readonly adapter: Readonly<Record<string, ValidateFunction>>;
  readonly command: Readonly<Record<string, ValidateFunction>>;
}

let validators: Validators | undefined;

function compileAll(schemas: Record<string, object>): Record<string, ValidateFunction> {
  // One ajv instance per variant: the variants share `$id`s.
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  return Object.fromEntries(
    Object.entries(schemas).map(([type, schema]) => [type, ajv.compile(schema)]),
  );
}

/** Every schema compiled once, on first use. */
function compiled(): Validators {
  validators ??= {
    adapter: compileAll(openSchema(adapterMessageSchemas) as Record<string, object>),
    command: compileAll(commandSchemas),
  };
  return validators;
}

function toIssues(errors: readonly ErrorObject[] | null | undefined): ValidationIssue[] {
  return (errors ?? []).map((e) => ({
    path: e.instancePath,
    keyword: e.keyword,
    message:
      e.keyword === 'additionalProperties'
        ? `unknown field ${JSON.stringify((e.params as { additionalProperty?: string }).additionalProperty)}`
        : e.keyword === 'enum'
          ? `${e.message ?? 'invalid'}: ${(e.params as { allowedValues?: unknown[] }).allowedValues?.map((v) => JSON.stringify(v)).join(', ')}`
          : (e.message ?? 'invalid'),
  }));
}

/**
 * Validates a value as a message from an adapter (tolerant: unknown fields are ignored).
 * Never throws.
 */
export function validateAdapterMessage(value: unknown): ParsedLine {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      ok: false,
      problem: 'invalid-json',
      issues: [{ path: '', keyword: 'type', message: 'must be a JSON object' }],
      value,
    };
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') {
    return {
      ok: false,
      problem: 'missing-type',
      issues: [{ path: '/type', keyword: 'required', message: 'must have a string "type"' }],
      value,
    };
  }
  const validate = Object.hasOwn(compiled().adapter, type) ? compiled().adapter[type] : undefined;
  if (!validate) {
    const hint = Object.hasOwn(commandSchemas, type) ? ' (that is a runner → adapter command)' : '';
    return {
      ok: false,
      problem: 'unknown-type',
      type,
      issues: [
        {
          path: '/type',
          keyword: 'enum',
          message: `unknown message type ${JSON.stringify(type)}${hint}; expected one of ${Object.keys(adapterMessageSchemas).join(', ')}`,
        },
      ],
      value,
    };
  }
  if (!validate(value)) {
    return {
      ok: false,
      problem: 'invalid-message',
      type,
      issues: toIssues(validate.errors),
      value,
    };
  }
  return { ok: true, message: value as AdapterMessage };
}

/** Parses and validates one line from an adapter's stdout. Never throws. */
export function parseAdapterLine(line: string): ParsedLine {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    return {
      ok: false,
      problem: 'invalid-json',
      issues: [{ path: '', keyword: 'json', message: (err as Error).message }],
    };
  }
  return validateAdapterMessage(value);
}

/**
 * Validates a command the runner is about to send (closed schemas: a typo in runner code is
 * caught here). Returns the problems; an empty array means valid.
 */
export function validateCommand(value: unknown): ValidationIssue[] {
  const type = (value as { type?: unknown } | null)?.type;
  const validate =
    typeof type === 'string' && Object.hasOwn(compiled().command, type)
      ? compiled().command[type]
      : undefined;
  if (!validate) {
    return [
      {
        path: '/type',
        keyword: 'enum',
        message: `unknown command ${JSON.stringify(type)}; expected one of ${Object.keys(commandSchemas).join(', ')}`,
      },
    ];
  }
  return validate(value) ? [] : toIssues(validate.errors);
}

/** Whether `type` names an observation of this protocol version. */
export function isObservationType(type: string): type is ObservationType {
  return Object.hasOwn(observationSchemas, type);
}

/** One line of the protocol: the message as JSON and a newline. */
export function encodeMessage(message: AdapterCommand | AdapterMessage): string {
  return JSON.stringify(message) + '\n';
}
