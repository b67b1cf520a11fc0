/**
 * Backpropagation, the reference version: the four equations written out as plainly as they
 * appear in a textbook, one loop nest per equation, one example at a time, in ordinary
 * JavaScript numbers (float64). Nothing here is fast; everything here is meant to be read.
 *
 * It is to the hand-written engine (src/nn/handwritten/engine.ts) what llm.c's reference
 * kernels are to its fast ones: the truth the fast code is tested against
 * (spec/handwritten-reference.spec.ts). The engine batches examples, fuses loops, unrolls them
 * and writes derivatives through the layer outputs; this file does none of that.
 *
 * Notation (Nielsen, "Neural Networks and Deep Learning", ch. 2; layers l = 1 .. L, layer 0 is
 * the input):
 *   w^l[j][k]   the weight from neuron k of layer l-1 to neuron j of layer l
 *   b^l[j]      the bias of neuron j of layer l
 *   z^l = w^l a^{l-1} + b^l          the weighted input of layer l
 *   a^l = σ(z^l)                     its activation (σ: the hidden activation, or the output's)
 *   C_x = (a^L - y)^2                the cost of one example x with target y
 *   C   = (1/n) Σ_x C_x              the cost of a batch of n examples
 *
 * The cost has NO 1/2 in front (as the project and the article define the squared error), so
 * its derivative with respect to the output is 2 (a^L - y), not (a^L - y).
 *
 * Backpropagation is four equations; δ^l = ∂C_x/∂z^l is "the error of layer l":
 *   (BP1)  δ^L = ∇_a C_x ⊙ σ'(z^L) = 2 (a^L - y) ⊙ σ'(z^L)        the error at the output
 *   (BP2)  δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l)                    the error one layer down
 *   (BP3)  ∂C_x/∂b^l[j] = δ^l[j]                                   a bias's gradient
 *   (BP4)  ∂C_x/∂w^l[j][k] = a^{l-1}[k] δ^l[j]                     a weight's gradient (δ aᵀ)
 * (⊙ is the element-wise product.) The batch's gradient is the mean of the examples', and one
 * step of gradient descent moves every parameter against it: w -= η ∂C/∂w, b -= η ∂C/∂b.
 */
import type { Params } from '../params.js';
import type { NetworkSpec } from '../engine.js';
import type { LayerActivation } from '../../config/schema.js';
import { activationSpec } from '../../config/activations.js';

/** The network in the textbook's notation: weights[l][j][k], biases[l][j], for l = 1 .. L stored at l - 1. */
export interface ReferenceNetwork {
  /** activations[l - 1] is σ of layer l: the hidden activation, the output's for the last. */
  activations: LayerActivation[];
  weights: number[][][];
  biases: number[][];
}

/** The gradient of the cost, shaped like the network's weights and biases. */
export interface ReferenceGradient {
  weights: number[][][];
  biases: number[][];
}

/** σ(z), from the activation's entry in src/config/activations.ts. */
function sigma(f: LayerActivation, z: number): number {
  return activationSpec(f).f(z);
}

/**
 * σ'(z), the entry's derivative taken at σ(z). At a kink (z = 0; z = 1 for relu-clipped) there
 * is no derivative; the one taken is 0, as TensorFlow.js takes relu'(0) = 0.
 */
function sigmaPrime(f: LayerActivation, z: number): number {
  const spec = activationSpec(f);
  return spec.derivativeFromOutput(spec.f(z));
}

/**
 * From the project's Params (W[i * fanOut + j], input i to neuron j: the layout of a
 * TensorFlow.js dense kernel) to the textbook's w[j][k] (neuron j, input k). Only the
 * indexing changes.
 */
export function referenceNetwork(network: NetworkSpec, params: Params): ReferenceNetwork {
  const L = params.weights.length;
  const activations: LayerActivation[] = [];
  const weights: number[][][] = [];
  const biases: number[][] = [];
  for (let l = 0; l < L; l++) {
    const fanIn = params.sizes[l];
    const fanOut = params.sizes[l + 1];
    activations.push(l === L - 1 ? network.outputActivation : network.hiddenActivation);
    weights.push(Array.from({ length: fanOut }, (_, j) => Array.from({ length: fanIn }, (_, k) => params.weights[l][k * fanOut + j])));
    biases.push(Array.from(params.biases[l]));
  }
  return { activations, weights, biases };
}

/**
 * The forward pass for one example: z^l = w^l a^{l-1} + b^l, a^l = σ(z^l), layer by layer.
 * Returns every z^l (zs[l - 1]) and every a^l (as[l], as[0] being the input), because
 * backpropagation needs them.
 */
