/**
 * Robust growth of a series of (time, value) points: a Theil-Sen slope (the
 * median of pairwise slopes, which a few outliers or a GC sawtooth cannot
 * pull), how well that line explains the points, and the shape checks that
 * tell steady growth from a one-off jump, a plateau or a sawtooth. Pure
 * arithmetic: the bounded history that feeds it is in growth.ts.
 */

export interface Fit {
  /** Value units per second. */
  slope: number;
  /** Fitted value at time `t0`. */
  intercept: number;
  t0: number;
  /** R^2 of the fitted line (0 when the points vary less than the line, 1 for a perfect line). */
  r2: number;
}

const scratch = { buf: new Float64Array(64) };

function buffer(n: number): Float64Array {
  if (scratch.buf.length < n) scratch.buf = new Float64Array(Math.max(n, scratch.buf.length * 2));
  return scratch.buf;
}

/** k-th smallest of a[0..n) (quickselect, reorders a). */
function select(a: Float64Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const x = a[i]!;
        a[i] = a[j]!;
        a[j] = x;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k]!;
  }
  return a[k]!;
}

function median(a: Float64Array, n: number): number {
  if (n === 0) return 0;
  const hi = select(a, n, n >> 1);
  if (n % 2 === 1) return hi;
  let lo = -Infinity;
  for (let i = 0; i < n >> 1; i++) if (a[i]! > lo) lo = a[i]!;
  return (lo + hi) / 2;
}

/**
 * Theil-Sen line through points from..to-1 of (ts, vs) (times ascending).
 * O(n^2) pairs: callers keep n small (bucketed histories of a few dozen).
 */
export function theilSen(ts: ArrayLike<number>, vs: ArrayLike<number>, from = 0, to = ts.length): Fit {
  const n = to - from;
  const t0 = n > 0 ? ts[from]! : 0;
  if (n < 2) return { slope: 0, intercept: n > 0 ? vs[from]! : 0, t0, r2: 0 };
  const buf = buffer((n * (n - 1)) / 2);
  let m = 0;
  for (let i = from; i < to; i++) {
    for (let j = i + 1; j < to; j++) {
      const dt = ts[j]! - ts[i]!;
      if (dt > 0) buf[m++] = (vs[j]! - vs[i]!) / dt;
    }
  }
  const slope = m > 0 ? median(buf, m) : 0;
  for (let i = from; i < to; i++) buf[i - from] = vs[i]! - slope * (ts[i]! - t0);
  const intercept = median(buf, n);
  let mean = 0;
  for (let i = from; i < to; i++) mean += vs[i]!;
  mean /= n;
  let ssTot = 0;
  let ssRes = 0;
  for (let i = from; i < to; i++) {
    const v = vs[i]!;
    const r = v - (intercept + slope * (ts[i]! - t0));
    ssRes += r * r;
    ssTot += (v - mean) * (v - mean);
  }
  const r2 = ssTot > 0 ? Math.max(0, 1 - ssRes / ssTot) : 0;
  return { slope, intercept, t0, r2 };
}

export interface SteadyRules {
  /** Fewest points that may be judged. */
  minPoints: number;
  /** Shortest time span (seconds) of the points that may be judged. */
  minSpan: number;
  /** Least fitted growth over the span (value units). */
  minGrowth: number;
  /** Least growth rate (value units per second). */
  minRate: number;
  /** Least R^2 of the fit. */
  minFit: number;
}

export interface Verdict {
  /** Fitted rate, value units per second. */
  rate: number;
  /** Fitted growth over the judged span. */
  grow: number;
  span: number;
  r2: number;
  /** Steady growth by every rule. */
  steady: boolean;
  /** The first rule that failed, for tests and the curious. */
  why: string;
}

/** Largest fall from a running maximum, as a share of growth: a sawtooth falls back, a leak hardly does. */
function drawdown(vs: ArrayLike<number>, from: number, to: number): number {
  let peak = -Infinity;
  let worst = 0;
  for (let i = from; i < to; i++) {
    const v = vs[i]!;
    if (v > peak) peak = v;
    else if (peak - v > worst) worst = peak - v;
  }
  return worst;
}

/** Largest single rise between neighbouring points. */
function largestStep(vs: ArrayLike<number>, from: number, to: number): number {
  let largest = 0;
  for (let i = from + 1; i < to; i++) largest = Math.max(largest, vs[i]! - vs[i - 1]!);
  return largest;
}

/**
 * Whether points from..to-1 grow steadily: enough points over enough time,
 * a good robust fit, at least the minimum growth and rate, no single step
 * carrying half the growth (a one-off jump), no fall back of more than a
 * quarter of it (a sawtooth), and both the first and the last third still
 * rising at a third of the overall rate (warm-up then plateau, or a jump).
 */
export function judgeSteady(
  ts: ArrayLike<number>, vs: ArrayLike<number>, from: number, to: number, rules: SteadyRules,
): Verdict {
  const n = to - from;
  const span = n > 0 ? ts[to - 1]! - ts[from]! : 0;
  const verdict = (fit: Fit | undefined, why: string): Verdict => {
    const rate = fit ? fit.slope : 0;
    return { rate, grow: rate * span, span, r2: fit ? fit.r2 : 0, steady: why === '', why };
  };
  const fit = theilSen(ts, vs, from, to);
  if (n < rules.minPoints) return verdict(fit, 'too few points');
  if (span < rules.minSpan) return verdict(fit, 'too short');
  const grow = fit.slope * span;
  if (fit.slope < rules.minRate || fit.slope <= 0) return verdict(fit, 'rate');
  if (grow < rules.minGrowth) return verdict(fit, 'growth');
  if (fit.r2 < rules.minFit) return verdict(fit, 'fit');
  if (largestStep(vs, from, to) > grow / 2) return verdict(fit, 'jump');
  if (drawdown(vs, from, to) > grow / 4) return verdict(fit, 'falls back');
  const third = Math.max(2, Math.floor(n / 3));
  const head = theilSen(ts, vs, from, from + third).slope;
  const tail = theilSen(ts, vs, to - third, to).slope;
  if (head < fit.slope / 3) return verdict(fit, 'started late');
  if (tail < fit.slope / 3) return verdict(fit, 'plateau');
  return verdict(fit, '');
}
