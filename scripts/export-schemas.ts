import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clientEventSchemas, serverEventSchemas } from '../protocol/schemas/index.js';
import { openSchema } from '../protocol/validators.js';

/**
 * Writes every event schema as a JSON file, for people who do not use TypeScript:
 *
 *     npx tsx scripts/export-schemas.ts [folder]     # default: dist/schemas
 *
 * Layout (one file per event, named after its `$id`):
 *
 *     <folder>/strict/client/session.update.json      $id swaram:client/session.update
 *     <folder>/strict/server/response.done.json       …
 *     <folder>/tolerant/client/session.update.json    $id swaram:tolerant/client/session.update
 *     <folder>/index.json                             every file, by side and type
 *
 * The strict files are the schemas as written; the tolerant ones are derived from them by
 * opening every closed object (see docs/protocol.md, "Strict and tolerant"). All are JSON
 * Schema draft 2020-12 and self-contained (no `$ref` between files).
 */
export function exportSchemas(folder: string): string[] {
  const written: string[] = [];
  const index: Record<string, Record<string, Record<string, string>>> = {
    strict: {},
    tolerant: {},
  };
  const sides = { client: clientEventSchemas, server: serverEventSchemas } as const;
  for (const variant of ['strict', 'tolerant'] as const) {
    for (const [side, schemas] of Object.entries(sides)) {
      mkdirSync(join(folder, variant, side), { recursive: true });
      index[variant]![side] = {};
      for (const [type, schema] of Object.entries<{ $id: string }>(schemas)) {
        const out =
          variant === 'strict'
            ? schema
            : { ...openSchema(schema), $id: schema.$id.replace('swaram:', 'swaram:tolerant/') };
        const relative = `${variant}/${side}/${type}.json`;
        writeFileSync(join(folder, relative), `${JSON.stringify(out, null, 2)}\n`);
        index[variant]![side]![type] = relative;
        written.push(relative);
      }
    }
  }
  writeFileSync(join(folder, 'index.json'), `${JSON.stringify(index, null, 2)}\n`);
  written.push('index.json');
  return written;
}

const invokedDirectly =
  process.argv[1] !== undefined &&
  realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
if (invokedDirectly) {
  const { positionals } = parseArgs({ allowPositionals: true, options: {} });
  const folder = resolve(positionals[0] ?? 'dist/schemas');
  const files = exportSchemas(folder);
  console.log(`wrote ${files.length} files to ${folder}`);
}
