import type { ErrorObject } from 'ajv';
import {
  CLIENT_EVENT_TYPES,
  isClientEventType,
  isOpenAiOnlyClientEventType,
  isOpenAiOnlyServerEventType,
  isServerEventType,
  OPENAI_BETA_SERVER_EVENT_RENAMES,
  SERVER_EVENT_TYPES,
} from './events.js';
import type { ClientEvent, ServerEvent } from './events.js';
import { validatorsFor } from './validators.js';
import type { EventValidator } from './validators.js';

/**
 * Text frames in, typed events or violations out. See docs/protocol.md, "Validation".
 *
 * Nothing here throws: every input, however malformed, yields a {@link ParseResult}. Failures
 * are data, so the mock can answer with an `error` event and the harness can report them.
 */

/** What kind of problem a message has. Each value is also an `error.code` the mock sends. */
export type ViolationCode =
  'invalid_json' | 'unknown_event' | 'unsupported_event' | 'invalid_event' | 'invalid_audio';

/** One problem found in a message. */
export interface Violation {
  /** The kind of problem; usable as the `error.code` of an `error` event. */
  readonly code: ViolationCode;
  /** JSON Pointer to the offending value: `''` for the whole message, `'/session/voice'`. */
  readonly path: string;
  /** One sentence saying what was expected and what was found. */
  readonly message: string;
  /**
   * The JSON Schema keyword that failed (`required`, `type`, `enum`, `additionalProperties`, …)
   * when the problem came from the schema; absent for the codec's own checks.
   */
  readonly keyword?: string;
}

/** Options of {@link parseClientEvent} and friends. */
export interface ParseOptions {
  /**
   * Check against the strict schemas (closed objects where swaram documents them: unknown
   * fields are violations) instead of the tolerant ones. Default `false`.
   */
  readonly strict?: boolean;
}

/** A message that passed every check. */
export interface ParseSuccess<E extends { readonly type: string }> {
  readonly ok: true;
  readonly event: E;
  /** `event.type`, repeated so success and failure can be read the same way. */
  readonly type: E['type'];
  /** `event.event_id` when present. */
  readonly eventId?: string;
}

/** A message that failed; `type` and `eventId` are filled in whenever they could be read. */
export interface ParseFailure {
  readonly ok: false;
  /** At least one, at most {@link MAX_VIOLATIONS}. */
  readonly violations: readonly Violation[];
  /** The message's `type`, when it is a string. */
  readonly type?: string;
  /** The message's `event_id`, when it is a string (echo it in `error.event_id`). */
  readonly eventId?: string;
}

/** The outcome of parsing or validating one event. */
export type ParseResult<E extends { readonly type: string }> = ParseSuccess<E> | ParseFailure;

/** A text frame as a WebSocket library hands it over. */
export type RawFrame = string | Uint8Array;

/** Violations reported per message at most (a hostile message could otherwise yield thousands). */
export const MAX_VIOLATIONS = 20;

/**
 * Parses and validates one frame sent by a client.
 *
 * Never throws. `options.strict` (default `false`) selects the strict schemas. An OpenAI event
 * outside swaram's subset yields `unsupported_event`; any other unknown type `unknown_event`.
 *
 * @example
 * const parsed = parseClientEvent(frame);
 * if (!parsed.ok) sendError(parsed.violations[0], parsed.eventId);
 * else handle(parsed.event);
 */
export function parseClientEvent(
  frame: RawFrame,
  options?: ParseOptions,
): ParseResult<ClientEvent> {
  return parseFrame(frame, clientSide, options);
}

/**
 * Parses and validates one frame sent by a server. Never throws. An OpenAI server event that
 * swaram never sends yields `unsupported_event`; any other unknown type `unknown_event`.
 */
export function parseServerEvent(
  frame: RawFrame,
  options?: ParseOptions,
): ParseResult<ServerEvent> {
  return parseFrame(frame, serverSide, options);
}

/** Validates an already parsed value as a client event (e.g. one read from a trace). */
export function validateClientEvent(
  value: unknown,
  options?: ParseOptions,
): ParseResult<ClientEvent> {
  return guarded(() => check(value, clientSide, options?.strict === true));
}

