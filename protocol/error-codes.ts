import { CloseCode } from './close-codes.js';
import type { Violation } from './codec.js';

/**
 * `error.type` values: the class of an error. swaram documents none; these follow OpenAI's
 * names and are the mock's choice (docs/protocol.md, "Error codes").
 */
export const ErrorType = {
  /** The client sent something wrong or out of turn; the session continues. */
  INVALID_REQUEST: 'invalid_request_error',
  /** Bad, missing or expired credentials; the connection closes with 4001. */
  AUTHENTICATION: 'authentication_error',
  /** No credits left; the connection closes with 4003. */
  INSUFFICIENT_QUOTA: 'insufficient_quota',
  /** A plan limit was hit (concurrent connections); the connection closes with 4008. */
  RATE_LIMIT: 'rate_limit_error',
  /** The server failed; retry like a 1013. */
  SERVER: 'server_error',
} as const;

/** One of the `error.type` values above. */
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/**
 * `error.code` values. Clients must rely on the code (messages are generic). The first five are
 * also the codec's violation codes. Each comment names the `error.type` sent with it.
 */
export const ErrorCode = {
  /** invalid_request_error: the frame is not JSON. Session continues. */
  INVALID_JSON: 'invalid_json',
  /** invalid_request_error: `type` is not a swaram client event (typo or server event). */
  UNKNOWN_EVENT: 'unknown_event',
  /**
   * invalid_request_error: an OpenAI Realtime client event outside swaram's subset
   * (`conversation.item.truncate`, …). Mock choice, to tell porting mistakes from typos.
   */
  UNSUPPORTED_EVENT: 'unsupported_event',
  /** invalid_request_error: the event breaks its schema; `param` points at the field. */
  INVALID_EVENT: 'invalid_event',
  /** invalid_request_error: audio is not canonical base64, is empty, or has an odd byte count. */
  INVALID_AUDIO: 'invalid_audio',
  /** invalid_request_error: a required field is missing (OpenAI's code); `param` names it. */
  MISSING_REQUIRED_PARAMETER: 'missing_required_parameter',
  /** invalid_request_error: a binary frame arrived; swaram takes JSON text frames only. */
  BINARY_FRAME: 'binary_frame_not_supported',
  /**
   * invalid_request_error: `session.update` after the conversation began (first audio appended),
   * or of a setting an ephemeral token locked. Settings stay unchanged. Mock choice.
   */
  SESSION_LOCKED: 'session_locked',
  /**
   * invalid_request_error: a setting the mock cannot honour, e.g. `turn_detection: null` in
   * Premium; `param` names it. The update changes nothing. Mock choice.
   */
  UNSUPPORTED_VALUE: 'unsupported_value',
  /** invalid_request_error: `input_audio_buffer.commit` with under 100 ms of audio (OpenAI's). */
  COMMIT_EMPTY: 'input_audio_buffer_commit_empty',
  /** invalid_request_error: `response.create` while a response is active (OpenAI's). */
  ACTIVE_RESPONSE: 'conversation_already_has_active_response',
  /** invalid_request_error: `response.cancel` with nothing to cancel (OpenAI's). Harmless. */
  CANCEL_NOT_ACTIVE: 'response_cancel_not_active',
  /** invalid_request_error: a `function_call_output` whose `call_id` was never issued. */
  UNKNOWN_CALL_ID: 'unknown_call_id',
  /** invalid_request_error: the `model` query parameter names no model; then close 1008. */
  INVALID_MODEL: 'invalid_model',
  /** authentication_error: bad, missing or expired key or token; then close 4001. */
  INVALID_API_KEY: 'invalid_api_key',
  /** insufficient_quota: out of credits; then close 4003. */
  INSUFFICIENT_CREDITS: 'insufficient_credits',
  /** rate_limit_error: too many concurrent connections for the plan; then close 4008. */
  TOO_MANY_CONNECTIONS: 'too_many_connections',
  /** server_error: transient failure ("temporarily unavailable"); retry like a 1013. */
  SERVER_ERROR: 'server_error',
} as const;

/** One of the `error.code` values above. */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Facts about one error code, as data (for the mock, rules and reports). */
export interface ErrorCodeInfo {
  /** The `error.type` sent with it. */
  readonly type: ErrorType;
  /** The close code that follows it, when the connection ends. */
  readonly closeCode?: CloseCode;
}

const request = { type: ErrorType.INVALID_REQUEST } as const;

/** {@link ErrorCodeInfo} for every error code. */
export const ERROR_CODE_INFO: { readonly [C in ErrorCode]: ErrorCodeInfo } = {
  invalid_json: request,
  unknown_event: request,
  unsupported_event: request,
  invalid_event: request,
  invalid_audio: request,
  missing_required_parameter: request,
  binary_frame_not_supported: request,
  session_locked: request,
  unsupported_value: request,
  input_audio_buffer_commit_empty: request,
  conversation_already_has_active_response: request,
  response_cancel_not_active: request,
  unknown_call_id: request,
  invalid_model: { type: ErrorType.INVALID_REQUEST, closeCode: CloseCode.POLICY_VIOLATION },
  invalid_api_key: { type: ErrorType.AUTHENTICATION, closeCode: CloseCode.INVALID_API_KEY },
  insufficient_credits: {
    type: ErrorType.INSUFFICIENT_QUOTA,
    closeCode: CloseCode.OUT_OF_CREDITS,
  },
  too_many_connections: {
    type: ErrorType.RATE_LIMIT,
    closeCode: CloseCode.TOO_MANY_CONNECTIONS,
  },
  server_error: { type: ErrorType.SERVER },
};

/** Whether `code` is one of the error codes above. */
export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODE_INFO, code);
}

/** The `error.type` that goes with an error code. */
export function errorTypeOf(code: ErrorCode): ErrorType {
  return ERROR_CODE_INFO[code].type;
}

/**
 * The `error.code` to answer a codec violation with: `missing_required_parameter` for a
 * missing field (as OpenAI does), otherwise the violation's own code.
 */
export function errorCodeForViolation(violation: Violation): ErrorCode {
  return violation.keyword === 'required' && violation.code === 'invalid_event'
    ? ErrorCode.MISSING_REQUIRED_PARAMETER
    : violation.code;
}
