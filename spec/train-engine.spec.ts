/**
 * The TensorFlow.js engine: its layer ops differentiate like the stock ops, its gradients are
 * those of the stated loss, and SGD follows the stated update rule.
 */
import { expect } from 'chai';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { denseOnDataLayer, denseRowMajor } from '../src/nn/tfjs/dense.js';
import { createTfjsEngine } from '../src/nn/tfjs/engine.js';
import { initParams, type Params } from '../src/nn/params.js';
import { loadParams, saveParams } from '../src/nn/params-io.js';
import type { NetworkSpec } from '../src/nn/engine.js';
import { Rng } from '../src/util/rng.js';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).to.equal(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = Rng.stream(seed, 'spec');
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

/** x·W + b through the engine's row-major layer op (weights transposed, bias as a column, no activation). */
function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return denseRowMajor(x, tf.transpose(w), tf.reshape(b, [-1, 1]), 'linear');
}

/** The same through the engine's first-layer op, which differentiates W and b only. */
function denseOnData(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  return denseOnDataLayer('row', x, null, tf.transpose(w), tf.reshape(b, [-1, 1]), 'linear');
}

describe('train: dense layer ops with their own gradients (src/nn/tfjs/dense.ts)', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('the row-major layer op gives the same value and the same gradients (x, W, b) as matMul + add', () => {
    tf.tidy(() => {
      const x = tf.tensor2d(randomArray(6 * 5, 1), [6, 5]);
      const w = tf.tensor2d(randomArray(5 * 4, 2), [5, 4]);
      const b = tf.tensor1d(randomArray(4, 3));
      const up = tf.tensor2d(randomArray(6 * 4, 4), [6, 4]);
      // A non-trivial scalar of the layer's output, so every output element gets a different weight.
      const stock = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(tf.sigmoid(tf.add(tf.matMul(xx as tf.Tensor2D, ww as tf.Tensor2D), bb)), up));
      const mine = (xx: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
        tf.sum(tf.mul(tf.sigmoid(dense(xx as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D)), up));
      expect(maxAbsDiff(dense(x, w, b).dataSync(), tf.add(tf.matMul(x, w), b).dataSync())).to.be.below(1e-6);
      const gStock = tf.grads(stock)([x, w, b]);
      const gMine = tf.grads(mine)([x, w, b]);
      for (let i = 0; i < 3; i++) {
        const s = gStock[i].dataSync();
        expect(maxAbs(s)).to.be.above(1e-3); // a zero gradient would make the comparison empty
        expect(maxAbsDiff(gMine[i].dataSync(), s)).to.be.below(1e-5);
      }
    });
  });

  it('the first-layer op (denseOnDataLayer) differentiates W and b like the stock ops, through two layers', () => {
    tf.tidy(() => {
      const x = tf.tensor2d(randomArray(7 * 5, 5), [7, 5]);
      const w1 = tf.tensor2d(randomArray(5 * 3, 6), [5, 3]);
      const b1 = tf.tensor1d(randomArray(3, 7));
      const w2 = tf.tensor2d(randomArray(3 * 1, 8), [3, 1]);
      const b2 = tf.tensor1d(randomArray(1, 9));
      const y = tf.tensor2d([1, 0, 1, 1, 0, 0, 1], [7, 1]);
      const stock = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor) =>
        tf.mean(
          tf.squaredDifference(tf.sigmoid(tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(x, a as tf.Tensor2D), c)), d as tf.Tensor2D), e)), y),
        );
      const mine = (a: tf.Tensor, c: tf.Tensor, d: tf.Tensor, e: tf.Tensor) =>
        tf.mean(
          tf.squaredDifference(
            tf.sigmoid(dense(tf.relu(denseOnData(x, a as tf.Tensor2D, c as tf.Tensor1D)), d as tf.Tensor2D, e as tf.Tensor1D)),
            y,
          ),
        );
      const gStock = tf.grads(stock)([w1, b1, w2, b2]);
      const gMine = tf.grads(mine)([w1, b1, w2, b2]);
      for (let i = 0; i < 4; i++) {
        expect(maxAbs(gStock[i].dataSync())).to.be.above(1e-4);
        expect(maxAbsDiff(gMine[i].dataSync(), gStock[i].dataSync())).to.be.below(1e-6);
      }
    });
  });
});

