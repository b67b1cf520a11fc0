/**
 * The TensorFlow.js engine's training step with its backward pass written out, its kernels
 * called straight from the kernel registry (`tf.getKernel(name, backend).kernelFunc`) on the
 * backend's tensor handles, outside TensorFlow.js's engine: no gradient tape, no tf.tidy, no
 * tensor bookkeeping.
 *
 * Why: at small batches a step is dominated by the per-kernel cost, not by arithmetic. Profile
 * of a batch-1 step on wasm (docs/benchmark.md): TensorFlow.js core's JavaScript (dispatch,
 * tape, tidy, tensor objects) about 29 % of it. Here a kernel call is the backend's own kernel
 * function and nothing else, and the tape's extra kernels (the loss value, which a step does not
 * read, and the unit seed of the gradient) are not run.
 *
 * Below batch 256 on the wasm backend's single-threaded build, all but the activations' kernels
 * are the WebAssembly step kernels of step-kernels.ts, which work on the backend's tensors in
 * place: one WebAssembly call each, no operand packing, the same bits as the kernels they stand
 * for.
 *
 * The numbers are those of autodiff through the layer ops of dense.ts, to the bit: every
 * gradient is computed by the same kernels (or step kernels of the same bits), on the same
 * operands in the same order, as those ops' gradient functions (the comments name them), and
 * the update is the same Sub (and, with momentum, Multiply and Add) per variable.
 * tools/engine-ab.mjs checks it against a build of the autodiff step;
 * spec/tfjs-explicit-step.spec.ts within one build.
 *
 * Ownership: every handle a kernel returns here is owned by the `KernelCalls` that ran it and
 * freed by its release() (backend.disposeData, one reference each; a Reshape's output shares
 * its input's data and holds a reference of its own, so it is released like any other).
 * Parameters stay tf.Variables; the update hands each new value to its variable.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerActivation } from '../../config/schema.js';
import { activationSpec, type TfjsOps } from '../../config/activations.js';
import type { Layout } from './layout.js';
import { wasmStepKernels, type StepKernels } from './step-kernels.js';

type Info = tf.TensorInfo;

/** Kernels of the current backend called without the engine; the handles they return are freed together. */
export class KernelCalls {
  private readonly backend = tf.backend();
  private readonly backendName = tf.getBackend();
  private readonly kernels = new Map<string, tf.KernelConfig>();
  private readonly made: Info[] = [];
  /** step-kernels.ts's kernels where they run (the wasm backend, single-threaded), else null. */
  private readonly own: StepKernels | null = wasmStepKernels();
  private opsMade: TfjsOps | undefined;
  private featureKernelsMade: FeatureKernels | undefined;

  run(name: string, inputs: Record<string, Info>, attrs: tf.NamedAttrMap = {}): Info {
    let kernel = this.kernels.get(name);
    if (!kernel) {
      kernel = tf.getKernel(name, this.backendName);
      if (!kernel) throw new Error(`the ${this.backendName} backend has no ${name} kernel`);
      this.kernels.set(name, kernel);
    }
    // The config's kernelFunc is read at every call, not cached: a tool that counts kernel
    // calls (tools/tfjs-step-profile.mjs) wraps it in the registry.
    const out = kernel.kernelFunc({ inputs, attrs, backend: this.backend }) as Info;
    this.made.push(out);
    return out;
  }

  /** A float32 tensor of `shape` on the backend with a copy of `values` (freed by release()). */
  upload(values: Float32Array, shape: number[]): Info {
    const out: Info = { dataId: this.backend.write(values, shape, 'float32'), shape, dtype: 'float32' };
    this.made.push(out);
    return out;
  }

  /** Hands `value` (made here) to the variable `v` as its new value; release() then drops only this side's reference. */
  assign(v: tf.Variable, value: Info): void {
    const t = tf.engine().makeTensorFromTensorInfo(value);
    v.assign(t);
    t.dispose();
    // The tensor's dispose dropped the reference `made` holds; forget the handle.
    this.made.splice(this.made.lastIndexOf(value), 1);
  }

  /** A copy of a float32 handle's values. */
  read(t: Info): Float32Array {
    return this.backend.readSync(t.dataId) as Float32Array;
  }

  /** Frees every handle made since the last release. */
  release(): void {
    for (const t of this.made) this.backend.disposeData(t.dataId);
    this.made.length = 0;
  }

  /** The step kernels of step-kernels.ts where they run, else null; what they return must go through `owned`. */
  get stepKernels(): StepKernels | null {
    return this.own;
  }

  /** The activation entries' ops as kernel calls here (see opsOf), built once. */
  get ops(): TfjsOps {
    return (this.opsMade ??= opsOf(this));
  }

  /** The feature-major step's kernels (see FeatureKernels), built once. */
  get featureKernels(): FeatureKernels {
    return (this.featureKernelsMade ??= featureKernelsOf(this));
  }

