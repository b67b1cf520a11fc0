/**
 * The frozen rules that turn a swept loss curve into words, written down before any of the
 * measurements of issue 14 were run on the real data. One classifier for the whole project:
 * the landscape probe, the explain command and the report all judge curves with
 * `classifyCurve` and these constants; `shapeSensitivity` shows how the verdict moves when
 * the two free constants (the flatness floor and the "inside" margin) move.
 *
 * The article's words and the classes that fit them:
 *   ReLU "dips to a minimum inside reach"          -> 'interior minimum'
 *   Sigmoid "keeps sloping toward an asymptote"    -> 'levels off at an edge' or 'still falling at the edge'
 *                                                     (both: the lowest loss is at an end of the range)
 * and two classes the article does not speak of:
 *   'flat'              the whole curve moves the loss by less than FLATNESS_FLOOR: no shape at all;
 *   'plateau, unit off' the lowest loss lies on a stretch where the swept unit is switched off for
 *                       every image (a rectifier with y = 0): the loss cannot depend on the weight
 *                       there, so the "asymptote" is made by the sweep, not by the network.
 */

/**
 * Absolute flatness floor on a curve's loss range (mean squared error, no 1/2): a curve whose
 * highest and lowest loss differ by less than this is 'flat', whatever its shape, and a
 * minimum counts as inside only when both ends rise above it by at least this much.
 *
 * Why 1e-6, from three sides (losses are means over the 4,000 training images):
 * - float32 resolution: each squared error is a float32; at the loss level of these networks
 *   (at most 0.25) one unit in the last place is at most 1.5e-8, so even if every image's
 *   rounding pointed the same way the mean would move by 1.5e-8, 1/67 of the floor. The floor
 *   is far above what rounding can make (the probe's own point-to-point noise is ~1e-9).
 * - one image: 1e-6 x 4,000 = 0.004. A whole curve below the floor changes the total squared
 *   error by less than one single image's squared error moving by 0.004 (its output by ~0.005
 *   near an error of 0.5): no image can change class because of it.
 * - one SGD step: a curve within the floor over a sweep of +-8 has an average slope below
 *   1e-6 / 8 = 1.25e-7; at the largest learning rate used (1), one step moves the weight by
 *   at most ~1e-7, so moving it by 0.1 (twice a typical first-layer weight) takes ~10^6 steps,
 *   some 6,000 epochs of 125 steps: training cannot feel such a weight.
 * The measured Sigmoid curves of issue 14 (ranges 1e-5 to 7e-4) lie above it: the floor only
 * removes curves with no shape at all; how shallow a curve is, is measured separately (SGD
 * steps to the minimum, src/probes/curve-measures.ts).
 */
export const FLATNESS_FLOOR = 1e-6;

/**
 * "Inside" margin: a minimum is inside the range only when BOTH ends of the curve lie above it
 * by more than this fraction of the curve's own loss range (and by more than FLATNESS_FLOOR).
 * A plateau reaching one end with ripples a thousandth of the curve's height is not the bowl
 * the article describes (the value the project used since issue 5).
 */
export const INSIDE_MARGIN = 0.01;

/** Fraction of the swept points, at the low end of an edge minimum, over which the final slope is measured. */
const EDGE_TAIL_FRACTION = 0.1;
/** An edge minimum "levels off" when that final slope is below this fraction of the curve's steepest slope; otherwise it is "still falling". */
const LEVELS_OFF_SLOPE_FRACTION = 0.1;

// Unit states per image (active / off / saturated, with the Sigmoid saturation points 0.02 and
// 0.98) are part of these rules; they live in the table of activations (src/config/activations.ts)
// so that training runs can count them too, and are re-exported here.

/**
 * A training run "ended unstable" when its final training loss is above the lowest training
 * loss it reached after any epoch by more than this factor (it bounced back out of a
 * minimum it had found) ...
 */
const UNSTABLE_LOSS_FACTOR = 1.25;
/**
 * ... or when its final training accuracy is within this many binomial standard errors of
 * chance (0.5): sqrt(0.25 / N) is 0.0079 for 4,000 images, so 2 of them is ±1.6 points.
 */
const CHANCE_STANDARD_ERRORS = 2;

export type LandscapeShape = 'flat' | 'interior minimum' | 'levels off at an edge' | 'still falling at the edge' | 'plateau, unit off';
const LANDSCAPE_SHAPES: readonly LandscapeShape[] = [
  'interior minimum',
  'levels off at an edge',
  'still falling at the edge',
  'plateau, unit off',
  'flat',
];

/** Where the lowest loss lies. */
export type MinimumPlace = 'inside' | 'lower edge' | 'upper edge';

