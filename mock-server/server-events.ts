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
