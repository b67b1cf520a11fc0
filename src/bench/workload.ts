/**
 * The benchmark's workload: the article's network and a training set of random inputs.
 *
 * The PyTorch peer (tools/torch_mlp.py) trains the same shapes on random inputs,
 * so both sides time the same arithmetic; the values of the inputs do not change the time of
 * dense arithmetic. Everything random is drawn from Rng streams, so every run (and every child
 * process) builds exactly the same workload from the seed.
 */
import { initParams, type Params, layerSizes } from '../nn/params.js';
import type { NetworkSpec, SgdSpec } from '../nn/engine.js';
import { Rng } from '../util/rng.js';

/** The article's network for experiment 2: 1,024 inputs, hidden 150-100-50-30-15, one output. */
const BENCH_HIDDEN = [150, 100, 50, 30, 15] as const;
const BENCH_INPUTS = 1024;
export const BENCH_SAMPLES = 4000;
const BENCH_SEED = 7;
/** The PyTorch peer's learning rate; the value does not change the time per epoch. */
const BENCH_LEARNING_RATE = 0.1;

export interface Workload {
  network: NetworkSpec;
  sgd: SgdSpec;
  params: Params;
  /** Row-major [samples, inputs], uniform in [0, 1) like CIFAR pixels scaled to 0-1. */
  x: Float32Array;
  /** 0/1 targets. */
  y: Float32Array;
  samples: number;
}

export function benchSizes(hidden: readonly number[] = BENCH_HIDDEN, inputs = BENCH_INPUTS): number[] {
  return layerSizes(inputs, hidden);
}

export function makeWorkload(samples = BENCH_SAMPLES, seed = BENCH_SEED): Workload {
  const sizes = benchSizes();
  const inputs = sizes[0];
  const rx = Rng.stream(seed, 'bench-inputs');
  const x = new Float32Array(samples * inputs);
  for (let k = 0; k < x.length; k++) x[k] = rx.uniform();
  const ry = Rng.stream(seed, 'bench-targets');
  const y = new Float32Array(samples);
  for (let k = 0; k < samples; k++) y[k] = ry.uniform() < 0.5 ? 1 : 0;
  return {
    network: { sizes, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' },
    sgd: { learningRate: BENCH_LEARNING_RATE, momentum: 0 },
    params: initParams(sizes, { scheme: 'xavier' }, seed),
    x,
    y,
    samples,
  };
}

/**
 * Floating-point operations of one epoch counted as the PyTorch peer counts them: 3 x the
 * forward pass's 2·n·fanIn·fanOut (forward, weight gradient, input gradient), biases and
 * activations ignored. Both sides' GFLOP/s use this same nominal count.
 */
export function nominalFlopsPerEpoch(sizes: readonly number[], samples: number): number {
  let macs = 0;
  for (let l = 0; l + 1 < sizes.length; l++) macs += sizes[l] * sizes[l + 1];
  return 3 * 2 * samples * macs;
}
