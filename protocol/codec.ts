import { isAscii } from 'node:buffer';
import { pcm16Base64Problem } from './audio/strict-base64.js';
import { parseFlatObject } from './flat-json.js';
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
import { explainAjvErrors, kindOf, truncate } from './violation-explainer.js';
import type { Violation } from './violation.js';

export type { Violation, ViolationCode } from './violation.js';
export { violationsFromAjv } from './violation-explainer.js';
export { decodedBase64Length, isStrictBase64, pcm16Base64Problem } from './audio/strict-base64.js';

/**
 * Text frames in, typed events or violations out. See docs/protocol.md, "Validation".
 *
 * Nothing here throws: every input, however malformed, yields a {@link ParseResult}. Failures
 * are data, so the mock can answer with an `error` event and the harness can report them.
 */

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

/**
 * A text frame as a WebSocket library hands it over, or decoded once with
 * {@link TextFrame.decode} when its text is needed besides the parse (a log, say).
 */
export type RawFrame = string | Uint8Array | TextFrame;

/**
 * A text frame's bytes decoded once: its `text`, and whether every string in it is ASCII
 * without escapes. Bytes that are all ASCII (every audio frame: base64 and JSON punctuation)
 * are decoded as latin1, which is the same text and faster than UTF-8; `ascii` is true only
 * when they also hold no backslash (a JSON escape such as `\u0141` would put a non-ASCII
 * character in a string). Such a frame spares the audio check a scan, and a flat one (an
 * append, a delta) is read without `JSON.parse` (see flat-json.ts).
 *
 * @example
 * const frame = TextFrame.decode(data); // a Buffer from ws
 * log(frame.text);
 * const parsed = parseClientEvent(frame);
 */
export class TextFrame {
  private constructor(
    readonly text: string,
    readonly ascii: boolean,
  ) {}

  static decode(bytes: Uint8Array): TextFrame {
    const buffer = Buffer.isBuffer(bytes)
      ? bytes
      : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (!isAscii(buffer)) return new TextFrame(buffer.toString('utf8'), false);
    const text = buffer.toString('latin1');
    return new TextFrame(text, text.indexOf('\\') === -1);
  }
}

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
    const decoded = frameText(frame);
    if (decoded === undefined) {
      return failure([
        {
          code: 'invalid_json',
          path: '',
          message: `expected a text frame (a string or UTF-8 bytes); got ${kindOf(frame)}`,
        },
      ]);
    }
    // Without a backslash no string has an escape: a flat frame needs no JSON.parse.
    const escapes = !decoded.ascii && decoded.text.indexOf('\\') !== -1;
    const flat = escapes ? undefined : flatEvent(decoded.text, side, decoded.ascii);
    if (flat !== undefined) {
      return check(flat.value, side, options?.strict === true, decoded.ascii, flat.audioChecked);
    }
    let value: unknown;
    try {
      value = JSON.parse(decoded.text);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return failure([
        { code: 'invalid_json', path: '', message: `the message is not valid JSON (${reason})` },
      ]);
    }
    return check(value, side, options?.strict === true, decoded.ascii);
  });
}

/** String values longer than this are left to the base64 check (only audio is that long). */
const FLAT_DEFER_ABOVE = 64;

/**
 * The event of a frame without a backslash that `JSON.parse` is not needed for (see
 * flat-json.ts; `ascii`: the frame is known to be ASCII, see TextFrame): a flat object whose
 * only long string, if any, is the audio of its type, and that audio already proven strict
 * base64 (which also proves what JSON requires of its characters). Anything else: `undefined`,
 * and the frame takes the general path, which words every error.
 */
function flatEvent(
  text: string,
  side: Side,
  ascii: boolean,
): { value: Record<string, unknown>; audioChecked: boolean } | undefined {
  const flat = parseFlatObject(text, FLAT_DEFER_ABOVE);
  if (flat === undefined || flat.unchecked.length > 1) return undefined;
  const key = flat.unchecked[0];
  if (key === undefined) return { value: flat.value, audioChecked: false };
  const type = flat.value.type;
  if (typeof type !== 'string' || side.audioField.get(type) !== key) return undefined;
  if (pcm16Base64Problem(flat.value[key] as string, ascii) !== undefined) return undefined;
  return { value: flat.value, audioChecked: true };
}

function frameText(frame: unknown): { text: string; ascii: boolean } | undefined {
  if (typeof frame === 'string') return { text: frame, ascii: false };
  if (frame instanceof TextFrame) return frame;
  if (frame instanceof Uint8Array) return TextFrame.decode(frame);
  if (frame instanceof ArrayBuffer) return frameText(Buffer.from(frame));
  if (Array.isArray(frame) && frame.every((part) => part instanceof Uint8Array)) {
    return frameText(Buffer.concat(frame as Uint8Array[]));
  }
  return undefined;
}

function check<E extends { readonly type: string }>(
  value: unknown,
  side: Side,
  strict: boolean,
  asciiFrame = false,
  audioChecked = false,
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
  const violations: Violation[] = validator(value)
    ? []
    : explainAjvErrors(validator.errors ?? [], value);

  const audioField = audioChecked ? undefined : side.audioField.get(typeName);
  if (audioField !== undefined) {
    const audio = record[audioField];
    if (typeof audio === 'string') {
      const problem = pcm16Base64Problem(audio, asciiFrame);
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
