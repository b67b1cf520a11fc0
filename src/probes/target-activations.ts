/**
 * "The next neuron would need 2", measured. The article explains the Sigmoid network's trouble
 * by a unit whose best output lies beyond what a sigmoid can give. This probe asks that
 * question of every sampled (hidden unit, example) pair directly:
 *
 *   with every weight and every other unit fixed, which output a* of unit h would minimise
 *   this example's squared error?
 *
 * Method: for hidden unit h of layer l and example n, the forward pass is computed once in
 * float64 from the parameters; replacing h's output a0 by a changes the next layer's
 * pre-activations by (a - a0) W[l+1][h, :], and the rest of the network is run exactly from
 * there. The example's loss (out(a) - y)² is a 1-D function of a. It is minimised over a
 * bounded interval that contains the activation's whole output range with a margin of 1 on
 * each side ([-1, 2] for Sigmoid: "would need 2"; for ReLU [-1, max(1, a0) + 1]): a grid of
 * GRID_POINTS values, then a golden-section refinement of the best grid cell. A minimum at
 * the interval's end means "at least that far out". Cost per evaluation: the layers after l
 * for one example (about 7,000 multiply-adds for a first-hidden-layer unit of the 7-layer
 * network); per pair GRID_POINTS + REFINE_STEPS evaluations. So units and examples are
 * subsampled with a stated seed (defaults below: 8 units per layer, 200 examples; 16 x 500 took
 * 2 minutes per 7-layer network on the shared 2-core machine).
 *
 * Reported per layer: the fraction of pairs whose a* lies outside the activation's range
 * (Sigmoid, tanh, clipped ReLU: outside (lo, hi); ReLU: below 0), and the fraction that is
 * outside AND gains something that matters: the loss at a* is lower than at a* clamped into
 * the range by more than GAIN_FRACTION of the loss there (a unit that is indifferent beyond
 * the bound does not "need" to go there).
 */
import type { Dataset } from '../data/types.js';
import { Rng } from '../util/rng.js';
import { writeCsv, type CsvRow } from '../util/csv.js';
import { activationSpec } from '../config/activations.js';
import type { ProbedNetwork } from './weight-scan.js';

const GRID_POINTS = 61;
const REFINE_STEPS = 30;
/** An outside target counts as "needed" when it lowers the example's loss by more than this fraction of the loss at the clamped target. */
const GAIN_FRACTION = 0.01;

export interface TargetOptions {
  /** Hidden units sampled per layer (all when the layer has fewer); default 8. */
  unitsPerLayer?: number;
  /** Examples sampled; default 200 (all when the data has fewer). */
  examples?: number;
  /** Seeds the samples ('target-units', 'target-examples' streams); default 1. */
  seed?: number;
}

/** One hidden unit on one example. */
interface UnitTarget {
  /** 1-based hidden layer (layer 1 is the first hidden layer). */
  layer: number;
  unit: number;
  example: number;
  /** The unit's output as the network computes it. */
  current: number;
  /** The output that minimises the example's loss, all else fixed (within the search interval). */
  best: number;
  lossAtCurrent: number;
  lossAtBest: number;
  /** Loss at `best` clamped into the activation's output range. */
  lossAtClamped: number;
  /** `best` lies outside the activation's range (ReLU: below 0). */
  outside: boolean;
  /** Outside, and the loss there is lower than at the clamped value by more than GAIN_FRACTION of it. */
  outsideWithGain: boolean;
}

interface LayerTargets {
  layer: number;
  width: number;
  unitsSampled: number;
  examplesSampled: number;
  pairs: number;
  fractionOutside: number;
  fractionOutsideWithGain: number;
  /** Of the outside pairs: above the upper bound (e.g. "would need 2") rather than below the lower one. */
  fractionAbove: number;
  /** Of all pairs: above the upper bound and gaining there (the article's "would need 2", with the gain condition). */
  fractionAboveWithGain: number;
}

export interface TargetResult {
  activation: string;
  targets: UnitTarget[];
  layers: LayerTargets[];
  seconds: number;
}

