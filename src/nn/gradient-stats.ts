/**
 * The vanishing gradient, measured: per-layer statistics of the weight gradient.
 *
 * For every layer, the mean absolute value and the L2 norm of dLoss/dW, where the loss is the
 * mean squared error over a fixed set of examples (by default the whole training set), taken
 * without updating anything. Recorded at initialisation and after every epoch (gradients.csv),
 * it shows how much smaller the first layer's gradient is than the last layer's.
 */
import type { Engine } from './engine.js';
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
}

export const GRADIENT_COLUMNS = ['epoch', 'layer', 'fan_in', 'fan_out', 'mean_abs_grad', 'l2_norm_grad'] as const;

export function gradientStats(engine: Engine, data: Dataset, epoch: number): LayerGradientStat[] {
  const grads = engine.gradients({ x: data.x, y: data.y, n: data.count });
  const sizes = engine.network.sizes;
  return grads.weights.map((g, l) => {
    let sumAbs = 0;
    let sumSq = 0;
    for (let k = 0; k < g.length; k++) {
      const v = g[k];
      sumAbs += Math.abs(v);
      sumSq += v * v;
    }
    return { epoch, layer: l + 1, fanIn: sizes[l], fanOut: sizes[l + 1], meanAbs: sumAbs / g.length, l2: Math.sqrt(sumSq) };
  });
}

export function gradientRows(stats: readonly LayerGradientStat[]): Record<string, number>[] {
  return stats.map((s) => ({
    epoch: s.epoch,
    layer: s.layer,
    fan_in: s.fanIn,
    fan_out: s.fanOut,
    mean_abs_grad: s.meanAbs,
    l2_norm_grad: s.l2,
  }));
}
