import { describe, expect, it } from 'vitest';
import { parseClientEvent } from './codec.js';
import type { ViolationCode } from './codec.js';
import { CloseCode } from './close-codes.js';
import {
  ERROR_CODE_INFO,
  ErrorCode,
  errorCodeForViolation,
  ErrorType,
  errorTypeOf,
  isErrorCode,
} from './error-codes.js';

describe('ErrorCode', () => {
  it('describes every code', () => {
    expect(Object.keys(ERROR_CODE_INFO).sort()).toEqual(Object.values(ErrorCode).sort());
    const types = new Set<string>(Object.values(ErrorType));
    for (const code of Object.values(ErrorCode)) expect(types.has(errorTypeOf(code))).toBe(true);
  });

  it('includes every violation code of the codec', () => {
    const violations: ViolationCode[] = [
      'invalid_json',
      'unknown_event',
      'unsupported_event',
      'invalid_event',
      'invalid_audio',
    ];
    for (const code of violations) expect(isErrorCode(code)).toBe(true);
  });

  it('ties the closing errors to their close codes', () => {
    expect(ERROR_CODE_INFO.invalid_api_key.closeCode).toBe(CloseCode.INVALID_API_KEY);
    expect(ERROR_CODE_INFO.insufficient_credits.closeCode).toBe(CloseCode.OUT_OF_CREDITS);
    expect(ERROR_CODE_INFO.too_many_connections.closeCode).toBe(CloseCode.TOO_MANY_CONNECTIONS);
    expect(ERROR_CODE_INFO.invalid_model.closeCode).toBe(CloseCode.POLICY_VIOLATION);
    expect(ERROR_CODE_INFO.invalid_event.closeCode).toBeUndefined();
    expect(errorTypeOf(ErrorCode.SERVER_ERROR)).toBe('server_error');
  });

  it('maps a missing field to missing_required_parameter, other violations to their code', () => {
    const missing = parseClientEvent('{"type":"input_audio_buffer.append"}');
    const badAudio = parseClientEvent('{"type":"input_audio_buffer.append","audio":""}');
    expect(!missing.ok && errorCodeForViolation(missing.violations[0]!)).toBe(
      'missing_required_parameter',
    );
    expect(!badAudio.ok && errorCodeForViolation(badAudio.violations[0]!)).toBe('invalid_audio');
    expect(isErrorCode('toString')).toBe(false);
  });
});
