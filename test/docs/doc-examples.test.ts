import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkFault } from '../../protocol/fixture/parse-fault.js';
import { ROOT } from '../cli/run-cli.js';

/** The fenced block that follows `<!-- example: PATH -->` in a docs page. */
function quoted(page: string, path: string): string {
  const text = readFileSync(join(ROOT, page), 'utf8');
  const marker = `<!-- example: ${path} -->\n\`\`\`ts\n`;
  const start = text.indexOf(marker);
  expect(start, `${page} quotes ${path}`).toBeGreaterThanOrEqual(0);
  const body = text.slice(start + marker.length);
  return body.slice(0, body.indexOf('```\n'));
}

describe('examples quoted in the docs', () => {
  it('docs/mock-server.md quotes docs/examples/mock-in-tests.test.ts as it is (import from the package name)', () => {
    const file = readFileSync(join(ROOT, 'docs/examples/mock-in-tests.test.ts'), 'utf8');
    const asUsers = file.replace(
      "from '../../index.js'; // your code: from 'swaram-conformance'",
      "from 'swaram-conformance';",
    );
    expect(asUsers).not.toBe(file);
    expect(quoted('docs/mock-server.md', 'docs/examples/mock-in-tests.test.ts')).toBe(asUsers);
  });

  it('the violation docs/mock-server.md shows for a bad fault is the one the schema gives', () => {
    const doc = readFileSync(join(ROOT, 'docs/mock-server.md'), 'utf8');
    const shown =
      /`invalid_fault` with every violation[^`]*`([^`]+)` gets\s+`cannot read fault "…": ([^`]+)`/.exec(
        doc,
      );
    expect(shown).not.toBeNull();
    expect(() => checkFault(JSON.parse(shown![1]!))).toThrow(`: ${shown![2]!}\n`);
  });
});
