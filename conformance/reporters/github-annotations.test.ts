import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../results/result-schema.js';
import { escapeData, escapeProperty, renderAnnotations } from './github-annotations.js';

const payload = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('./testdata/payload-run/index.json', import.meta.url)),
    'utf8',
  ),
) as RunResult;

describe('GitHub annotations', () => {
  it("escape %, CR and LF in messages, and : and , in properties (GitHub's rules)", () => {
    expect(escapeData('100%\r\nnext: a, b')).toBe('100%25%0D%0Anext: a, b');
    expect(escapeProperty('100%\nMUST X: a, b')).toBe('100%25%0AMUST X%3A a%2C b');
    // escaping % first keeps an already-escaped-looking text literal
    expect(escapeData('%0A')).toBe('%250A');
  });

  it('are an ::error for rules that decide the exit code and a ::warning for the rest', () => {
    const lines = renderAnnotations(payload).trimEnd().split('\n');
    expect(lines.map((l) => l.slice(0, l.indexOf(' ')))).toEqual([
      '::error',
      '::warning',
      '::error',
    ]);
    expect(lines[0]).toMatch(
      /^::error title=swaram-conform MUST TOOL-ANSWER%3A Tool calls get answers <script>window.__pwned=1<\/script>::The client answered /,
    );
    expect(lines[1]).toMatch(/^::warning title=swaram-conform SHOULD ERROR-SURVIVE%3A /);
  });

  it("carry each failing run's reason, evidence and replay on one line each", () => {
    const first = renderAnnotations(payload).split('\n')[0]!;
    const message = first.slice(first.indexOf('::', 2) + 2).split('%0A');
    expect(message).toEqual([
      'The client answered </script><script>window.__pwned=1</script>',
      'payload #1: tool <img src=x onerror="window.__pwned=1"> answered with </script><script>window.__pwned=1</script>',
      '  frame 9 at 520 ms: function call named <img src=x onerror="window.__pwned=1">',
      '  observation 4 at 530 ms: tool.invoke <script>window.__pwned=1</script>',
      '  at 600 ms: output item created',
      '  replay: swaram-conform --target "x</script><script>window.__pwned=1</script>" --scenario payload',
    ]);
  });

  it('are empty when no rule needs a look', () => {
    const ok = structuredClone(payload);
    ok.rules = ok.rules.filter((r) => r.status === 'pass');
    expect(renderAnnotations(ok)).toBe('');
  });
});
