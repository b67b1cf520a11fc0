/**
 * The TensorFlow.js engine's explicit step (src/nn/tfjs/explicit-step.ts) and its WebAssembly
 * step kernels (src/nn/tfjs/step-kernels.wat): on the wasm backend, the explicit step leaves the
 * same parameters and gradients as autodiff (tf.variableGrads), bit for bit, in both memory
 * layouts, for each activation it takes and with momentum; the product gives BatchMatMul's bits
 * on shapes whose sides do and do not divide by its tiles; activations written with tf.* ops go
 * to autodiff; a batch-32 step of the article's network makes the pinned number of calls; and
 * the committed bytes are the .wat's.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { createTfjsEngine, type TfjsRoute } from '../src/nn/tfjs/engine.js';
import { KernelCalls, supportsExplicitStep } from '../src/nn/tfjs/explicit-step.js';
import { wasmStepKernels } from '../src/nn/tfjs/step-kernels.js';
import { initParams, type Params } from '../src/nn/params.js';
import type { Engine, NetworkSpec, SgdSpec } from '../src/nn/engine.js';
import type { HiddenActivation } from '../src/config/activations.js';
import { makeWorkload } from '../src/bench/workload.js';
import { Rng } from '../src/util/rng.js';
// @ts-expect-error -- a plain JavaScript tool without type declarations
import { compileKernel, moduleText } from '../tools/build-wasm.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((v, t) => Object.is(v, b[t]));

function sameParams(a: Params, b: Params): boolean {
  return a.weights.every((w, l) => sameBits(w, b.weights[l])) && a.biases.every((v, l) => sameBits(v, b.biases[l]));
}

function randomMatrix(rows: number, cols: number, rng: Rng): tf.Tensor2D {
  return tf.tensor2d(
    Float32Array.from({ length: rows * cols }, () => rng.range(-1, 1)),
    [rows, cols],
  );
}

describe('tfjs engine: the explicit step and its step kernels (src/nn/tfjs/explicit-step.ts, step-kernels.wat)', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('step-kernels-wasm.ts holds step-kernels.wat compiled (run node tools/build-wasm.mjs after editing the .wat)', async () => {
    const bytes = await compileKernel('step-kernels');
    expect(readFileSync(path.join(ROOT, 'src/nn/tfjs/step-kernels-wasm.ts'), 'utf8')).to.equal(moduleText('step-kernels', bytes));
  });

  it("the step kernels' product gives BatchMatMul's bits, tiles whole and ragged", () => {
    const own = wasmStepKernels();
    expect(own, 'the kernels run on the single-threaded wasm backend').to.not.equal(null);
    const rng = Rng.stream(3, 'tfjs-matmul-spec');
    for (const [m, k, n] of [
      [1, 1, 1],
      [3, 5, 7],
      [4, 8, 8],
      [5, 13, 9],
      [17, 3, 12],
      [1, 15, 1],
      [30, 50, 32],
      [150, 1024, 32],
      [150, 32, 1024],
    ]) {
      tf.tidy(() => {
        const a = randomMatrix(m, k, rng);
        const b = randomMatrix(k, n, rng);
        const mine = own!.matMul(a, b);
        const ownValues = tf.backend().readSync(mine.dataId) as Float32Array;
        tf.backend().disposeData(mine.dataId);
        const stock = tf.engine().runKernel('BatchMatMul', { a, b }, { transposeA: false, transposeB: false }) as tf.Tensor;
        expect(sameBits(ownValues, stock.dataSync()), `${m}x${k}·${k}x${n}`).to.equal(true);
      });
    }
  });

  const cases: Array<{ act: HiddenActivation; batch: number; momentum: number }> = [
    { act: 'sigmoid', batch: 1, momentum: 0 },
    { act: 'sigmoid', batch: 32, momentum: 0 },
    { act: 'sigmoid', batch: 300, momentum: 0 },
    { act: 'relu', batch: 7, momentum: 0.9 },
    { act: 'relu', batch: 260, momentum: 0.5 },
    { act: 'tanh', batch: 32, momentum: 0 },
  ];
  for (const { act, batch, momentum } of cases) {
    it(`explicit and autodiff steps agree bit for bit: ${act}, batch ${batch}, momentum ${momentum}`, () => {
      const network: NetworkSpec = { sizes: [37, 13, 9, 1], hiddenActivation: act, outputActivation: 'sigmoid' };
      const sgd: SgdSpec = { learningRate: 0.3, momentum };
      const params = initParams(network.sizes, { scheme: 'xavier' }, 5);
      const rng = Rng.stream(11, 'tfjs-explicit-step-spec');
      const x = Float32Array.from({ length: batch * 37 }, () => rng.uniform());
      const y = Float32Array.from({ length: batch }, () => (rng.uniform() < 0.5 ? 1 : 0));
      const engines = (['auto', 'autodiff'] as TfjsRoute[]).map((route) => createTfjsEngine(network, sgd, params, route));
      try {
        const [explicit, autodiff] = engines;
        expect(sameParams(explicit.gradients({ x, y, n: batch }), autodiff.gradients({ x, y, n: batch })), 'gradients').to.equal(true);
        for (let s = 0; s < 12; s++) for (const e of engines) e.step({ x, y, n: batch });
        expect(sameParams(explicit.getParams(), autodiff.getParams()), 'parameters after 12 steps').to.equal(true);
        expect(sameParams(explicit.getParams(), params), 'the steps moved the parameters').to.equal(false);
      } finally {
        for (const e of engines) e.dispose();
      }
    });
  }

  it('activations written with tf.* ops are trained by autodiff; sigmoid, relu, tanh by the explicit step', () => {
    expect(supportsExplicitStep(['sigmoid', 'relu', 'tanh', 'sigmoid'])).to.equal(true);
    expect(supportsExplicitStep(['relu-clipped', 'sigmoid'])).to.equal(false);
    expect(supportsExplicitStep(['relu-scaled', 'sigmoid'])).to.equal(false);
  });

  it("a batch-32 step of the article's 7-layer network: 6 backend kernel calls and 53 step-kernel calls; 81 and 0 by autodiff", () => {
    const w = makeWorkload(64);
    const counted = tf.getKernelsForBackend('wasm');
    const inner = counted.map((c) => c.kernelFunc);
    let calls = 0;
    let own = 0;
    const owned = Object.getOwnPropertyDescriptor(KernelCalls.prototype, 'owned')!;
    Object.defineProperty(KernelCalls.prototype, 'owned', {
      ...owned,
      value(this: KernelCalls, t: tf.TensorInfo) {
        own++;
        return (owned.value as (t: tf.TensorInfo) => tf.TensorInfo).call(this, t);
      },
    });
    counted.forEach((c, i) => {
      c.kernelFunc = (args) => {
        calls++;
        return inner[i](args);
      };
    });
    const perStep = (engine: Engine): number[] => {
      const batch = { x: w.x, y: w.y, n: 32 };
      engine.step(batch);
      const before = [calls, own];
      engine.step(batch);
      return [calls - before[0], own - before[1]];
    };
    const engines = (['auto', 'autodiff'] as TfjsRoute[]).map((route) => createTfjsEngine(w.network, w.sgd, w.params, route));
    try {
      expect(engines.map(perStep)).to.deep.equal([
        [6, 53],
        [81, 0],
      ]);
    } finally {
      Object.defineProperty(KernelCalls.prototype, 'owned', owned);
      counted.forEach((c, i) => (c.kernelFunc = inner[i]));
      for (const e of engines) e.dispose();
    }
  });
});
