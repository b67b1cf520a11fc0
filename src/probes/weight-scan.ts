/**
 * The loss of a whole network as ONE first-layer weight moves and every other weight stays
 * fixed, with its exact derivative from TensorFlow.js autodiff, computed without redoing the
 * first layer for every point.
 *
 * Why it can be cheap: setting W1[i, j] to v (from its original value w0, d = v - w0) changes
 * only neuron j's pre-activation, by d * x_i for each example. So for every example n the
 * first layer gives one new number, a'(n) = f(z_j(n) + d x_i(n)), and the second layer's
 * pre-activation moves by a rank-one term: Z2' = Z2 + (a' - a) W2[j, :]. Z1 and Z2 are computed
 * once per network; a sweep point then costs the layers after the second only (for the
 * 7-layer network, about 7,000 multiply-adds per example instead of 160,000 for the first
 * layer alone).
 *
 * Points are batched: a chunk of C values of the weight becomes a [C*N, width] block of rows
 * that runs through the remaining small layers at once. The chunk's values are one tensor v,
 * and tf.grad of the SUM of the C losses with respect to v gives every point's own derivative
 * in one backward pass (point p's loss depends on v[p] only).
 *
 * Losses are accumulated in float64 from the per-example squared errors (float32 from the
 * backend), so neighbouring points differ by the curve's change, not by summation noise.
 */
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types.js';
import type { Params } from '../nn/params.js';
import type { Activation, OutputActivation } from '../config/schema.js';
import { activationSpec, unitState } from '../config/activations.js';
import { activate } from '../nn/tfjs/dense.js';
import { forwardPass } from '../nn/tfjs/forward.js';

/** A network to probe: its parameters and how its layers squash (the config's activations). */
export interface ProbedNetwork {
  /** The config's name, e.g. "relu7". */
  name: string;
  activation: Activation;
  outputActivation: OutputActivation;
  params: Params;
  /** The learning rate the network was (or will be) trained with: turns distances along a sweep into SGD steps. */
  learningRate?: number;
}

/** The first-layer weight from input i to neuron j: Params.weights[0][i * fanOut + j]. */
export interface WeightRef {
  i: number;
  j: number;
}

export interface SweepResult {
  /** The weight's values, as float32 (what the network actually computed with). */
  values: Float64Array;
  /** Mean squared error over the examples at each value. */
  losses: Float64Array;
  /** d(loss)/d(weight) at each value, from tf.grad. */
  gradients: Float64Array;
  /**
   * At each value, the fractions of the examples on which the swept neuron j is active and
   * saturated (src/probes/landscape-rules.ts unitState; the rest is "off").
   */
  unitActive: Float64Array;
  unitSaturated: Float64Array;
}

/**
 * Rows (examples x points) per batch: bounds memory (about 6 float32 tensors of rows x width live at
 * once, and the wasm heap keeps its high-water mark for the life of the process). 20,000 (was
 * 40,000): a probe job of `npm start` 434 -> 364 MB at the same speed, its files byte-identical
 * (`node tools/probe-job.mjs`, docs/benchmark.md). Set after seeing that memory; no number depends on it.
 */
const DEFAULT_ROWS_PER_CHUNK = 20_000;

type Act = (z: tf.Tensor) => tf.Tensor;

/** The activation's TensorFlow.js op (its table entry, through the engine's layer code). */
function activationFn(kind: Activation | OutputActivation): Act {
  return (z) => activate(kind, z as tf.Tensor2D);
}

/**
 * Everything about one network and one dataset that does not depend on which weight is
 * swept: the first layer's pre-activations (read back to JavaScript, one column per neuron
 * is all a sweep needs), the second layer's pre-activations, and the remaining layers.
 * Holds tensors: call dispose().
 */
export class FirstLayerSweeper {
  readonly network: ProbedNetwork;
  readonly examples: number;
  private readonly data: Dataset;
  private readonly sizes: readonly number[];
  private readonly layers: number;
  /** First-layer pre-activations, [N, h1] row-major. */
  private readonly z1: Float32Array;
  /** Second layer's pre-activations with the original weights, [1, N, h2]; null for a network without hidden layers. */
  private readonly z2: tf.Tensor3D | null;
  /** Layers 3.. : kernels, their transposes (for the input gradient) and biases. */
  private readonly tailW: tf.Tensor2D[] = [];
  private readonly tailWT: tf.Tensor2D[] = [];
  private readonly tailB: tf.Tensor1D[] = [];
  private readonly targets: tf.Tensor2D;
  private readonly rowsPerChunk: number;
  private readonly hidden: Act;
  private readonly output: Act;
  private readonly firstAct: (z: number) => number;
  private readonly firstActName: Activation | OutputActivation;

