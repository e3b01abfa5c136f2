import { describe, expect, it } from 'vitest';
import { jsonDepth } from './limits.js';
import { Redactor, targetEnv } from './target-env.js';

describe('targetEnv', () => {
  it('passes the allow-list, SWARAM_*, --pass-env names and the extras, nothing else', () => {
    const env = targetEnv(
      { PATH: '/bin', OPENAI_API_KEY: 'sk-1', SWARAM_X: '1', LC_ALL: 'C', MINE: 'm', OTHER: 'o' },
      { FROM_MANIFEST: 'v' },
      ['MINE'],
    );
    expect(env).toEqual({
      PATH: '/bin',
      SWARAM_X: '1',
      LC_ALL: 'C',
      MINE: 'm',
      FROM_MANIFEST: 'v',
    });
  });
});

describe('Redactor', () => {
  it('replaces given values and secret-looking env values, also JSON-escaped', () => {
    const r = new Redactor(['manifest-value-1', 'x'], {
      MY_TOKEN: 'tok"en-123',
      PLAIN: 'plainvalue',
    });
    expect(r.text('a manifest-value-1 b tok"en-123 plainvalue x')).toBe(
      'a [redacted] b [redacted] plainvalue x',
    );
    expect(r.json(JSON.stringify({ s: 'tok"en-123' }))).toBe('{"s":"[redacted]"}');
  });
});

describe('jsonDepth', () => {
  it('counts nesting without recursion and ignores brackets in strings', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[["}]}')).toBe(3);
    expect(jsonDepth('['.repeat(1_000_000) + ']'.repeat(1_000_000), 64)).toBe(65);
  });
});