export function targetActivations(network: ProbedNetwork, data: Dataset, opts: TargetOptions = {}): TargetResult {
  const t0 = performance.now();
  const { params } = network;
  const s = params.sizes;
  const layers = s.length - 1;
  if (s[0] !== data.inputs) throw new Error(`network has ${s[0]} inputs, data has ${data.inputs}`);
  const hiddenAct = activationSpec(network.activation).f;
  const outAct = activationSpec(network.outputActivation).f;
  const act = (l: number): ((z: number) => number) => (l === layers - 1 ? outAct : hiddenAct);
  const seed = opts.seed ?? 1;
  const exampleCount = Math.min(opts.examples ?? 200, data.count);
  const examples = sortedSample(Rng.stream(seed, 'target-examples'), data.count, exampleCount);
  const unitRng = Rng.stream(seed, 'target-units');
  const units: number[][] = [];
  for (let k = 1; k < layers; k++) units.push(sortedSample(unitRng, s[k], Math.min(opts.unitsPerLayer ?? 8, s[k])));
  const { lower: lo, upper: hi } = activationSpec(network.activation).bounds;

  // One buffer per layer's output, reused by every evaluation: runFrom runs about 750,000 times
  // per 7-layer network, and allocating its arrays took as long as its arithmetic.
  const outputs = s.map((width) => new Float64Array(width));
  const layerAct = Array.from({ length: layers }, (_, l) => act(l));

  /** into = b_l + a·W_l, layer l's pre-activations from its input a, in float64. */
  const preActivations = (l: number, a: Float64Array, into: Float64Array): void => {
    const width = s[l + 1];
    const w = params.weights[l];
    const b = params.biases[l];
    for (let q = 0; q < width; q++) into[q] = b[q];
    for (let r = 0; r < s[l]; r++) {
      const ar = a[r];
      if (ar === 0) continue;
      const row = r * width;
      for (let q = 0; q < width; q++) into[q] += ar * w[row + q];
    }
  };

  /** Output of the network from layer `from`'s pre-activations z (weights[from - 1] already applied). */
  const runFrom = (from: number, z: Float64Array): number => {
    let a = outputs[from];
    const first = layerAct[from - 1];
    for (let q = 0; q < z.length; q++) a[q] = first(z[q]);
    for (let l = from; l < layers; l++) {
      const next = outputs[l + 1];
      preActivations(l, a, next);
      const f = layerAct[l];
      for (let q = 0; q < next.length; q++) next[q] = f(next[q]);
      a = next;
    }
    return a[0];
  };

  const targets: UnitTarget[] = [];
  for (const n of examples) {
    // Forward pass of example n, keeping every layer's outputs (acts[k] = layer k's output, acts[0] = input).
    const acts: Float64Array[] = [Float64Array.from(data.x.subarray(n * s[0], (n + 1) * s[0]))];
    const zs: Float64Array[] = [new Float64Array(0)];
    for (let l = 0; l < layers; l++) {
      const z = new Float64Array(s[l + 1]);
      preActivations(l, acts[l], z);
      zs.push(z);
      acts.push(Float64Array.from(z, layerAct[l]));
    }
    const y = data.y[n];
    for (let k = 1; k < layers; k++) {
      const zNext = zs[k + 1];
      const w = params.weights[k];
      for (const h of units[k - 1]) {
        const a0 = acts[k][h];
        const z = new Float64Array(zNext.length);
        const lossAt = (a: number): number => {
          const d = a - a0;
          for (let q = 0; q < z.length; q++) z[q] = zNext[q] + d * w[h * s[k + 1] + q];
          return (runFrom(k + 1, z) - y) ** 2;
        };
        const from = (Number.isFinite(lo) ? Math.min(lo, a0) : a0 - 2) - 1;
        const to = (Number.isFinite(hi) ? Math.max(hi, a0) : Math.max(1, a0)) + 1;
        const best = minimise(lossAt, from, to);
        const clamped = Math.min(Math.max(best.at, lo), hi);
        const lossAtClamped = lossAt(clamped);
        const outside = best.at < lo || best.at > hi;
        targets.push({
          layer: k,
          unit: h,
          example: n,
          current: a0,
          best: best.at,
          lossAtCurrent: lossAt(a0),
          lossAtBest: best.loss,
          lossAtClamped,
          outside,
          outsideWithGain: outside && lossAtClamped - best.loss > GAIN_FRACTION * lossAtClamped,
        });
      }
    }
  }
  const summaries: LayerTargets[] = [];
  for (let k = 1; k < layers; k++) {
    const mine = targets.filter((t) => t.layer === k);
    const outside = mine.filter((t) => t.outside);
    summaries.push({
      layer: k,
      width: s[k],
      unitsSampled: units[k - 1].length,
      examplesSampled: examples.length,
      pairs: mine.length,
      fractionOutside: outside.length / mine.length,
      fractionOutsideWithGain: mine.filter((t) => t.outsideWithGain).length / mine.length,
      fractionAbove: outside.length === 0 ? NaN : outside.filter((t) => t.best > hi).length / outside.length,
      fractionAboveWithGain: mine.filter((t) => t.outsideWithGain && t.best > hi).length / mine.length,
    });
  }
  return { activation: network.activation, targets, layers: summaries, seconds: (performance.now() - t0) / 1000 };
}