/** Validates an already parsed value as a server event. */
export function validateServerEvent(
  value: unknown,
  options?: ParseOptions,
): ParseResult<ServerEvent> {
  return guarded(() => check(value, serverSide, options?.strict === true));
}

/** The wire form of an event: compact JSON, as sent in a text frame. */
export function serializeEvent(event: ClientEvent | ServerEvent): string {
  return JSON.stringify(event);
}

/** Value of each standard base64 character by char code (-1: not in the alphabet). */
const BASE64_VALUES = (() => {
  const values = new Int8Array(128).fill(-1);
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  for (let i = 0; i < alphabet.length; i++) values[alphabet.charCodeAt(i)] = i;
  return values;
})();

/** Reused decode target, so checking audio allocates nothing (grown up to 64 KiB). */
let scratch = Buffer.allocUnsafe(16 * 1024);
const SCRATCH_LIMIT = 64 * 1024;

/**
 * Whether `text` is canonical, padded, standard-alphabet base64 with nothing else in it (no
 * whitespace, no `data:` prefix, no base64url characters, no stray bits after the last byte).
 * The empty string is valid base64 (of zero bytes).
 *
 * Cost: about 0.6 µs for 100 ms of audio (6 400 characters, Node 20), against 2–5 µs for
 * decoding and re-encoding and 12 µs for an anchored character-class regex. How: the text must
 * be ASCII (its UTF-8 length equals its length) without `-` or `_`; Node's decoder then skips
 * every other non-alphabet character and stops at `=`, so any stray character makes the decoded
 * length fall short of what the length and padding promise. The unused bits of the last
 * character are checked directly.
 */
export function isStrictBase64(text: string): boolean {
  const length = text.length;
  if (length % 4 !== 0) return false;
  if (length === 0) return true;
  if (Buffer.byteLength(text, 'utf8') !== length) return false;
  if (text.indexOf('-') !== -1 || text.indexOf('_') !== -1) return false;
  const padding =
    text.charCodeAt(length - 1) === 61 ? (text.charCodeAt(length - 2) === 61 ? 2 : 1) : 0;
  const last = BASE64_VALUES[text.charCodeAt(length - 1 - padding)] ?? -1;
  if (last < 0 || (padding === 2 && last % 16 !== 0) || (padding === 1 && last % 4 !== 0)) {
    return false;
  }
  const expected = (length / 4) * 3 - padding;
  let target = scratch;
  if (target.length < expected + 3) {
    target = Buffer.allocUnsafe(expected + 3);
    if (target.length <= SCRATCH_LIMIT) scratch = target;
  }
  return target.write(text, 0, 'base64') === expected;
}

/**
 * Bytes encoded by a base64 string, by arithmetic (no decoding). Exact for strings that pass
 * {@link isStrictBase64}; for other strings it is an estimate.
 */
export function decodedBase64Length(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return Math.max(0, Math.floor((text.length * 3) / 4) - padding);
}

/**
 * Why `text` is not acceptable base64 PCM16 audio, as a phrase to follow a field name ("is
 * empty; …"), or `undefined` when it is fine: canonical padded base64, at least one sample,
 * an even number of bytes.
 */
export function pcm16Base64Problem(text: string): string | undefined {
  if (text.length === 0) return 'is empty; expected base64 of at least one PCM16 sample (2 bytes)';
  if (!isStrictBase64(text)) return base64Problem(text);
  const bytes = decodedBase64Length(text);
  if (bytes % 2 !== 0) {
    return `decodes to ${bytes} bytes; PCM16 needs an even number (2 bytes per sample)`;
  }
  return undefined;
}

