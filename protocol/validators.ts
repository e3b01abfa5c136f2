import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { ClientEventMap, ClientEventType, ServerEventMap, ServerEventType } from './events.js';
import { clientEventSchemas, serverEventSchemas } from './schemas/index.js';

/**
 * Every event schema compiled once, the first time its variant is used, in two variants:
 *
 * - **strict**: the schemas as written; objects swaram documents completely are closed
 *   (`additionalProperties: false`). The harness checks the mock and clients against it.
 * - **tolerant**: the same schemas with every object opened by {@link openSchema}. This is what
 *   a client must accept (servers may add fields), and what the mock applies by default.
 *
 * Both use ajv's `strict: true` (a schema mistake fails at load, not in production) and
 * `allErrors: true` (report every problem of a message at once).
 */

/** A compiled validator for one event type. `errors` holds ajv's findings after a failure. */
export type EventValidator<E> = ValidateFunction<E>;

/** The compiled validators of one variant, keyed by event type. */
export interface ValidatorSet {
  readonly client: { readonly [T in ClientEventType]: EventValidator<ClientEventMap[T]> };
  readonly server: { readonly [T in ServerEventType]: EventValidator<ServerEventMap[T]> };
}

/**
 * A deep copy of `schema` with every closed object opened: `additionalProperties: false` and
 * `unevaluatedProperties: false` are removed, everything else is kept. This is how the tolerant
 * set is derived from the strict one, so the two cannot disagree on anything but openness.
 */
export function openSchema<S>(schema: S): S {
  return openNode(schema) as S;
}

function openNode(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(openNode);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'additionalProperties' || key === 'unevaluatedProperties') && value === false) {
      continue;
    }
    out[key] = openNode(value);
  }
  return out;
}

function compileSet(transform: <S>(schema: S) => S): ValidatorSet {
  // `optimize: false` skips ajv's code-optimisation pass: measured, it halves module load time
  // (about 570 → 300 ms for both sets) and leaves validation speed unchanged within noise (the
  // hot path is dominated by JSON.parse and the base64 check; see bench/validation.bench.ts).
  const ajv = new Ajv2020({ strict: true, allErrors: true, code: { optimize: false } });
  const compileAll = <K extends string>(schemas: Record<K, object>) =>
    Object.fromEntries(
      Object.entries<object>(schemas).map(([type, schema]) => [
        type,
        ajv.compile(transform(schema)),
      ]),
    );
  return Object.freeze({
    client: Object.freeze(compileAll(clientEventSchemas)) as ValidatorSet['client'],
    server: Object.freeze(compileAll(serverEventSchemas)) as ValidatorSet['server'],
  });
}

/**
 * A set compiled on first use: compiling every event schema takes a few hundred ms, which a
 * command that never validates (`--help`, `--version`, `list`) should not pay at start-up.
 */
function lazySet(transform: <S>(schema: S) => S): ValidatorSet {
  let set: ValidatorSet | undefined;
  const compiled = () => (set ??= compileSet(transform));
  return Object.freeze({
    get client() {
      return compiled().client;
    },
    get server() {
      return compiled().server;
    },
  });
}

/** The strict validators: closed objects where swaram documents them. */
export const strictValidators: ValidatorSet = lazySet((schema) => schema);

/** The tolerant validators: the strict schemas with every object opened. */
export const tolerantValidators: ValidatorSet = lazySet(openSchema);

/**
 * Compiles both sets now rather than on first use: a process about to measure time (the
 * conformance runner, before its first scenario run) pays the few hundred ms up front instead
 * of stalling its event loop in the middle of a run.
 */
export function compileValidators(): void {
  for (const set of [strictValidators, tolerantValidators]) void [set.client, set.server];
}

/** The strict or tolerant set. */
export function validatorsFor(strict: boolean): ValidatorSet {
  return strict ? strictValidators : tolerantValidators;
}

export type { ErrorObject };
