import { describe, expect, it } from 'vitest';
import { classifyClose, classifyServerError, type CloseContext } from './swaram-error.js';

const ctx: CloseContext = { reason: '', transientErrorSeen: false, deadConnection: false };

describe('classifyClose', () => {
  it.each([
    [4001, false, 'auth'],
    [4003, false, 'billing'],
    [4008, false, 'rate'],
    [1013, true, 'transient'],
    [1011, true, 'transient'],
    [1006, true, 'network'],
    [1008, false, 'protocol'],
    [1009, false, 'protocol'],
    [4999, false, 'other'],
  ] as const)('close %i: reconnect %s, kind %s', (code, reconnect, kind) => {
    const decision = classifyClose(code, ctx);
    expect(decision.reconnect).toBe(reconnect);
    expect(decision.error?.kind).toBe(kind);
    expect(decision.error?.fatal).toBe(!reconnect);
    expect(decision.error?.code).toBe(String(code));
  });

  it('ends quietly on 1000, but retries a 1000 that follows a server_error', () => {
    expect(classifyClose(1000, ctx)).toEqual({ reconnect: false, by: 'server' });
    expect(classifyClose(1000, { ...ctx, transientErrorSeen: true })).toMatchObject({
      reconnect: true,
      error: { kind: 'transient' },
    });
  });

  it('reads HTTP refusals at the upgrade', () => {
    const withStatus = (s: number) =>
      classifyClose(1006, { ...ctx, socketError: `Unexpected server response: ${s}` });
    expect(withStatus(401)).toMatchObject({ reconnect: false, error: { kind: 'auth' } });
    expect(withStatus(503)).toMatchObject({ reconnect: true, error: { kind: 'transient' } });
  });

  it('names a dead connection', () => {
    expect(classifyClose(1006, { ...ctx, deadConnection: true }).error?.message).toContain(
      'no pong',
    );
  });
});

describe('classifyServerError', () => {
  it('tells transient, session, race and other errors apart', () => {
    const plain = { isSessionUpdate: false };
    expect(classifyServerError({ code: 'server_error' }, plain)).toBe('transient');
    expect(classifyServerError({ type: 'server_error', code: 'x' }, plain)).toBe('transient');
    expect(classifyServerError({ code: 'invalid_event' }, { isSessionUpdate: true })).toBe(
      'session',
    );
    expect(classifyServerError({ code: 'session_locked' }, plain)).toBe('session');
    expect(classifyServerError({ code: 'response_cancel_not_active' }, plain)).toBe('protocol');
    expect(classifyServerError({ code: 'invalid_audio' }, plain)).toBe('audio');
  });
});
