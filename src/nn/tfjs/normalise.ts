/**
 * Gradient normalisation 'layer' for the TensorFlow.js engine (definition in src/nn/engine.ts):
 * each layer's weight and bias gradients, taken together as one vector, divided by its L2 norm.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * `scaledGrads` are lr x the gradients, interleaved [W1, b1, W2, b2, ...] as the engine holds
 * them; returns lr x the normalised gradients in the same order (‖lr g‖ = lr ‖g‖, so dividing by
 * it and multiplying by lr again gives lr g / ‖g‖). divNoNan keeps a zero gradient zero. Must run
 * inside a tidy.
 */
export function normalisePerLayer(scaledGrads: tf.Tensor[], learningRate: tf.Scalar): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  for (let l = 0; l + 1 < scaledGrads.length; l += 2) {
    const [w, b] = [scaledGrads[l], scaledGrads[l + 1]];
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(w)), tf.sum(tf.square(b))));
    out.push(tf.mul(learningRate, tf.divNoNan(w, norm)), tf.mul(learningRate, tf.divNoNan(b, norm)));
  }
  return out;
}
