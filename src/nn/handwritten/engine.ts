/**
 * The hand-written engine: a fully connected network, its forward pass, backpropagation of
 * the squared error and SGD, written from scratch over typed arrays, with no tensor library.
 *
 * It is the from-scratch version a learner can set beside the TensorFlow.js engine
 * (src/nn/tfjs/engine.ts): both implement `Engine` (src/nn/engine.ts), start from the
 * same `Params` and follow the same conventions, so `compare` can check that they compute the
 * same numbers.
 *
 * Notation used in the comments (one batch of n examples, layer k maps fanIn -> fanOut inputs):
 *   a_0        = x                          the batch of inputs, [n, sizes[0]]
 *   z_k        = a_k W_k + b_k              pre-activations of layer k, [n, fanOut]
 *   a_{k+1}    = f_k(z_k)                   its outputs (f = hidden activation, or the output's)
 *   L          = (1/n) sum_r (a_L[r] - y[r])^2     the loss: mean squared error, no 1/2
 *   delta_k    = dL/dz_k                    [n, fanOut], what backpropagation carries backwards
 * Backpropagation is then four equations:
 *   (1) delta_{L-1}  = 2 (a_L - y) / n  *  f'(z_{L-1})                       at the output
 *   (2) dL/dW_k      = a_k^T delta_k        i.e. sum_r a_k[r,i] delta_k[r,j]
 *   (3) dL/db_k      = sum_r delta_k[r,:]
 *   (4) delta_{k-1}  = (delta_k W_k^T)  *  f'(z_{k-1})                         going one layer down
 * and SGD: v = momentum v + dL/dW; W -= learningRate v (momentum 0: W -= learningRate dL/dW).
 *
 * Every f' is written in terms of the layer's OUTPUT a = f(z), so only outputs are stored
 * (sigmoid' = a (1 - a), tanh' = 1 - a^2, ...): each activation's kernels are its entry's
 * `handwritten` loops in src/config/activations.ts. At a kink the derivative taken is 0, the
 * convention of TensorFlow.js's relu gradient (tf.step(0) = 0).
 *
 * Gradient normalisation 'layer' (src/nn/engine.ts) needs a layer's whole gradient before its
 * update, so it takes the unfused path: dL/dW_k and dL/db_k stored, scaled by 1/norm, applied.
 *
 * Speed. A matrix is a row-major Float32Array: W_k[i * fanOut + j] is the weight from input i
 * to neuron j (the layout of src/nn/params.ts). Every inner loop runs over j, so it walks
 * memory contiguously, and takes several rows at once (four inputs and two examples in the
 * forward pass, four examples in the weight gradient) so each number loaded serves several
 * multiply-adds. For batches up to GRADIENT_BLOCK examples the weight gradient is applied to W
 * row by row as it is computed, so a step reads and writes the first layer's 614 KB of weights
 * once instead of storing a gradient matrix and reading it back.
 *
 * Online SGD (batch 1, no momentum, normalisation 'none', float32, and activations it implements:
 * sigmoid, relu, tanh, linear) runs as one call per step of a separate single-precision kernel
 * (online-step.ts: every layer's forward pass, backpropagation and update in WebAssembly SIMD, a
 * plain TypeScript kernel beside it giving the same bits). Its numbers are float32 sums, as
 * PyTorch's, not the double sums of the rest of this file: the same SGD to float32 tolerance
 * (spec/torch-reference.spec.ts pins both). While it runs, the parameters live in its memory;
 * anything else that reads them (forward, getParams) copies them back first.
 * Other online SGD (relu-clipped, relu-scaled) takes the general path, where the first layer's
 * update (the outer product W_0 -= lr a_0^T delta_0, 88 % of the step's weights) is deferred to
 * the next forward pass, which applies each row while it reads it (descendThenAffine), so that
 * layer's weights are read and written once per step instead of twice; the arithmetic is
 * unchanged, bit for bit. That loop, and the first layer's forward product for batches above one,
 * run in WebAssembly SIMD (first-layer.wat, four columns per instruction), the plain kernels they
 * must equal beside them (kernels.ts).
 * forward() and getParams() apply a pending update first; setParams() forgets it. All buffers are allocated once,
 * for the largest batch seen; a step allocates nothing. The first layer's input gradient (dL/dx)
 * is never computed: nothing needs it.
 *
 * Precision. The same code runs on Float32Array (the engine: the numbers TensorFlow.js
 * computes) or Float64Array (what the finite-difference check in gradcheck.ts needs to have
 * exact enough differences); see `HandwrittenMlp`.
 */
