/**
 * What a swept loss curve looks like, in words a table can hold: where its minimum lies
 * (inside the range, or at an edge because the curve keeps falling), whether it is monotone,
 * and whether its autodiff derivative agrees with the slope of the curve itself.
 *
 * All judgements allow for the rounding noise of the losses: a difference smaller than
 * `noise` (by default 2e-8 of the largest loss on the curve) counts as flat, so a curve that
 * has reached its asymptote does not grow a spurious "minimum inside" from the last digits.
 * Why 2e-8: each loss is a float64 mean of float32 squared errors; on the 7-layer Sigmoid
 * network over 4,000 images (curves whose whole range is below 1e-6) the point-to-point
 * jitter, estimated from third differences of the loss column, has a standard deviation of
 * about 2e-9 of the loss, and 2e-8 is some ten of them. A much coarser threshold would call
 * those smooth, real curves flat; a finer one lets the jitter on an asymptote pass for a dip.
 */

import { FLATNESS_FLOOR, INSIDE_MARGIN, minimumPlace, type MinimumPlace } from './landscape-rules.js';

export type { MinimumPlace } from './landscape-rules.js';

/** 'flat': no step beyond the noise at all (a dead weight). */
export type Monotone = 'decreasing' | 'increasing' | 'flat' | 'no';

export interface CurveShape {
  /** Index, value, loss and derivative at the lowest loss. */
  minIndex: number;
  minValue: number;
  minLoss: number;
  gradientAtMin: number;
  minimum: MinimumPlace;
  /** How far the lower of the two ends lies above the minimum (0 when the minimum is at an end). */
  edgeRise: number;
  monotone: Monotone;
  lossRange: number;
  maxAbsGradient: number;
}

export interface DerivativeCheck {
  /** Slope of the loss curve by central differences; NaN at the two ends. */
  slopes: Float64Array;
  /** Largest |autodiff derivative - slope| over the interior points, point by point. */
  maxAbs: number;
  /** maxAbs over the curve's own scale (largest |slope| or |derivative|, at least the noise floor). */
  relative: number;
  /** The largest disagreement the curve's own kinks do not explain (see checkDerivative), over the same scale: what fails the check. */
  unexplained: number;
  /** Where the largest unexplained disagreement is (-1 for a curve of fewer than three points). */
  worstIndex: number;
}

/** Differences below this are rounding noise, not shape. */
export function noiseLevel(losses: ArrayLike<number>): number {
  let max = 0;
  for (let p = 0; p < losses.length; p++) max = Math.max(max, Math.abs(losses[p]));
  return 2e-8 * Math.max(max, 1e-3);
}

export function describeCurve(
  values: ArrayLike<number>,
  losses: ArrayLike<number>,
  gradients: ArrayLike<number>,
  noise = noiseLevel(losses),
): CurveShape {
  const n = losses.length;
  if (n < 2 || values.length !== n || gradients.length !== n)
    throw new Error('a curve needs at least two points, with as many values, losses and derivatives');
  let minIndex = 0;
  let maxLoss = -Infinity;
  let maxAbsGradient = 0;
  for (let p = 0; p < n; p++) {
    if (losses[p] < losses[minIndex]) minIndex = p;
    maxLoss = Math.max(maxLoss, losses[p]);
    maxAbsGradient = Math.max(maxAbsGradient, Math.abs(gradients[p]));
  }
  const minLoss = losses[minIndex];
  const riseLow = losses[0] - minLoss;
  const riseHigh = losses[n - 1] - minLoss;
  // The project's one rule (landscape-rules.ts), with the rounding noise as a further floor.
  const minimum = minimumPlace(losses, { flatnessFloor: Math.max(noise, FLATNESS_FLOOR), insideMargin: INSIDE_MARGIN });
  let falls = false;
  let rises = false;
  for (let p = 1; p < n; p++) {
    const step = losses[p] - losses[p - 1];
    if (step > noise) rises = true;
    if (step < -noise) falls = true;
  }
  const monotone: Monotone = rises && falls ? 'no' : rises ? 'increasing' : falls ? 'decreasing' : 'flat';
  return {
    minIndex,
    minValue: values[minIndex],
    minLoss,
    gradientAtMin: gradients[minIndex],
    minimum,
    edgeRise: minimum === 'inside' ? Math.min(riseLow, riseHigh) : 0,
    monotone,
    lossRange: maxLoss - minLoss,
    maxAbsGradient,
  };
}

