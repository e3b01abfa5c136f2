import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ADAPTER_FEATURES,
  ADAPTER_PROTOCOL,
  isObservationType,
  parseAdapterLine,
  validateAdapterMessage,
  validateCommand,
} from './adapter-protocol.js';

describe('parseAdapterLine', () => {
  it('accepts a hello and tolerates unknown fields', () => {
    const parsed = parseAdapterLine(
      JSON.stringify({
        type: 'hello',
        protocol: ADAPTER_PROTOCOL,
        client: { name: 'x', version: '1', language: 'go', build: 'abc' },
        features: [...ADAPTER_FEATURES, 'future-feature'],
        ts: 12.5,
        extra: true,
      }),
    );
    expect(parsed.ok).toBe(true);
  });

  it('tells JSON errors, missing types, unknown types and bad fields apart', () => {
    expect(parseAdapterLine('hello')).toMatchObject({ ok: false, problem: 'invalid-json' });
    expect(parseAdapterLine('[1]')).toMatchObject({ ok: false, problem: 'invalid-json' });
    expect(parseAdapterLine('{"state":"open"}')).toMatchObject({
      ok: false,
      problem: 'missing-type',
    });
    expect(parseAdapterLine('{"type":"audio.play"}')).toMatchObject({
      ok: false,
      problem: 'unknown-type',
      type: 'audio.play',
    });
    const bad = parseAdapterLine(
      '{"type":"audio.played","response_id":"r","item_id":"i","bytes":0}',
    );
    expect(bad).toMatchObject({ ok: false, problem: 'invalid-message', type: 'audio.played' });
    expect(bad.ok ? [] : bad.issues.map((i) => i.path)).toEqual(['/bytes']);
  });

  it('takes an odd number of played bytes as reported (an honest adapter may play one)', () => {
    const odd = parseAdapterLine(
      '{"type":"audio.played","response_id":"r","item_id":"i","bytes":3,"audio":"AAEC"}',
    );
    expect(odd).toMatchObject({ ok: true });
    for (const bytes of [0, -2, 2.5]) {
      const line = `{"type":"audio.played","response_id":"r","item_id":"i","bytes":${bytes}}`;
      expect(parseAdapterLine(line), line).toMatchObject({ ok: false, problem: 'invalid-message' });
    }
  });

  it('requires an error on a refusal', () => {
    expect(validateAdapterMessage({ type: 'reply', id: 3, ok: true }).ok).toBe(true);
    expect(validateAdapterMessage({ type: 'reply', id: 3, ok: false }).ok).toBe(false);
    expect(
      validateAdapterMessage({
        type: 'reply',
        id: null,
        ok: false,
        error: { code: 'invalid_json', message: 'not JSON' },
      }).ok,
    ).toBe(true);
    const unknownCode = validateAdapterMessage({
      type: 'reply',
      id: 1,
      ok: false,
      error: { code: 'nope', message: '' },
    });
    const messages = unknownCode.ok ? [] : unknownCode.issues.map((i) => i.message);
    expect(messages.some((m) => m.includes('"unsupported"'))).toBe(true);
  });

  it('knows its observation types', () => {
    expect(isObservationType('audio.played')).toBe(true);
    expect(isObservationType('hello')).toBe(false);
  });
});

describe('validateCommand', () => {
  it('checks commands strictly', () => {
    expect(validateCommand({ type: 'mic.audio', id: 1, audio: 'AAAA' })).toEqual([]);
    expect(validateCommand({ type: 'mic.audio', id: 1, audio: 'AAA' })).not.toEqual([]);
    expect(validateCommand({ type: 'mic.audio', id: 0, audio: 'AAAA' })).not.toEqual([]);
    expect(validateCommand({ type: 'end', id: 1, extra: 1 })[0]?.message).toBe(
      'unknown field "extra"',
    );
    expect(validateCommand({ type: 'tool.result', id: 2, call_id: 'c', output: '{}' })).toEqual([]);
    expect(
      validateCommand({ type: 'tool.result', id: 2, call_id: 'c', output: '{}', error: 'x' }),
    ).not.toEqual([]);
    expect(validateCommand({ type: 'tool.result', id: 2, call_id: 'c' })).not.toEqual([]);
    expect(validateCommand({ type: 'nope', id: 1 })[0]?.message).toContain('unknown command');
  });
});

describe('docs/adapter-protocol.md', () => {
  const doc = readFileSync(
    fileURLToPath(new URL('../../docs/adapter-protocol.md', import.meta.url)),
    'utf8',
  );

  it('has an example session whose every line is valid', () => {
    const lines = [...doc.matchAll(/^\s*\d+ ([←→]) (\{.*\})$/gm)];
    expect(lines.length).toBeGreaterThan(20);
    for (const [, dir, json] of lines) {
      const value = JSON.parse((json as string).replaceAll('AAAA…', 'AAAA')) as { type: string };
      if (dir === '→') expect(validateCommand(value), json).toEqual([]);
      else expect(validateAdapterMessage(value).ok, json).toBe(true);
    }
  });

  it('shows valid one-line examples for every message', () => {
    const examples = [...doc.matchAll(/^(\{"type": ".*\})$/gm)].map((m) => m[1] as string);
    expect(examples.length).toBeGreaterThan(10);
    for (const json of examples) {
      const value = JSON.parse(json) as { type: string; id?: unknown };
      const commandIssues = validateCommand(value);
      const observation = validateAdapterMessage(value);
      expect(commandIssues.length === 0 || observation.ok, json).toBe(true);
    }
  });
});
