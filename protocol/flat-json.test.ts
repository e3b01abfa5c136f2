import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseFlatObject } from './flat-json.js';

/** What the contract promises: `undefined`, or exactly what JSON.parse returns (key order too). */
function expectLikeJsonParse(text: string): boolean {
  const flat = parseFlatObject(text);
  if (flat === undefined) return false;
  const parsed = JSON.parse(text) as Record<string, unknown>;
  expect(flat.value).toEqual(parsed);
  expect(Object.keys(flat.value)).toEqual(Object.keys(parsed));
  expect(Object.getPrototypeOf(flat.value)).toBe(Object.prototype);
  return true;
}

describe('parseFlatObject', () => {
  it('reads flat objects of strings, integers, booleans and null as JSON.parse does', () => {
    for (const text of [
      '{}',
      '{"type":"response.cancel"}',
      '{"type":"input_audio_buffer.append","event_id":"evt_1","audio":"AAAA"}',
      '{"a":0,"b":-7,"c":123456789012345,"d":-0,"e":true,"f":false,"g":null,"h":""}',
      '{"toString":"x","constructor":1,"":"empty key"}',
    ]) {
      expect(expectLikeJsonParse(text)).toBe(true);
    }
    expect(Object.is(parseFlatObject('{"z":-0}')?.value.z, -0)).toBe(true);
  });

  it('refuses what it cannot be sure of, leaving it to JSON.parse', () => {
    for (const text of [
      '',
      '{',
      '[]',
      '"x"',
      ' {"a":1}',
      '{"a":1} ',
      '{"a": 1}',
      '{ "a":1}',
      '{"a":1,}',
      '{,"a":1}',
      '{"a":1,"a":2}', // a repeated key: JSON.parse keeps the last
      '{"__proto__":1}', // JSON.parse makes it an own property; assignment would not
      '{"a":{"b":1}}',
      '{"a":[1]}',
      '{"a":1.5}',
      '{"a":1e3}',
      '{"a":01}',
      '{"a":-}',
      '{"a":1234567890123456}', // past 15 digits a double may not hold it exactly
      '{"a":tru}',
      '{"a":truex}',
      '{"a":"b"c}',
      '{"a":"b}',
      '{"a"1}',
      '{"a\u0001":1}',
      '{"a":"\u001f"}',
      '{"a":"b"}{"c":1}',
    ]) {
      expect(parseFlatObject(text), text).toBeUndefined();
    }
  });

  it('leaves long strings unchecked for control characters when asked, and says which', () => {
    const text = `{"type":"t","audio":"AB\u0001CD","id":"ab"}`;
    expect(parseFlatObject(text)).toBeUndefined();
    const deferred = parseFlatObject(text, 3);
    expect(deferred?.unchecked).toEqual(['audio']);
    expect(deferred?.value).toEqual({ type: 't', audio: 'AB\u0001CD', id: 'ab' });
    expect(parseFlatObject('{"type":"t","id":"sh\u0002"}', 3)).toBeUndefined();
  });

  it('property: reads every flat object JSON.stringify writes without escapes', () => {
    const value = fc.oneof(
      fc.string({ unit: 'grapheme' }),
      fc.integer({ min: -(2 ** 48), max: 2 ** 48 }),
      fc.boolean(),
      fc.constant(null),
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string({ unit: 'grapheme' }), value), (record) => {
        const text = JSON.stringify(record);
        fc.pre(!text.includes('\\') && !Object.hasOwn(record, '__proto__'));
        expect(expectLikeJsonParse(text)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });

  it('property: on any text without a backslash, undefined or what JSON.parse returns', () => {
    const piece = fc.constantFrom(
      '{',
      '}',
      '"',
      ':',
      ',',
      'a',
      'type',
      '0',
      '1',
      '-',
      '9',
      '.',
      'e',
      ' ',
      'true',
      'null',
      'false',
      '\u0001',
      '[',
      ']',
      '__proto__',
      'ന',
    );
    const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));
    const nearFlat = fc
      .tuple(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })), fc.nat(), piece)
      .map(([record, at, insert]) => {
        const json = JSON.stringify(record);
        const i = at % (json.length + 1);
        return json.slice(0, i) + insert + json.slice(i);
      });
    fc.assert(
      fc.property(fc.oneof(text, nearFlat), (candidate) => {
        fc.pre(!candidate.includes('\\'));
        let parsed: unknown;
        try {
          parsed = JSON.parse(candidate);
        } catch {
          expect(parseFlatObject(candidate)).toBeUndefined();
          return;
        }
        const flat = parseFlatObject(candidate);
        if (flat !== undefined) expect(expectLikeJsonParse(candidate)).toBe(true);
        else expect(parsed).toBeDefined();
      }),
      { numRuns: 3000 },
    );
  });
});
