/**
 * The speed work on the TensorFlow.js engine (issue 7) changes how a layer is computed, not
 * what: the feature-major and row-major layer ops differentiate like the stock ops, and the
 * engine's gradients and SGD step agree with the hand-written engine at a batch small enough
 * for the feature-major layout and one large enough for the row-major layout.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { denseFeatureMajor, denseOnDataLayer, denseRowMajor } from '../src/nn/tfjs/dense.js';
import type { LayerActivation } from '../src/config/schema.js';
import { createTfjsEngine } from '../src/nn/tfjs/engine.js';
import { ROW_MAJOR_FROM } from '../src/nn/tfjs/layout.js';
import { createHandwrittenEngine } from '../src/nn/handwritten/engine.js';
import { initParams } from '../src/nn/params.js';
import type { Batch, NetworkSpec } from '../src/nn/engine.js';
import { Rng } from '../src/util/rng.js';

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = Rng.stream(seed, 'bench-layouts');
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** Largest difference relative to the largest entry of the reference (gradients vary in scale). */
function relDiff(a: ArrayLike<number>, ref: ArrayLike<number>): number {
  expect(a.length).to.equal(ref.length);
  let d = 0;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    d = Math.max(d, Math.abs(a[i] - ref[i]));
    m = Math.max(m, Math.abs(ref[i]));
  }
  expect(m, 'reference is all zeros: the comparison would be empty').to.be.above(1e-6);
  return d / m;
}

function stockLayer(act: LayerActivation, z: tf.Tensor): tf.Tensor {
  return act === 'sigmoid' ? tf.sigmoid(z) : act === 'relu' ? tf.relu(z) : act === 'tanh' ? tf.tanh(z) : z;
}

describe("bench: the engine's fast layer layouts compute what the stock ops compute", () => {
  before(async () => {
    await selectBackend('wasm');
  });

  for (const act of ['sigmoid', 'relu', 'tanh', 'linear'] as const) {
    it(`${act}: feature-major, row-major and on-data layers match matMul + add + activation in value and gradients`, () => {
      tf.tidy(() => {
        const n = 6;
        const fanIn = 5;
        const fanOut = 4;
        const h = tf.tensor2d(randomArray(n * fanIn, 1), [n, fanIn]);
        const w = tf.tensor2d(randomArray(fanIn * fanOut, 2), [fanIn, fanOut]); // [in, out]
        const b = tf.tensor1d(randomArray(fanOut, 3));
        const up = tf.tensor2d(randomArray(n * fanOut, 4), [n, fanOut]);
        const stock = (hh: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(tf.mul(stockLayer(act, tf.add(tf.matMul(hh as tf.Tensor2D, ww as tf.Tensor2D), bb)), up));
        // The same function through the fast ops: Wt = Wᵀ, b as a column, feature-major on hᵀ.
        const feature = (hh: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(
            tf.mul(
              tf.transpose(
                denseFeatureMajor(
                  tf.transpose(hh) as tf.Tensor2D,
                  tf.transpose(ww) as tf.Tensor2D,
                  tf.reshape(bb, [-1, 1]) as tf.Tensor2D,
                  act,
                ),
              ),
              up,
            ),
          );
        const row = (hh: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
          tf.sum(
            tf.mul(denseRowMajor(hh as tf.Tensor2D, tf.transpose(ww) as tf.Tensor2D, tf.reshape(bb, [-1, 1]) as tf.Tensor2D, act), up),
          );
        const gStock = tf.grads(stock)([h, w, b]);
        for (const [name, f] of [
          ['feature-major', feature],
          ['row-major', row],
        ] as const) {
          expect(relDiff(f(h, w, b).dataSync(), stock(h, w, b).dataSync()), name).to.be.below(1e-5);
          const g = tf.grads(f)([h, w, b]);
          for (let i = 0; i < 3; i++) expect(relDiff(g[i].dataSync(), gStock[i].dataSync()), `${name} gradient ${i}`).to.be.below(1e-5);
        }
        // On data: gradients with respect to W and b only.
        const hT = tf.transpose(h) as tf.Tensor2D;
        for (const layout of ['feature', 'row'] as const) {
          const onData = (ww: tf.Tensor, bb: tf.Tensor) => {
            const y = denseOnDataLayer(layout, h, hT, tf.transpose(ww) as tf.Tensor2D, tf.reshape(bb, [-1, 1]) as tf.Tensor2D, act);
            return tf.sum(tf.mul(layout === 'feature' ? tf.transpose(y) : y, up));
          };
          const g = tf.grads(onData)([w, b]);
          for (let i = 0; i < 2; i++)
            expect(relDiff(g[i].dataSync(), gStock[i + 1].dataSync()), `${layout} on data, gradient ${i + 1}`).to.be.below(1e-5);
        }
      });
    });
  }

  const network: NetworkSpec = { sizes: [20, 9, 7, 1], hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' };
  function batchOf(n: number, seed: number): Batch {
    const rng = Rng.stream(seed, 'bench-layouts-batch');
    return {
      x: Float32Array.from({ length: n * 20 }, () => rng.uniform()),
      y: Float32Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0)),
      n,
    };
  }

  for (const n of [3, ROW_MAJOR_FROM + 44]) {
    it(`batch ${n} (${n >= ROW_MAJOR_FROM ? 'row' : 'feature'}-major): gradients, two SGD steps with momentum and the outputs agree with the hand-written engine`, () => {
      const params = initParams(network.sizes, { scheme: 'xavier' }, 11);
      const sgd = { learningRate: 0.5, momentum: 0.9 };
      const t = createTfjsEngine(network, sgd, params);
      const h = createHandwrittenEngine(network, sgd, params);
      try {
        const batch = batchOf(n, n);
        const gt = t.gradients(batch);
        const gh = h.gradients(batch);
        for (let l = 0; l < 3; l++) {
          expect(relDiff(gt.weights[l], gh.weights[l]), `dW${l + 1}`).to.be.below(1e-4);
          expect(relDiff(gt.biases[l], gh.biases[l]), `db${l + 1}`).to.be.below(1e-4);
        }
        for (let s = 0; s < 2; s++) {
          t.step(batch);
          h.step(batch);
        }
        const pt = t.getParams();
        const ph = h.getParams();
        for (let l = 0; l < 3; l++) expect(relDiff(pt.weights[l], ph.weights[l]), `W${l + 1} after two steps`).to.be.below(1e-5);
        expect(relDiff(t.predict(batch.x, n), h.predict(batch.x, n))).to.be.below(1e-5);
      } finally {
        t.dispose();
        h.dispose();
      }
    });
  }
});
