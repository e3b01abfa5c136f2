import { describe, expect, it } from 'vitest';
import { decideAdmission, KeyBook, type AdmissionRequest, type KeyState } from './admission.js';

const limits = { keys: ['swaram_a'], capacity: 2, maxConnectionsPerKey: 1 };

function request(over: Partial<AdmissionRequest> = {}, state: Partial<KeyState> = {}) {
  const ks: KeyState = { live: 0, creditsLeftMs: 1000, ...state };
  return {
    credential: 'swaram_a',
    token: undefined,
    model: null,
    now: 0,
    live: 0,
    keyState: () => ks,
    ...over,
  } satisfies AdmissionRequest;
}

const refusedWith = (r: ReturnType<typeof decideAdmission>) =>
  'refused' in r ? [r.refused.code, r.refused.error?.code] : undefined;

describe('decideAdmission (swaram order: credential, model, capacity, per key, credits)', () => {
  it('lets a known key in with the default model, Simple mode', () => {
    expect(decideAdmission(request(), limits)).toEqual({
      admitted: { key: 'swaram_a', model: 'mal-realtime-simple', mode: 'simple', token: undefined },
    });
  });

  it('refuses a missing or unknown key with 4001 invalid_api_key', () => {
    expect(refusedWith(decideAdmission(request({ credential: undefined }), limits))).toEqual([
      4001,
      'invalid_api_key',
    ]);
    expect(refusedWith(decideAdmission(request({ credential: 'swaram_b' }), limits))).toEqual([
      4001,
      'invalid_api_key',
    ]);
  });

  it('refuses an expired token and says to drop it; a live token spends its key', () => {
    const token = { key: 'swaram_a', expiresAt: 100, model: 'mal-realtime-premium', locked: {} };
    const expired = decideAdmission(
      request({ credential: 'swaram_ek_x', token, now: 101 }),
      limits,
    );
    expect(expired).toMatchObject({ refused: { code: 4001 }, expiredToken: true });
    const fresh = decideAdmission(request({ credential: 'swaram_ek_x', token, now: 99 }), limits);
    expect(fresh).toMatchObject({ admitted: { key: 'swaram_a', mode: 'premium' } });
  });

  it('checks model, then capacity, then connections per key, then credits', () => {
    expect(refusedWith(decideAdmission(request({ model: 'gpt', live: 5 }), limits))).toEqual([
      1008,
      'invalid_model',
    ]);
    expect(refusedWith(decideAdmission(request({ live: 2 }, { live: 1 }), limits))).toEqual([
      1013,
      undefined,
    ]);
    expect(
      refusedWith(decideAdmission(request({}, { live: 1, creditsLeftMs: 0 }), limits)),
    ).toEqual([4008, 'too_many_connections']);
    expect(refusedWith(decideAdmission(request({}, { creditsLeftMs: 0 }), limits))).toEqual([
      4003,
      'insufficient_credits',
    ]);
  });
});

describe('KeyBook', () => {
  it('mints tokens that pin settings and expire after the TTL', () => {
    const book = new KeyBook(limits, 5000, 60_000);
    const minted = book.mint('swaram_a', { session: { voice: 'mal-male' } }, 1000);
    if (!minted.ok) throw new Error('not minted');
    const value = minted.answer.value as string;
    expect(value).toMatch(/^swaram_ek_/);
    expect(book.token(value)).toEqual({
      key: 'swaram_a',
      expiresAt: 61_000,
      model: undefined,
      locked: { voice: 'mal-male' },
    });
    expect(book.mint('swaram_a', { model: 'nope' }, 0)).toMatchObject({
      ok: false,
      code: 'invalid_model',
    });
    expect(book.keyState('swaram_a')).toEqual({ live: 0, creditsLeftMs: 5000 });
  });
});

describe('decideAdmission: load shedding', () => {
  const shedding = { maxLoopDelayMs: 15, maxUtilization: 0.8, maxPacingLatenessMs: 15, maxCpu: 1 };
  const overloaded = { loopDelayMs: 50, utilization: 0.5, pacingLatenessMs: 3, live: 1, cpu: 0.6 };

  it('refuses with 1013 and nothing before it when the health says overloaded, naming why', () => {
    const r = decideAdmission(request({ live: 1, health: overloaded }), { ...limits, shedding });
    expect(r).toEqual({
      refused: { code: 1013, reason: 'server busy' },
      shed: 'event loop delay p99 50.0 ms > 15.0 ms',
    });
  });

  it('never sheds without thresholds (shedding off), whatever the health', () => {
    expect('admitted' in decideAdmission(request({ live: 1, health: overloaded }), limits)).toBe(
      true,
    );
  });

  it('checks the credential first: a bad key still gets 4001 when overloaded', () => {
    const r = decideAdmission(request({ credential: 'swaram_b', health: overloaded }), {
      ...limits,
      shedding,
    });
    expect(refusedWith(r)).toEqual([4001, 'invalid_api_key']);
  });
});
