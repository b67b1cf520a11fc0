/**
 * Training targets other than 1 and 0 (config field `targets`): the data's labels are 1/0;
 * a run maps them to the configured pair once, before training, and every loss and accuracy
 * is then computed against the mapped numbers. Accuracy's threshold is the pair's midpoint.
 */
import type { Targets } from '../config/schema.js';
import type { Dataset } from '../data/types.js';

const DEFAULT_TARGETS: Readonly<Targets> = { positive: 1, negative: 0 };

/** An output above this counts as the positive class: the midpoint of the two targets. */
export function decisionThreshold(targets: Targets = DEFAULT_TARGETS): number {
  return (targets.positive + targets.negative) / 2;
}

/** 1/0 labels (label > 0.5 is positive) as the given targets, in a new array. */
export function mapLabelsToTargets(labels: Float32Array, targets: Targets): Float32Array {
  return labels.map((label) => (label > 0.5 ? targets.positive : targets.negative));
}

/** The dataset with its 1/0 labels mapped to the targets (the same object when they are 1/0). */
export function withTargets(data: Dataset, targets: Targets): Dataset {
  if (targets.positive === DEFAULT_TARGETS.positive && targets.negative === DEFAULT_TARGETS.negative) return data;
  return { ...data, y: mapLabelsToTargets(data.y, targets) };
}
