import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../results/result-schema.js';
import { escapeHtml, scriptJson } from './html-escape.js';
import { htmlReport } from './html-report.js';
import { timelineOf } from './timeline-data.js';

const runDir = fileURLToPath(new URL('./testdata/payload-run/', import.meta.url));
const result = JSON.parse(readFileSync(join(runDir, 'index.json'), 'utf8')) as RunResult;

describe('escaping', () => {
  it('escapes markup characters for text and attributes', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe(
      '&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;',
    );
  });

  it('keeps </script> and <!-- out of embedded JSON, which still parses back', () => {
    const value = { a: '</script><script>x</script>', b: '<!-- & \u2028 -->' };
    const text = scriptJson(value);
    expect(text).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('report.html', async () => {
  const html = await htmlReport(result, runDir);

  it('has no markup from the client: only its own script runs', () => {
    expect(html.match(/<script\b/g)).toHaveLength(2); // the page's script + one JSON block
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).not.toMatch(/<img\b/);
    expect(html).not.toContain('</script><script>window');
    expect(html).toContain('payload&lt;script&gt;window.__pwned=1&lt;/script&gt;');
  });

  it('loads nothing from elsewhere and allows only its own script and style', () => {
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    const hash = (s: string) => createHash('sha256').update(s).digest('base64');
    expect(csp).toBe(
      `default-src &#39;none&#39;; script-src &#39;sha256-${hash(script)}&#39;; style-src &#39;sha256-${hash(style)}&#39;; img-src data:; base-uri &#39;none&#39;; form-action &#39;none&#39;`,
    );
  });

  it("embeds each run's timeline rows as JSON for drawing on demand", () => {
    const block = /<script type="application\/json" id="data-r1">([\s\S]*?)<\/script>/.exec(html);
    const file: unknown = JSON.parse(
      readFileSync(join(runDir, 'scenarios/payload-1.json'), 'utf8'),
    );
    expect(JSON.parse(block![1]!)).toEqual(timelineOf(file));
  });

  it('links evidence to the frame or observation it names, in its run', () => {
    expect(html).toContain(
      '<a class="ev" href="#r1-f9" data-run="r1" data-row="f9">frame 9 at 520 ms</a>: function call named &lt;img',
    );
    expect(html).toContain(
      '<a class="ev" href="#r1-o4" data-run="r1" data-row="o4">observation 4 at 530 ms</a>',
    );
    expect(html).toContain(
      '<a class="ev" href="#r1" data-run="r1" data-at="600">at 600 ms</a>: output item created',
    );
    expect(html).toContain('<li>no pointer, just a note &lt;/script&gt;');
  });

  it('draws each metric against its budget', () => {
    const chart = html.slice(html.indexOf('id="metric-L_stop"'));
    expect(chart.slice(0, chart.indexOf('</svg>')).match(/<circle class="dot/g)).toHaveLength(4);
    expect(chart).toMatch(/<circle class="dot over"/);
    expect(chart).toMatch(/<line class="budget over"/);
    expect(html).toMatch(/id="metric-L_ready"[\s\S]*?no samples/);
  });
});