import { checkParamsFit, type Params } from '../params.js';
import type { Batch, Engine, Evaluation, NetworkSpec, SgdSpec } from '../engine.js';
import { activationSpec, type ActivationSpec } from '../../config/activations.js';
import { decisionThreshold } from '../targets.js';
import { affine, descendThenAffine, type FloatArray } from './kernels.js';
import { FirstLayerSimd } from './first-layer-simd.js';
import { OnlineStep } from './online-step.js';

export type Precision = 'float32' | 'float64';

/** Evaluation and prediction run through the network this many examples at a time (bounded memory). */
const EVAL_CHUNK = 1000;
/**
 * Examples per block in the weight-gradient product (a multiple of 4). Up to this batch size
 * the gradient is applied to the weights row by row, as it is computed.
 */
const GRADIENT_BLOCK = 64;

/** An activation's kernels (its entry in src/config/activations.ts), looked up once per layer. */
type ActivationKernel = ActivationSpec['handwritten'];

/**
 * The network itself: parameters, gradients, optimizer state and per-batch buffers, in the
 * chosen precision. `createHandwrittenEngine` wraps a float32 one as an `Engine`; the
 * gradient check drives a float64 one directly.
 */
export class HandwrittenMlp {
  readonly sizes: readonly number[];
  readonly layerCount: number;
  readonly precision: Precision;
  /** W_k and b_k, in the Params layout (stale while the online step holds them: read them through getParams()). */
  readonly weights: FloatArray[];
  readonly biases: FloatArray[];
  /** dL/dW_k and dL/db_k of the last `computeGradients` (a fused SGD step leaves weightGrads unused). */
  readonly weightGrads: FloatArray[];
  readonly biasGrads: FloatArray[];
  /** Momentum velocities, allocated only when momentum > 0. */
  private weightVelocity: FloatArray[] = [];
  private biasVelocity: FloatArray[] = [];

  private readonly activation: ActivationKernel[];
  /** outputs[k] = a_{k+1}, the outputs of layer k, [capacity, sizes[k+1]]. */
  private outputs: FloatArray[] = [];
  /** deltas[k] = delta_k = dL/dz_k, [capacity, sizes[k+1]]. */
  private deltas: FloatArray[] = [];
  /** One row of dL/dW_k, for the fused gradient-and-update of small batches. */
  private readonly gradientRowBuffer: FloatArray;
  /**
   * The first layer's deferred online-SGD update, W_0 -= pendingRate * pendingInput^T deltas[0]
   * (pendingRate 0: none). Everything that reads W_0 applies it first (forward, getParams).
   */
  private pendingRate = 0;
  private readonly pendingInput: FloatArray;
  /** The online hot loop in WebAssembly SIMD (same numbers); null in float64 or without WebAssembly SIMD. */
  private readonly simd: FirstLayerSimd | null;
  /**
   * The whole online step in single precision (online-step.ts), for float32 and the activations it
   * implements; null otherwise. While `onlineResident` the parameters live in its memory, and
   * `weights`/`biases` are stale until leaveOnline() copies them back.
   */
  private readonly onlineStep: OnlineStep | null;
  private onlineResident = false;
  /** Largest batch the buffers hold. */
  private capacity = 0;
  private readonly makeArray: (length: number) => FloatArray;

