import { nestingDepth } from '../../protocol/json-depth.js';
/**
 * What the runner keeps from one target, at most: every store the adapter can fill is bounded,
 * so a flooding or hostile target cannot drive the runner out of memory or stack.
 */
export const TARGET_LIMITS = {
  /** Lines on an adapter's stdout per run; past it the adapter is stopped (`flood`). */
  stdoutLines: 50_000,
  /** Bytes on an adapter's stdout per run; past it the adapter is stopped (`flood`). */
  stdoutBytes: 64 * 1024 * 1024,
  /** Harness findings kept per target; one `limit` finding says when more were dropped. */
  findings: 200,
  /** Journal entries kept per target (the rest are counted, not kept). */
  journal: 10_000,
  /** Deepest nesting accepted in an observation or a wire frame (objects and arrays). */
  depth: 64,
} as const;

/** How deeply `text` (JSON) nests, counted up to just past `limit` (default the target's). */
export function jsonDepth(text: string, limit: number = TARGET_LIMITS.depth): number {
  return nestingDepth(text, limit);
}