  /** A handle made by the step kernels, owned from now on like a kernel's output. */
  owned(t: Info): Info {
    this.made.push(t);
    return t;
  }

  matMul(a: Info, b: Info): Info {
    return this.run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
  }
  add(a: Info, b: Info): Info {
    return this.run('Add', { a, b });
  }
  /** a - b; the step kernel's where it runs and the shapes are equal (the update), the same bits. */
  sub(a: Info, b: Info): Info {
    if (this.own && a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])) return this.owned(this.own.sub(a, b));
    return this.run('Sub', { a, b });
  }
  mul(a: Info, b: Info): Info {
    return this.run('Multiply', { a, b });
  }
  transpose(x: Info): Info {
    return this.run('Transpose', { x }, { perm: [1, 0] });
  }
  sum(x: Info, axis: number, keepDims: boolean): Info {
    return this.run('Sum', { x }, { axis, keepDims });
  }
  reshape(x: Info, shape: number[]): Info {
    return this.run('Reshape', { x }, { shape });
  }
}

/** Thrown when an activation's entry reaches for tf.* (ops this step does not run outside the engine). */
class NeedsEngine extends Error {}

/**
 * The `fast` ops of an activation entry (src/config/activations.ts) as kernel calls on handles,
 * the same kernels as kernels.ts; `tf` refuses, so an entry written with tf.* ops is detected
 * (supportsExplicitStep) and trained by the autodiff step instead.
 */
function opsOf(calls: KernelCalls): TfjsOps {
  const on =
    (name: string, attrs?: tf.NamedAttrMap) =>
    <T extends tf.Tensor>(x: T): T =>
      calls.run(name, { x }, attrs) as unknown as T;
  const binary =
    (name: string) =>
    <T extends tf.Tensor>(a: T, b: tf.Tensor): T =>
      calls.run(name, { a, b }) as unknown as T;
  const refuse = new Proxy(
    {},
    {
      get() {
        throw new NeedsEngine('this activation needs TensorFlow.js ops beyond the step kernels');
      },
    },
  ) as typeof tf;
  return {
    tf: refuse,
    fast: {
      sigmoid: on('Sigmoid'),
      relu: on('Relu'),
      tanh: on('Tanh'),
      step: on('Step', { alpha: 0 }),
      add: binary('Add'),
      sub: binary('Sub'),
      mul: binary('Multiply'),
    },
  };
}

function activate(ops: TfjsOps, act: LayerActivation, z: Info): Info {
  return activationSpec(act).tfjs.forward(z as tf.Tensor2D, ops) as Info;
}

function activationBackward(ops: TfjsOps, act: LayerActivation, dy: Info, y: Info): Info {
  return activationSpec(act).tfjs.backwardFromOutput(dy as tf.Tensor2D, y as tf.Tensor2D, ops) as Info;
}

/**
 * The backends the explicit step has been held to autodiff on, bit for bit: wasm
 * (spec/tfjs-explicit-step.spec.ts, tools/engine-ab.mjs) and cpu (the same comparison against an
 * autodiff build; the engine specs run there too). Calling kernels outside the engine relies on
 * each backend counting references as these two do; the native `tensorflow` backend is unchecked
 * and trains by autodiff.
 */
const CHECKED_BACKENDS: readonly string[] = ['wasm', 'cpu'];

/**
 * Whether the explicit step runs on the current backend for these activations: a checked
 * backend, and entries that need only the step's kernels (a dry run on one number).
 */
export function supportsExplicitStep(activations: readonly LayerActivation[]): boolean {
  if (!CHECKED_BACKENDS.includes(tf.getBackend())) return false;
  const calls = new KernelCalls();
  try {
    const z = calls.upload(new Float32Array([0.5]), [1, 1]);
    for (const act of activations) activationBackward(calls.ops, act, z, activate(calls.ops, act, z));
    return true;
  } catch (e) {
    if (e instanceof NeedsEngine) return false;
    throw e;
  } finally {
    calls.release();
  }
}

/**
 * The kernels of a feature-major step (small batches) that step-kernels.ts replaces: its
 * WebAssembly kernels where they run, else the backend's; the same bits either way.
 */
export interface FeatureKernels {
  matMul(a: Info, b: Info): Info;
  transpose(t: Info): Info;
  /** wt·h + b, b a column (forwardLayer in dense.ts). */
  matMulBias(wt: Info, h: Info, b: Info): Info;
  /** (out - y) x scale, the loss's gradient (engine.ts, loss; the tape's seed being exactly 1). */
  lossGradient(out: Info, y: Info, scale: Info): Info;
  /** The activation's backwardFromOutput (src/config/activations.ts); sigmoid's fused in a step kernel. */
  activationBackward(act: LayerActivation, dy: Info, out: Info): Info;
  /** Sums over the batch axis, as a column (the bias gradient). */
  rowSums(dz: Info): Info;
}

