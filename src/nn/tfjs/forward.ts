/**
 * The network's forward pass as plain TensorFlow.js ops, for a whole dataset at once: the one
 * the probes share (activation statistics, backpropagated deltas, the weight scan's fixed
 * layers). z_l = a_l·W_l + b_l (+ e_l), a_{l+1} = f(z_l), with f the activation's op from its
 * table entry (src/config/activations.ts), the same kernels training runs. Row-major, the
 * weights in the Params layout; every op is on TensorFlow.js's tape, so tf.grad and tf.grads
 * differentiate through it. Call it inside tf.tidy: it creates tensors and disposes none.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from '../params.js';
import type { NetworkSpec } from '../engine.js';
import { activate } from './dense.js';

export interface ForwardOptions {
  /** Run the first `layers` weight layers only (default: all); the last of the network gets the output activation. */
  layers?: number;
  /** Added to each layer's pre-activation: e[l] for layer l (zeros, to take dL/dz with tf.grads). */
  perturbations?: readonly tf.Tensor[];
  /** Sees each layer's pre-activation z and output a (l: 0-based weight layer). */
  onLayer?: (l: number, z: tf.Tensor2D, a: tf.Tensor2D) => void;
}

/** The activation after weight layer l: the hidden one, or the output's for the last layer. */
function activationAfter(network: Pick<NetworkSpec, 'hiddenActivation' | 'outputActivation'>, params: Params, l: number) {
  return l === params.sizes.length - 2 ? network.outputActivation : network.hiddenActivation;
}

/** The output of the last layer run, from the inputs x = [n, sizes[0]]. */
export function forwardPass(
  x: tf.Tensor2D,
  params: Params,
  network: Pick<NetworkSpec, 'hiddenActivation' | 'outputActivation'>,
  opts: ForwardOptions = {},
): tf.Tensor2D {
  const s = params.sizes;
  const layers = opts.layers ?? s.length - 1;
  let a = x;
  for (let l = 0; l < layers; l++) {
    let z = tf.add(tf.matMul(a, tf.tensor2d(params.weights[l], [s[l], s[l + 1]])), tf.tensor1d(params.biases[l])) as tf.Tensor2D;
    if (opts.perturbations) z = tf.add(z, opts.perturbations[l]);
    a = activate(activationAfter(network, params, l), z);
    opts.onLayer?.(l, z, a);
  }
  return a;
}
