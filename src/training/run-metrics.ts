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
 */
import type { EpochRecord } from './loop.js';

/** Epochs averaged by `testAccuracyLast5`. */
const LAST_EPOCHS_AVERAGED = 5;

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
  const withVal = history.filter((h) => Number.isFinite(h.valLoss));
  // The first epoch reaching the lowest loss wins a tie: fewer epochs, same evidence.
  const selected = withVal.length > 0 ? withVal.reduce((a, b) => (b.valLoss < a.valLoss ? b : a)) : last;
  const tail = history.filter((h) => h.epoch >= 1).slice(-LAST_EPOCHS_AVERAGED);
  const averaged = tail.length > 0 ? tail : [last];
  return {
    testAccuracy: selected.testAccuracy,
    selectedEpoch: selected.epoch,
    selectedBy: withVal.length > 0 ? 'lowest validation loss' : 'final epoch (no validation split)',
    bestValLoss: withVal.length > 0 ? selected.valLoss : Number.NaN,
    valAccuracy: withVal.length > 0 ? selected.valAccuracy : Number.NaN,
    testAccuracyFinal: last.testAccuracy,
    testAccuracyLast5: averaged.reduce((a, h) => a + h.testAccuracy, 0) / averaged.length,
    trainAccuracyFinal: last.trainAccuracy,
  };
}
