import { errorTypeOf, isErrorCode } from '../protocol/error-codes.js';
import type { ServerEvent, ServerEventOf } from '../protocol/events.js';

/**
 * A server event before it is sent: everything but its `event_id`, which the sender adds.
 * Distributes over the union, so `{ type: 'response.done', … }` is checked against that
 * event's schema-derived type (a misspelt field or event type does not compile).
 */
export type UnsentEvent<E extends ServerEvent = ServerEvent> = E extends unknown
  ? Omit<E, 'event_id'>
  : never;

/** Makes server ids: `event_00002a`, `item_00002b`, … (one counter per server). */
export type IdMaker = (prefix: 'event' | 'item' | 'resp' | 'call') => string;

/** Server ids from one counter: `${prefix}_` and the count in base 36, six digits. */
export function counterIds(): IdMaker {
  let count = 0;
  return (prefix) => `${prefix}_${(++count).toString(36).padStart(6, '0')}`;
}

/** What an `error` event says. */
export interface ErrorDetails {
  /** An `ErrorCode`, or any string (a fault may send codes swaram does not have). */
  code: string;
  message: string;
  /** Default: the code's type from `ERROR_CODE_INFO`, else `invalid_request_error`. */
  type?: string | undefined;
  /** The offending parameter, dotted (`session.voice`). */
  param?: string | undefined;
  /** The client's `event_id` this error answers. */
  eventId?: string | undefined;
}

/**
 * The one builder of `error` events: refusals at connect, a session's errors and a close
 * fault's error all come from here, with ids from the same {@link IdMaker}.
 */
export function errorEvent(eventId: string, details: ErrorDetails): ServerEventOf<'error'> {
  const { type, error } = unsentError(details);
  return { type, event_id: eventId, error };
}

/** {@link errorEvent} without its `event_id` (a session's sender adds it). */
export function unsentError(details: ErrorDetails): UnsentEvent<ServerEventOf<'error'>> {
  const { code, message } = details;
  return {
    type: 'error',
    error: {
      type: details.type ?? (isErrorCode(code) ? errorTypeOf(code) : 'invalid_request_error'),
      code,
      message,
      ...(details.param !== undefined ? { param: details.param } : {}),
      ...(details.eventId !== undefined ? { event_id: details.eventId } : {}),
    },
  };
}

/**
 * The wire text of a server event: `JSON.stringify`, except for audio deltas, whose base64 is
 * quoted once per chunk and shared by every session that sends it (a reply's chunks are the
 * same strings for every session: `player.ts`). Quoting 6 KB of base64 is most of what
 * stringifying a delta costs (about 30 µs against 5, measured on the machine of
 * docs/performance.md), and deltas are most of what the mock sends. The text is the same as
 * `JSON.stringify(event)` when `delta` is the event's last field, as the session builds it.
 */
export function serializeServerEvent(event: ServerEvent | { type: string }): string {
  const loose = event as { type: string; delta?: unknown };
  if (
    loose.type !== AUDIO_DELTA ||
    typeof loose.delta !== 'string' ||
    loose.delta.length < MIN_SHARED_CHARS
  ) {
    return JSON.stringify(event);
  }
  const { delta, ...rest } = loose as { type: string; delta: string };
  let quoted = quotedChunks.get(delta);
  if (quoted === undefined) {
    if (quotedChunks.size >= MAX_SHARED_CHUNKS) quotedChunks.clear();
    quoted = JSON.stringify(delta);
    quotedChunks.set(delta, quoted);
  }
  return `${JSON.stringify(rest).slice(0, -1)},"delta":${quoted}}`;
}

const AUDIO_DELTA = 'response.output_audio.delta';
/** Shorter deltas are not worth a lookup. */
const MIN_SHARED_CHARS = 256;
/** Chunks kept quoted (at 100 ms each, about 3 MB): fixtures with more take turns. */
const MAX_SHARED_CHUNKS = 512;
const quotedChunks = new Map<string, string>();
