/**
 * Gradient measures that separate the causes. The weight gradient of layer l is a sum over
 * examples of (layer input) x δ_l, where δ_l(n) = d loss_n / d z_l is the back-propagated error
 * of example n at layer l's pre-activations. A full-batch mean gradient can be small because
 * δ shrinks on its way down (the vanishing gradient) or because the examples' contributions
 * cancel (a converged layer). The per-example norm ||δ_l(n)|| only shrinks for the first reason.
 *
 * Measured here, per hidden layer: the mean over examples of ||δ_l(n)||₂ (and its median),
 * and its decay rate: a geometric fit ln(mean norm) = a + b·l over the hidden layers only
 * (the output unit's δ has no activation derivative chain behind it and would dominate a
 * last-to-first ratio), reported as exp(b), the factor by which the norm is divided per layer
 * going from the output side towards the input (1 = no decay). Loss per example: (out - y)²,
 * as in training (no 1/2); δ is taken with tf.grad of the summed loss with respect to zero
 * perturbations added to every layer's pre-activations (example n's loss depends on its own
 * row only, so row n of that gradient is δ(n)).
 *
 * pairedDeltasAtInit runs the same Params through several hidden activations, so Sigmoid and
 * ReLU are compared from identical weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types.js';
import type { Params } from '../nn/params.js';
import { forwardPass } from '../nn/tfjs/forward.js';
import type { Activation, OutputActivation } from '../config/schema.js';
import { writeCsv, type CsvRow } from '../util/csv.js';
import type { ProbedNetwork } from './weight-scan.js';

interface LayerDelta {
  /** 1-based hidden layer (1 = first hidden layer). */
  layer: number;
  width: number;
  meanNorm: number;
  medianNorm: number;
}

export interface DeltaProfile {
  activation: string;
  hidden: LayerDelta[];
  /** Mean |δ| of the output unit (the step the hidden-layer fit leaves out). */
  outputMeanAbs: number;
  /** exp(b) of the fit ln(mean ||δ_l||) = a + b·l over the hidden layers; NaN with fewer than two. */
  shrinkPerLayer: number;
}

export function deltaProfile(network: ProbedNetwork, data: Dataset): DeltaProfile {
  const { params } = network;
  const s = params.sizes;
  const layers = s.length - 1;
  const n = data.count;
  // Filled inside tf.tidy, not returned from it (tidy would walk the typed arrays element by element).
  const norms: Float32Array[] = [];
  tf.tidy(() => {
    const x = tf.tensor2d(data.x, [n, s[0]]);
    const y = tf.tensor2d(data.y, [n, 1]);
    const spec = { hiddenActivation: network.activation, outputActivation: network.outputActivation };
    const perturbations = params.biases.map((b) => tf.zeros([n, b.length]));
    const loss = (...e: tf.Tensor[]): tf.Scalar => tf.sum(tf.square(tf.sub(forwardPass(x, params, spec, { perturbations: e }), y)));
    const deltas = tf.grads(loss)(perturbations);
    // Per example: ||δ_l(n)||₂ for the hidden layers, |δ| for the output.
    for (const d of deltas) norms.push(tf.sqrt(tf.sum(tf.square(d), 1)).dataSync() as Float32Array);
  });
  const hidden: LayerDelta[] = norms.slice(0, layers - 1).map((v, l) => ({
    layer: l + 1,
    width: s[l + 1],
    meanNorm: mean(v),
    medianNorm: median(v),
  }));
  return {
    activation: network.activation,
    hidden,
    outputMeanAbs: mean(norms[layers - 1]),
    shrinkPerLayer: geometricShrink(hidden.map((h) => h.meanNorm)),
  };
}

/** The same weights through each hidden activation: Sigmoid against ReLU from identical Params. */
export function pairedDeltasAtInit(
  params: Params,
  data: Dataset,
  activations: readonly Activation[],
  outputActivation: OutputActivation,
): DeltaProfile[] {
  return activations.map((activation) => deltaProfile({ name: activation, activation, outputActivation, params }, data));
}

/** exp(slope) of the least-squares line through (l, ln v_l), l = 1..L: the per-layer growth towards the output. */
function geometricShrink(values: readonly number[]): number {
  const pts = values.map((v, k) => [k + 1, Math.log(v)] as const).filter(([, y]) => Number.isFinite(y));
  if (pts.length < 2) return NaN;
  const mx = mean(pts.map(([x]) => x));
  const my = mean(pts.map(([, y]) => y));
  let sxy = 0;
  let sxx = 0;
  for (const [x, y] of pts) {
    sxy += (x - mx) * (y - my);
    sxx += (x - mx) ** 2;
  }
  return Math.exp(sxy / sxx);
}

function mean(v: ArrayLike<number>): number {
  let sum = 0;
  for (let k = 0; k < v.length; k++) sum += v[k];
  return sum / v.length;
}

function median(v: Float32Array): number {
  const sorted = v.slice().sort();
  const mid = (sorted.length - 1) / 2;
  return (sorted[Math.floor(mid)] + sorted[Math.ceil(mid)]) / 2;
}

export const DELTA_COLUMNS = [
  'config',
  'activation',
  'at',
  'layer',
  'width',
  'mean_delta_norm',
  'median_delta_norm',
  'shrink_per_layer',
] as const;

/**
 * deltas.csv: one row per (network, state, hidden layer) and one for the output ('output' in
 * the layer column, its mean |δ| as the norm); shrink_per_layer repeats the network's fit.
 */
export async function writeDeltaCsv(
  file: string,
  profiles: readonly { config: string; at: string; profile: DeltaProfile }[],
): Promise<void> {
  const rows: CsvRow[] = profiles.flatMap(({ config, at, profile }) => [
    ...profile.hidden.map((h) => ({
      config,
      activation: profile.activation,
      at,
      layer: h.layer,
      width: h.width,
      mean_delta_norm: h.meanNorm,
      median_delta_norm: h.medianNorm,
      shrink_per_layer: profile.shrinkPerLayer,
    })),
    {
      config,
      activation: profile.activation,
      at,
      layer: 'output',
      width: 1,
      mean_delta_norm: profile.outputMeanAbs,
      median_delta_norm: '',
      shrink_per_layer: profile.shrinkPerLayer,
    },
  ]);
  await writeCsv(file, DELTA_COLUMNS, rows);
}
