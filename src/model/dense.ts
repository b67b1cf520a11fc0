/**
 * One fully connected layer, x·W + b, as a TensorFlow.js op with its own gradient.
 *
 * Why not just `tf.add(tf.matMul(x, w), b)`: the gradient TensorFlow.js registers for matMul
 * computes dW = xᵀ·dy and dx = dy·Wᵀ with matMul's transposeA/transposeB flags, and on the
 * wasm backend those transposed forms run 10-40x slower than a plain matMul of the same size
 * (measured on these machines; the transposed products dominate a training step). So the
 * gradient here transposes explicitly and then multiplies plainly. It is still autodiff: the
 * op sits on TensorFlow.js's tape like any other, and tf.grad/tf.variableGrads differentiate
 * through it (spec/train-dense.spec.ts checks it against the stock matMul gradient).
 *
 * The first layer's input is the data, whose gradient nobody needs; computing it would cost
 * a [batch x 1024] product per step. A customGrad op computes all its inputs' gradients
 * eagerly, so for that layer the input is kept out of the op's inputs (denseOnData) and only
 * dW and db are computed.
 */
import * as tf from '@tensorflow/tfjs';

type DenseWithInput = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;
type DenseOnConstant = (w: tf.Tensor2D, b: tf.Tensor1D) => tf.Tensor2D;

/** dW = xᵀ·dy and db = Σ_rows dy, written with plain (untransposed) matMul. */
function weightAndBiasGrads(x: tf.Tensor2D, dy: tf.Tensor2D): [tf.Tensor2D, tf.Tensor1D] {
  return [tf.matMul(tf.transpose(x), dy), tf.sum(dy, 0)];
}

// tf.customGrad types its function's arguments as one list of tensors and the save function.
type CustomGradArgs = Array<tf.Tensor | tf.GradSaveFunc>;

const denseWithInputGrad: DenseWithInput = tf.customGrad(
  (...args: CustomGradArgs) => {
    const [x2, w2, b] = args as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
    const save = args[3] as tf.GradSaveFunc;
    // Saved tensors outlive the forward pass (which TensorFlow.js runs inside a tidy); the
    // gradient must read x and W from here, not from the closure.
    save([x2, w2]);
    return {
      value: tf.add(tf.matMul(x2, w2), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sw] = saved as [tf.Tensor2D, tf.Tensor2D];
        const dy2 = dy as tf.Tensor2D;
        const dx = tf.matMul(dy2, tf.transpose(sw));
        return [dx, ...weightAndBiasGrads(sx, dy2)];
      },
    };
  },
) as unknown as DenseWithInput;

/**
 * A dense layer whose input is a constant (the data): only W and b are inputs of the op, so
 * the backward pass computes no input gradient.
 */
function denseOnConstant(x: tf.Tensor2D): DenseOnConstant {
  return tf.customGrad((...args: CustomGradArgs) => {
    const [w2, b] = args as [tf.Tensor2D, tf.Tensor1D];
    const save = args[2] as tf.GradSaveFunc;
    save([x]);
    return {
      value: tf.add(tf.matMul(x, w2), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => weightAndBiasGrads(saved[0] as tf.Tensor2D, dy as tf.Tensor2D),
    };
  }) as unknown as DenseOnConstant;
}

/** x·W + b, differentiable with respect to x, W and b. */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return denseWithInputGrad(x, w, b);
}

/**
 * x·W + b where x is data: differentiable with respect to W and b only (a gradient taken
 * with respect to x through this op is not computed; use `dense` for that).
 */
export function denseOnData(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return denseOnConstant(x)(w, b);
}
