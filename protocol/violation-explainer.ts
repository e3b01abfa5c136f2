import type { ErrorObject } from 'ajv';
import type { Violation } from './violation.js';

/**
 * Turning ajv's findings into violations that say what was expected (see docs/protocol.md,
 * "Validation"): picks the meant branch of an `anyOf`, names the expected and the found value,
 * and hides the consequences of a wrong type tag.
 */

/**
 * Converts ajv errors (from a validator compiled with `allErrors: true`) into violations of code
 * `invalid_event` whose messages say what was expected. Where a value may take one of several
 * shapes (`anyOf`), ajv reports the failures of every shape; only the shape the value was
 * evidently meant to be is kept (see {@link chooseBranch}). `data` is the validated value (used
 * to quote what was found). Usable with any schema, not only event schemas.
 */
export function violationsFromAjv(errors: readonly ErrorObject[], data: unknown): Violation[] {
  return explainAjvErrors(errors, data);
}

export function explainAjvErrors(errors: readonly ErrorObject[], root: unknown): Violation[] {
  let current: (ErrorObject | Violation)[] = [...errors];
  const alternatives = errors
    .filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf')
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);

  for (const alternative of alternatives) {
    if (!current.includes(alternative)) continue;
    const prefix = alternative.schemaPath + '/';
    const branches = new Map<number, ErrorObject[]>();
    for (const item of current) {
      if (!isAjvError(item) || !item.schemaPath.startsWith(prefix)) continue;
      const index = Number.parseInt(item.schemaPath.slice(prefix.length), 10);
      const list = branches.get(index) ?? [];
      list.push(item);
      branches.set(index, list);
    }
    const decision = chooseBranch(alternative, branches, root);
    const drop = new Set<ErrorObject>();
    for (const list of branches.values()) for (const e of list) drop.add(e);
    for (const e of decision.keep) drop.delete(e);
    current = current.flatMap((item) => {
      if (item === alternative) return decision.replacement ? [decision.replacement] : [];
      return isAjvError(item) && drop.has(item) ? [] : [item];
    });
  }
  const violations = current.map((item) => (isAjvError(item) ? describe(item, root) : item));
  return dropConsequencesOfWrongTags(violations);
}

/**
 * When an object's `type` tag is wrong (`{ "type": "message" }` where only
 * `function_call_output` is allowed), its other findings (missing `call_id`, …) follow from it
 * and only bury the real problem: keep the tag finding alone, first.
 */
function dropConsequencesOfWrongTags(violations: Violation[]): Violation[] {
  const tags = violations.filter((v) => v.keyword === 'const' && v.path.endsWith('/type'));
  if (tags.length === 0) return violations;
  const owners = tags.map((v) => v.path.slice(0, -'type'.length));
  const rest = violations.filter(
    (v) => !tags.includes(v) && !owners.some((owner) => v.path.startsWith(owner)),
  );
  return [...tags, ...rest];
}

function isAjvError(item: ErrorObject | Violation): item is ErrorObject {
  return 'schemaPath' in item;
}

/**
 * Picks which alternative of an `anyOf` the value was meant to match:
 *
 * 1. Alternatives whose `type` tag does not match (a `const` on `<here>/type`, or a missing
 *    required `type`) are discarded. If none is left, the tag itself is the problem.
 * 2. If every remaining alternative only failed on the value's JSON type, one violation lists
 *    the accepted types ("must be an object or null").
 * 3. Otherwise alternatives that reject the value's JSON type are dropped, and of the rest the
 *    one with the deepest failure wins (it matched the most structure); then the one with
 *    fewer failures; then the first.
 */
