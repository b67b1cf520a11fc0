/**
 * The parameters of a fully connected network, in one layout shared by every engine.
 *
 * Layer l maps sizes[l] inputs to sizes[l+1] outputs. Its weights are a row-major
 * [fanIn, fanOut] matrix, the layout of a TensorFlow.js dense kernel: the weight from
 * input i to neuron j is weights[l][i * fanOut + j]. Its biases have fanOut entries.
 *
 * Initial weights are drawn here, once, from the run's seed, and handed to whichever engine
 * trains, so the TensorFlow.js and hand-written engines start from identical numbers.
 */
import { Rng } from '../util/rng.js';

export interface Params {
  /** Layer widths, input first, output last: [1024, 150, 100, 1]. */
  readonly sizes: readonly number[];
  readonly weights: Float32Array[];
  readonly biases: Float32Array[];
}

/** Layer widths of the project's networks: the inputs, the hidden layers, one output neuron. */
export function layerSizes(inputs: number, hidden: readonly number[]): number[] {
  return [inputs, ...hidden, 1];
}

export type InitScheme = 'uniform' | 'xavier' | 'he' | 'normal';

export interface InitSpec {
  scheme: InitScheme;
  /** Standard deviation for the 'normal' scheme. */
  std?: number;
  /** For 'uniform': a fixed range U(-limit, +limit), as hand-written programs often used, instead of 1/sqrt(fanIn). */
  limit?: number;
}

/**
 * Draws initial parameters. Biases start at zero for every scheme.
 * - uniform: U(-1/sqrt(fanIn), +1/sqrt(fanIn)), the classic "small random weights" rule, or
 *            U(-limit, +limit) with a fixed `limit` (e.g. 0.5, a common hand-written choice);
 * - xavier:  U(-sqrt(6/(fanIn+fanOut)), +...), Glorot & Bengio (2010), made for sigmoid/tanh;
 * - he:      N(0, sqrt(2/fanIn)), He et al. (2015), made for ReLU;
 * - normal:  N(0, std).
 */
export function initParams(sizes: readonly number[], init: InitSpec, seed: number): Params {
  const rng = Rng.stream(seed, 'init');
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    const w = new Float32Array(fanIn * fanOut);
    switch (init.scheme) {
      case 'uniform': {
        const a = init.limit ?? 1 / Math.sqrt(fanIn);
        for (let k = 0; k < w.length; k++) w[k] = rng.range(-a, a);
        break;
      }
      case 'xavier': {
        const a = Math.sqrt(6 / (fanIn + fanOut));
        for (let k = 0; k < w.length; k++) w[k] = rng.range(-a, a);
        break;
      }
      case 'he': {
        const s = Math.sqrt(2 / fanIn);
        for (let k = 0; k < w.length; k++) w[k] = s * rng.normal();
        break;
      }
      case 'normal': {
        const s = init.std ?? 0.05;
        for (let k = 0; k < w.length; k++) w[k] = s * rng.normal();
        break;
      }
    }
    weights.push(w);
    biases.push(new Float32Array(fanOut));
  }
  return { sizes: [...sizes], weights, biases };
}

/** A deep copy, so an engine can own its parameters without aliasing the caller's. */
export function cloneParams(p: Params): Params {
  return {
    sizes: [...p.sizes],
    weights: p.weights.map((w) => w.slice()),
    biases: p.biases.map((b) => b.slice()),
  };
}

/**
 * Throws unless `p` holds the parameters of a network of these sizes (a programming error, not
 * a user's: files are checked on loading, src/nn/params-io.ts). `who` names the caller.
 */
export function checkParamsFit(sizes: readonly number[], p: Params, who: string): void {
  if (p.sizes.length !== sizes.length || p.sizes.some((s, i) => s !== sizes[i])) {
    throw new RangeError(`${who}: params have sizes [${p.sizes.join(', ')}], the network has [${sizes.join(', ')}]`);
  }
  for (let l = 0; l + 1 < sizes.length; l++) {
    if (p.weights[l]?.length !== sizes[l] * sizes[l + 1] || p.biases[l]?.length !== sizes[l + 1]) {
      throw new RangeError(`${who}: params of layer ${l + 1} do not match sizes ${sizes[l]} -> ${sizes[l + 1]}`);
    }
  }
}
