/**
 * The TensorFlow.js engine: the article's multilayer perceptron, trained with gradients from
 * TensorFlow.js's autodiff and plain SGD applied with tensor ops.
 *
 * Every weight matrix and bias vector is a tf.Variable that stays on the backend; a training
 * step uploads the batch, differentiates the loss with tf.variableGrads and updates the
 * variables in place, downloading nothing. Conventions (loss without 1/2, SGD with optional
 * momentum, accuracy threshold 0.5) are those of src/training/engine.ts.
 */
import * as tf from '@tensorflow/tfjs';
import type { Params } from './params.js';
import { dense, denseOnData } from './dense.js';
import type { Activation, Batch, Engine, Evaluation, NetworkSpec, OutputActivation, SgdSpec } from '../training/engine.js';

/** Evaluation runs through the network this many examples at a time (bounded memory). */
const EVAL_CHUNK = 1000;

function hiddenActivation(kind: Activation, z: tf.Tensor2D): tf.Tensor2D {
  switch (kind) {
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
  }
}

function outputActivation(kind: OutputActivation, z: tf.Tensor2D): tf.Tensor2D {
  return kind === 'sigmoid' ? tf.sigmoid(z) : z;
}

function checkParams(network: NetworkSpec, params: Params): void {
  const sizes = network.sizes;
  if (sizes.length < 2 || sizes[sizes.length - 1] !== 1) {
    throw new Error(`network sizes must run from the inputs to one output, got [${sizes.join(', ')}]`);
  }
  if (params.sizes.length !== sizes.length || params.sizes.some((s, i) => s !== sizes[i])) {
    throw new Error(`params have sizes [${params.sizes.join(', ')}], network has [${sizes.join(', ')}]`);
  }
  for (let l = 0; l + 1 < sizes.length; l++) {
    if (params.weights[l].length !== sizes[l] * sizes[l + 1] || params.biases[l].length !== sizes[l + 1]) {
      throw new Error(`params of layer ${l + 1} do not match sizes ${sizes[l]} -> ${sizes[l + 1]}`);
    }
  }
}

class TfjsEngine implements Engine {
  readonly kind = 'tfjs' as const;
  readonly network: NetworkSpec;
  readonly sgd: SgdSpec;
  private readonly weights: tf.Variable<tf.Rank.R2>[] = [];
  private readonly biases: tf.Variable<tf.Rank.R1>[] = [];
  /** Momentum buffers, one per variable, in the order of `trainables`; empty when momentum is 0. */
  private readonly velocities: tf.Variable[] = [];
  private readonly trainables: tf.Variable[] = [];
  private readonly learningRate: tf.Scalar;
  private readonly momentum: tf.Scalar;
  private disposed = false;

  constructor(network: NetworkSpec, sgd: SgdSpec, params: Params) {
    checkParams(network, params);
    this.network = { ...network, sizes: [...network.sizes] };
    this.sgd = { ...sgd };
    const sizes = this.network.sizes;
    // Variables are left unnamed: names are global to the TensorFlow.js engine, and several
    // engines may live in one process. tidy frees the initial tensors, not the variables.
    tf.tidy(() => {
      for (let l = 0; l + 1 < sizes.length; l++) {
        this.weights.push(tf.variable(tf.tensor2d(params.weights[l], [sizes[l], sizes[l + 1]])));
        this.biases.push(tf.variable(tf.tensor1d(params.biases[l])));
        this.trainables.push(this.weights[l], this.biases[l]);
      }
      if (sgd.momentum > 0) {
        for (const v of this.trainables) this.velocities.push(tf.variable(tf.zerosLike(v), false));
      }
    });
    this.learningRate = tf.keep(tf.scalar(sgd.learningRate));
    this.momentum = tf.keep(tf.scalar(sgd.momentum));
  }

  /** The network's output for a batch, [n, 1]. Must run inside a tidy. */
  private forward(x: tf.Tensor2D): tf.Tensor2D {
    const layers = this.weights.length;
    let a = x;
    for (let l = 0; l < layers; l++) {
      const z = l === 0 ? denseOnData(a, this.weights[l], this.biases[l]) : dense(a, this.weights[l], this.biases[l]);
      a = l + 1 < layers ? hiddenActivation(this.network.hiddenActivation, z) : outputActivation(this.network.outputActivation, z);
    }
    return a;
  }

  /** Mean over the batch of (output - target)^2, no 1/2. */
  private loss(x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
    return tf.mean(tf.squaredDifference(this.forward(x), y));
  }

