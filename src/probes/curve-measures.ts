/**
 * What one swept loss curve says about training, beyond its shape: how much the weight
 * matters at all (loss range, flat or not), how curved the loss is where training left the
 * weight, where the lowest loss of the sweep lies relative to that value, and how far that is
 * for SGD at the run's learning rate. The shape itself comes from the one classifier
 * (src/probes/landscape-rules.ts).
 */
import { FROZEN_RULES, classifyCurve, type CurveClassification, type LandscapeRules, type UnitActivity } from './landscape-rules.js';

export interface MeasuredCurve {
  /** Swept values, ascending and equally spaced, with the trained value among or between them. */
  values: ArrayLike<number>;
  losses: ArrayLike<number>;
  /** d(loss)/d(weight) at every point (tf.grad). */
  gradients: ArrayLike<number>;
  /** The weight's value in the probed network. */
  original: number;
  activity?: readonly UnitActivity[];
}

export interface CurveMeasures {
  classification: CurveClassification;
  lossRange: number;
  /** lossRange below the flatness floor. */
  flat: boolean;
  /** Index of the swept point nearest the trained value. */
  trainedIndex: number;
  /** d(loss)/d(weight) at that point. */
  gradientAtTrained: number;
  /**
   * Second difference of the loss at that point, (L[p+1] - 2 L[p] + L[p-1]) / h²: the curvature
   * of the loss over +-one spacing h (a ReLU curve has kinks, so this is the curvature of the
   * loss smoothed over that interval, not a derivative at a point). NaN at an end of the sweep.
   */
  curvatureAtTrained: number;
  /** Value of the lowest loss of the sweep minus the trained value (0: training left the weight at the sweep's best). */
  minimumOffset: number;
  /** Where that lowest loss lies: within half a spacing of the trained value, or below / above it. */
  minimumSide: 'at the trained value' | 'below' | 'above';
  /** Loss at the trained value minus the lowest loss of the sweep: what moving this one weight could gain. */
  gainAvailable: number;
  /**
   * |minimumOffset| / (learningRate x |gradientAtTrained|): how many SGD steps at the run's
   * learning rate, each as long as the step the current full-batch gradient asks for, it
   * would take to cover the distance to the sweep's lowest loss. A mini-batch step is that
   * long on average. It is a lower bound for a bowl (the gradient shrinks towards its
   * bottom) and infinite when the gradient is 0; 0 when the minimum is at the trained value.
   */
  sgdStepsToMinimum: number;
  /** Whether the gradient at the trained value points (downhill) towards the sweep's lowest loss. */
  headsTowardMinimum: boolean;
}

/** `learningRate` undefined (not known to the caller): sgdStepsToMinimum is NaN, everything else is measured. */
export function measureCurve(curve: MeasuredCurve, learningRate: number | undefined, rules: LandscapeRules = FROZEN_RULES): CurveMeasures {
  const { values, losses, gradients, original } = curve;
  const n = values.length;
  if (losses.length !== n || gradients.length !== n) throw new Error('a measured curve needs as many losses and derivatives as values');
  if (learningRate !== undefined && !(learningRate > 0)) throw new RangeError(`learning rate must be positive, got ${learningRate}`);
  const classification = classifyCurve(curve, rules);
  let trainedIndex = 0;
  for (let p = 1; p < n; p++) if (Math.abs(values[p] - original) < Math.abs(values[trainedIndex] - original)) trainedIndex = p;
  const h = (values[n - 1] - values[0]) / (n - 1);
  const p = trainedIndex;
  const curvatureAtTrained = p > 0 && p < n - 1 ? (losses[p + 1] - 2 * losses[p] + losses[p - 1]) / (h * h) : NaN;
  const minimumOffset = values[classification.minIndex] - values[p];
  const minimumSide = Math.abs(minimumOffset) <= h / 2 ? 'at the trained value' : minimumOffset < 0 ? 'below' : 'above';
  const g = gradients[p];
  const distance = minimumSide === 'at the trained value' ? 0 : Math.abs(minimumOffset);
  return {
    classification,
    lossRange: classification.lossRange,
    flat: classification.shape === 'flat',
    trainedIndex,
    gradientAtTrained: g,
    curvatureAtTrained,
    minimumOffset,
    minimumSide,
    gainAvailable: losses[p] - losses[classification.minIndex],
    sgdStepsToMinimum: learningRate === undefined ? NaN : distance === 0 ? 0 : g === 0 ? Infinity : distance / (learningRate * Math.abs(g)),
    // SGD moves the weight by -lr g: towards the minimum when -g has the offset's sign.
    headsTowardMinimum: distance === 0 || Math.sign(-g) === Math.sign(minimumOffset),
  };
}