/** The first thing wrong with a string that is not strict base64 (slow path, failures only). */
function base64Problem(text: string): string {
  if (/^data:/i.test(text)) {
    return 'is a data: URL; expected bare base64 (drop the "data:…;base64," prefix)';
  }
  const space = /\s/.exec(text);
  if (space) {
    return `contains whitespace (${JSON.stringify(space[0])} at index ${space.index}); expected base64 on one line with no spaces`;
  }
  const urlSafe = /[-_]/.exec(text);
  if (urlSafe) {
    return `contains "${urlSafe[0]}" at index ${urlSafe.index}; expected the standard base64 alphabet (+ and /), not base64url`;
  }
  const foreign = /[^A-Za-z0-9+/=]/.exec(text);
  if (foreign) {
    return `contains ${JSON.stringify(foreign[0])} at index ${foreign.index}, which is not a base64 character`;
  }
  const equals = text.indexOf('=');
  if (equals !== -1 && !/^={1,2}$/.test(text.slice(equals))) {
    return `has "=" at index ${equals}; padding may only end the text (at most two "=")`;
  }
  if (text.length % 4 !== 0) {
    return `has length ${text.length}, not a multiple of 4; expected padded base64 (end with "=" or "==")`;
  }
  return 'is not canonical base64: the last character before the padding carries non-zero unused bits';
}

// ---------------------------------------------------------------------------------------------
// Parsing and dispatch

interface Side {
  readonly name: 'client' | 'server';
  readonly isKnown: (type: unknown) => boolean;
  readonly isOpenAiOnly: (type: unknown) => boolean;
  readonly isOtherSide: (type: unknown) => boolean;
  readonly types: readonly string[];
  /** The field holding base64 PCM16 for each event type that carries audio. */
  readonly audioField: ReadonlyMap<string, string>;
}

const clientSide: Side = {
  name: 'client',
  isKnown: isClientEventType,
  isOpenAiOnly: isOpenAiOnlyClientEventType,
  isOtherSide: isServerEventType,
  types: CLIENT_EVENT_TYPES,
  audioField: new Map([['input_audio_buffer.append', 'audio']]),
};

const serverSide: Side = {
  name: 'server',
  isKnown: isServerEventType,
  isOpenAiOnly: isOpenAiOnlyServerEventType,
  isOtherSide: isClientEventType,
  types: SERVER_EVENT_TYPES,
  audioField: new Map([['response.output_audio.delta', 'delta']]),
};

function parseFrame<E extends { readonly type: string }>(
  frame: unknown,
  side: Side,
  options: ParseOptions | undefined,
): ParseResult<E> {
  return guarded(() => {
    const text = frameText(frame);
    if (text === undefined) {
      return failure([
        {
          code: 'invalid_json',
          path: '',
          message: `expected a text frame (a string or UTF-8 bytes); got ${kindOf(frame)}`,
        },
      ]);
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return failure([
        { code: 'invalid_json', path: '', message: `the message is not valid JSON (${reason})` },
      ]);
    }
    return check(value, side, options?.strict === true);
  });
}

function frameText(frame: unknown): string | undefined {
  if (typeof frame === 'string') return frame;
  if (frame instanceof Uint8Array) {
    return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString('utf8');
  }
  if (frame instanceof ArrayBuffer) return Buffer.from(frame).toString('utf8');
  if (Array.isArray(frame) && frame.every((part) => part instanceof Uint8Array)) {
    return Buffer.concat(frame as Uint8Array[]).toString('utf8');
  }
  return undefined;
}

function check<E extends { readonly type: string }>(
  value: unknown,
  side: Side,
  strict: boolean,
): ParseResult<E> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return failure([
      {
        code: 'invalid_event',
        path: '',
        message: `the event must be a JSON object with a string "type"; got ${kindOf(value)}`,
      },
    ]);
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  const eventId = typeof record.event_id === 'string' ? record.event_id : undefined;
  const typeName = typeof type === 'string' ? type : undefined;

  if (typeName === undefined) {
    const message =
      type === undefined
        ? '/type is required: every event is a JSON object with a string "type"'
        : `/type must be a string; got ${kindOf(type)}`;
    const keyword = type === undefined ? 'required' : 'type';
    return failure([{ code: 'invalid_event', path: '/type', message, keyword }], { eventId });
  }
  if (!side.isKnown(typeName)) {
    return failure([typeViolation(typeName, side)], { type: typeName, eventId });
  }

  const validator = (
    validatorsFor(strict)[side.name] as unknown as Record<string, EventValidator<E>>
  )[typeName]!;
  const violations: Violation[] = validator(value) ? [] : explain(validator.errors ?? [], value);

  const audioField = side.audioField.get(typeName);
  if (audioField !== undefined) {
    const audio = record[audioField];
    if (typeof audio === 'string') {
      const problem = pcm16Base64Problem(audio);
      if (problem !== undefined) {
        violations.push({
          code: 'invalid_audio',
          path: `/${audioField}`,
          message: `/${audioField} ${problem}`,
        });
      }
    }
  }

  if (violations.length > 0) return failure(violations, { type: typeName, eventId });
  const event = value as E;
  return eventId === undefined
    ? { ok: true, event, type: event.type }
    : { ok: true, event, type: event.type, eventId };
}