  /**
   * `kernels: 'plain'` keeps the first layer and the online step in TypeScript (same numbers; for
   * tests and timing).
   */
  constructor(network: NetworkSpec, params: Params, precision: Precision = 'float32', kernels: 'simd' | 'plain' = 'simd') {
    checkParamsFit(network.sizes, params, 'handwritten engine');
    this.sizes = [...network.sizes];
    this.layerCount = this.sizes.length - 1;
    this.precision = precision;
    this.makeArray = precision === 'float32' ? (n) => new Float32Array(n) : (n) => new Float64Array(n);
    this.activation = [];
    for (let k = 0; k < this.layerCount; k++) {
      const last = k === this.layerCount - 1;
      this.activation.push(activationSpec(last ? network.outputActivation : network.hiddenActivation).handwritten);
    }
    // float32: the first layer's weights live in the WebAssembly kernel's memory (first-layer-simd.ts).
    this.simd = precision === 'float32' && kernels === 'simd' ? FirstLayerSimd.create(this.sizes[0], this.sizes[1]) : null;
    this.weights = params.weights.map((w, k) => (k === 0 && this.simd ? this.simd.weights : this.makeArray(w.length)));
    this.weights.forEach((w, k) => w.set(params.weights[k]));
    this.biases = params.biases.map((b) => this.copyOf(b));
    this.weightGrads = params.weights.map((w) => this.makeArray(w.length));
    this.biasGrads = params.biases.map((b) => this.makeArray(b.length));
    this.gradientRowBuffer = this.makeArray(Math.max(...this.sizes.slice(1)));
    this.pendingInput = this.simd ? this.simd.pendingInput : this.makeArray(this.sizes[0]);
    this.onlineStep =
      precision === 'float32' ? OnlineStep.create(this.sizes, network.hiddenActivation, network.outputActivation, kernels) : null;
  }

  /** Replaces the parameters (copying them) and forgets the momentum. */
  setParams(params: Params): void {
    checkParamsFit(this.sizes, params, 'handwritten engine');
    this.onlineResident = false; // its parameters are replaced
    for (let k = 0; k < this.layerCount; k++) {
      this.weights[k].set(params.weights[k]);
      this.biases[k].set(params.biases[k]);
    }
    for (const v of this.weightVelocity) v.fill(0);
    for (const v of this.biasVelocity) v.fill(0);
    this.pendingRate = 0; // the deferred update belonged to the replaced weights
  }

  /** The parameters as float32 Params (a copy). */
  getParams(): Params {
    this.leaveOnline();
    this.applyPendingUpdate();
    return {
      sizes: [...this.sizes],
      weights: this.weights.map((w) => Float32Array.from(w)),
      biases: this.biases.map((b) => Float32Array.from(b)),
    };
  }

  /**
   * Forward pass: a_{k+1} = f_k(a_k W_k + b_k) for every layer. Returns the network's
   * outputs a_L, [n] (a view into an internal buffer, valid until the next call).
   */
  forward(x: Float32Array, n: number): FloatArray {
    // The first layer's deferred update is applied here: fused with this pass for one example,
    // before it otherwise (and before ensureCapacity, which may replace the delta it reads).
    this.leaveOnline();
    const fuse = this.pendingRate !== 0 && n === 1;
    if (!fuse) this.applyPendingUpdate();
    this.ensureCapacity(n);
    let input: FloatArray = x;
    for (let k = 0; k < this.layerCount; k++) {
      const out = this.outputs[k];
      // z_k = a_k W_k + b_k ...
      if (k === 0 && fuse) {
        const [d, lr, b] = [this.deltas[0], this.pendingRate, this.biases[0]];
        if (this.simd) this.simd.descendThenAffine(d, lr, b, x, out);
        else descendThenAffine(this.pendingInput, d, lr, this.weights[0] as Float32Array, b, x, out, this.sizes[0], this.sizes[1]);
        this.pendingRate = 0;
      } else if (k === 0 && this.simd) {
        this.simd.affine(input, this.biases[0], out, n);
      } else {
        affine(input, this.weights[k], this.biases[k], out, n, this.sizes[k], this.sizes[k + 1]);
      }
      // ... a_{k+1} = f_k(z_k), in place.
      this.activation[k].activate(out, n * this.sizes[k + 1]);
      input = out;
    }
    return input.subarray(0, n);
  }