function chooseBranch(
  alternative: ErrorObject,
  branches: ReadonlyMap<number, ErrorObject[]>,
  root: unknown,
): { keep: readonly ErrorObject[]; replacement?: Violation } {
  const here = alternative.instancePath;
  if (branches.size === 0) {
    const passing = (alternative.params as { passingSchemas?: unknown }).passingSchemas;
    const message =
      passing !== undefined && passing !== null
        ? `${label(here)} matches more than one of the allowed shapes`
        : `${label(here)} does not match any of the allowed shapes`;
    return {
      keep: [],
      replacement: { code: 'invalid_event', path: here, message, keyword: alternative.keyword },
    };
  }

  const tagPath = `${here}/type`;
  const tagValues: unknown[] = [];
  let tagMissing = false;
  const matching: [number, ErrorObject[]][] = [];
  for (const [index, list] of branches) {
    let wrongKind = false;
    for (const e of list) {
      if (e.keyword === 'const' && e.instancePath === tagPath) {
        wrongKind = true;
        tagValues.push((e.params as { allowedValue: unknown }).allowedValue);
      } else if (e.keyword === 'false schema' && e.instancePath === tagPath) {
        wrongKind = true; // the untagged alternative (flat session) met a tagged value
      } else if (
        e.keyword === 'required' &&
        e.instancePath === here &&
        (e.params as { missingProperty: string }).missingProperty === 'type'
      ) {
        wrongKind = true;
        tagMissing = true;
      }
    }
    if (!wrongKind) matching.push([index, list]);
  }

  if (matching.length === 0) {
    const expected = tagValues.map(String).join(', ');
    const got = preview(resolvePointer(root, tagPath));
    const message = tagMissing
      ? `${tagPath} is required (one of ${expected || 'the documented types'})`
      : tagValues.length === 1
        ? `${tagPath} must be ${JSON.stringify(tagValues[0])}; got ${got}`
        : `${tagPath} must be one of ${expected}; got ${got}`;
    return {
      keep: [],
      replacement: {
        code: 'invalid_event',
        path: tagPath,
        message,
        keyword: tagMissing ? 'required' : 'const',
      },
    };
  }

  const onlyTypeErrors = matching.every(([, list]) =>
    list.every((e) => e.keyword === 'type' && e.instancePath === here),
  );
  if (onlyTypeErrors && matching.length > 1) {
    const types = matching.flatMap(([, list]) => list.map((e) => typeNoun(e.params.type)));
    const message = `${label(here)} must be ${joinOr([...new Set(types)])}; got ${kindOf(resolvePointer(root, here))}`;
    return {
      keep: [],
      replacement: { code: 'invalid_event', path: here, message, keyword: 'type' },
    };
  }

  // An alternative that rejects the value's JSON type outright (`null` for an object) is only a
  // candidate when no alternative accepted the type.
  const sameType = matching.filter(
    ([, list]) => !list.every((e) => e.keyword === 'type' && e.instancePath === here),
  );
  const candidates = sameType.length > 0 ? sameType : matching;
  let best = candidates[0]!;
  let bestDepth = deepest(best[1]);
  for (const candidate of candidates.slice(1)) {
    const depth = deepest(candidate[1]);
    if (depth > bestDepth || (depth === bestDepth && candidate[1].length < best[1].length)) {
      best = candidate;
      bestDepth = depth;
    }
  }
  return { keep: best[1] };
}

function deepest(list: readonly ErrorObject[]): number {
  let max = 0;
  for (const e of list) max = Math.max(max, pointerDepth(errorPath(e)));
  return max;
}

function pointerDepth(pointer: string): number {
  let depth = 0;
  for (let i = 0; i < pointer.length; i++) if (pointer.charCodeAt(i) === 47) depth++;
  return depth;
}

/** The pointer a finding is about: the missing or extra property itself, not its parent. */
function errorPath(e: ErrorObject): string {
  if (e.keyword === 'required') {
    return `${e.instancePath}/${escapePointer((e.params as { missingProperty: string }).missingProperty)}`;
  }
  if (e.keyword === 'additionalProperties') {
    return `${e.instancePath}/${escapePointer((e.params as { additionalProperty: string }).additionalProperty)}`;
  }
  return e.instancePath;
}

function describe(e: ErrorObject, root: unknown): Violation {
  const path = errorPath(e);
  const at = label(path);
  const value = resolvePointer(root, path);
  const params = e.params as Record<string, unknown>;
  let message: string;
  switch (e.keyword) {
    case 'required':
      message = `${at} is required`;
      break;
    case 'additionalProperties':
      message = `${at} is not a field swaram defines here (strict mode accepts only documented fields)`;
      break;
    case 'type':
      message = `${at} must be ${typeNoun(params.type)}; got ${kindOf(value)}`;
      break;
    case 'const':
      message = `${at} must be ${JSON.stringify(params.allowedValue)}; got ${preview(value)}`;
      break;
    case 'enum':
      message = `${at} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}; got ${preview(value)}`;
      break;
    case 'minLength':
      message =
        params.limit === 1
          ? `${at} must not be empty`
          : `${at} must be at least ${String(params.limit)} characters long`;
      break;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      message = `${at} must be ${String(params.comparison)} ${String(params.limit)}; got ${preview(value)}`;
      break;
    case 'false schema':
      message = `${at} is not allowed here`;
      break;
    case 'minItems':
      message = `${at} must have at least ${String(params.limit)} item(s)`;
      break;
    default:
      message = `${at} ${e.message ?? 'is invalid'}`;
  }
  return { code: 'invalid_event', path, message, keyword: e.keyword };
}

function label(pointer: string): string {
  return pointer === '' ? 'the event' : pointer;
}

function escapePointer(segment: string): string {
  return segment.replace(/~/g, '~0').replace(/\//g, '~1');
}

function resolvePointer(root: unknown, pointer: string): unknown {
  if (pointer === '') return root;
  let node = root;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

function typeNoun(type: unknown): string {
  const names = String(type).split(',');
  const noun = (t: string) =>
    t === 'integer' || t === 'object' || t === 'array'
      ? `an ${t}`
      : t === 'null'
        ? 'null'
        : `a ${t}`;
  return joinOr(names.map(noun));
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]!}`;
}

/** "string \"abc\"", "number 5", "null", "array", "object", "nothing" — never huge, never throws. */
export function kindOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary data';
  switch (typeof value) {
    case 'string':
      return `string ${JSON.stringify(truncate(value))}`;
    case 'number':
    case 'boolean':
      return `${typeof value} ${String(value)}`;
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}

/** A short rendering of a scalar value for messages: `"alloy"`, `5`, or a kind. */
function preview(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(truncate(value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return kindOf(value);
}

export function truncate(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/** The candidate within edit distance 3 of `word`, if any (typo hints for unknown types). */
