/**
 * The TensorFlow.js engine: the article's multilayer perceptron, trained with gradients from
 * TensorFlow.js's autodiff and plain SGD applied with tensor ops.
 *
 * Every weight matrix and bias vector is a tf.Variable that stays on the backend; a training
 * step uploads the batch, differentiates the loss with tf.variableGrads and updates the
 * variables in place, downloading nothing. Conventions (loss without 1/2, SGD with optional
 * momentum, accuracy threshold 0.5) are those of src/nn/engine.ts.
 *
 * Speed (numbers in docs/engines.md): weights are held transposed, Wt = [out, in], with
 * biases as [out, 1] columns, and batches below ROW_MAJOR_FROM examples run feature-major
 * (activations [features, batch]); see src/nn/tfjs/dense.ts for why. Params keep their
 * [in, out] layout at the boundary (constructor, getParams, setParams, gradients). A step
 * differentiates lr x loss, so the gradients come out already scaled by the learning rate
 * and the update is one subtraction per variable (v = m v + lr g; w -= v, which is
 * v = m v + g; w -= lr v with v scaled by the constant lr).
 *
 * Two routes to the same numbers: where the activations' entries use only the step's kernels
 * and no gradient normalisation is asked for (the article's networks), step() and gradients()
 * run the backward pass written out, with kernels called outside TensorFlow.js's engine
 * (src/nn/tfjs/explicit-step.ts: fewer and cheaper kernel calls at small batches); otherwise
 * tf.variableGrads differentiates the layer ops of dense.ts. The two agree to the bit.
 */
import * as tf from '@tensorflow/tfjs';
import { checkParamsFit, type Params } from '../params.js';
import { denseFeatureMajor, denseOnDataLayer, denseRowMajor, type Retain } from './dense.js';
import { normalisePerLayer } from './normalise.js';
import * as k from './kernels.js';
import { decisionThreshold } from '../targets.js';
import type { LayerActivation } from '../../config/schema.js';
import type { Batch, Engine, Evaluation, NetworkSpec, SgdSpec } from '../engine.js';
import { layoutFor, type Layout } from './layout.js';
import { explicitGradients, KernelCalls, supportsExplicitStep } from './explicit-step.js';

/** Evaluation runs through the network this many examples at a time (bounded memory). */
const EVAL_CHUNK = 1000;

/** Row-major [rows, cols] -> [cols, rows], on the JavaScript side (parameters at the boundary). */
function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    const r = i * cols;
    for (let j = 0; j < cols; j++) out[j * rows + i] = a[r + j];
  }
  return out;
}

/** Inputs on the backend: x row-major, xT only for the feature-major layout. */
interface UploadedInputs {
  layout: Layout;
  x: tf.Tensor2D;
  xT: tf.Tensor2D | null;
}

/** One batch on the backend: its inputs, and y shaped like the output. */
interface Uploaded extends UploadedInputs {
  y: tf.Tensor2D;
}

function checkParams(network: NetworkSpec, params: Params): void {
  const sizes = network.sizes;
  if (sizes.length < 2 || sizes[sizes.length - 1] !== 1) {
    throw new Error(`network sizes must run from the inputs to one output, got [${sizes.join(', ')}]`);
  }
  checkParamsFit(sizes, params, 'tfjs engine');
}

/** A batch holds its n targets (the first n are used). */
function checkTargets(batch: Batch): void {
  if (batch.y.length < batch.n) throw new Error(`batch of ${batch.n} needs ${batch.n} targets`);
}

/** xs holds n examples of `inputs` values (the first n are used). */
function checkInputs(xs: Float32Array, n: number, inputs: number): void {
  if (xs.length < n * inputs) throw new Error(`${n} examples need ${n * inputs} inputs`);
}