  /**
   * Backpropagation after `forward(x, n)`: fills weightGrads and biasGrads with dL/dW_k and
   * dL/db_k of L = mean_r (a_L[r] - y[r])^2. When `sgd` is given, also applies the SGD
   * update layer by layer, as soon as a layer's gradients are known and its weights are no
   * longer needed by equation (4).
   */
  backward(x: Float32Array, y: Float32Array, n: number, sgd?: SgdSpec): void {
    const L = this.layerCount;
    const out = this.outputs[L - 1];
    const outWidth = this.sizes[L];
    // (1) at the output: dL/da_L = 2 (a_L - y) / n, times f'(z) expressed through a_L.
    const dOut = this.deltas[L - 1];
    const scale = 2 / n;
    for (let r = 0; r < n * outWidth; r++) dOut[r] = scale * (out[r] - y[r]);
    this.activation[L - 1].multiplyByDerivative(dOut, out, n * outWidth);

    for (let k = L - 1; k >= 0; k--) {
      const fanIn = this.sizes[k];
      const fanOut = this.sizes[k + 1];
      const input: FloatArray = k === 0 ? x : this.outputs[k - 1];
      const delta = this.deltas[k];
      // (4) delta_{k-1} = (delta_k W_k^T) * f'(z_{k-1}), computed while W_k is still unchanged.
      //     Skipped for the first layer: dL/dx is of no use.
      if (k > 0) {
        const below = this.deltas[k - 1];
        multiplyByTranspose(delta, this.weights[k], below, n, fanIn, fanOut);
        this.activation[k - 1].multiplyByDerivative(below, input, n * fanIn);
      }
      // (3) dL/db_k = sum over the batch of delta_k.
      sumRows(delta, this.biasGrads[k], n, fanOut);
      const normalise = sgd?.gradientNormalisation === 'layer';
      if (k === 0 && sgd && n === 1 && sgd.momentum === 0 && !normalise && this.precision === 'float32') {
        // Online SGD: the first layer's update W -= lr a_0^T delta_0 is deferred to the next
        // forward pass, which applies it while reading W anyway (see the header).
        this.pendingInput.set(x.subarray(0, fanIn));
        this.pendingRate = sgd.learningRate;
        descend(this.biases[0], this.biasGrads[0], sgd.learningRate);
      } else if (sgd && n <= GRADIENT_BLOCK && !normalise) {
        // (2) and the update at once, row by row (weightGrads[k] is left untouched).
        this.descendFused(k, input, n, sgd);
      } else {
        // (2) dL/dW_k = a_k^T delta_k, then the update if asked.
        transposeTimes(input, delta, this.weightGrads[k], n, fanIn, fanOut);
        if (normalise) scaleToUnitNorm(this.weightGrads[k], this.biasGrads[k]);
        if (sgd) this.update(k, sgd);
      }
    }
  }

  /** One SGD step on a batch: forward, backward, update. */
  step(batch: Batch, sgd: SgdSpec): void {
    const plainSgd = sgd.momentum === 0 && (sgd.gradientNormalisation ?? 'none') === 'none';
    if (this.onlineStep && batch.n === 1 && plainSgd) {
      if (!this.onlineResident) {
        this.applyPendingUpdate();
        this.onlineStep.load(this.weights, this.biases);
        this.onlineResident = true;
      }
      this.onlineStep.step(batch.x, batch.y[0], sgd.learningRate);
      return;
    }
    this.forward(batch.x, batch.n);
    this.backward(batch.x, batch.y, batch.n, sgd);
  }

  /** dL/dW and dL/db of the batch's loss at the current parameters, without updating them. */
  computeGradients(batch: Batch): { weights: FloatArray[]; biases: FloatArray[] } {
    this.forward(batch.x, batch.n);
    this.backward(batch.x, batch.y, batch.n);
    return { weights: this.weightGrads, biases: this.biasGrads };
  }