export function feedforward(net: ReferenceNetwork, x: ArrayLike<number>): { zs: number[][]; as: number[][] } {
  const as: number[][] = [Array.from(x)];
  const zs: number[][] = [];
  for (let l = 0; l < net.weights.length; l++) {
    const w = net.weights[l];
    const b = net.biases[l];
    const aBelow = as[l];
    const z: number[] = [];
    for (let j = 0; j < w.length; j++) {
      let sum = b[j];
      for (let k = 0; k < aBelow.length; k++) sum += w[j][k] * aBelow[k];
      z.push(sum);
    }
    zs.push(z);
    as.push(z.map((zj) => sigma(net.activations[l], zj)));
  }
  return { zs, as };
}

/** (BP1) δ^L = 2 (a^L - y) ⊙ σ'(z^L): how the cost changes with the output's weighted input. */
function outputError(aL: number[], y: number[], zL: number[], f: LayerActivation): number[] {
  const delta: number[] = [];
  for (let j = 0; j < aL.length; j++) delta.push(2 * (aL[j] - y[j]) * sigmaPrime(f, zL[j]));
  return delta;
}

/**
 * (BP2) δ^l = ((w^{l+1})ᵀ δ^{l+1}) ⊙ σ'(z^l): the error of layer l from the error of the
 * layer above, carried back through the same weights that carried the signal forward.
 */
function backpropagateError(wAbove: number[][], deltaAbove: number[], z: number[], f: LayerActivation): number[] {
  const delta: number[] = [];
  for (let k = 0; k < z.length; k++) {
    let sum = 0;
    for (let j = 0; j < deltaAbove.length; j++) sum += wAbove[j][k] * deltaAbove[j];
    delta.push(sum * sigmaPrime(f, z[k]));
  }
  return delta;
}

/** (BP3) ∂C/∂b^l[j] = δ^l[j]: a bias's gradient is its neuron's error. */
function biasGradient(delta: number[]): number[] {
  return [...delta];
}

/** (BP4) ∂C/∂w^l[j][k] = a^{l-1}[k] δ^l[j]: the outer product δ^l (a^{l-1})ᵀ. */
function weightGradient(delta: number[], aBelow: number[]): number[][] {
  const grad: number[][] = [];
  for (let j = 0; j < delta.length; j++) {
    const row: number[] = [];
    for (let k = 0; k < aBelow.length; k++) row.push(aBelow[k] * delta[j]);
    grad.push(row);
  }
  return grad;
}

/** The gradient of one example's cost C_x = (a^L - y)^2: forward, then BP1, BP2 downwards, BP3 and BP4. */
function backprop(net: ReferenceNetwork, x: ArrayLike<number>, y: number[]): ReferenceGradient {
  const L = net.weights.length;
  const { zs, as } = feedforward(net, x);
  const weights: number[][][] = new Array<number[][]>(L);
  const biases: number[][] = new Array<number[]>(L);
  let delta = outputError(as[L], y, zs[L - 1], net.activations[L - 1]);
  for (let l = L - 1; l >= 0; l--) {
    biases[l] = biasGradient(delta);
    weights[l] = weightGradient(delta, as[l]);
    if (l > 0) delta = backpropagateError(net.weights[l], delta, zs[l - 1], net.activations[l - 1]);
  }
  return { weights, biases };
}

/** The gradient of the batch's cost C = (1/n) Σ_x C_x: the mean of the examples' gradients. */
export function batchGradient(net: ReferenceNetwork, xs: Float32Array, ys: Float32Array, n: number): ReferenceGradient {
  const inputs = net.weights[0][0].length;
  const sum: ReferenceGradient = {
    weights: net.weights.map((w) => w.map((row) => row.map(() => 0))),
    biases: net.biases.map((b) => b.map(() => 0)),
  };
  for (let r = 0; r < n; r++) {
    const g = backprop(net, xs.subarray(r * inputs, (r + 1) * inputs), [ys[r]]);
    for (let l = 0; l < sum.weights.length; l++) {
      for (let j = 0; j < sum.weights[l].length; j++) {
        sum.biases[l][j] += g.biases[l][j] / n;
        for (let k = 0; k < sum.weights[l][j].length; k++) sum.weights[l][j][k] += g.weights[l][j][k] / n;
      }
    }
  }
  return sum;
}

/** One step of gradient descent on a batch: w -= η ∂C/∂w, b -= η ∂C/∂b (in place). */
export function gradientDescentStep(net: ReferenceNetwork, xs: Float32Array, ys: Float32Array, n: number, eta: number): void {
  const g = batchGradient(net, xs, ys, n);
  for (let l = 0; l < net.weights.length; l++) {
    for (let j = 0; j < net.weights[l].length; j++) {
      net.biases[l][j] -= eta * g.biases[l][j];
      for (let k = 0; k < net.weights[l][j].length; k++) net.weights[l][j][k] -= eta * g.weights[l][j][k];
    }
  }
}