class TfjsEngine implements Engine {
  readonly kind = 'tfjs' as const;
  readonly network: NetworkSpec;
  readonly sgd: SgdSpec;
  /** Layer l's weights transposed, [sizes[l+1], sizes[l]]. */
  private readonly weights: tf.Variable<tf.Rank.R2>[] = [];
  /** Layer l's biases as a column, [sizes[l+1], 1]. */
  private readonly biases: tf.Variable<tf.Rank.R2>[] = [];
  /** Momentum buffers, one per variable, in the order of `trainables`; empty when momentum is 0. */
  private readonly velocities: tf.Variable[] = [];
  private readonly trainables: tf.Variable[] = [];
  private readonly momentum: tf.Scalar;
  /** Layer outputs kept for the backward pass of the current step (see Retain in dense.ts). */
  private readonly retained: tf.Tensor[] = [];
  private readonly retain: Retain = (t) => {
    this.retained.push(tf.keep(t));
  };
  /** Layer l's activation: the hidden one, the output one for the last layer. */
  private readonly activations: LayerActivation[];
  private disposed = false;
  /** Kernel calls of the explicit step, or null where the autodiff step runs (see the file comment). */
  private readonly calls: KernelCalls | null;

  constructor(network: NetworkSpec, sgd: SgdSpec, params: Params, route: TfjsRoute) {
    checkParams(network, params);
    this.network = { ...network, sizes: [...network.sizes] };
    this.sgd = { ...sgd };
    const sizes = this.network.sizes;
    // Variables are left unnamed: names are global to the TensorFlow.js engine, and several
    // engines may live in one process. tidy frees the initial tensors, not the variables.
    tf.tidy(() => {
      for (let l = 0; l + 1 < sizes.length; l++) {
        this.weights.push(tf.variable(tf.tensor2d(transposed(params.weights[l], sizes[l], sizes[l + 1]), [sizes[l + 1], sizes[l]])));
        this.biases.push(tf.variable(tf.tensor2d(params.biases[l], [sizes[l + 1], 1])));
        this.trainables.push(this.weights[l], this.biases[l]);
      }
      if (sgd.momentum > 0) {
        for (const v of this.trainables) this.velocities.push(tf.variable(tf.zerosLike(v), false));
      }
    });
    this.momentum = tf.keep(tf.scalar(sgd.momentum));
    this.activations = this.weights.map((_, l) => (l + 1 < this.weights.length ? network.hiddenActivation : network.outputActivation));
    this.calls =
      route === 'auto' && sgd.gradientNormalisation !== 'layer' && supportsExplicitStep(this.activations) ? new KernelCalls() : null;
  }

  /**
   * Gradients of the loss (of lr x loss when `scaled`) as lossGrads, by the explicit backward
   * pass. The handles are owned by `calls`: release them after use.
   */
  private explicitGrads(calls: KernelCalls, batch: Batch, scaled: boolean): tf.TensorInfo[] {
    const n = batch.n;
    const inputs = this.network.sizes[0];
    checkTargets(batch);
    checkInputs(batch.x, n, inputs);
    const layout = layoutFor(n);
    const x = calls.upload(batch.x.subarray(0, n * inputs), [n, inputs]);
    const y = calls.upload(batch.y.subarray(0, n), layout === 'feature' ? [1, n] : [n, 1]);
    const scale = calls.upload(new Float32Array([(2 * (scaled ? this.sgd.learningRate : 1)) / n]), []);
    return explicitGradients(calls, { weights: this.weights, biases: this.biases, activations: this.activations }, layout, x, y, scale);
  }

  private explicitStep(calls: KernelCalls, batch: Batch): void {
    try {
      const grads = this.explicitGrads(calls, batch, true);
      this.trainables.forEach((v, i) => {
        if (this.velocities.length > 0) {
          const velocity = this.velocities[i];
          calls.assign(velocity, calls.add(calls.mul(this.momentum, velocity), grads[i]));
          calls.assign(v, calls.sub(v, velocity));
        } else {
          calls.assign(v, calls.sub(v, grads[i]));
        }
      });
    } finally {
      calls.release();
    }
  }