  /**
   * Sum of squared errors and number of correct classifications over n examples (output >
   * threshold = positive, the targets' midpoint), accumulated in float64, in chunks so memory
   * stays bounded.
   */
  errorTotals(x: Float32Array, y: Float32Array, n: number, threshold = 0.5): { sumSquaredError: number; correct: number } {
    const inputs = this.sizes[0];
    let sumSquaredError = 0;
    let correct = 0;
    const chunk = Math.max(this.capacity, Math.min(n, EVAL_CHUNK));
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      const out = this.forward(x.subarray(start * inputs, (start + m) * inputs), m);
      for (let r = 0; r < m; r++) {
        const target = y[start + r];
        const e = out[r] - target;
        sumSquaredError += e * e;
        if (out[r] > threshold === target > threshold) correct++;
      }
    }
    return { sumSquaredError, correct };
  }

  /** Outputs for n examples, as a fresh Float32Array. */
  predict(x: Float32Array, n: number): Float32Array {
    const inputs = this.sizes[0];
    const result = new Float32Array(n);
    const chunk = Math.max(this.capacity, Math.min(n, EVAL_CHUNK));
    for (let start = 0; start < n; start += chunk) {
      const m = Math.min(chunk, n - start);
      result.set(this.forward(x.subarray(start * inputs, (start + m) * inputs), m), start);
    }
    return result;
  }

  /** SGD on layer k from weightGrads/biasGrads: v = m v + g; W -= lr v (or W -= lr g without momentum). */
  private update(k: number, sgd: SgdSpec): void {
    const { learningRate, momentum } = sgd;
    if (momentum === 0) {
      descend(this.weights[k], this.weightGrads[k], learningRate);
      descend(this.biases[k], this.biasGrads[k], learningRate);
      return;
    }
    this.ensureVelocity();
    descendWithMomentum(this.weights[k], this.weightVelocity[k], this.weightGrads[k], learningRate, momentum);
    descendWithMomentum(this.biases[k], this.biasVelocity[k], this.biasGrads[k], learningRate, momentum);
  }

  /** Equation (2) fused with the update of layer k (small batches), and the bias update. */
  private descendFused(k: number, input: FloatArray, n: number, sgd: SgdSpec): void {
    const { learningRate, momentum } = sgd;
    if (momentum !== 0) this.ensureVelocity();
    const wv = momentum === 0 ? null : this.weightVelocity[k];
    descendRowByRow(
      input,
      this.deltas[k],
      this.weights[k],
      wv,
      this.gradientRowBuffer,
      n,
      this.sizes[k],
      this.sizes[k + 1],
      learningRate,
      momentum,
    );
    if (momentum === 0) descend(this.biases[k], this.biasGrads[k], learningRate);
    else descendWithMomentum(this.biases[k], this.biasVelocity[k], this.biasGrads[k], learningRate, momentum);
  }

  /** Copies the parameters back from the online step's memory, if they live there. */
  private leaveOnline(): void {
    if (!this.onlineResident || !this.onlineStep) return;
    this.onlineStep.store(this.weights, this.biases);
    this.onlineResident = false;
  }

  /** Applies the first layer's deferred update, if any (the same arithmetic as when not deferred). */
  private applyPendingUpdate(): void {
    if (this.pendingRate === 0) return;
    descendOnOuterProduct(
      this.pendingInput,
      this.deltas[0],
      this.weights[0] as Float32Array,
      this.sizes[0],
      this.sizes[1],
      this.pendingRate,
    );
    this.pendingRate = 0;
  }

  private ensureVelocity(): void {
    if (this.weightVelocity.length > 0) return;
    this.weightVelocity = this.weights.map((w) => this.makeArray(w.length));
    this.biasVelocity = this.biases.map((b) => this.makeArray(b.length));
  }

  /** Grows the per-batch buffers to hold n examples; the only allocation after construction. */
  private ensureCapacity(n: number): void {
    if (n <= this.capacity) return;
    this.outputs = [];
    this.deltas = [];
    for (let k = 0; k < this.layerCount; k++) {
      this.outputs.push(this.makeArray(n * this.sizes[k + 1]));
      this.deltas.push(this.makeArray(n * this.sizes[k + 1]));
    }
    this.capacity = n;
  }

  private copyOf(a: Float32Array): FloatArray {
    const c = this.makeArray(a.length);
    c.set(a);
    return c;
  }
}