function typeViolation(type: string, side: Side): Violation {
  const path = '/type';
  if (side.isOpenAiOnly(type)) {
    const renamed = (OPENAI_BETA_SERVER_EVENT_RENAMES as Record<string, string>)[type];
    const message =
      side.name === 'client'
        ? `"${type}" is an OpenAI Realtime client event that swaram does not support`
        : renamed !== undefined
          ? `"${type}" is the OpenAI beta name of "${renamed}", which is what swaram sends`
          : `"${type}" is an OpenAI Realtime server event that swaram never sends`;
    return { code: 'unsupported_event', path, message };
  }
  if (side.isOtherSide(type)) {
    const other = side.name === 'client' ? 'server' : 'client';
    return {
      code: 'unknown_event',
      path,
      message: `"${type}" is a ${other} event, not a ${side.name} event`,
    };
  }
  const guess = closest(type, side.types);
  return {
    code: 'unknown_event',
    path,
    message:
      `unknown ${side.name} event type ${JSON.stringify(truncate(type))}` +
      (guess !== undefined ? `; did you mean "${guess}"?` : ''),
  };
}

function failure(
  violations: Violation[],
  read: { type?: string | undefined; eventId?: string | undefined } = {},
): ParseFailure {
  const capped =
    violations.length > MAX_VIOLATIONS ? violations.slice(0, MAX_VIOLATIONS) : violations;
  return {
    ok: false,
    violations: capped,
    ...(read.type !== undefined ? { type: read.type } : {}),
    ...(read.eventId !== undefined ? { eventId: read.eventId } : {}),
  };
}

/** Last line of defence of the never-throw promise: a bug here becomes a violation, not a crash. */
function guarded<E extends { readonly type: string }>(run: () => ParseResult<E>): ParseResult<E> {
  try {
    return run();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return failure([
      { code: 'invalid_event', path: '', message: `the event could not be checked (${reason})` },
    ]);
  }
}

// ---------------------------------------------------------------------------------------------
// Turning ajv's findings into violations that say what was expected

/**
 * Converts ajv errors (from a validator compiled with `allErrors: true`) into violations of code
 * `invalid_event` whose messages say what was expected. Where a value may take one of several
 * shapes (`anyOf`), ajv reports the failures of every shape; only the shape the value was
 * evidently meant to be is kept (see {@link chooseBranch}). `data` is the validated value (used
 * to quote what was found). Usable with any schema, not only event schemas.
 */
export function violationsFromAjv(errors: readonly ErrorObject[], data: unknown): Violation[] {
  return explain(errors, data);
}

function explain(errors: readonly ErrorObject[], root: unknown): Violation[] {
  let current: (ErrorObject | Violation)[] = [...errors];
  const alternatives = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);

  for (const alternative of alternatives) {
    if (!current.includes(alternative)) continue;
    const prefix = alternative.schemaPath + '/';
    const branches = new Map<number, ErrorObject[]>();
    for (const item of current) {
      if (!isAjvError(item) || !item.schemaPath.startsWith(prefix)) continue;
      const index = Number.parseInt(item.schemaPath.slice(prefix.length), 10);
      const list = branches.get(index) ?? [];
      list.push(item);
      branches.set(index, list);
    }
    const decision = chooseBranch(alternative, branches, root);
    const drop = new Set<ErrorObject>();
    for (const list of branches.values()) for (const e of list) drop.add(e);
    for (const e of decision.keep) drop.delete(e);
    current = current.flatMap((item) => {
      if (item === alternative) return decision.replacement ? [decision.replacement] : [];
      return isAjvError(item) && drop.has(item) ? [] : [item];
    });
  }
  const violations = current.map((item) => (isAjvError(item) ? describe(item, root) : item));
  return dropConsequencesOfWrongTags(violations);
}