  private upload(batch: Batch): [tf.Tensor2D, tf.Tensor2D] {
    const inputs = this.network.sizes[0];
    if (batch.x.length < batch.n * inputs || batch.y.length < batch.n) {
      throw new Error(`batch of ${batch.n} needs ${batch.n * inputs} inputs and ${batch.n} targets`);
    }
    const x = tf.tensor2d(batch.x.subarray(0, batch.n * inputs), [batch.n, inputs]);
    const y = tf.tensor2d(batch.y.subarray(0, batch.n), [batch.n, 1]);
    return [x, y];
  }

  private lossGrads(x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor[] {
    const { grads } = tf.variableGrads(() => this.loss(x, y), this.trainables);
    return this.trainables.map((v) => grads[v.name]);
  }

  step(batch: Batch): void {
    this.assertLive();
    tf.tidy(() => {
      const [x, y] = this.upload(batch);
      const grads = this.lossGrads(x, y);
      this.trainables.forEach((v, i) => {
        if (this.velocities.length > 0) {
          const velocity = this.velocities[i];
          velocity.assign(tf.add(tf.mul(this.momentum, velocity), grads[i]));
          v.assign(tf.sub(v, tf.mul(this.learningRate, velocity)));
        } else {
          v.assign(tf.sub(v, tf.mul(this.learningRate, grads[i])));
        }
      });
    });
  }

  evaluate(x: Float32Array, y: Float32Array, n: number): Evaluation {
    this.assertLive();
    if (n === 0) return { loss: NaN, accuracy: NaN };
    const inputs = this.network.sizes[0];
    let sumSquaredError = 0;
    let correct = 0;
    // In chunks, so that evaluating a large set never holds all its activations at once.
    for (let start = 0; start < n; start += EVAL_CHUNK) {
      const rows = Math.min(EVAL_CHUNK, n - start);
      const totals = tf.tidy(() => {
        const [xt, yt] = this.upload({ x: x.subarray(start * inputs), y: y.subarray(start), n: rows });
        const out = this.forward(xt);
        const squaredError = tf.sum(tf.squaredDifference(out, yt));
        const hits = tf.sum(tf.cast(tf.equal(tf.greater(out, 0.5), tf.greater(yt, 0.5)), 'float32'));
        return tf.stack([squaredError, hits]).dataSync() as Float32Array;
      });
      sumSquaredError += totals[0];
      correct += totals[1];
    }
    return { loss: sumSquaredError / n, accuracy: correct / n };
  }

  predict(x: Float32Array, n: number): Float32Array {
    this.assertLive();
    const inputs = this.network.sizes[0];
    return tf.tidy(() => this.forward(tf.tensor2d(x.subarray(0, n * inputs), [n, inputs])).dataSync() as Float32Array).slice();
  }

  gradients(batch: Batch): Params {
    this.assertLive();
    const flat = tf.tidy(() => {
      const [x, y] = this.upload(batch);
      return this.lossGrads(x, y).map((g) => g.dataSync() as Float32Array);
    });
    return this.fromFlat(flat);
  }

  getParams(): Params {
    this.assertLive();
    return this.fromFlat(this.trainables.map((v) => v.dataSync() as Float32Array));
  }

  setParams(p: Params): void {
    this.assertLive();
    checkParams(this.network, p);
    const sizes = this.network.sizes;
    tf.tidy(() => {
      for (let l = 0; l < this.weights.length; l++) {
        this.weights[l].assign(tf.tensor2d(p.weights[l], [sizes[l], sizes[l + 1]]));
        this.biases[l].assign(tf.tensor1d(p.biases[l]));
      }
      for (const v of this.velocities) v.assign(tf.zerosLike(v));
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of [...this.trainables, ...this.velocities]) v.dispose();
    this.learningRate.dispose();
    this.momentum.dispose();
  }

  /** Interleaved [w1, b1, w2, b2, ...] arrays back into the Params layout (copied). */
  private fromFlat(flat: Float32Array[]): Params {
    const weights: Float32Array[] = [];
    const biases: Float32Array[] = [];
    for (let l = 0; l < this.weights.length; l++) {
      weights.push(flat[2 * l].slice());
      biases.push(flat[2 * l + 1].slice());
    }
    return { sizes: [...this.network.sizes], weights, biases };
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('this engine has been disposed');
  }
}

/** A TensorFlow.js engine starting from `params` (copied onto the backend). */
export function createTfjsEngine(network: NetworkSpec, sgd: SgdSpec, params: Params): Engine {
  return new TfjsEngine(network, sgd, params);
}
