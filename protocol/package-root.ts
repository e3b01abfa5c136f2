import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The folder that holds this package's `package.json`.
 *
 * Code runs both from source (`protocol/x.ts`, under vitest and tsx) and compiled
 * (`dist/protocol/x.js`), so data folders such as `fixtures/` are found by walking up to the
 * package root rather than by a fixed relative path.
 */
export function packageRoot(): string {
  if (cached !== undefined) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'fixtures'))) {
      cached = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('swaram: cannot find the package root above ' + dir);
    dir = parent;
  }
}
