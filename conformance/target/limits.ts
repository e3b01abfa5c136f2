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

/**
 * How deeply `text` (JSON) nests objects and arrays, scanning without recursion; stops
 * counting once past `limit`. Strings are skipped, so brackets inside them do not count.
 */
export function jsonDepth(text: string, limit: number = TARGET_LIMITS.depth): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      depth++;
      if (depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return max;
}
