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

/** How biases start: at zero (the default), or drawn from the same distribution as their layer's weights. */
type BiasInit = 'zero' | 'like-weights';

export interface InitSpec {
  scheme: InitScheme;
  /** Standard deviation for the 'normal' scheme. */
  std?: number;
  /** For 'uniform': a fixed range U(-limit, +limit), as hand-written programs often used, instead of 1/sqrt(fanIn). */
  limit?: number;
  /** For 'xavier': the limit is gain x sqrt(6/(fanIn+fanOut)); 4 is the logistic's gain (its slope at 0 is a quarter of tanh's). Default 1. */
  gain?: number;
  /** Default 'zero'. */
  bias?: BiasInit;
  /** Factors on the drawn weights (see WeightScale); absent = 1 for every layer. */
  weightScale?: WeightScale;
}

/**
 * Factors the drawn weights are multiplied by, after drawing (so the random numbers are the same
 * with or without them; biases are not scaled): `firstLayer` for the weights from the inputs,
 * `laterLayers` for every later layer's (their inputs are hidden units' outputs, the output
 * layer's included). A hidden activation a·g(z) with g positively homogeneous (ReLU) and
 * laterLayers = 1/a gives every pre-activation, and so the output, of the network with g at
 * initialisation: the explain experiment's forward-matched scaled ReLU (docs/probes.md).
 */
export interface WeightScale {
  firstLayer?: number;
  laterLayers?: number;
}

/**
 * Draws initial parameters.
 * - uniform: U(-1/sqrt(fanIn), +1/sqrt(fanIn)), the classic "small random weights" rule, or
 *            U(-limit, +limit) with a fixed `limit` (e.g. 0.5, a common hand-written choice);
 * - xavier:  U(-g sqrt(6/(fanIn+fanOut)), +...), Glorot & Bengio (2010), made for sigmoid/tanh,
 *            with gain g (default 1);
 * - he:      N(0, sqrt(2/fanIn)), He et al. (2015), made for ReLU;
 * - normal:  N(0, std).
 * Biases start at zero, or with `bias: 'like-weights'` are drawn from their layer's weight
 * distribution (before any `weightScale`). They draw from their own stream ('init-bias'), so the weights are the same
 * numbers whichever way the biases start.
 */
export function initParams(sizes: readonly number[], init: InitSpec, seed: number): Params {
  const rng = Rng.stream(seed, 'init');
  const biasRng = init.bias === 'like-weights' ? Rng.stream(seed, 'init-bias') : null;
  const weights: Float32Array[] = [];
  const biases: Float32Array[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) {
    const fanIn = sizes[l];
    const fanOut = sizes[l + 1];
    const draw = sampler(init, fanIn, fanOut);
    const w = new Float32Array(fanIn * fanOut);
    for (let k = 0; k < w.length; k++) w[k] = draw(rng);
    const factor = (l === 0 ? init.weightScale?.firstLayer : init.weightScale?.laterLayers) ?? 1;
    if (factor !== 1) for (let k = 0; k < w.length; k++) w[k] *= factor;
    const b = new Float32Array(fanOut);
    if (biasRng) for (let k = 0; k < b.length; k++) b[k] = draw(biasRng);
    weights.push(w);
    biases.push(b);
  }
  return { sizes: [...sizes], weights, biases };
}

/** One draw from the distribution of a layer's weights (see initParams). */
function sampler(init: InitSpec, fanIn: number, fanOut: number): (rng: Rng) => number {
  switch (init.scheme) {
    case 'uniform': {
      const a = init.limit ?? 1 / Math.sqrt(fanIn);
      return (rng) => rng.range(-a, a);
    }
    case 'xavier': {
      const a = (init.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
      return (rng) => rng.range(-a, a);
    }
    case 'he': {
      const s = Math.sqrt(2 / fanIn);
      return (rng) => s * rng.normal();
    }
    case 'normal': {
      const s = init.std ?? 0.05;
      return (rng) => s * rng.normal();
    }
  }
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
