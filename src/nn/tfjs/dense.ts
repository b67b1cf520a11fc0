/**
 * Fully connected layers, f(x·W + b), as TensorFlow.js ops with their own gradients.
 *
 * Why not just `tf.add(tf.matMul(x, w), b)`: the gradient TensorFlow.js registers for matMul
 * computes dW = xᵀ·dy and dx = dy·Wᵀ with matMul's transposeA/transposeB flags, and on the
 * wasm backend those transposed forms run 10-40x slower than a plain matMul of the same size
 * (measured on these machines; the transposed products dominate a training step). So the
 * gradients here transpose explicitly and then multiply plainly. It is still autodiff: each
 * op sits on TensorFlow.js's tape like any other, and tf.grad/tf.variableGrads differentiate
 * through it (spec/bench-layouts.spec.ts and spec/train-engine.spec.ts check it against the
 * stock ops' gradients).
 *
 * The first layer's input is the data, whose gradient nobody needs; computing it would cost
 * a [batch x 1024] product per step. A customGrad op computes all its inputs' gradients
 * eagerly, so for that layer the input is kept out of the op's inputs (denseOnDataLayer) and
 * only dW and db are computed.
 */
import * as tf from '@tensorflow/tfjs';
import type { LayerActivation } from '../../config/schema.js';

// tf.customGrad types its function's arguments as one list of tensors and the save function.
type CustomGradArgs = Array<tf.Tensor | tf.GradSaveFunc>;

// ---------------------------------------------------------------------------------------------
// Whole layers (product, bias and activation) for the training engine, in two memory layouts.
//
// Why (measured on the wasm backend, see docs/benchmark.md): wasm's fast matMul is
// XNNPACK's, which repacks its SECOND operand on every call whose second operand is a tensor it
// has not seen (weights change every step, so always), at a cost per element of that operand
// comparable to dozens of multiply-adds. With the weights as the second operand (x·W), a step
// at batch 1 or 32 spends most of its time repacking the 175,000 weights. The weights are
// therefore stored transposed, Wt = [out, in], and small batches are computed feature-major:
// activations are [features, batch] and a layer is yᵀ = f(Wt·hᵀ + b), so the repacked operand
// is the activations (in x batch numbers) instead of the weights. Large batches repack the
// weights once per thousands of rows, which is cheap, so they stay row-major (batch first),
// where XNNPACK's kernels run fastest. Both layouts compute the same numbers up to float32
// rounding; which one runs depends only on the batch size, so results stay deterministic.
//
// Each layer is one customGrad op including its activation, so the tape holds one node per
// layer, and the activation's derivative is taken from the layer's output (sigmoid' = y - y²,
// tanh' = 1 - y², relu' = [y > 0], relu-clipped' = [0 < y < 1], relu-scaled' = 0.25 [y > 0]) without the scalar tensors the stock gradients create.
// All products in the gradients use untransposed matMul with explicit transposes of the small
// operand (the transposed matMul forms run on wasm's slow scalar path).
// ---------------------------------------------------------------------------------------------

/** relu-scaled's slope: Sigmoid's largest derivative, sigma'(0) = 1/4 (as in the hand-written engine). */
const RELU_SCALED_SLOPE = 0.25;

function activate(act: LayerActivation, z: tf.Tensor2D): tf.Tensor2D {
  switch (act) {
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'linear':
      return z;
    case 'relu-clipped':
      return tf.clipByValue(z, 0, 1);
    case 'relu-scaled':
      return tf.mul(tf.relu(z), RELU_SCALED_SLOPE);
  }
}

/** dL/dz from dL/dy and the layer's output y = f(z). */
function activationBackward(act: LayerActivation, dy: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  switch (act) {
    case 'sigmoid':
      return tf.mul(dy, tf.sub(y, tf.mul(y, y)));
    case 'tanh':
      return tf.sub(dy, tf.mul(dy, tf.mul(y, y)));
    case 'relu':
      // relu'(z) = 1 where z > 0, i.e. where y > 0; tf.step gives 0 at 0, like relu's gradient.
      return tf.mul(dy, tf.step(y));
    case 'linear':
      return dy;
    case 'relu-clipped':
      // 1 strictly inside (0, 1), 0 at and beyond both ends: relu's convention at 0 applied at 1 too
      // (tf.clipByValue's own gradient would pass 1 at the ends).
      return tf.mul(dy, tf.mul(tf.step(y), tf.step(tf.sub(1, y))));
    case 'relu-scaled':
      return tf.mul(dy, tf.mul(tf.step(y), RELU_SCALED_SLOPE));
  }
}

/** f(Wt·hᵀ + b) feature-major (h is hᵀ = [in, n]), f(h·Wtᵀ + bᵀ) row-major (h = [n, in]). */
function forwardLayer(layout: 'feature' | 'row', act: LayerActivation, h: tf.Tensor2D, wt: tf.Tensor2D, bcol: tf.Tensor2D): tf.Tensor2D {
  return layout === 'feature'
    ? activate(act, tf.add(tf.matMul(wt, h), bcol))
    : activate(act, tf.add(tf.matMul(h, tf.transpose(wt)), tf.reshape(bcol, [1, -1])));
}

