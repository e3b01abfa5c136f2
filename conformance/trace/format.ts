/* Formatting of figures for verdict reasons and reports. */

/** Formats a duration in ms for reasons: `12 ms`, `1.25 s`. */
export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  if (Math.abs(ms) >= 1000) return `${(ms / 1000).toFixed(2).replace(/\.?0+$/, '')} s`;
  return `${Math.round(ms)} ms`;
}

/** "1 thing" / "3 things". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}