  constructor(network: ProbedNetwork, data: Dataset, opts: { rowsPerChunk?: number } = {}) {
    const { params } = network;
    this.network = network;
    this.data = data;
    this.sizes = params.sizes;
    this.layers = params.sizes.length - 1;
    this.examples = data.count;
    if (params.sizes[0] !== data.inputs) throw new Error(`network has ${params.sizes[0]} inputs, data has ${data.inputs}`);
    if (params.sizes[this.layers] !== 1) throw new Error('the probe expects one output');
    this.rowsPerChunk = opts.rowsPerChunk ?? DEFAULT_ROWS_PER_CHUNK;
    this.hidden = activationFn(network.activation);
    this.output = activationFn(network.outputActivation);
    this.firstActName = this.layers === 1 ? network.outputActivation : network.activation;
    this.firstAct = activationSpec(this.firstActName).f;
    const n = data.count;
    const s = this.sizes;
    const [z1, z2] = tf.tidy((): tf.Tensor[] => {
      // The first two layers' pre-activations, from the probes' shared forward pass.
      const zs: tf.Tensor2D[] = [];
      const spec = { hiddenActivation: network.activation, outputActivation: network.outputActivation };
      forwardPass(tf.tensor2d(data.x, [n, s[0]]), params, spec, { layers: Math.min(2, this.layers), onLayer: (_, z) => zs.push(z) });
      return this.layers === 1 ? [zs[0]] : [zs[0], tf.reshape(zs[1], [1, n, s[2]])];
    });
    this.z1 = z1.dataSync() as Float32Array;
    z1.dispose();
    this.z2 = (z2 as tf.Tensor3D | undefined) ?? null;
    for (let l = 2; l < this.layers; l++) {
      const w = tf.tensor2d(params.weights[l], [s[l], s[l + 1]]);
      this.tailW.push(w);
      this.tailWT.push(tf.transpose(w));
      this.tailB.push(tf.tensor1d(params.biases[l]));
    }
    this.targets = tf.tensor2d(data.y, [1, n]);
  }

  /** The activation after weight layer l (0-based): hidden, or the output's for the last. */
  private actAfter(l: number, z: tf.Tensor): tf.Tensor {
    return l === this.layers - 1 ? this.output(z) : this.hidden(z);
  }

  /** Current value of the weight. */
  original(w: WeightRef): number {
    return this.network.params.weights[0][w.i * this.sizes[1] + w.j];
  }

