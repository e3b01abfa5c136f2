import type { ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { runResultSchema, type RunResult } from './result-schema.js';

/** What {@link validateRunResult} found: the typed result, or what is wrong with it. */
export type RunResultCheck = { ok: true; result: RunResult } | { ok: false; problems: string[] };

let compiled: ValidateFunction<RunResult> | undefined;

/**
 * Checks a parsed `index.json` against {@link runResultSchema} (strictly: every field, every
 * bound). Never throws; `problems` are one line each, `<JSON Pointer> <what is wrong>`.
 *
 * @example
 * const check = validateRunResult(JSON.parse(readFileSync('reports/<run-id>/index.json', 'utf8')));
 * if (!check.ok) console.error(check.problems.join('\n'));
 */
export function validateRunResult(value: unknown): RunResultCheck {
  // Compiled on first use; ajv's strict mode makes a schema mistake fail loudly here.
  compiled ??= new Ajv2020({
    strict: true,
    allErrors: true,
    allowUnionTypes: true,
  }).compile<RunResult>(runResultSchema);
  if (compiled(value)) return { ok: true, result: value };
  return {
    ok: false,
    problems: (compiled.errors ?? []).map(
      (e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`,
    ),
  };
}