/** The hand-written engine, in float32 like TensorFlow.js. */
export function createHandwrittenEngine(network: NetworkSpec, sgd: SgdSpec, params: Params): Engine {
  const mlp = new HandwrittenMlp(network, params, 'float32');
  const sgdSpec: SgdSpec = { ...sgd };
  const threshold = decisionThreshold(sgd.targets);
  const inputs = network.sizes[0];
  const checkBatch = (x: Float32Array, y: Float32Array | null, n: number): void => {
    if (!(Number.isInteger(n) && n >= 1)) throw new RangeError(`handwritten engine: batch size must be a positive integer, got ${n}`);
    if (x.length < n * inputs) throw new RangeError(`handwritten engine: x holds ${x.length} numbers, ${n} examples need ${n * inputs}`);
    if (y && y.length < n) throw new RangeError(`handwritten engine: y holds ${y.length} targets, ${n} examples need ${n}`);
  };
  return {
    kind: 'handwritten',
    network: { sizes: [...network.sizes], hiddenActivation: network.hiddenActivation, outputActivation: network.outputActivation },
    step(batch: Batch): void {
      checkBatch(batch.x, batch.y, batch.n);
      mlp.step(batch, sgdSpec);
    },
    evaluate(x: Float32Array, y: Float32Array, n: number): Evaluation {
      checkBatch(x, y, n);
      const { sumSquaredError, correct } = mlp.errorTotals(x, y, n, threshold);
      return { loss: sumSquaredError / n, accuracy: correct / n };
    },
    predict(x: Float32Array, n: number): Float32Array {
      checkBatch(x, null, n);
      return mlp.predict(x, n);
    },
    gradients(batch: Batch): Params {
      checkBatch(batch.x, batch.y, batch.n);
      const g = mlp.computeGradients(batch);
      return {
        sizes: [...mlp.sizes],
        weights: g.weights.map((w) => Float32Array.from(w)),
        biases: g.biases.map((b) => Float32Array.from(b)),
      };
    },
    getParams: () => mlp.getParams(),
    setParams: (p: Params) => mlp.setParams(p),
    dispose(): void {
      // Plain typed arrays: the garbage collector frees them once the engine is dropped.
    },
  };
}

// ---------------------------------------------------------------------------------------------
// The kernels. Each is a plain loop nest over row-major arrays; the innermost loop runs over the
// contiguous index (j, a neuron of the layer's output, except in the dot products of equation
// (4)), and is unrolled over a few rows so one pass over memory serves several of them.
// Products are summed in JavaScript numbers (float64) within a group and rounded to the array's
// precision when stored.
// ---------------------------------------------------------------------------------------------

/**
 * Equation (4) without f': below[r, i] = sum_j delta[r, j] W[i, j] (delta W^T), for delta
 * [n, fanOut], W [fanIn, fanOut]. Each is a dot product of a delta row with a weight row, both
 * contiguous.
 */
function multiplyByTranspose(delta: FloatArray, W: FloatArray, below: FloatArray, n: number, fanIn: number, fanOut: number): void {
  let r = 0;
  for (; r + 4 <= n; r += 4) {
    const d0 = r * fanOut,
      d1 = d0 + fanOut,
      d2 = d1 + fanOut,
      d3 = d2 + fanOut;
    const b0 = r * fanIn;
    for (let i = 0; i < fanIn; i++) {
      const w = i * fanOut;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let j = 0; j < fanOut; j++) {
        const wij = W[w + j];
        s0 += delta[d0 + j] * wij;
        s1 += delta[d1 + j] * wij;
        s2 += delta[d2 + j] * wij;
        s3 += delta[d3 + j] * wij;
      }
      below[b0 + i] = s0;
      below[b0 + fanIn + i] = s1;
      below[b0 + 2 * fanIn + i] = s2;
      below[b0 + 3 * fanIn + i] = s3;
    }
  }
  for (; r < n; r++) {
    const d = r * fanOut;
    const b = r * fanIn;
    for (let i = 0; i < fanIn; i++) {
      const w = i * fanOut;
      let s = 0;
      for (let j = 0; j < fanOut; j++) s += delta[d + j] * W[w + j];
      below[b + i] = s;
    }
  }
}

