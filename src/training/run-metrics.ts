/**
 * The figures a run reports, taken from its history (one record per epoch, epoch 0 included).
 *
 * The primary figure is the test accuracy at the epoch of lowest validation loss: the epoch is
 * chosen without looking at the test set, and it does not jitter with the last epoch's luck.
 * Epoch 0 (the initial parameters) is a candidate like any other, so a run that never improves
 * on its start reports its start. Without a validation split the primary figure falls back to
 * the final epoch (and says so through `selectedBy`).
 * Beside it: the final-epoch test accuracy and the mean over the last five epochs (or fewer,
 * when the run is shorter).
 *
 * A history may leave sets unscored at some epochs (NaN, or null once it has been through
 * JSON; src/training/loop.ts 'when-needed'): the loop always scores the test set at the
 * epochs these figures read, and a figure whose epoch was not scored comes out NaN.
 */
import { LAST_EPOCHS_AVERAGED, type EpochRecord } from './loop.js';

export interface RunMetrics {
  /** The primary figure: test accuracy at `selectedEpoch`. */
  testAccuracy: number;
  selectedEpoch: number;
  selectedBy: 'lowest validation loss' | 'final epoch (no validation split)';
  /** The lowest validation loss (NaN without a validation split). */
  bestValLoss: number;
  /** Validation accuracy at `selectedEpoch` (NaN without a validation split). */
  valAccuracy: number;
  testAccuracyFinal: number;
  testAccuracyLast5: number;
  /** Training accuracy at the final epoch. */
  trainAccuracyFinal: number;
}

export function runMetrics(history: readonly EpochRecord[]): RunMetrics {
  if (history.length === 0) throw new Error('runMetrics: the history is empty');
  const last = history[history.length - 1];
  const withVal = history.filter((h) => scored(h.valLoss));
  // The first epoch reaching the lowest loss wins a tie: fewer epochs, same evidence.
  const selected = withVal.length > 0 ? withVal.reduce((a, b) => (b.valLoss < a.valLoss ? b : a)) : last;
  const tail = history.filter((h) => h.epoch >= 1).slice(-LAST_EPOCHS_AVERAGED);
  const averaged = tail.length > 0 ? tail : [last];
  return {
    testAccuracy: numberOr(selected.testAccuracy),
    selectedEpoch: selected.epoch,
    selectedBy: withVal.length > 0 ? 'lowest validation loss' : 'final epoch (no validation split)',
    bestValLoss: withVal.length > 0 ? selected.valLoss : Number.NaN,
    valAccuracy: withVal.length > 0 ? selected.valAccuracy : Number.NaN,
    testAccuracyFinal: numberOr(last.testAccuracy),
    testAccuracyLast5: averaged.reduce((a, h) => a + numberOr(h.testAccuracy), 0) / averaged.length,
    trainAccuracyFinal: numberOr(last.trainAccuracy),
  };
}

/** Whether a history cell holds a measured number (not NaN, not null from JSON). */
function scored(v: number | null): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** A cell as a number: null (an unscored cell read back from JSON) becomes NaN. */
function numberOr(v: number | null): number {
  return typeof v === 'number' ? v : Number.NaN;
}

/**
 * Accuracy from a network's outputs: an output above `threshold` (the targets' midpoint) counts
 * as the positive class, correct when the target is above it too (as the engines count).
 */
export function accuracyOfOutputs(outputs: ArrayLike<number>, targets: ArrayLike<number>, threshold: number): number {
  if (outputs.length !== targets.length || outputs.length === 0)
    throw new Error(`accuracyOfOutputs: ${outputs.length} outputs for ${targets.length} targets`);
  let correct = 0;
  for (let k = 0; k < outputs.length; k++) if (outputs[k] > threshold === targets[k] > threshold) correct++;
  return correct / outputs.length;
}
