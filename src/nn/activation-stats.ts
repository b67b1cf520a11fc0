/**
 * Saturation and activity over training, in the manner of Glorot & Bengio (2010): per hidden
 * layer, over the whole training set, how the units' outputs are distributed and how many
 * are out of work. Recorded at initialisation (epoch 0) and after every epoch when a config
 * sets `recordActivations` (activations.csv).
 *
 * Per layer:
 * - saturated_fraction: of all (unit, example) pairs, the share at a bound of a bounded
 *   activation (Sigmoid y <= 0.02 or >= 0.98; the entry's unitState in src/config/activations.ts);
 * - off_fraction: the share at a rectifier's 0;
 * - dead_unit_fraction: the share of units that are off on EVERY example (a dead ReLU unit:
 *   no gradient reaches its weights from any example);
 * - p05, p50, p95: percentiles of the outputs over all (unit, example) pairs.
 *
 * The forward pass is the probes' shared one (src/nn/tfjs/forward.ts), on the TensorFlow.js
 * backend from the engine's parameters (float32, like training).
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types.js';
import type { Params } from './params.js';
import type { NetworkSpec } from './engine.js';
import { forwardPass } from './tfjs/forward.js';
import { unitState } from '../config/activations.js';

export interface LayerActivationStat {
  /** 0 = before training, k = after epoch k. */
  epoch: number;
  /** 1-based hidden layer (1 = the first hidden layer). */
  layer: number;
  width: number;
  saturatedFraction: number;
  offFraction: number;
  deadUnitFraction: number;
  p05: number;
  p50: number;
  p95: number;
}

export const ACTIVATION_COLUMNS = [
  'epoch',
  'layer',
  'width',
  'saturated_fraction',
  'off_fraction',
  'dead_unit_fraction',
  'p05',
  'p50',
  'p95',
] as const;

export function activationStats(params: Params, network: NetworkSpec, data: Dataset, epoch: number): LayerActivationStat[] {
  const s = params.sizes;
  const hidden = s.length - 2;
  // Filled inside tf.tidy but not returned from it: tidy walks whatever it returns looking for tensors,
  // element by element through typed arrays (measured: 5 s per call for the 7-layer network's 4,000 x 345 outputs).
  const outputs: Float32Array[] = [];
  tf.tidy(() => {
    forwardPass(tf.tensor2d(data.x, [data.count, s[0]]), params, network, {
      layers: hidden,
      onLayer: (_, __, a) => outputs.push(a.dataSync() as Float32Array),
    });
  });
  return outputs.map((y, l) => {
    const width = s[l + 1];
    const usedOnSome = new Uint8Array(width);
    let saturated = 0;
    let off = 0;
    for (let k = 0; k < y.length; k++) {
      const state = unitState(network.hiddenActivation, y[k]);
      if (state === 'saturated') saturated++;
      else if (state === 'off') off++;
      // A unit is dead when it is off on every example; saturated or active counts as not off.
      if (state !== 'off') usedOnSome[k % width] = 1;
    }
    const sorted = y.slice().sort();
    const pairs = y.length;
    return {
      epoch,
      layer: l + 1,
      width,
      saturatedFraction: saturated / pairs,
      offFraction: off / pairs,
      deadUnitFraction: usedOnSome.reduce((a, u) => a + (u ? 0 : 1), 0) / width,
      p05: percentile(sorted, 0.05),
      p50: percentile(sorted, 0.5),
      p95: percentile(sorted, 0.95),
    };
  });
}

/** Linear interpolation between the order statistics (the common "type 7" definition). */
function percentile(sorted: Float32Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
}

export function activationRows(stats: readonly LayerActivationStat[]): Record<string, number>[] {
  return stats.map((a) => ({
    epoch: a.epoch,
    layer: a.layer,
    width: a.width,
    saturated_fraction: a.saturatedFraction,
    off_fraction: a.offFraction,
    dead_unit_fraction: a.deadUnitFraction,
    p05: a.p05,
    p50: a.p50,
    p95: a.p95,
  }));
}
