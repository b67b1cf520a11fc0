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
import { activationSpec, type TfjsOps } from '../../config/activations.js';
import * as k from './kernels.js';

// tf.customGrad types its function's arguments as one list of tensors and the save function.
type CustomGradArgs = Array<tf.Tensor | tf.GradSaveFunc>;

// ---------------------------------------------------------------------------------------------
// Whole layers (product, bias and activation) for the training engine, in two memory layouts.
//
// Why (measured on the wasm backend, see docs/engines.md): wasm's fast matMul is
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
// layer, and the activation's derivative is taken from the layer's output (each activation's
// backwardFromOutput in src/config/activations.ts, e.g. sigmoid' = y - y²) without the scalar
// tensors the stock gradients create.
// All products in the gradients use untransposed matMul with explicit transposes of the small
// operand (the transposed matMul forms run on wasm's slow scalar path).
// ---------------------------------------------------------------------------------------------

/** The ops an activation's entry computes with: the engine's own kernel calls, and TensorFlow.js for the rest. */
const OPS: TfjsOps = { tf, fast: k };

/** f(z), f being the activation's entry in the table (src/config/activations.ts). */
export function activate(act: LayerActivation, z: tf.Tensor2D): tf.Tensor2D {
  return activationSpec(act).tfjs.forward(z, OPS);
}

/** dL/dz from dL/dy and the layer's output y = f(z). */
function activationBackward(act: LayerActivation, dy: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
  return activationSpec(act).tfjs.backwardFromOutput(dy, y, OPS);
}

/** f(Wt·hᵀ + b) feature-major (h is hᵀ = [in, n]), f(h·Wtᵀ + bᵀ) row-major (h = [n, in]). */
function forwardLayer(layout: 'feature' | 'row', act: LayerActivation, h: tf.Tensor2D, wt: tf.Tensor2D, bcol: tf.Tensor2D): tf.Tensor2D {
  return layout === 'feature'
    ? activate(act, k.add(k.matMul(wt, h), bcol))
    : activate(act, k.add(k.matMul(h, k.transpose(wt)), k.reshape(bcol, [1, bcol.shape[0]])));
}

/**
 * dz·hᵀ for feature-major dz = [out, n] and hᵀ = [in, n]: the weight gradient, Σ over the batch of
 * outer products. For one example it is a single outer product, computed as a broadcast multiply
 * of dz [out, 1] by hᵀ viewed as a row [1, in] (the same products, one kernel instead of a
 * transpose and a matMul; measured 15-20 µs less per layer on wasm). The reshaped view shares h's
 * data id, which is safe for Multiply; it would not be as matMul's second operand (see
 * uploadInputs in engine.ts).
 */
function outerProductSum(dz: tf.Tensor2D, hT: tf.Tensor2D): tf.Tensor2D {
  return hT.shape[1] === 1 ? k.mul(dz, k.reshape(hT, [1, hT.shape[0]])) : k.matMul(dz, k.transpose(hT));
}

type LayerOp = (h: tf.Tensor2D, wt: tf.Tensor2D, bcol: tf.Tensor2D) => tf.Tensor2D;

/**
 * Keeps a layer's output alive until the caller disposes it (the training step does, after its
 * update). TensorFlow.js's own way, save(), copies every saved tensor (an Identity kernel each,
 * 12 per step of the article's network, a tenth of a batch-1 step); a retained output is read
 * by the gradient directly. The layer's input must then outlive the gradient too: it is the
 * previous layer's retained output, or data created outside the differentiated function.
 */
export type Retain = (t: tf.Tensor) => void;