/**
 * Compares the autodiff derivative with the slope of the loss curve by central differences,
 * s[p] = (L[p+1] - L[p-1]) / (v[p+1] - v[p-1]), at every interior point.
 *
 * Reported: the plain point-by-point gap |g[p] - s[p]|. On a smooth curve (Sigmoid) it is of
 * order spacing² and tiny. But a ReLU network's loss is only piecewise smooth: wherever some
 * example's unit switches on or off, the slope jumps, and a derivative taken AT a point may
 * differ from a difference taken ACROSS a jump by up to half the jump, with nothing wrong.
 *
 * Judged: s[p] is exactly the derivative's average over [v[p-1], v[p+1]], so it is compared
 * with that average taken from the derivative column by the trapezoid rule,
 * (g[p-1] + 2 g[p] + g[p+1]) / 4, whose own error is at most a quarter of the column's second
 * difference |g[p-1] - 2 g[p] + g[p+1]| when a jump lies inside (and of order spacing² on a
 * smooth stretch); the difference itself carries the losses' rounding noise, 2 noise / (v[p+1]
 * - v[p-1]). What exceeds that allowance is unexplained. A wrong derivative (sign,
 * factor, another weight's) leaves an unexplained gap the size of the derivative itself.
 */
export function checkDerivative(
  values: ArrayLike<number>,
  losses: ArrayLike<number>,
  gradients: ArrayLike<number>,
  noise = noiseLevel(losses),
): DerivativeCheck {
  const n = losses.length;
  const slopes = new Float64Array(n).fill(NaN);
  let scale = 0;
  let maxAbs = 0;
  let maxUnexplained = 0;
  let worstIndex = n >= 3 ? 1 : -1;
  let floor = 0;
  for (let p = 1; p + 1 < n; p++) {
    const dv = values[p + 1] - values[p - 1];
    slopes[p] = (losses[p + 1] - losses[p - 1]) / dv;
    // Rounding noise of the two losses, seen through the division by the spacing.
    floor = Math.max(floor, (2 * noise) / Math.abs(dv));
    scale = Math.max(scale, Math.abs(slopes[p]), Math.abs(gradients[p]));
    const gap = Math.abs(gradients[p] - slopes[p]);
    maxAbs = gap > maxAbs || Number.isNaN(gap) ? gap : maxAbs;
    const averaged = (gradients[p - 1] + 2 * gradients[p] + gradients[p + 1]) / 4;
    // Kinks (the trapezoid's own error) plus the rounding noise of the two losses in the difference.
    const allowance = Math.abs(gradients[p - 1] - 2 * gradients[p] + gradients[p + 1]) / 4 + (2 * noise) / Math.abs(dv);
    const unexplained = Math.max(0, Math.abs(averaged - slopes[p]) - allowance);
    if (unexplained > maxUnexplained || Number.isNaN(averaged - slopes[p])) {
      maxUnexplained = Number.isNaN(averaged - slopes[p]) ? NaN : unexplained;
      worstIndex = p;
    }
  }
  const denominator = Math.max(scale, floor, Number.MIN_VALUE);
  return {
    slopes,
    maxAbs,
    relative: n >= 3 ? maxAbs / denominator : 0,
    unexplained: n >= 3 ? maxUnexplained / denominator : 0,
    worstIndex,
  };
}
