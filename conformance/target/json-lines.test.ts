import { describe, expect, it } from 'vitest';
import { LineSplitter, encodeJsonLine } from './json-lines.js';

describe('LineSplitter', () => {
  it('returns lines only once complete, across chunk boundaries', () => {
    const s = new LineSplitter();
    expect(s.push(Buffer.from('{"a":1}\n{"b"'))).toEqual([{ kind: 'line', text: '{"a":1}' }]);
    expect(s.push(Buffer.from(':2}\n\n'))).toEqual([
      { kind: 'line', text: '{"b":2}' },
      { kind: 'line', text: '' },
    ]);
    expect(s.end()).toEqual([]);
  });

  it('keeps multi-byte characters split between chunks', () => {
    const bytes = Buffer.from('"നമസ്കാരം"\n');
    const s = new LineSplitter();
    const out = [...s.push(bytes.subarray(0, 3)), ...s.push(bytes.subarray(3))];
    expect(out).toEqual([{ kind: 'line', text: '"നമസ്കാരം"' }]);
  });

  it('accepts CRLF and a last line without newline', () => {
    const s = new LineSplitter();
    expect(s.push('a\r\nb')).toEqual([{ kind: 'line', text: 'a' }]);
    expect(s.end()).toEqual([{ kind: 'line', text: 'b' }]);
  });

  it('reports over-long lines without keeping them', () => {
    const s = new LineSplitter(10);
    expect(s.push('0123456789abc')).toEqual([]);
    expect(s.push('def\nok\n')).toEqual([
      { kind: 'too-long', bytes: 16, head: '0123456789abc' },
      { kind: 'line', text: 'ok' },
    ]);
    expect(s.push('x'.repeat(11) + '\n')).toMatchObject([{ kind: 'too-long', bytes: 11 }]);
    s.push('y'.repeat(20));
    expect(s.end()).toMatchObject([{ kind: 'too-long', bytes: 20 }]);
  });
});

describe('encodeJsonLine', () => {
  it('writes one line even for strings with newlines', () => {
    const line = encodeJsonLine({ text: 'a\nb' });
    expect(line).toBe('{"text":"a\\nb"}\n');
    expect(line.split('\n')).toHaveLength(2);
  });
});
