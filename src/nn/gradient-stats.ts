/**
 * The vanishing gradient, measured: per-layer statistics of the weight gradient.
 *
 * For every layer, the mean absolute value and the L2 norm of dLoss/dW, where the loss is the
 * mean squared error over a fixed set of examples (by default the whole training set), taken
 * without updating anything. Recorded at initialisation and after every epoch (gradients.csv),
 * it shows how much smaller the first layer's gradient is than the last layer's.
 *
 * A small gradient after training can mean a layer has converged rather than that its
 * gradient vanished; what training actually did to a layer is its relative update over the
 * epoch, ||W_after - W_before|| / ||W_before|| (Frobenius norms), recorded beside it.
 */
import type { Engine } from './engine.js';
import type { Params } from './params.js';
import type { Dataset } from '../data/types.js';

export interface LayerGradientStat {
  /** 0 = before training, k = after epoch k. */
  epoch: number;
  /** 1-based layer number, counted from the input: layer 1 is the first weight matrix. */
  layer: number;
  fanIn: number;
  fanOut: number;
  meanAbs: number;
  l2: number;
  /** ||W - W at the previous record|| / ||W at the previous record||: this epoch's update relative to the weights (NaN at epoch 0). */
  relativeUpdate?: number;
}

export const GRADIENT_COLUMNS = ['epoch', 'layer', 'fan_in', 'fan_out', 'mean_abs_grad', 'l2_norm_grad', 'relative_update'] as const;

/** `previous`: the parameters at the previous record, for the relative update (omitted: NaN). */
export function gradientStats(engine: Engine, data: Dataset, epoch: number, previous?: Params): LayerGradientStat[] {
  const grads = engine.gradients({ x: data.x, y: data.y, n: data.count });
  const sizes = engine.network.sizes;
  const current = previous ? engine.getParams() : undefined;
  return grads.weights.map((g, l) => {
    let sumAbs = 0;
    let sumSq = 0;
    for (let k = 0; k < g.length; k++) {
      const v = g[k];
      sumAbs += Math.abs(v);
      sumSq += v * v;
    }
    const relativeUpdate = current && previous ? relativeChange(previous.weights[l], current.weights[l]) : NaN;
    return { epoch, layer: l + 1, fanIn: sizes[l], fanOut: sizes[l + 1], meanAbs: sumAbs / g.length, l2: Math.sqrt(sumSq), relativeUpdate };
  });
}

/** Records gradient statistics epoch after epoch, remembering the parameters between calls for the relative update. */
export function gradientRecorder(engine: Engine, data: Dataset): (epoch: number) => LayerGradientStat[] {
  let previous: Params | undefined;
  return (epoch) => {
    const stats = gradientStats(engine, data, epoch, previous);
    previous = engine.getParams();
    return stats;
  };
}

function relativeChange(before: Float32Array, after: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let k = 0; k < before.length; k++) {
    diff += (after[k] - before[k]) ** 2;
    norm += before[k] ** 2;
  }
  return Math.sqrt(diff) / Math.sqrt(norm);
}

export function gradientRows(stats: readonly LayerGradientStat[]): Record<string, number>[] {
  return stats.map((s) => ({
    epoch: s.epoch,
    layer: s.layer,
    fan_in: s.fanIn,
    fan_out: s.fanOut,
    mean_abs_grad: s.meanAbs,
    l2_norm_grad: s.l2,
    relative_update: s.relativeUpdate ?? NaN,
  }));
}
