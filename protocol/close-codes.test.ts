import { describe, expect, it } from 'vitest';
import { CLOSE_CODE_INFO, CloseCode, closeCodeName, isCloseCode } from './close-codes.js';

describe('CloseCode', () => {
  it('has swaram documented codes and the standard ones the mock uses', () => {
    expect(CloseCode).toMatchObject({
      NORMAL: 1000,
      POLICY_VIOLATION: 1008,
      MESSAGE_TOO_BIG: 1009,
      SERVER_BUSY: 1013,
      INVALID_API_KEY: 4001,
      OUT_OF_CREDITS: 4003,
      TOO_MANY_CONNECTIONS: 4008,
    });
  });

  it('describes every code, under its own name', () => {
    expect(Object.keys(CLOSE_CODE_INFO).map(Number).sort()).toEqual(
      Object.values(CloseCode).sort(),
    );
    for (const [name, code] of Object.entries(CloseCode)) {
      expect(CLOSE_CODE_INFO[code].name).toBe(name);
      expect(closeCodeName(code)).toBe(name);
    }
  });

  it('advises per swaram: never reconnect on auth or credits, back off when busy', () => {
    expect(CLOSE_CODE_INFO[4001]).toMatchObject({ precededByError: true, reconnect: 'never' });
    expect(CLOSE_CODE_INFO[4003]).toMatchObject({ precededByError: true, reconnect: 'never' });
    expect(CLOSE_CODE_INFO[4008]).toMatchObject({
      precededByError: true,
      reconnect: 'long-backoff',
    });
    expect(CLOSE_CODE_INFO[1013]).toMatchObject({ precededByError: false, reconnect: 'backoff' });
  });

  it('names nothing it does not know', () => {
    expect(closeCodeName(4999)).toBeUndefined();
    expect(closeCodeName(Number.NaN)).toBeUndefined();
    expect(isCloseCode('4001')).toBe(false);
    expect(isCloseCode(4001)).toBe(true);
  });
});