describe('train: TensorFlow.js engine (src/nn/tfjs/engine.ts)', () => {
  const network: NetworkSpec = { sizes: [4, 3, 2, 1], hiddenActivation: 'tanh', outputActivation: 'sigmoid' };
  const n = 5;
  const x = randomArray(n * 4, 11);
  const y = Float32Array.from([1, 0, 0, 1, 1]);

  before(async () => {
    await selectBackend('wasm');
  });

  /** The loss of the module's convention, computed in float64 on the CPU from the params. */
  function referenceLoss(p: Params): number {
    let sum = 0;
    for (let r = 0; r < n; r++) {
      let a = Array.from(x.subarray(r * 4, r * 4 + 4), Number);
      for (let l = 0; l < p.weights.length; l++) {
        const fanOut = p.sizes[l + 1];
        const z = Array.from({ length: fanOut }, (_, j) => a.reduce((s, v, i) => s + v * p.weights[l][i * fanOut + j], p.biases[l][j]));
        a = l + 1 < p.weights.length ? z.map(Math.tanh) : z.map((v) => 1 / (1 + Math.exp(-v)));
      }
      sum += (a[0] - y[r]) ** 2;
    }
    return sum / n; // mean of squared errors, no 1/2
  }

  it('evaluates the mean squared error (no 1/2) and the accuracy at threshold 0.5', () => {
    const p = initParams(network.sizes, { scheme: 'normal', std: 0.8 }, 3);
    const engine = createTfjsEngine(network, { learningRate: 0.1, momentum: 0 }, p);
    try {
      const ev = engine.evaluate(x, y, n);
      expect(ev.loss).to.be.closeTo(referenceLoss(p), 1e-6);
      const out = engine.predict(x, n);
      const correct = Array.from(out).filter((o, r) => o > 0.5 === y[r] > 0.5).length;
      expect(ev.accuracy).to.equal(correct / n);
    } finally {
      engine.dispose();
    }
  });

  it('returns the gradient of that loss (central differences in float64 agree)', () => {
    const p = initParams(network.sizes, { scheme: 'normal', std: 0.8 }, 4);
    const engine = createTfjsEngine(network, { learningRate: 0.1, momentum: 0 }, p);
    try {
      const g = engine.gradients({ x, y, n });
      const h = 1e-3;
      let checked = 0;
      for (let l = 0; l < p.weights.length; l++) {
        for (const [arr, grad] of [
          [p.weights[l], g.weights[l]],
          [p.biases[l], g.biases[l]],
        ] as const) {
          for (let k = 0; k < arr.length; k++) {
            const orig = arr[k];
            arr[k] = orig + h;
            const up = referenceLoss(p);
            arr[k] = orig - h;
            const down = referenceLoss(p);
            arr[k] = orig;
            const numeric = (up - down) / (2 * h);
            expect(grad[k], `layer ${l + 1} entry ${k}`).to.be.closeTo(numeric, 2e-4 + 1e-2 * Math.abs(numeric));
            checked++;
          }
        }
      }
      expect(checked).to.equal(4 * 3 + 3 + 3 * 2 + 2 + 2 + 1);
    } finally {
      engine.dispose();
    }
  });

  it('takes the SGD step w -= lr * grad, and with momentum v = m*v + grad; w -= lr * v', () => {
    const p = initParams(network.sizes, { scheme: 'xavier' }, 5);
    const lr = 0.3;
    const plain = createTfjsEngine(network, { learningRate: lr, momentum: 0 }, p);
    const heavy = createTfjsEngine(network, { learningRate: lr, momentum: 0.9 }, p);
    try {
      const g0 = plain.gradients({ x, y, n });
      plain.step({ x, y, n });
      const after = plain.getParams();
      for (let l = 0; l < 3; l++) {
        const expected = p.weights[l].map((w, k) => w - lr * g0.weights[l][k]);
        expect(maxAbsDiff(after.weights[l], expected)).to.be.below(1e-6);
      }
      // Two momentum steps: v1 = g(w0); w1 = w0 - lr v1; v2 = 0.9 v1 + g(w1); w2 = w1 - lr v2.
      heavy.step({ x, y, n });
      const w1 = heavy.getParams();
      const g1 = heavy.gradients({ x, y, n });
      heavy.step({ x, y, n });
      const w2 = heavy.getParams();
      for (let l = 0; l < 3; l++) {
        const expected = w1.weights[l].map((w, k) => w - lr * (0.9 * g0.weights[l][k] + g1.weights[l][k]));
        expect(maxAbsDiff(w2.weights[l], expected)).to.be.below(1e-6);
      }
      // setParams resets the velocity: the next step is a plain gradient step again.
      heavy.setParams(p);
      heavy.step({ x, y, n });
      expect(maxAbsDiff(heavy.getParams().weights[0], after.weights[0])).to.be.below(1e-7);
    } finally {
      plain.dispose();
      heavy.dispose();
    }
  });

  it('frees every tensor it made when disposed, and leaks none per step', () => {
    const before = tf.memory().numTensors;
    const engine = createTfjsEngine(network, { learningRate: 0.1, momentum: 0.5 }, initParams(network.sizes, { scheme: 'he' }, 6));
    engine.step({ x, y, n });
    const afterOne = tf.memory().numTensors;
    for (let i = 0; i < 5; i++) engine.step({ x, y, n });
    engine.evaluate(x, y, n);
    engine.predict(x, n);
    engine.gradients({ x, y, n });
    engine.getParams();
    expect(tf.memory().numTensors).to.equal(afterOne);
    engine.dispose();
    expect(tf.memory().numTensors).to.equal(before);
    expect(() => engine.step({ x, y, n })).to.throw(/disposed/);
  });

  it('saves and loads parameters exactly (weights.json)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'train-params-'));
    try {
      const p = initParams([6, 5, 1], { scheme: 'uniform' }, 9);
      p.weights[0][3] = NaN; // a diverged run must still save and load
      const file = path.join(dir, 'weights.json');
      await saveParams(file, p);
      const q = loadParams(file);
      expect(q.sizes).to.deep.equal([6, 5, 1]);
      expect(Array.from(q.weights[0])).to.deep.equal(Array.from(p.weights[0]));
      expect(Array.from(q.weights[1])).to.deep.equal(Array.from(p.weights[1]));
      expect(Array.from(q.biases[0])).to.deep.equal(Array.from(p.biases[0]));
      await fs.writeFile(file, '{"format":"something else"}');
      expect(() => loadParams(file)).to.throw(/not a weights file/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