/** What the swept unit does on the images at one point of a sweep (fractions of the images, 0..1). */
export interface UnitActivity {
  /** On the responsive part of its activation: rectifiers y > 0 (clipped 0 < y < 1), sigmoid 0.02 < y < 0.98. */
  active: number;
  /** At a bound of a bounded activation: sigmoid y <= 0.02 or >= 0.98, tanh |y| >= 0.96, clipped ReLU y >= 1. */
  saturated: number;
  // The rest (1 - active - saturated) is "off": a rectifier's y = 0.
}

export { unitState } from '../config/activations.js';

/** The rules as one value, so a sensitivity table can vary them. */
export interface LandscapeRules {
  flatnessFloor: number;
  insideMargin: number;
  edgeTailFraction: number;
  levelsOffSlopeFraction: number;
}

export const FROZEN_RULES: LandscapeRules = {
  flatnessFloor: FLATNESS_FLOOR,
  insideMargin: INSIDE_MARGIN,
  edgeTailFraction: EDGE_TAIL_FRACTION,
  levelsOffSlopeFraction: LEVELS_OFF_SLOPE_FRACTION,
};

export interface ClassifiableCurve {
  /** Swept values, ascending. */
  values: ArrayLike<number>;
  losses: ArrayLike<number>;
  /** Per point, the swept unit's activity; without it no plateau can be labelled 'plateau, unit off'. */
  activity?: readonly UnitActivity[];
}

export interface CurveClassification {
  shape: LandscapeShape;
  minimum: MinimumPlace;
  /** Index of the lowest loss (the first, on an exactly flat stretch; the end itself for an edge minimum reached by a flat bottom). */
  minIndex: number;
  lossRange: number;
  /** How far the lower end rises above the minimum (0 for an edge minimum). */
  edgeRise: number;
  /** For an edge minimum: the unit's state over the last points towards that edge ('unknown' without activity, null for inside/flat). */
  edgeUnit: 'off for every image' | 'saturated for every image' | 'partly active' | 'unknown' | null;
}

/**
 * Where the minimum lies: inside only when both ends rise above it by more than
 * max(margin x range, floor). A flat bottom reaching an end counts as that end.
 * (src/probes/landscape-shape.ts describeCurve uses this too, with its rounding-noise allowance.)
 */
export function minimumPlace(
  losses: ArrayLike<number>,
  rules: Pick<LandscapeRules, 'flatnessFloor' | 'insideMargin'> = FROZEN_RULES,
): MinimumPlace {
  const { minIndex, minLoss, maxLoss } = extremes(losses);
  const n = losses.length;
  const riseLow = losses[0] - minLoss;
  const riseHigh = losses[n - 1] - minLoss;
  const significant = Math.max(rules.flatnessFloor, rules.insideMargin * (maxLoss - minLoss));
  if (minIndex > 0 && minIndex < n - 1 && riseLow > significant && riseHigh > significant) return 'inside';
  return riseLow <= riseHigh ? 'lower edge' : 'upper edge';
}

/** The one classifier: flat, interior minimum, levels off / still falling at an edge, or a plateau where the unit is off. */
export function classifyCurve(curve: ClassifiableCurve, rules: LandscapeRules = FROZEN_RULES): CurveClassification {
  const { values, losses, activity } = curve;
  const n = losses.length;
  if (n < 3 || values.length !== n) throw new Error('a curve to classify needs at least three points, with as many values as losses');
  if (activity && activity.length !== n) throw new Error('unit activity must have one entry per point of the curve');
  const { minIndex, minLoss, maxLoss } = extremes(losses);
  const lossRange = maxLoss - minLoss;
  const minimum = minimumPlace(losses, rules);
  const base = { minimum, minIndex, lossRange };
  // A NaN loss (a diverged network) leaves no shape to judge.
  if (!(lossRange >= rules.flatnessFloor)) return { ...base, shape: 'flat', edgeRise: 0, edgeUnit: null };
  if (minimum === 'inside') {
    return { ...base, shape: 'interior minimum', edgeRise: Math.min(losses[0], losses[n - 1]) - minLoss, edgeUnit: null };
  }
  const tail = Math.max(1, Math.round(rules.edgeTailFraction * (n - 1)));
  // Point indices of the tail at the low end: the last `tail` steps before that end.
  const tailPoints = minimum === 'lower edge' ? range(0, tail + 1) : range(n - 1 - tail, n);
  const edgeUnit = activity ? unitOverTail(tailPoints.map((p) => activity[p])) : 'unknown';
  if (edgeUnit === 'off for every image') return { ...base, shape: 'plateau, unit off', edgeRise: 0, edgeUnit };
  let steepest = 0;
  for (let p = 0; p + 1 < n; p++) steepest = Math.max(steepest, Math.abs(slope(values, losses, p)));
  let tailSlope = 0;
  for (let k = 0; k + 1 < tailPoints.length; k++) tailSlope += Math.abs(slope(values, losses, tailPoints[k]));
  tailSlope /= tail;
  const shape: LandscapeShape = tailSlope < rules.levelsOffSlopeFraction * steepest ? 'levels off at an edge' : 'still falling at the edge';
  return { ...base, shape, edgeRise: 0, edgeUnit };
}