/** Equation (3): g[j] = sum_r delta[r, j]. */
function sumRows(delta: FloatArray, g: FloatArray, n: number, width: number): void {
  for (let j = 0; j < width; j++) g[j] = delta[j];
  for (let r = 1; r < n; r++) {
    const d = r * width;
    for (let j = 0; j < width; j++) g[j] += delta[d + j];
  }
}

/**
 * One row of equation (2): dest[j] (+)= sum_{r0 <= r < r1} a[r, i] delta[r, j], the gradient of
 * the weights leaving input i. Examples are added four at a time (one pass over dest per four);
 * the grouping depends only on r0, so any split of the batch into blocks of a multiple of four
 * examples gives bit-identical sums. `overwrite` starts the row instead of adding to it.
 */
function gradientRow(
  a: FloatArray,
  delta: FloatArray,
  r0: number,
  r1: number,
  fanIn: number,
  fanOut: number,
  i: number,
  dest: FloatArray,
  at: number,
  overwrite: boolean,
): void {
  let r = r0;
  if (overwrite) {
    // The first group (up to four examples) initialises the row.
    const x0 = a[r * fanIn + i];
    const d0 = r * fanOut;
    if (r + 4 <= r1) {
      const x1 = a[(r + 1) * fanIn + i],
        x2 = a[(r + 2) * fanIn + i],
        x3 = a[(r + 3) * fanIn + i];
      const d1 = d0 + fanOut,
        d2 = d1 + fanOut,
        d3 = d2 + fanOut;
      for (let j = 0; j < fanOut; j++) {
        dest[at + j] = x0 * delta[d0 + j] + x1 * delta[d1 + j] + x2 * delta[d2 + j] + x3 * delta[d3 + j];
      }
      r += 4;
    } else {
      for (let j = 0; j < fanOut; j++) dest[at + j] = x0 * delta[d0 + j];
      r += 1;
    }
  }
  for (; r + 4 <= r1; r += 4) {
    const x0 = a[r * fanIn + i],
      x1 = a[(r + 1) * fanIn + i],
      x2 = a[(r + 2) * fanIn + i],
      x3 = a[(r + 3) * fanIn + i];
    const d0 = r * fanOut,
      d1 = d0 + fanOut,
      d2 = d1 + fanOut,
      d3 = d2 + fanOut;
    for (let j = 0; j < fanOut; j++) {
      dest[at + j] += x0 * delta[d0 + j] + x1 * delta[d1 + j] + x2 * delta[d2 + j] + x3 * delta[d3 + j];
    }
  }
  for (; r < r1; r++) {
    const x = a[r * fanIn + i];
    const d = r * fanOut;
    for (let j = 0; j < fanOut; j++) dest[at + j] += x * delta[d + j];
  }
}

/**
 * Equation (2) for a whole layer: G = a^T delta, for a [n, fanIn], delta [n, fanOut]. The batch
 * is cut into blocks of GRADIENT_BLOCK examples so the block's delta rows stay in the L1 cache
 * while every row of G takes their contribution.
 */
function transposeTimes(a: FloatArray, delta: FloatArray, G: FloatArray, n: number, fanIn: number, fanOut: number): void {
  for (let r0 = 0; r0 < n; r0 += GRADIENT_BLOCK) {
    const r1 = Math.min(n, r0 + GRADIENT_BLOCK);
    for (let i = 0; i < fanIn; i++) gradientRow(a, delta, r0, r1, fanIn, fanOut, i, G, i * fanOut, r0 === 0);
  }
}

