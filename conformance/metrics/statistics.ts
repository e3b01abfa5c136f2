/*
 * Statistics the metrics and the rules share: summaries of samples, least-squares fits,
 * quantiles of reference distributions.
 */

/** count / p50 / p95 / max of a metric's samples; the percentiles are undefined when empty. */
export interface MetricSummary {
  count: number;
  p50: number | undefined;
  p95: number | undefined;
  max: number | undefined;
}

/**
 * Summarises samples with nearest-rank percentiles (the value at rank ⌈p·n⌉ of the sorted
 * samples): every reported figure is a real sample, and with fewer than 20 samples p95 is the
 * maximum, which is what a budget on few repetitions should see.
 */
export function summarise(samples: readonly number[]): MetricSummary {
  const sorted = samples.filter((s) => Number.isFinite(s)).sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { count: 0, p50: undefined, p95: undefined, max: undefined };
  const rank = (p: number): number => sorted[Math.min(n, Math.max(1, Math.ceil(p * n))) - 1]!;
  return { count: n, p50: rank(0.5), p95: rank(0.95), max: sorted[n - 1]! };
}

/** Least-squares slope of y on x (`Infinity` when every x is the same). */
export function slope(points: ReadonlyArray<readonly [number, number]>): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? Infinity : sxy / sxx;
}

/**
 * The growth factor of a delay sequence: exp of the least-squares slope of ln(delay) against
 * the attempt number. Robust to jitter in single delays, unlike a ratio of two of them.
 */
export function growthFactor(delays: readonly number[]): number {
  const points = delays.map((d, k) => [k + 1, Math.log(Math.max(d, 1))] as const);
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of points) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return sxx === 0 ? 1 : Math.exp(sxy / sxx);
}

/**
 * The `p` quantile of the chi-square distribution with `dof` degrees of freedom, by the
 * Wilson–Hilferty approximation (within about 1 % for dof ≥ 3; used for a confidence bound).
 */
export function chiSquareQuantile(p: number, dof: number): number {
  const z = normalQuantile(p);
  const a = 2 / (9 * dof);
  return Math.max(1e-9, dof * (1 - a + z * Math.sqrt(a)) ** 3);
}

/** The `p` quantile of the standard normal distribution (Acklam's rational approximation). */
function normalQuantile(p: number): number {
  const a = [
    -39.6968302866538, 220.946098424521, -275.928510446969, 138.357751867269, -30.6647980661472,
    2.50662827745924,
  ];
  const b = [
    -54.4760987982241, 161.585836858041, -155.698979859887, 66.8013118877197, -13.2806815528857,
  ];
  const c = [
    -0.00778489400243029, -0.322396458041136, -2.40075827716184, -2.54973253934373,
    4.37466414146497, 2.93816398269878,
  ];
  const d = [0.00778469570904146, 0.32246712907004, 2.445134137143, 3.75440866190742];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (
      (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) /
      ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1)
    );
  }
  if (p > 1 - lo) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (
    ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) /
    (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1)
  );
}