function makeLayer(layout: 'feature' | 'row', act: LayerActivation, retain?: Retain): LayerOp {
  return tf.customGrad((...args: CustomGradArgs) => {
    // h is hᵀ = [in, n] feature-major, [n, in] row-major.
    const [h, wt, bcol] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const save = args[3] as tf.GradSaveFunc;
    const y = forwardLayer(layout, act, h, wt, bcol);
    // A variable outlives the gradient computation, so it is read directly instead of being
    // saved: saving copies it on wasm (an Identity kernel) every step.
    const wIsVariable = wt instanceof tf.Variable;
    if (retain && wIsVariable) retain(y);
    else save(wIsVariable ? [h, y] : [h, y, wt]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sh, sy] = retain && wIsVariable ? [h, y] : (saved as [tf.Tensor2D, tf.Tensor2D]);
        const sw = wIsVariable ? wt : (saved[2] as tf.Tensor2D);
        const dz = activationBackward(act, dy as tf.Tensor2D, sy);
        if (layout === 'feature') {
          // dhᵀ = W·dzᵀ = (Wt)ᵀ·dzᵀ;  dWt = dzᵀ·h;  db = Σ over the batch (columns).
          return [k.matMul(k.transpose(sw), dz), outerProductSum(dz, sh), k.sum(dz, 1, true)];
        }
        // dh = dz·Wt;  dWt = (hᵀ·dz)ᵀ: the second operand is dz, [n, out], not h, whose repacking
        // at large n costs several times the product (measured: 616 ms against 40 + 203 ms for the
        // first layer at n = 4000);  db as a column.
        return [k.matMul(dz, sw), k.transpose(k.matMul(k.transpose(sh), dz)), k.reshape(k.sum(dz, 0, false), [dz.shape[1], 1])];
      },
    };
  }) as unknown as LayerOp;
}

const layerOps = new Map<string, LayerOp>();

function layerOp(layout: 'feature' | 'row', act: LayerActivation, retain?: Retain): LayerOp {
  if (retain) return makeLayer(layout, act, retain); // bound to the caller's retain: made per call (a closure, cheap)
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
 * [out, n]. Differentiable with respect to hᵀ, Wt and b. With `retain`, see Retain.
 */
export function denseFeatureMajor(hT: tf.Tensor2D, wt: tf.Tensor2D, bcol: tf.Tensor2D, act: LayerActivation, retain?: Retain): tf.Tensor2D {
  return layerOp('feature', act, retain)(hT, wt, bcol);
}

/** Row-major layer: f(h·Wtᵀ + bᵀ) with h = [n, in], Wt = [out, in], b = [out, 1]; returns [n, out]. */
export function denseRowMajor(h: tf.Tensor2D, wt: tf.Tensor2D, bcol: tf.Tensor2D, act: LayerActivation, retain?: Retain): tf.Tensor2D {
  return layerOp('row', act, retain)(h, wt, bcol);
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
  retain?: Retain,
): tf.Tensor2D {
  if (layout === 'feature' && !xT) throw new Error('denseOnDataLayer: the feature-major layout needs xT');
  const op = tf.customGrad((...args: CustomGradArgs) => {
    const [w, b] = args as [tf.Tensor2D, tf.Tensor2D];
    const save = args[2] as tf.GradSaveFunc;
    const y = forwardLayer(layout, act, layout === 'feature' ? xT! : x, w, b);
    if (retain) retain(y);
    else save([y]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const dz = activationBackward(act, dy as tf.Tensor2D, retain ? y : (saved[0] as tf.Tensor2D));
        // feature-major (small n): dWt = dzᵀ·x, repacking x ([n, in], small); db = row sums.
        // row-major (large n): dWt = (xᵀ·dz)ᵀ, repacking dz rather than x; db = column sums.
        return layout === 'feature'
          ? [x.shape[0] === 1 ? k.mul(dz, x) : k.matMul(dz, x), k.sum(dz, 1, true)]
          : [k.transpose(k.matMul(k.transpose(x), dz)), k.reshape(k.sum(dz, 0, false), [dz.shape[1], 1])];
      },
    };
  }) as unknown as (w: tf.Tensor2D, b: tf.Tensor2D) => tf.Tensor2D;
  return op(wt, bcol);
}