/**
 * Equation (2) and the SGD step fused, for a batch of at most GRADIENT_BLOCK examples: each
 * row of dL/dW is computed into `row` (a small buffer that stays in L1) and applied to W at
 * once, so W is read and written once per step and the full gradient matrix is never stored.
 * The arithmetic is that of transposeTimes + descend, so the result is bit-identical.
 */
function descendRowByRow(
  a: FloatArray,
  delta: FloatArray,
  W: FloatArray,
  velocity: FloatArray | null,
  row: FloatArray,
  n: number,
  fanIn: number,
  fanOut: number,
  lr: number,
  momentum: number,
): void {
  if (n === 1 && velocity === null && W instanceof Float32Array) {
    descendOnOuterProduct(a, delta, W, fanIn, fanOut, lr);
    return;
  }
  for (let i = 0; i < fanIn; i++) {
    gradientRow(a, delta, 0, n, fanIn, fanOut, i, row, 0, true);
    const w = i * fanOut;
    if (velocity === null) {
      for (let j = 0; j < fanOut; j++) W[w + j] -= lr * row[j];
    } else {
      for (let j = 0; j < fanOut; j++) {
        velocity[w + j] = momentum * velocity[w + j] + row[j];
        W[w + j] -= lr * velocity[w + j]; // the stored (rounded) velocity, as TensorFlow.js uses it
      }
    }
  }
}

/**
 * The commonest case, one example without momentum: dL/dW = a^T delta is the outer product
 * a[i] delta[j], so W[i, j] -= lr * a[i] delta[j], four weight rows per pass over delta.
 * (float32 only) Math.fround rounds the gradient to float32 as gradientRow's store would,
 * keeping the result bit-identical to the general path.
 */
function descendOnOuterProduct(a: FloatArray, delta: FloatArray, W: Float32Array, fanIn: number, fanOut: number, lr: number): void {
  let i = 0;
  for (; i + 4 <= fanIn; i += 4) {
    const x0 = a[i],
      x1 = a[i + 1],
      x2 = a[i + 2],
      x3 = a[i + 3];
    const w0 = i * fanOut,
      w1 = w0 + fanOut,
      w2 = w1 + fanOut,
      w3 = w2 + fanOut;
    for (let j = 0; j < fanOut; j++) {
      const d = delta[j];
      W[w0 + j] -= lr * Math.fround(x0 * d);
      W[w1 + j] -= lr * Math.fround(x1 * d);
      W[w2 + j] -= lr * Math.fround(x2 * d);
      W[w3 + j] -= lr * Math.fround(x3 * d);
    }
  }
  for (; i < fanIn; i++) {
    const x = a[i];
    const w = i * fanOut;
    for (let j = 0; j < fanOut; j++) W[w + j] -= lr * Math.fround(x * delta[j]);
  }
}

/**
 * Gradient normalisation 'layer': g_W and g_b of one layer, taken as one vector, divided by its
 * L2 norm (summed in float64); a zero gradient stays zero.
 */
function scaleToUnitNorm(gW: FloatArray, gb: FloatArray): void {
  let sumSquares = 0;
  for (let t = 0; t < gW.length; t++) sumSquares += gW[t] * gW[t];
  for (let t = 0; t < gb.length; t++) sumSquares += gb[t] * gb[t];
  if (sumSquares === 0) return;
  const norm = Math.sqrt(sumSquares);
  for (let t = 0; t < gW.length; t++) gW[t] /= norm;
  for (let t = 0; t < gb.length; t++) gb[t] /= norm;
}

/** w -= lr g. */
function descend(w: FloatArray, g: FloatArray, lr: number): void {
  for (let t = 0; t < w.length; t++) w[t] -= lr * g[t];
}

/** v = m v + g; w -= lr v. */
function descendWithMomentum(w: FloatArray, v: FloatArray, g: FloatArray, lr: number, m: number): void {
  for (let t = 0; t < w.length; t++) {
    v[t] = m * v[t] + g[t];
    w[t] -= lr * v[t]; // the stored (rounded) velocity, as TensorFlow.js uses it
  }
}
