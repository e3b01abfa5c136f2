import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../../conformance/conform-cli.ts', import.meta.url));

describe('a command that can never finish', () => {
  it('ends as a harness error with a message, never with code 0', () => {
    // A command awaiting a promise nobody settles, with nothing else alive: the event loop empties.
    const script = `import { interruptible } from ${JSON.stringify(CLI)};
await interruptible(() => new Promise(() => {}));`;
    const child = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 30_000,
      },
    );
    expect(child.stderr).toContain('the run stopped with work still pending');
    expect(child.status).toBe(3);
  }, 40_000);
});