/** Grid search, then golden-section refinement inside the best grid cell's neighbours. */
function minimise(f: (a: number) => number, from: number, to: number): { at: number; loss: number } {
  const step = (to - from) / (GRID_POINTS - 1);
  let bestK = 0;
  let bestLoss = Infinity;
  for (let k = 0; k < GRID_POINTS; k++) {
    const l = f(from + k * step);
    if (l < bestLoss) {
      bestLoss = l;
      bestK = k;
    }
  }
  let a = from + Math.max(0, bestK - 1) * step;
  let b = from + Math.min(GRID_POINTS - 1, bestK + 1) * step;
  const phi = (Math.sqrt(5) - 1) / 2;
  let c = b - phi * (b - a);
  let d = a + phi * (b - a);
  let fc = f(c);
  let fd = f(d);
  for (let i = 0; i < REFINE_STEPS; i++) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - phi * (b - a);
      fc = f(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + phi * (b - a);
      fd = f(d);
    }
  }
  // The grid point itself may beat the refined one (e.g. a minimum at the interval's end).
  const mid = (a + b) / 2;
  const fm = f(mid);
  return fm < bestLoss ? { at: mid, loss: fm } : { at: from + bestK * step, loss: bestLoss };
}

function sortedSample(rng: Rng, n: number, k: number): number[] {
  return Array.from(rng.permutation(n).subarray(0, k)).sort((x, y) => x - y);
}

export const TARGET_COLUMNS = [
  'config',
  'activation',
  'at',
  'layer',
  'width',
  'units_sampled',
  'examples_sampled',
  'pairs',
  'fraction_outside',
  'fraction_outside_with_gain',
  'fraction_above',
  'fraction_above_with_gain',
] as const;

/** target-activations.csv: one row per (network, state, hidden layer); `at` says which state ("init", "trained"). */
export async function writeTargetCsv(
  file: string,
  results: readonly { config: string; at: string; result: TargetResult }[],
): Promise<void> {
  const rows: CsvRow[] = results.flatMap(({ config, at, result }) =>
    result.layers.map((l) => ({
      config,
      activation: result.activation,
      at,
      layer: l.layer,
      width: l.width,
      units_sampled: l.unitsSampled,
      examples_sampled: l.examplesSampled,
      pairs: l.pairs,
      fraction_outside: l.fractionOutside,
      fraction_outside_with_gain: l.fractionOutsideWithGain,
      fraction_above: Number.isNaN(l.fractionAbove) ? '' : l.fractionAbove,
      fraction_above_with_gain: l.fractionAboveWithGain,
    })),
  );
  await writeCsv(file, TARGET_COLUMNS, rows);
}