/**
 * When an object's `type` tag is wrong (`{ "type": "message" }` where only
 * `function_call_output` is allowed), its other findings (missing `call_id`, …) follow from it
 * and only bury the real problem: keep the tag finding alone, first.
 */
function dropConsequencesOfWrongTags(violations: Violation[]): Violation[] {
  const tags = violations.filter((v) => v.keyword === 'const' && v.path.endsWith('/type'));
  if (tags.length === 0) return violations;
  const owners = tags.map((v) => v.path.slice(0, -'type'.length));
  const rest = violations.filter(
    (v) => !tags.includes(v) && !owners.some((owner) => v.path.startsWith(owner)),
  );
  return [...tags, ...rest];
}

function isAjvError(item: ErrorObject | Violation): item is ErrorObject {
  return 'schemaPath' in item;
}

/**
 * Picks which alternative of an `anyOf` the value was meant to match:
 *
 * 1. Alternatives whose `type` tag does not match (a `const` on `<here>/type`, or a missing
 *    required `type`) are discarded. If none is left, the tag itself is the problem.
 * 2. If every remaining alternative only failed on the value's JSON type, one violation lists
 *    the accepted types ("must be an object or null").
 * 3. Otherwise alternatives that reject the value's JSON type are dropped, and of the rest the
 *    one with the deepest failure wins (it matched the most structure); then the one with
 *    fewer failures; then the first.
 */
function chooseBranch(
  alternative: ErrorObject,
  branches: ReadonlyMap<number, ErrorObject[]>,
  root: unknown,
): { keep: readonly ErrorObject[]; replacement?: Violation } {
  const here = alternative.instancePath;
  if (branches.size === 0) {
    const passing = (alternative.params as { passingSchemas?: unknown }).passingSchemas;
    const message =
      passing !== undefined && passing !== null
        ? `${label(here)} matches more than one of the allowed shapes`
        : `${label(here)} does not match any of the allowed shapes`;
    return {
      keep: [],
      replacement: { code: 'invalid_event', path: here, message, keyword: alternative.keyword },
    };
  }

  const tagPath = `${here}/type`;
  const tagValues: unknown[] = [];
  let tagMissing = false;
  const matching: [number, ErrorObject[]][] = [];
  for (const [index, list] of branches) {
    let wrongKind = false;
    for (const e of list) {
      if (e.keyword === 'const' && e.instancePath === tagPath) {
        wrongKind = true;
        tagValues.push((e.params as { allowedValue: unknown }).allowedValue);
      } else if (e.keyword === 'false schema' && e.instancePath === tagPath) {
        wrongKind = true; // the untagged alternative (flat session) met a tagged value
      } else if (
        e.keyword === 'required' &&
        e.instancePath === here &&
        (e.params as { missingProperty: string }).missingProperty === 'type'
      ) {
        wrongKind = true;
        tagMissing = true;
      }
    }
    if (!wrongKind) matching.push([index, list]);
  }

  if (matching.length === 0) {
    const expected = tagValues.map(String).join(', ');
    const got = preview(resolvePointer(root, tagPath));
    const message = tagMissing
      ? `${tagPath} is required (one of ${expected || 'the documented types'})`
      : tagValues.length === 1
        ? `${tagPath} must be ${JSON.stringify(tagValues[0])}; got ${got}`
        : `${tagPath} must be one of ${expected}; got ${got}`;
    return {
      keep: [],
      replacement: {
        code: 'invalid_event',
        path: tagPath,
        message,
        keyword: tagMissing ? 'required' : 'const',
      },
    };
  }

  const onlyTypeErrors = matching.every(([, list]) =>
    list.every((e) => e.keyword === 'type' && e.instancePath === here),
  );
  if (onlyTypeErrors && matching.length > 1) {
    const types = matching.flatMap(([, list]) => list.map((e) => typeNoun(e.params.type)));
    const message = `${label(here)} must be ${joinOr([...new Set(types)])}; got ${kindOf(resolvePointer(root, here))}`;
    return {
      keep: [],
      replacement: { code: 'invalid_event', path: here, message, keyword: 'type' },
    };
  }

  // An alternative that rejects the value's JSON type outright (`null` for an object) is only a
  // candidate when no alternative accepted the type.
  const sameType = matching.filter(
    ([, list]) => !list.every((e) => e.keyword === 'type' && e.instancePath === here),
  );
  const candidates = sameType.length > 0 ? sameType : matching;
  let best = candidates[0]!;
  let bestDepth = deepest(best[1]);
  for (const candidate of candidates.slice(1)) {
    const depth = deepest(candidate[1]);
    if (depth > bestDepth || (depth === bestDepth && candidate[1].length < best[1].length)) {
      best = candidate;
      bestDepth = depth;
    }
  }
  return { keep: best[1] };
}