  /**
   * The network's output for a batch: [1, n] feature-major, [n, 1] row-major. Must run inside a
   * tidy. With `retain` (training steps), layer outputs are kept for the backward pass until
   * disposeRetained().
   */
  private forward(b: UploadedInputs, retain?: Retain): tf.Tensor2D {
    let a = denseOnDataLayer(b.layout, b.x, b.xT, this.weights[0], this.biases[0], this.activations[0], retain);
    for (let l = 1; l < this.weights.length; l++) {
      a =
        b.layout === 'feature'
          ? denseFeatureMajor(a, this.weights[l], this.biases[l], this.activations[l], retain)
          : denseRowMajor(a, this.weights[l], this.biases[l], this.activations[l], retain);
    }
    return a;
  }

  /**
   * Mean over the batch of (output - target)^2, no 1/2, as one op whose gradient is
   * (output - target) x `scale` (2/n, or 2·lr/n for a step: then the gradients come out as
   * lr x gradient, and no extra op scales the loss): fewer kernels per step than the stock ops'
   * tape (which matters at batch size 1, where a step is dominated by the per-kernel cost). The
   * difference is retained for the gradient rather than saved (copied).
   */
  private loss(b: Uploaded, scale: tf.Scalar): tf.Scalar {
    const { y } = b;
    const mse = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const out = args[0] as tf.Tensor2D;
      const diff = k.sub(out, y);
      this.retain(diff);
      return { value: k.meanAll(k.square(diff)), gradFunc: (dy: tf.Tensor) => k.mul(diff, k.mul(dy, scale)) };
    }) as unknown as (out: tf.Tensor2D) => tf.Scalar;
    return mse(this.forward(b, this.retain));
  }

  private disposeRetained(): void {
    for (const t of this.retained) t.dispose();
    this.retained.length = 0;
  }

  /** Must run inside a tidy. The layout follows the batch size alone, so runs are reproducible. */
  private upload(batch: Batch, layout: Layout = layoutFor(batch.n)): Uploaded {
    checkTargets(batch);
    const y = batch.y.subarray(0, batch.n);
    return {
      ...this.uploadInputs(batch.x, batch.n, layout),
      y: layout === 'feature' ? tf.tensor2d(y, [1, batch.n]) : tf.tensor2d(y, [batch.n, 1]),
    };
  }

  /** The first n examples of x on the backend. Must run inside a tidy. */
  private uploadInputs(xs: Float32Array, n: number, layout: Layout): UploadedInputs {
    const inputs = this.network.sizes[0];
    checkInputs(xs, n, inputs);
    const x = tf.tensor2d(xs.subarray(0, n * inputs), [n, inputs]);
    // Not a reshape even for one example, where xT holds the same numbers: the wasm matMul caches
    // its packed second operand by data id, and a reshape shares x's, so the weight gradient's
    // product (dz·x) would reuse xT's packing (measured: wrong gradients at batch 1).
    const xT = layout === 'feature' ? k.transpose(x) : null;
    return { layout, x, xT };
  }

  /**
   * Gradients of the loss (of lr x loss when `scaled`) with respect to [Wt1, b1, Wt2, b2, ...]
   * (the variables' layouts). Must run inside a tidy; the caller then calls disposeRetained().
   */
  private lossGrads(b: Uploaded, scaled: boolean): tf.Tensor[] {
    // The loss gradient's factor, 2/n or 2·lr/n, made outside the differentiated function so that it outlives it.
    const scale = tf.scalar((2 * (scaled ? this.sgd.learningRate : 1)) / b.y.size);
    const { grads } = tf.variableGrads(() => this.loss(b, scale), this.trainables);
    return this.trainables.map((v) => grads[v.name]);
  }

  step(batch: Batch): void {
    this.assertLive();
    if (this.calls) {
      this.explicitStep(this.calls, batch);
      return;
    }
    try {
      tf.tidy(() => {
        // Gradients of lr x loss: already lr x gradient, so the update is one op per variable.
        const scaled = this.lossGrads(this.upload(batch), true);
        const grads = this.sgd.gradientNormalisation === 'layer' ? normalisePerLayer(scaled, tf.scalar(this.sgd.learningRate)) : scaled;
        this.trainables.forEach((v, i) => {
          if (this.velocities.length > 0) {
            const velocity = this.velocities[i];
            velocity.assign(tf.add(tf.mul(this.momentum, velocity), grads[i]));
            v.assign(k.sub(v, velocity));
          } else {
            v.assign(k.sub(v, grads[i]));
          }
        });
      });
    } finally {
      this.disposeRetained();
    }
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
        const b = this.upload({ x: x.subarray(start * inputs), y: y.subarray(start), n: rows }, 'row');
        const out = this.forward(b);
        const squaredError = tf.sum(tf.squaredDifference(out, b.y));
        const threshold = decisionThreshold(this.sgd.targets);
        const hits = tf.sum(tf.cast(tf.equal(tf.greater(out, threshold), tf.greater(b.y, threshold)), 'float32'));
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
    if (x.length < n * inputs) throw new Error(`predicting ${n} examples needs ${n * inputs} inputs`);
    // Row-major, in chunks like evaluate: the outputs are [n, 1], i.e. one number per example.
    const out = new Float32Array(n);
    for (let start = 0; start < n; start += EVAL_CHUNK) {
      const rows = Math.min(EVAL_CHUNK, n - start);
      // Copied out inside tidy rather than returned from it: tidy walks a returned typed array element by element.
      tf.tidy(() => {
        const part = this.forward(this.uploadInputs(x.subarray(start * inputs), rows, 'row')).dataSync() as Float32Array;
        out.set(part.subarray(0, rows), start);
      });
    }
    return out;
  }

  gradients(batch: Batch): Params {
    this.assertLive();
    let flat: Float32Array[] = [];
    if (this.calls) {
      const calls = this.calls;
      try {
        flat = this.explicitGrads(calls, batch, false).map((g) => calls.read(g));
      } finally {
        calls.release();
      }
      return this.fromFlat(flat);
    }
    try {
      // The arrays are taken out by assignment, not returned from tidy: tidy walks whatever it
      // returns looking for tensors, element by element (measured: 0.4 s per call for 175,000 numbers).
      tf.tidy(() => {
        flat = this.lossGrads(this.upload(batch), false).map((g) => g.dataSync() as Float32Array);
      });
      return this.fromFlat(flat);
    } finally {
      this.disposeRetained();
    }
  }

  getParams(): Params {
    this.assertLive();
    return this.fromFlat(this.trainables.map((v) => v.dataSync() as Float32Array));
  }

  setParams(p: Params): void {
    this.assertLive();
    checkParamsFit(this.network.sizes, p, 'tfjs engine');
    const sizes = this.network.sizes;
    tf.tidy(() => {
      for (let l = 0; l < this.weights.length; l++) {
        this.weights[l].assign(tf.tensor2d(transposed(p.weights[l], sizes[l], sizes[l + 1]), [sizes[l + 1], sizes[l]]));
        this.biases[l].assign(tf.tensor2d(p.biases[l], [sizes[l + 1], 1]));
      }
      for (const v of this.velocities) v.assign(tf.zerosLike(v));
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const v of [...this.trainables, ...this.velocities]) v.dispose();
    this.momentum.dispose();
  }

  /** Interleaved [Wt1, b1, Wt2, b2, ...] arrays (variable layouts) back into the Params layout (copied). */
  private fromFlat(flat: Float32Array[]): Params {
    const sizes = this.network.sizes;
    const weights: Float32Array[] = [];
    const biases: Float32Array[] = [];
    for (let l = 0; l < this.weights.length; l++) {
      weights.push(transposed(flat[2 * l], sizes[l + 1], sizes[l]));
      biases.push(flat[2 * l + 1].slice());
    }
    return { sizes: [...this.network.sizes], weights, biases };
  }

  private assertLive(): void {
    if (this.disposed) throw new Error('this engine has been disposed');
  }
}

/**
 * How a step is computed: 'auto' the explicit step where it applies (the file comment),
 * 'autodiff' always tf.variableGrads (the same numbers; for the tests that hold the two together).
 */
export type TfjsRoute = 'auto' | 'autodiff';

/** A TensorFlow.js engine starting from `params` (copied onto the backend). */
export function createTfjsEngine(network: NetworkSpec, sgd: SgdSpec, params: Params, route: TfjsRoute = 'auto'): Engine {
  return new TfjsEngine(network, sgd, params, route);
}
