import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  commandForFile,
  resolveTarget,
  type TargetSpec,
} from '../../conformance/target/resolve-target.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * A client folder of this repository (clients/reference, clients/faulty/<bug>) as its manifest
 * starts it (name, cwd, env, args), but running the compiled adapter in dist/ with node instead
 * of `adapter.ts` through tsx: a third of the start-up CPU, which the harness pays a hundred
 * times. The harness project builds dist/ first (build-dist.ts), so it is never stale; the
 * manifests still name `adapter.ts` (what users run), and tls.test.ts runs that path.
 */
export function compiledClient(folder: string): TargetSpec {
  const spec = resolveTarget({ target: folder });
  const source = resolve(folder, 'adapter.ts');
  const at = spec.args.indexOf(source);
  if (at < 0) throw new Error(`${folder}: its manifest does not start adapter.ts (${spec.args})`);
  const compiled = join(ROOT, 'dist', relative(ROOT, source)).replace(/\.ts$/, '.js');
  if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run npm run build`);
  // The manifest's own args (after the file) stay; tsx's `--import <loader>` (before it) goes.
  const { command, args } = commandForFile(compiled);
  return { ...spec, command, args: [...args, ...spec.args.slice(at + 1)] };
}
