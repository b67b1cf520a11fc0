/**
 * What a training engine is: the TensorFlow.js engine (src/nn/tfjs/engine.ts) and the
 * hand-written one (src/nn/handwritten/engine.ts) both implement this, so the training loop,
 * the comparison, the probes and the benchmark drive either through the same calls.
 *
 * Conventions shared by both engines:
 * - Loss: the mean over the batch of the squared error, (output - target)^2, with no 1/2.
 * - Update: plain SGD, v = momentum*v + grad; w -= learningRate * v (momentum 0 = w -= lr*grad).
 * - Accuracy: an output above the midpoint of the two targets (0.5 for the default 1/0) counts
 *   as the positive class; an example is correct when that agrees with its target being above it.
 * - Gradient normalisation 'layer' (optional, default 'none'): before the step, each layer's
 *   gradient (its weights' and its biases' together, one vector g_k) is replaced by
 *   g_k / ||g_k||_2, a zero gradient staying zero; then the SGD update (with momentum, the velocity
 *   accumulates the normalised gradients). This is the block-normalised gradient of Yu, Lin,
 *   Salakhutdinov, Carbonell: "Block-normalized gradient method: an empirical study for training
 *   deep neural network" (arXiv:1707.04822, 2017), with one block per layer and plain SGD.
 */
import type { Activation, ENGINE_CHOICES, GradientNormalisation, OutputActivation, Targets } from '../config/schema.js';
import type { Params } from './params.js';

export type EngineKind = (typeof ENGINE_CHOICES)[number];

export interface NetworkSpec {
  /** Layer widths, input first, output (1) last. */
  sizes: readonly number[];
  hiddenActivation: Activation;
  outputActivation: OutputActivation;
}

export interface SgdSpec {
  learningRate: number;
  momentum: number;
  /** Default 'none'; 'layer' rescales each layer's gradient to unit L2 norm (see the header). */
  gradientNormalisation?: GradientNormalisation;
  /**
   * The two targets the y arrays hold (default 1 and 0; the training run maps the data's labels
   * to them, src/nn/targets.ts). The engines use them only for accuracy's threshold.
   */
  targets?: Targets;
}

/** A batch as flat row-major arrays: n examples of `inputs` numbers each. */
export interface Batch {
  x: Float32Array;
  y: Float32Array;
  n: number;
}

export interface Evaluation {
  /** Mean squared error over the examples. */
  loss: number;
  /** Fraction of examples classified correctly, 0..1. */
  accuracy: number;
}

export interface Engine {
  readonly kind: EngineKind;
  readonly network: NetworkSpec;
  /** One SGD step on the batch. */
  step(batch: Batch): void;
  /** Loss and accuracy over a whole dataset, without changing the parameters. */
  evaluate(x: Float32Array, y: Float32Array, n: number): Evaluation;
  /** Network outputs for n examples. */
  predict(x: Float32Array, n: number): Float32Array;
  /** Gradients of the batch's loss with respect to every parameter, in the Params layout, without updating. */
  gradients(batch: Batch): Params;
  /** A copy of the current parameters. */
  getParams(): Params;
  /** Replaces the parameters (and resets momentum). */
  setParams(p: Params): void;
  /** Frees what the engine holds (tensors, buffers). */
  dispose(): void;
}
