import { describe, expect, it } from 'vitest';
import { base64ToPcm } from './base64.js';
import { decodedBase64Length, isStrictBase64, pcm16Base64Problem } from './strict-base64.js';

describe('isStrictBase64', () => {
  it('accepts canonical padded base64 and the empty string', () => {
    for (const ok of ['', 'AAAA', 'AAE=', 'AQ==', Buffer.from('hello!').toString('base64')]) {
      expect(isStrictBase64(ok)).toBe(true);
    }
  });

  it('refuses whitespace, base64url, stray bits, bad padding and non-ASCII', () => {
    for (const bad of ['AAA', 'AA AA', 'AB==', 'AAB=', 'AA==AA==', '-_AA', 'AAÄA', '====']) {
      expect(isStrictBase64(bad)).toBe(false);
    }
  });

  it('checks 6 MB of audio (≈ 94 s) without overflowing the stack, in linear time', () => {
    const big = Buffer.alloc(4_500_000, 7).toString('base64');
    const started = performance.now();
    expect(isStrictBase64(big)).toBe(true);
    expect(isStrictBase64(big.slice(0, -4) + 'AA A')).toBe(false);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(decodedBase64Length(big)).toBe(4_500_000);
    expect(pcm16Base64Problem(big)).toBeUndefined();
    expect(base64ToPcm(big)).toHaveLength(2_250_000);
  });
});