function deepest(list: readonly ErrorObject[]): number {
  let max = 0;
  for (const e of list) max = Math.max(max, pointerDepth(errorPath(e)));
  return max;
}

function pointerDepth(pointer: string): number {
  let depth = 0;
  for (let i = 0; i < pointer.length; i++) if (pointer.charCodeAt(i) === 47) depth++;
  return depth;
}

/** The pointer a finding is about: the missing or extra property itself, not its parent. */
function errorPath(e: ErrorObject): string {
  if (e.keyword === 'required') {
    return `${e.instancePath}/${escapePointer((e.params as { missingProperty: string }).missingProperty)}`;
  }
  if (e.keyword === 'additionalProperties') {
    return `${e.instancePath}/${escapePointer((e.params as { additionalProperty: string }).additionalProperty)}`;
  }
  return e.instancePath;
}

function describe(e: ErrorObject, root: unknown): Violation {
  const path = errorPath(e);
  const at = label(path);
  const value = resolvePointer(root, path);
  const params = e.params as Record<string, unknown>;
  let message: string;
  switch (e.keyword) {
    case 'required':
      message = `${at} is required`;
      break;
    case 'additionalProperties':
      message = `${at} is not a field swaram defines here (strict mode accepts only documented fields)`;
      break;
    case 'type':
      message = `${at} must be ${typeNoun(params.type)}; got ${kindOf(value)}`;
      break;
    case 'const':
      message = `${at} must be ${JSON.stringify(params.allowedValue)}; got ${preview(value)}`;
      break;
    case 'enum':
      message = `${at} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}; got ${preview(value)}`;
      break;
    case 'minLength':
      message =
        params.limit === 1
          ? `${at} must not be empty`
          : `${at} must be at least ${String(params.limit)} characters long`;
      break;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      message = `${at} must be ${String(params.comparison)} ${String(params.limit)}; got ${preview(value)}`;
      break;
    case 'false schema':
      message = `${at} is not allowed here`;
      break;
    case 'minItems':
      message = `${at} must have at least ${String(params.limit)} item(s)`;
      break;
    default:
      message = `${at} ${e.message ?? 'is invalid'}`;
  }
  return { code: 'invalid_event', path, message, keyword: e.keyword };
}

function label(pointer: string): string {
  return pointer === '' ? 'the event' : pointer;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function resolvePointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function typeNoun(type: unknown): string {
  const names = String(type).split(',');
  const noun = (t: string) =>
    t === 'integer' || t === 'object' || t === 'array'
      ? `an ${t}`
      : t === 'null'
        ? 'null'
        : `a ${t}`;
  return joinOr(names.map(noun));
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]!}`;
}

/** "string \"abc\"", "number 5", "null", "array", "object", "nothing" — never huge, never throws. */
function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary data';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(truncate(value))}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** A short rendering of a scalar value for messages: `"alloy"`, `5`, or a kind. */
function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(truncate(value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return kindOf(value);
}

function truncate(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The candidate within edit distance 3 of `word`, if any (typo hints for unknown types). */
function closest(word: string, candidates: readonly string[]): string | undefined {
  if (word.length > 80) return undefined;
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of candidates) {
    const d = editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = row;
  }
  return previous[b.length]!;
}