type LayerOp = (h: tf.Tensor2D, wt: tf.Tensor2D, bcol: tf.Tensor2D) => tf.Tensor2D;

function makeLayer(layout: 'feature' | 'row', act: LayerActivation): LayerOp {
  return tf.customGrad((...args: CustomGradArgs) => {
    // h is hᵀ = [in, n] feature-major, [n, in] row-major.
    const [h, wt, bcol] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const save = args[3] as tf.GradSaveFunc;
    const y = forwardLayer(layout, act, h, wt, bcol);
    // A variable outlives the gradient computation, so it is read directly instead of being
    // saved: saving copies it on wasm (an Identity kernel) every step.
    const wIsVariable = wt instanceof tf.Variable;
    save(wIsVariable ? [h, y] : [h, y, wt]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sh, sy] = saved as [tf.Tensor2D, tf.Tensor2D];
        const sw = wIsVariable ? wt : (saved[2] as tf.Tensor2D);
        const dz = activationBackward(act, dy as tf.Tensor2D, sy);
        if (layout === 'feature') {
          // dhᵀ = W·dzᵀ = (Wt)ᵀ·dzᵀ;  dWt = dzᵀ·h;  db = Σ over the batch (columns).
          return [tf.matMul(tf.transpose(sw), dz), tf.matMul(dz, tf.transpose(sh)), tf.sum(dz, 1, true)];
        }
        // dh = dz·Wt;  dWt = (hᵀ·dz)ᵀ: the second operand is dz, [n, out], not h, whose repacking
        // at large n costs several times the product (measured: 616 ms against 40 + 203 ms for the
        // first layer at n = 4000);  db as a column.
        return [tf.matMul(dz, sw), tf.transpose(tf.matMul(tf.transpose(sh), dz)), tf.reshape(tf.sum(dz, 0), [-1, 1])];
      },
    };
  }) as unknown as LayerOp;
}

const layerOps = new Map<string, LayerOp>();

function layerOp(layout: 'feature' | 'row', act: LayerActivation): LayerOp {
  const key = `${layout}:${act}`;
  let op = layerOps.get(key);
  if (!op) {
    op = makeLayer(layout, act);
    layerOps.set(key, op);
  }
  return op;
}

/**
 * Feature-major layer: f(Wt·hᵀ + b) with hᵀ = [in, n], Wt = [out, in], b = [out, 1]; returns
 * [out, n]. Differentiable with respect to hᵀ, Wt and b.
 */
export function denseFeatureMajor(hT: tf.Tensor2D, wt: tf.Tensor2D, bcol: tf.Tensor2D, act: LayerActivation): tf.Tensor2D {
  return layerOp('feature', act)(hT, wt, bcol);
}

/** Row-major layer: f(h·Wtᵀ + bᵀ) with h = [n, in], Wt = [out, in], b = [out, 1]; returns [n, out]. */
export function denseRowMajor(h: tf.Tensor2D, wt: tf.Tensor2D, bcol: tf.Tensor2D, act: LayerActivation): tf.Tensor2D {
  return layerOp('row', act)(h, wt, bcol);
}

/**
 * The first layer, on data: differentiable with respect to Wt and b only (no input gradient,
 * which would cost a [n x 1024] product per step and which nothing needs). `x` is the data
 * row-major [n, in]; `xT` its transpose [in, n], needed only by the feature-major layout.
 * Both must outlive the gradient computation: create them outside the differentiated function
 * (they are read by the gradient, not saved, to spare copying the batch every step).
 */
export function denseOnDataLayer(
  layout: 'feature' | 'row',
  x: tf.Tensor2D,
  xT: tf.Tensor2D | null,
  wt: tf.Tensor2D,
  bcol: tf.Tensor2D,
  act: LayerActivation,
): tf.Tensor2D {
  if (layout === 'feature' && !xT) throw new Error('denseOnDataLayer: the feature-major layout needs xT');
  const op = tf.customGrad((...args: CustomGradArgs) => {
    const [w, b] = args as [tf.Tensor2D, tf.Tensor2D];
    const save = args[2] as tf.GradSaveFunc;
    const y = forwardLayer(layout, act, layout === 'feature' ? xT! : x, w, b);
    save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dz = activationBackward(act, dy as tf.Tensor2D, saved[0] as tf.Tensor2D);
        // feature-major (small n): dWt = dzᵀ·x, repacking x ([n, in], small); db = row sums.
        // row-major (large n): dWt = (xᵀ·dz)ᵀ, repacking dz rather than x; db = column sums.
        return layout === 'feature'
          ? [tf.matMul(dz, x), tf.sum(dz, 1, true)]
          : [tf.transpose(tf.matMul(tf.transpose(x), dz)), tf.reshape(tf.sum(dz, 0), [-1, 1])];
      },
    };
  }) as unknown as (w: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
  return op(wt, bcol);
}
