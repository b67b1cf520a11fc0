/**
 * Small statistics for the verdicts: pure functions of numbers, no I/O.
 *
 * Conventions: `confidence` is two-sided (0.95 -> the 2.5 % and 97.5 % points); an interval
 * is { low, high } with NaN ends when the data cannot give one (fewer than two values).
 */
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import type { Rng } from '../util/rng.js';

export interface Interval {
  low: number;
  high: number;
}

/** A statistic with its confidence interval and the number of units it rests on. */
export interface Estimate extends Interval {
  value: number;
  n: number;
}

export function mean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Sample standard deviation (n - 1); NaN below two values. */
export function sd(values: readonly number[]): number {
  const n = values.length;
  if (n < 2) return Number.NaN;
  const m = mean(values);
  return Math.sqrt(values.reduce((a, v) => a + (v - m) ** 2, 0) / (n - 1));
}

/** The p-quantile of Student's t with `df` degrees of freedom. */
export function tQuantileOf(p: number, df: number): number {
  return tQuantile(p, df);
}

/** The t-based confidence interval of a mean: mean +- t(1 - alpha/2, n - 1) * sd / sqrt(n). */
export function meanInterval(values: readonly number[], confidence = 0.95): Estimate {
  const n = values.length;
  const m = mean(values);
  if (n < 2) return { value: m, low: Number.NaN, high: Number.NaN, n };
  const half = (tQuantileOf(1 - (1 - confidence) / 2, n - 1) * sd(values)) / Math.sqrt(n);
  return { value: m, low: m - half, high: m + half, n };
}

/**
 * a[seed] - b[seed] for every seed both have, in ascending seed order: the paired differences
 * that make the seed (which fixes shuffling and the first layer's start) the unit.
 */
export function pairedDifferences(a: ReadonlyMap<number, number>, b: ReadonlyMap<number, number>): { seeds: number[]; diffs: number[] } {
  const seeds = [...a.keys()].filter((s) => b.has(s)).sort((x, y) => x - y);
  return { seeds, diffs: seeds.map((s) => a.get(s)! - b.get(s)!) };
}

/** Least-squares slope of y on x; NaN when x does not vary. */
export function olsSlope(x: readonly number[], y: readonly number[]): number {
  const mx = mean(x);
  const my = mean(y);
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < x.length; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  return sxx > 0 ? sxy / sxx : Number.NaN;
}

/**
 * Percentile bootstrap: `statistic` of `resamples` resamples (with replacement) of the units,
 * drawn from `rng`; returns the statistic of the data and the (1 - confidence)/2 and
 * (1 + confidence)/2 percentiles of the resampled ones.
 */
export function bootstrap<T>(
  units: readonly T[],
  statistic: (sample: readonly T[]) => number,
  rng: Rng,
  resamples = 2000,
  confidence = 0.95,
): Estimate {
  const value = statistic(units);
  const n = units.length;
  if (n < 2) return { value, low: Number.NaN, high: Number.NaN, n };
  const draws = bootstrapDraws(units, statistic, rng, resamples).sort((a, b) => a - b);
  return { value, low: quantileSorted(draws, (1 - confidence) / 2), high: quantileSorted(draws, (1 + confidence) / 2), n };
}

/** The statistic of each of `resamples` resamples of the units (for bootstrap probabilities). */
export function bootstrapDraws<T>(units: readonly T[], statistic: (sample: readonly T[]) => number, rng: Rng, resamples: number): number[] {
  const n = units.length;
  const sample: T[] = new Array<T>(n);
  const draws: number[] = [];
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) sample[i] = units[rng.int(n)];
    draws.push(statistic(sample));
  }
  return draws;
}

/** Linear interpolation between order statistics (type 7, R's default). */
function quantileSorted(sorted: readonly number[], p: number): number {
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * The standard normal quantile, as the limit of t: the t quantile with 1e12 degrees of freedom
 * agrees with it to 1e-11 (the stdlib t quantile gives NaN for infinite df).
 */
function zQuantile(p: number): number {
  return tQuantileOf(p, 1e12);
}

/** Wilson score interval of a proportion k / n. */
export function wilson(k: number, n: number, confidence = 0.95): Estimate {
  if (n === 0) return { value: Number.NaN, low: Number.NaN, high: Number.NaN, n };
  const z = zQuantile(1 - (1 - confidence) / 2);
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  // Clamped to [0, 1] and to contain p itself (rounding can put 1 just above the high end at k = n).
  return { value: p, low: Math.min(p, Math.max(0, centre - half)), high: Math.max(p, Math.min(1, centre + half)), n };
}

/**
 * Newcombe's hybrid score interval (method 10) for p1 - p2 from two Wilson intervals:
 * well-behaved at proportions of 0 and 1, where the normal approximation fails.
 */
export function proportionDifference(k1: number, n1: number, k2: number, n2: number, confidence = 0.95): Estimate {
  const a = wilson(k1, n1, confidence);
  const b = wilson(k2, n2, confidence);
  const d = a.value - b.value;
  const low = d - Math.sqrt((a.value - a.low) ** 2 + (b.high - b.value) ** 2);
  const high = d + Math.sqrt((a.high - a.value) ** 2 + (b.value - b.low) ** 2);
  return { value: d, low, high, n: n1 + n2 };
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/**
 * Two-sided Fisher exact test of the 2x2 table [[a, b], [c, d]]: the probability, with the
 * margins fixed, of a table no more likely than the one observed.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const n = a + b + c + d;
  const logP = (x: number): number =>
    logFactorial(row1) +
    logFactorial(n - row1) +
    logFactorial(col1) +
    logFactorial(n - col1) -
    logFactorial(n) -
    logFactorial(x) -
    logFactorial(row1 - x) -
    logFactorial(col1 - x) -
    logFactorial(n - row1 - col1 + x);
  const observed = logP(a);
  let p = 0;
  for (let x = Math.max(0, row1 + col1 - n); x <= Math.min(row1, col1); x++) {
    const lp = logP(x);
    // Relative tolerance, as R does, so tables as likely as the observed one count despite rounding.
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

/** The three answers an interval gives about a region. */
export type IntervalVerdict = 'agrees' | 'contradicts' | 'inconclusive';

/**
 * agrees: the interval lies inside the region; contradicts: it lies entirely outside;
 * inconclusive: it straddles a boundary (or does not exist). The region is (low, high]: its
 * low end exclusive, so that "better" (> 0) is not met by an interval touching 0; its ends
 * may be infinite.
 */
export function intervalVerdict(ci: Interval, region: Interval): IntervalVerdict {
  if (!Number.isFinite(ci.low) || !Number.isFinite(ci.high)) return 'inconclusive';
  if (ci.low > region.low && ci.high <= region.high) return 'agrees';
  if (ci.high <= region.low || ci.low > region.high) return 'contradicts';
  return 'inconclusive';
}

/** TOST-style equivalence, as an interval: the (1 - 2 alpha) or 95 % interval inside target +- margin. */
export function equivalence(ci: Interval, target: number, margin: number): IntervalVerdict {
  return intervalVerdict(ci, { low: target - margin, high: target + margin });
}
