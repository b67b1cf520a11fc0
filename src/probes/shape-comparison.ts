/**
 * Do two activations' landscapes differ, weight for weight? The landscape probe sweeps the
 * same first-layer weights W1[i, j] (same seed, same indices) in both networks, so each swept
 * weight gives a pair of curves. For a yes/no property of a curve (e.g. "has an interior
 * minimum") the paired test is McNemar's, exact: only discordant pairs carry information, and
 * under "no difference" each is equally likely to go either way (a fair binomial). Fisher's
 * exact test on the two activations' counts ignores the pairing; it is given too, since it is
 * what one can compute from published counts alone.
 */
import type { LandscapeShape } from './landscape-rules.js';

/** One swept curve, identified by what makes it pairable. */
export interface ShapedCurve {
  activation: string;
  seed: number;
  weightI: number;
  weightJ: number;
  shape: LandscapeShape;
}

export interface ActivationComparison {
  activations: [string, string];
  /** The property compared, e.g. "interior minimum". */
  property: string;
  /** Pairs: same seed and weight in both activations. */
  pairs: number;
  both: number;
  onlyFirst: number;
  onlySecond: number;
  neither: number;
  /** Exact McNemar (two-sided) on the discordant pairs; 1 when there are none. */
  mcnemarP: number;
  /** All curves of each activation, paired or not: [with the property, curves]. */
  countsFirst: [number, number];
  countsSecond: [number, number];
  /** Fisher's exact test (two-sided) on those counts. */
  fisherP: number;
}

/** Compares two activations on whether their curves' shape is one of `shapes` (default: an interior minimum). */
export function compareActivations(
  curves: readonly ShapedCurve[],
  first: string,
  second: string,
  shapes: readonly LandscapeShape[] = ['interior minimum'],
): ActivationComparison {
  const has = (c: ShapedCurve): boolean => shapes.includes(c.shape);
  const key = (c: ShapedCurve): string => `${c.seed}:${c.weightI}:${c.weightJ}`;
  const a = curves.filter((c) => c.activation === first);
  const b = new Map(curves.filter((c) => c.activation === second).map((c) => [key(c), c]));
  let both = 0;
  let onlyFirst = 0;
  let onlySecond = 0;
  let neither = 0;
  for (const ca of a) {
    const cb = b.get(key(ca));
    if (!cb) continue;
    if (has(ca) && has(cb)) both++;
    else if (has(ca)) onlyFirst++;
    else if (has(cb)) onlySecond++;
    else neither++;
  }
  const countsFirst: [number, number] = [a.filter(has).length, a.length];
  const bs = [...b.values()];
  const countsSecond: [number, number] = [bs.filter(has).length, bs.length];
  return {
    activations: [first, second],
    property: shapes.join(' or '),
    pairs: both + onlyFirst + onlySecond + neither,
    both,
    onlyFirst,
    onlySecond,
    neither,
    mcnemarP: exactMcNemar(onlyFirst, onlySecond),
    countsFirst,
    countsSecond,
    fisherP: fisherExact(countsFirst[0], countsFirst[1] - countsFirst[0], countsSecond[0], countsSecond[1] - countsSecond[0]),
  };
}

/** Two-sided exact McNemar: P(as or more unbalanced split of b + c discordant pairs | fair coin). */
export function exactMcNemar(b: number, c: number): number {
  const n = b + c;
  if (n === 0) return 1;
  const k = Math.min(b, c);
  let tail = 0;
  for (let i = 0; i <= k; i++) tail += Math.exp(logChoose(n, i) - n * Math.LN2);
  return Math.min(1, 2 * tail);
}

/**
 * Two-sided Fisher exact test of the 2x2 table [[a, b], [c, d]]: the probability, with the
 * margins fixed, of every table no more likely than the observed one.
 */
export function fisherExact(a: number, b: number, c: number, d: number): number {
  const row1 = a + b;
  const col1 = a + c;
  const n = a + b + c + d;
  const logP = (x: number): number => logChoose(row1, x) + logChoose(n - row1, col1 - x) - logChoose(n, col1);
  const observed = logP(a);
  let p = 0;
  for (let x = Math.max(0, col1 - (n - row1)); x <= Math.min(row1, col1); x++) {
    const lp = logP(x);
    // A relative tolerance, so tables as likely as the observed one are counted despite rounding.
    if (lp <= observed + 1e-7) p += Math.exp(lp);
  }
  return Math.min(1, p);
}

function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}
