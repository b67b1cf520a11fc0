/**
 * The few TensorFlow.js kernels a training step runs, called through the engine's kernel API
 * (`tf.engine().runKernel`) instead of the `tf.*` op functions.
 *
 * Why: every `tf.*` op function is wrapped in a scope of its own (ENGINE.startScope/endScope,
 * which tracks and sweeps the tensors created inside it) and converts and type-checks its
 * arguments before it reaches `runKernel`. For the small tensors of a batch-1 or batch-32 step
 * that wrapper costs about as much as the kernel itself: measured on wasm, `tf.sub` of two
 * [150, 1] tensors 13-17 µs, `runKernel('Sub', ...)` 6-9 µs (docs/engines.md). An autodiff step
 * runs about 80 kernels, so the wrappers were a large share of a small-batch step. (The
 * explicit step, explicit-step.ts, goes further: no engine at all.)
 *
 * Each function here is exactly the kernel its `tf.*` namesake runs for float32 2-D tensors (the
 * comment names it); the results are the same numbers. Autodiff is unaffected: these run inside
 * tf.customGrad functions (whose inner kernels the tape does not record; the op's own gradient
 * function is used) or outside any gradient (the SGD update). The caller must pass float32
 * tensors of the right shapes: there is no conversion or checking here.
 */
import * as tf from '@tensorflow/tfjs';

function run<T extends tf.Tensor>(kernel: string, inputs: tf.NamedTensorMap, attrs?: tf.NamedAttrMap): T {
  return tf.engine().runKernel(kernel, inputs, attrs) as T;
}

/** tf.matMul(a, b) (no transposes: the transposed forms are slow on wasm, see dense.ts). */
export function matMul(a: tf.Tensor2D, b: tf.Tensor2D): tf.Tensor2D {
  return run('BatchMatMul', { a, b }, { transposeA: false, transposeB: false });
}

/** tf.add(a, b), with broadcasting. */
export function add<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  return run('Add', { a, b });
}

/** tf.sub(a, b), with broadcasting. */
export function sub<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  return run('Sub', { a, b });
}

/** tf.mul(a, b), with broadcasting. */
export function mul<T extends tf.Tensor>(a: T, b: tf.Tensor): T {
  return run('Multiply', { a, b });
}

/** tf.transpose(x) of a matrix. */
export function transpose(x: tf.Tensor2D): tf.Tensor2D {
  return run('Transpose', { x }, { perm: [1, 0] });
}

/** tf.sum(x, axis, keepDims). */
export function sum<T extends tf.Tensor>(x: tf.Tensor, axis: number, keepDims: boolean): T {
  return run('Sum', { x }, { axis, keepDims });
}

/** tf.reshape(x, shape). */
export function reshape<T extends tf.Tensor>(x: tf.Tensor, shape: number[]): T {
  return run('Reshape', { x }, { shape });
}

/** tf.sigmoid(x). */
export function sigmoid<T extends tf.Tensor>(x: T): T {
  return run('Sigmoid', { x });
}

/** tf.relu(x). */
export function relu<T extends tf.Tensor>(x: T): T {
  return run('Relu', { x });
}

/** tf.tanh(x). */
export function tanh<T extends tf.Tensor>(x: T): T {
  return run('Tanh', { x });
}

/** tf.step(x): 1 where x > 0, else 0. */
export function step<T extends tf.Tensor>(x: T): T {
  return run('Step', { x }, { alpha: 0 });
}

/** tf.square(x). */
export function square<T extends tf.Tensor>(x: T): T {
  return run('Square', { x });
}

/** tf.mean(x): the mean of all elements, a scalar. */
export function meanAll(x: tf.Tensor): tf.Scalar {
  return run('Mean', { x }, { axis: null, keepDims: false } as unknown as tf.NamedAttrMap);
}
