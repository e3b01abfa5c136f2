/**
 * WebSocket close codes a swaram connection can end with. swaram documents 4001, 4003, 4008 and
 * 1013; the others are standard codes (RFC 6455) that the mock or the WebSocket layer uses. See
 * docs/protocol.md, "Close codes".
 */
export const CloseCode = {
  /**
   * 1000, normal closure: the session ended on purpose. Preceded by nothing. A good client
   * does not reconnect on its own; a new conversation is the user's decision.
   */
  NORMAL: 1000,
  /**
   * 1001, going away: the server is shutting down (or the client page is leaving). Preceded by
   * nothing. A good client reconnects with backoff on a fresh session.
   */
  GOING_AWAY: 1001,
  /**
   * 1002, protocol error at the WebSocket level (bad framing), sent by the WebSocket library.
   * A good client treats it as its own bug; reconnecting unchanged fails again.
   */
  PROTOCOL_ERROR: 1002,
  /**
   * 1006, abnormal closure: never sent on the wire; reported locally when the connection dropped
   * without a close frame. A good client reconnects with backoff on a fresh session.
   */
  ABNORMAL_CLOSURE: 1006,
  /**
   * 1007, invalid payload: a text frame was not valid UTF-8 (closed by the WebSocket layer).
   * A good client fixes its encoding; reconnecting unchanged fails again.
   */
  INVALID_PAYLOAD: 1007,
  /**
   * 1008, policy violation. Mock: an unknown `model`, preceded by an `error` event with code
   * `invalid_model`. A good client surfaces a configuration error and does not retry unchanged.
   */
  POLICY_VIOLATION: 1008,
  /**
   * 1009, message too big: a frame exceeded the server's size limit. Preceded by nothing. A good
   * client sends audio in small chunks (20–100 ms) and never hits it.
   */
  MESSAGE_TOO_BIG: 1009,
  /**
   * 1011, internal error: the server failed unexpectedly. Preceded by nothing. A good client
   * reconnects with backoff on a fresh session, re-sending `session.update`.
   */
  INTERNAL_ERROR: 1011,
  /**
   * 1013, server busy ("try again later"). Preceded by nothing. A good client reconnects with
   * short exponential backoff plus jitter (0.5 s, 1 s, 2 s, … capped) on a fresh session and
   * re-sends `session.update`.
   */
  SERVER_BUSY: 1013,
  /**
   * 4001, invalid or missing API key or ephemeral token (also: token expired). Preceded by an
   * `error` event (code `invalid_api_key`). A good client stops, surfaces an authentication
   * error and never reconnects automatically.
   */
  INVALID_API_KEY: 4001,
  /**
   * 4003, out of credits. Preceded by an `error` event (code `insufficient_credits`). A good
   * client stops and surfaces a billing error; it reconnects only after credits are added.
   */
  OUT_OF_CREDITS: 4003,
  /**
   * 4008, too many concurrent connections for the plan. Preceded by an `error` event (code
   * `too_many_connections`). A good client does not reconnect at once: it closes another session
   * or backs off for long.
   */
  TOO_MANY_CONNECTIONS: 4008,
} as const;

/** One of the close codes above. */
export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
/** The constant name of a close code (`'INVALID_API_KEY'`). */
export type CloseCodeName = keyof typeof CloseCode;

/**
 * What a client should do about reconnecting after a close code:
 * - `never`: not automatically; a person must act (new key, credits) or it was intended;
 * - `after-fix`: the client is at fault; reconnecting unchanged fails the same way;
 * - `backoff`: reconnect with short exponential backoff and jitter, on a fresh session;
 * - `long-backoff`: reconnect only after a long wait or after freeing a connection.
 */
export type ReconnectAdvice = 'never' | 'after-fix' | 'backoff' | 'long-backoff';

/** Facts about one close code, as data (for rules and reports). */
export interface CloseCodeInfo {
  readonly name: CloseCodeName;
  /** Whether an `error` event is sent just before the close. */
  readonly precededByError: boolean;
  readonly reconnect: ReconnectAdvice;
}

/** {@link CloseCodeInfo} for every close code. */
export const CLOSE_CODE_INFO: { readonly [C in CloseCode]: CloseCodeInfo } = {
  1000: { name: 'NORMAL', precededByError: false, reconnect: 'never' },
  1001: { name: 'GOING_AWAY', precededByError: false, reconnect: 'backoff' },
  1002: { name: 'PROTOCOL_ERROR', precededByError: false, reconnect: 'after-fix' },
  1006: { name: 'ABNORMAL_CLOSURE', precededByError: false, reconnect: 'backoff' },
  1007: { name: 'INVALID_PAYLOAD', precededByError: false, reconnect: 'after-fix' },
  1008: { name: 'POLICY_VIOLATION', precededByError: true, reconnect: 'after-fix' },
  1009: { name: 'MESSAGE_TOO_BIG', precededByError: false, reconnect: 'after-fix' },
  1011: { name: 'INTERNAL_ERROR', precededByError: false, reconnect: 'backoff' },
  1013: { name: 'SERVER_BUSY', precededByError: false, reconnect: 'backoff' },
  4001: { name: 'INVALID_API_KEY', precededByError: true, reconnect: 'never' },
  4003: { name: 'OUT_OF_CREDITS', precededByError: true, reconnect: 'never' },
  4008: { name: 'TOO_MANY_CONNECTIONS', precededByError: true, reconnect: 'long-backoff' },
};

/** Whether `code` is one of the close codes above. */
export function isCloseCode(code: unknown): code is CloseCode {
  return typeof code === 'number' && Object.hasOwn(CLOSE_CODE_INFO, code);
}

/**
 * The constant name of a close code, for messages and reports: `closeCodeName(4001)` is
 * `'INVALID_API_KEY'`. `undefined` for a code not listed here.
 */
export function closeCodeName(code: number): CloseCodeName | undefined {
  return isCloseCode(code) ? CLOSE_CODE_INFO[code].name : undefined;
}