/** The shapes that fit the article's words for an activation; null for activations the article did not try. */
export function articleShapes(activation: string): readonly LandscapeShape[] | null {
  if (activation === 'relu') return ['interior minimum'];
  if (activation === 'sigmoid') return ['levels off at an edge', 'still falling at the edge'];
  return null;
}

export interface SensitivityRow {
  flatnessFloor: number;
  insideMargin: number;
  activation: string;
  curves: number;
  /** Curves per shape. */
  counts: Record<LandscapeShape, number>;
  /** Curves whose shape fits the article's words for the activation (NaN when the article names none). */
  matchingArticle: number;
}

/**
 * How the landscape verdict moves with the two free constants: for every combination of the
 * given floors and margins, the count of each shape per activation. The frozen values should
 * be among those given, so the table shows them in context.
 */
export function shapeSensitivity(
  curves: readonly (ClassifiableCurve & { activation: string })[],
  floors: readonly number[] = [0, 1e-7, FLATNESS_FLOOR, 1e-5, 1e-4],
  margins: readonly number[] = [0, 0.001, INSIDE_MARGIN, 0.05, 0.1],
): SensitivityRow[] {
  const activations = [...new Set(curves.map((c) => c.activation))];
  const rows: SensitivityRow[] = [];
  for (const flatnessFloor of floors) {
    for (const insideMargin of margins) {
      const rules: LandscapeRules = { ...FROZEN_RULES, flatnessFloor, insideMargin };
      for (const activation of activations) {
        const mine = curves.filter((c) => c.activation === activation);
        const counts = Object.fromEntries(LANDSCAPE_SHAPES.map((s) => [s, 0])) as Record<LandscapeShape, number>;
        for (const c of mine) counts[classifyCurve(c, rules).shape]++;
        const expected = articleShapes(activation);
        const matchingArticle = expected ? expected.reduce((a, s) => a + counts[s], 0) : NaN;
        rows.push({ flatnessFloor, insideMargin, activation, curves: mine.length, counts, matchingArticle });
      }
    }
  }
  return rows;
}

function extremes(losses: ArrayLike<number>): { minIndex: number; minLoss: number; maxLoss: number } {
  let minIndex = 0;
  let maxLoss = -Infinity;
  for (let p = 0; p < losses.length; p++) {
    if (losses[p] < losses[minIndex]) minIndex = p;
    maxLoss = Math.max(maxLoss, losses[p]);
  }
  return { minIndex, minLoss: losses[minIndex], maxLoss };
}

function slope(values: ArrayLike<number>, losses: ArrayLike<number>, p: number): number {
  return (losses[p + 1] - losses[p]) / (values[p + 1] - values[p]);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, k) => from + k);
}

function unitOverTail(points: readonly UnitActivity[]): NonNullable<CurveClassification['edgeUnit']> {
  if (points.every((a) => a.active === 0 && a.saturated === 0)) return 'off for every image';
  if (points.every((a) => a.saturated === 1)) return 'saturated for every image';
  return 'partly active';
}

/** The numbers of a finished training run that say whether it ended in a steady state. */
export interface RunEnd {
  /** Training loss after every epoch >= 1, in order. */
  trainLosses: readonly number[];
  finalTrainAccuracy: number;
  trainCount: number;
}

/**
 * Why a run counts as having ended unstable (empty when it did not): a landscape probed on
 * such a state describes a transient, not a trained network. Rules above (UNSTABLE_LOSS_FACTOR,
 * CHANCE_STANDARD_ERRORS).
 */
export function unstableEnd(run: RunEnd): string[] {
  const reasons: string[] = [];
  const losses = run.trainLosses;
  if (losses.length === 0) return ['no finished epoch'];
  const final = losses[losses.length - 1];
  const lowest = Math.min(...losses);
  if (!Number.isFinite(final)) reasons.push('final training loss is not finite');
  else if (final > UNSTABLE_LOSS_FACTOR * lowest) {
    reasons.push(`final training loss ${final.toPrecision(3)} is above ${UNSTABLE_LOSS_FACTOR} x its lowest (${lowest.toPrecision(3)})`);
  }
  const chance = CHANCE_STANDARD_ERRORS * Math.sqrt(0.25 / run.trainCount);
  if (Math.abs(run.finalTrainAccuracy - 0.5) <= chance) {
    reasons.push(
      `final training accuracy ${(100 * run.finalTrainAccuracy).toFixed(1)} % is within ${(100 * chance).toFixed(1)} points of chance`,
    );
  }
  return reasons;
}
