import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../results/result-schema.js';
import { MARKDOWN_LIMIT, renderMarkdown } from './markdown-report.js';

const payload = JSON.parse(
  readFileSync(
    fileURLToPath(new URL('./testdata/payload-run/index.json', import.meta.url)),
    'utf8',
  ),
) as RunResult;

describe('renderMarkdown', () => {
  const md = renderMarkdown(payload);

  it('leads with the verdict and the failing rules', () => {
    expect(md.split('\n')[0]).toBe(
      '## ❌ swaram-conform: payload&lt;script&gt;window.\\_\\_pwned=1&lt;/script&gt; failed (TOOL-ANSWER, HARNESS-CASE)',
    );
    expect(md).toContain('| 1 | 1 | 1 | 1 | 0 | 1 |');
  });

  it("gives a failing rule's reason, evidence and replay line", () => {
    expect(md).toContain('#### TOOL-ANSWER: Tool calls get answers');
    expect(md).toContain(
      '- **payload \\#1** (fail): tool &lt;img src=x onerror="window.\\_\\_pwned=1"&gt; answered with &lt;/script&gt;',
    );
    expect(md).toContain(
      '  - frame 9 at 520 ms: function call named &lt;img src=x onerror="window.\\_\\_pwned=1"&gt;',
    );
    expect(md).toContain('  - observation 4 at 530 ms: tool.invoke');
    expect(md).toContain(
      `  - replay: \`swaram-conform --target "x</script><script>window.__pwned=1</script>" --scenario payload\``,
    );
    expect(md).toContain('| L\\_stop | 4 | 40 | 260 | 260 | 200 ❌ over |');
  });

  it('lists only the rules to look at, one table row each, with no live markup', () => {
    const rows = md.split('\n').filter((l) => /^\| [a-z ]+ \| (MUST|SHOULD) \|/.test(l));
    expect(rows.map((r) => r.split(' | ')[2])).toEqual([
      'TOOL-ANSWER',
      'HARNESS-CASE',
      'ERROR-SURVIVE',
    ]);
    for (const r of rows) expect(r.replace(/\\\|/g, '').split('|')).toHaveLength(6);
    const outsideCode = md.replace(/`[^`\n]*`/g, '');
    expect(outsideCode).not.toMatch(/<(script|img)/);
    expect(outsideCode).not.toContain('@');
  });

  it('stays under a PR comment once hundreds of rules fail', () => {
    const big = structuredClone(payload);
    const template = big.rules[0]!;
    big.rules = Array.from({ length: 400 }, (_, i) => ({
      ...template,
      id: `RULE-${i}`,
      reason: 'x'.repeat(300),
    }));
    const text = renderMarkdown(big);
    expect(text.length).toBeLessThanOrEqual(MARKDOWN_LIMIT);
    expect(text).toContain('more details in report.html');
    expect(text).toContain('#### RULE-0:');
    expect(text).toContain('### Metrics (ms)');
  });

  it('says passed when nothing failed', () => {
    const ok = structuredClone(payload);
    ok.summary = { ...ok.summary, passed: true, exitCode: 0, failing: [] };
    ok.rules = ok.rules.filter((r) => r.status === 'pass');
    const text = renderMarkdown(ok);
    expect(text).toMatch(/^## ✅ .* passed$/m);
    expect(text).not.toContain('Rules to look at');
  });
});