  /**
   * Loss and derivative at each value of W1[i, j]. Values are rounded to float32 first, since
   * that is the weight the network can hold.
   */
  sweep(w: WeightRef, values: ArrayLike<number>): SweepResult {
    const { i, j } = w;
    const s = this.sizes;
    if (!(Number.isInteger(i) && i >= 0 && i < s[0] && Number.isInteger(j) && j >= 0 && j < s[1])) {
      throw new RangeError(`weight (${i}, ${j}) is outside the first layer's ${s[0]} x ${s[1]}`);
    }
    const n = this.examples;
    const points = values.length;
    const w0 = this.original(w);
    // The two per-example columns the swept weight touches: x_i and z_j (= first-layer pre-activation of neuron j).
    const xi = new Float32Array(n);
    const zj = new Float32Array(n);
    const aj = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      xi[k] = this.data.x[k * s[0] + i];
      zj[k] = this.z1[k * s[1] + j];
      aj[k] = this.firstAct(zj[k]);
    }
    const out: SweepResult = {
      values: Float64Array.from(values, (v) => Math.fround(v)),
      losses: new Float64Array(points),
      gradients: new Float64Array(points),
      unitActive: new Float64Array(points),
      unitSaturated: new Float64Array(points),
    };
    this.countUnitStates(out, w0, xi, zj);
    const chunk = Math.max(1, Math.floor(this.rowsPerChunk / n));
    const xiT = tf.tensor2d(xi, [1, n]);
    const zjT = tf.tensor2d(zj, [1, n]);
    // a_j as the backend computes it, so that d = 0 gives a change of exactly 0.
    const ajT = tf.tidy(() => (this.layers === 1 ? this.output(zjT) : this.hidden(zjT)));
    const w2j = this.z2 ? tf.tensor3d(this.network.params.weights[1].subarray(j * s[2], (j + 1) * s[2]), [1, 1, s[2]]) : null;
    const w2jCol = w2j ? (tf.reshape(w2j, [s[2], 1]) as tf.Tensor2D) : null;
    try {
      for (let p0 = 0; p0 < points; p0 += chunk) {
        const c = Math.min(chunk, points - p0);
        const v = tf.tensor1d(Float32Array.from(out.values.subarray(p0, p0 + c)));
        const kept: { errors?: tf.Tensor } = {};
        const lossOf = (vv: tf.Tensor): tf.Scalar => {
          const d = tf.reshape(tf.sub(vv, w0), [c, 1]);
          const zNew = tf.add(zjT, tf.mul(d, xiT)); // [c, N]
          let outputs: tf.Tensor;
          if (this.layers === 1) {
            outputs = this.output(zNew);
          } else {
            const delta = tf.sub(this.hidden(zNew), ajT); // [c, N]: change of neuron j's output
            let a = this.actAfter(1, this.rankOneUpdate(delta, c, w2j!, w2jCol!));
            for (let t = 0; t < this.tailW.length; t++) {
              a = this.actAfter(t + 2, this.denseOnInput(a as tf.Tensor2D, t));
            }
            outputs = a;
          }
          const err = tf.square(tf.sub(tf.reshape(outputs, [c, n]), this.targets)); // [c, N]
          kept.errors = tf.keep(err);
          // Sum over points of each point's mean: d/dv[p] of this is point p's own derivative.
          return tf.div(tf.sum(err), n) as tf.Scalar;
        };
        const g = tf.grad(lossOf)(v);
        const grads = g.dataSync();
        const errs = kept.errors!.dataSync();
        tf.dispose([g, v, kept.errors!]);
        for (let q = 0; q < c; q++) {
          let sum = 0;
          for (let k = q * n, end = k + n; k < end; k++) sum += errs[k];
          out.losses[p0 + q] = sum / n;
          out.gradients[p0 + q] = grads[q];
        }
      }
    } finally {
      tf.dispose([xiT, zjT, ajT]);
      if (w2j) tf.dispose([w2j, w2jCol!]);
    }
    return out;
  }

  /**
   * Neuron j's state on every example at every swept value, in JavaScript: z = z_j + (v - w0) x_i
   * rounded as the backend's float32 ops round it, y = f(z). A few operations per example and
   * point, against the thousands of the layers above (measured in docs/probes.md).
   */
  private countUnitStates(out: SweepResult, w0: number, xi: Float32Array, zj: Float32Array): void {
    const n = this.examples;
    for (let p = 0; p < out.values.length; p++) {
      const d = Math.fround(out.values[p] - w0);
      let active = 0;
      let saturated = 0;
      for (let k = 0; k < n; k++) {
        const state = unitState(this.firstActName, this.firstAct(Math.fround(zj[k] + Math.fround(d * xi[k]))));
        if (state === 'active') active++;
        else if (state === 'saturated') saturated++;
      }
      out.unitActive[p] = active / n;
      out.unitSaturated[p] = saturated / n;
    }
  }

  /**
   * Z2 + delta ⊗ W2[j, :] as [c*N, h2] rows. Its gradient with respect to delta is one
   * matrix-vector product, dY · W2[j, :]ᵀ (cheaper on the backend than the broadcast
   * multiply-and-sum autodiff would otherwise record).
   */
  private rankOneUpdate(delta: tf.Tensor, c: number, w2j: tf.Tensor3D, w2jCol: tf.Tensor2D): tf.Tensor2D {
    const n = this.examples;
    const h2 = this.sizes[2];
    const z2 = this.z2!;
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const dl = args[0] as tf.Tensor;
      return {
        value: tf.reshape(tf.add(z2, tf.mul(tf.reshape(dl, [c, n, 1]), w2j)), [c * n, h2]),
        gradFunc: (dy: tf.Tensor) => tf.reshape(tf.matMul(dy as tf.Tensor2D, w2jCol), [c, n]),
      };
    }) as unknown as (d: tf.Tensor) => tf.Tensor2D;
    return op(delta);
  }

  /**
   * x · W + b for a fixed layer (weights are constants of the probe): the gradient flows to x
   * only, as dY · Wᵀ with a transposed copy made once, because matMul's own gradient uses
   * the transposed-operand form that is many times slower on the wasm backend.
   */
  private denseOnInput(x: tf.Tensor2D, t: number): tf.Tensor2D {
    const w = this.tailW[t];
    const wt = this.tailWT[t];
    const b = this.tailB[t];
    const op = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const xx = args[0] as tf.Tensor2D;
      return { value: tf.add(tf.matMul(xx, w), b), gradFunc: (dy: tf.Tensor) => tf.matMul(dy as tf.Tensor2D, wt) };
    }) as unknown as (x: tf.Tensor2D) => tf.Tensor2D;
    return op(x);
  }

  dispose(): void {
    tf.dispose([...this.tailW, ...this.tailWT, ...this.tailB, this.targets]);
    if (this.z2) this.z2.dispose();
  }
}