function featureKernelsOf(calls: KernelCalls): FeatureKernels {
  const own = calls.stepKernels;
  if (!own) {
    return {
      matMul: (a, b) => calls.matMul(a, b),
      transpose: (t) => calls.transpose(t),
      matMulBias: (wt, h, b) => calls.add(calls.matMul(wt, h), b),
      lossGradient: (out, y, scale) => calls.mul(calls.sub(out, y), scale),
      activationBackward: (act, dy, out) => activationBackward(calls.ops, act, dy, out),
      rowSums: (dz) => calls.sum(dz, 1, true),
    };
  }
  return {
    matMul: (a, b) => calls.owned(own.matMul(a, b)),
    transpose: (t) => calls.owned(own.transpose(t)),
    matMulBias: (wt, h, b) => calls.owned(own.matMulBias(wt, h, b)),
    lossGradient: (out, y, scale) => calls.owned(own.lossGradient(out, y, scale)),
    // The step kernel's sigmoid derivative is the table entry's formula (src/config/activations.ts), fused.
    activationBackward: (act, dy, out) =>
      act === 'sigmoid' ? calls.owned(own.sigmoidBackward(dy, out)) : activationBackward(calls.ops, act, dy, out),
    rowSums: (dz) => calls.owned(own.rowSums(dz)),
  };
}

export interface StepNetwork {
  /** Layer l's weights transposed, [out, in]. */
  weights: readonly Info[];
  /** Layer l's biases as a column, [out, 1]. */
  biases: readonly Info[];
  activations: readonly LayerActivation[];
}

/**
 * Gradients of scale/2 x the summed squared error (scale = 2/n: the loss's; 2·lr/n: lr x it),
 * interleaved [dWt1, db1, dWt2, db2, ...] in the variables' layouts. `x` is the batch row-major
 * [n, in], `y` its targets shaped like the output ([1, n] feature-major, [n, 1] row-major),
 * `scale` a float32 scalar. Every handle made is owned by `calls`.
 */
export function explicitGradients(calls: KernelCalls, net: StepNetwork, layout: Layout, x: Info, y: Info, scale: Info): Info[] {
  const layers = net.weights.length;
  const n = x.shape[0];
  // Forward, as forwardLayer in dense.ts; hs[l] is layer l's input, hs[l + 1] its output.
  if (layout === 'row') {
    const hs: Info[] = [x];
    for (let l = 0; l < layers; l++) {
      const [h, wt, b] = [hs[l], net.weights[l], net.biases[l]];
      const z = calls.add(calls.matMul(h, calls.transpose(wt)), calls.reshape(b, [1, b.shape[0]]));
      hs.push(activate(calls.ops, net.activations[l], z));
    }
    // The loss's gradient (engine.ts, loss): (out - y) x (1 x scale), the tape's seed being exactly 1.
    let dy = calls.mul(calls.sub(hs[layers], y), scale);
    const grads: Info[] = new Array<Info>(2 * layers);
    for (let l = layers - 1; l >= 0; l--) {
      const [h, wt, out] = [hs[l], net.weights[l], hs[l + 1]];
      const dz = activationBackward(calls.ops, net.activations[l], dy, out);
      // dense.ts, row-major (the first layer's input h is x itself: the same products, no input gradient).
      if (l > 0) dy = calls.matMul(dz, wt);
      grads[2 * l] = calls.transpose(calls.matMul(calls.transpose(h), dz));
      grads[2 * l + 1] = calls.reshape(calls.sum(dz, 0, false), [dz.shape[1], 1]);
    }
    return grads;
  }
  const k = calls.featureKernels;
  const hs: Info[] = [k.transpose(x)];
  for (let l = 0; l < layers; l++) {
    hs.push(activate(calls.ops, net.activations[l], k.matMulBias(net.weights[l], hs[l], net.biases[l])));
  }
  let dy = k.lossGradient(hs[layers], y, scale);
  const grads: Info[] = new Array<Info>(2 * layers);
  for (let l = layers - 1; l >= 0; l--) {
    const [h, wt, out] = [hs[l], net.weights[l], hs[l + 1]];
    const dz = k.activationBackward(net.activations[l], dy, out);
    // dense.ts, makeLayer's and denseOnDataLayer's gradients, feature-major.
    if (l > 0) {
      dy = k.matMul(k.transpose(wt), dz);
      grads[2 * l] = h.shape[1] === 1 ? calls.mul(dz, calls.reshape(h, [1, h.shape[0]])) : k.matMul(dz, k.transpose(h));
    } else {
      grads[0] = n === 1 ? calls.mul(dz, x) : k.matMul(dz, x);
    }
    grads[2 * l + 1] = k.rowSums(dz);
  }
  return grads;
}
