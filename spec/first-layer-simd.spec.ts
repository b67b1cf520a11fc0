/**
 * The hand-written engine's WebAssembly SIMD kernel (src/nn/handwritten/first-layer.wat) against
 * the plain kernels beside it (kernels.ts): the same weights and outputs, bit for bit, on
 * shapes whose rows and columns do and do not divide by four; inside the engine, online SGD on
 * the fused SIMD path equals the unfused two passes; and the committed bytes are the .wat's.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FirstLayerSimd } from '../src/nn/handwritten/first-layer-simd.js';
import { descendThenAffine } from '../src/nn/handwritten/kernels.js';
import { createHandwrittenEngine, HandwrittenMlp } from '../src/nn/handwritten/engine.js';
import { initParams } from '../src/nn/params.js';
import { Rng } from '../src/util/rng.js';
// @ts-expect-error -- a plain JavaScript tool without type declarations
import { compileKernel, moduleText } from '../tools/build-wasm.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const fill = (a: Float32Array, rng: Rng, scale: number): Float32Array => {
  for (let t = 0; t < a.length; t++) a[t] = rng.range(-scale, scale);
  return a;
};

describe('first layer: the WebAssembly SIMD kernel against the plain one', () => {
  for (const [fanIn, fanOut] of [
    [1024, 150],
    [1023, 151],
    [9, 7],
    [8, 4],
    [3, 3],
    [6, 2],
    [1, 1],
  ]) {
    it(`${fanIn} x ${fanOut}: five consecutive steps give the same weights and outputs to the bit`, () => {
      const simd = FirstLayerSimd.create(fanIn, fanOut);
      expect(simd, 'WebAssembly SIMD is available in every Node this project supports').to.not.equal(null);
      const rng = Rng.stream(fanIn * 1000 + fanOut, 'first-layer-simd');
      fill(simd!.weights, rng, 0.1);
      const W = Float32Array.from(simd!.weights);
      const b = fill(new Float32Array(fanOut), rng, 0.5);
      const [outSimd, outPlain] = [new Float32Array(fanOut), new Float32Array(fanOut)];
      for (let step = 0; step < 5; step++) {
        fill(simd!.pendingInput, rng, 1);
        const p = Float32Array.from(simd!.pendingInput);
        // Extra room after the delta and the input, as the engine's buffers have (capacity > 1).
        const d = fill(new Float32Array(fanOut + 3), rng, 0.3);
        const x = fill(new Float32Array(fanIn + 5), rng, 1);
        const lr = [0.03, 1, 0.1][step % 3];
        simd!.descendThenAffine(d, lr, b, x, outSimd);
        descendThenAffine(p, d, lr, W, b, x, outPlain, fanIn, fanOut);
        expect(Array.from(outSimd), `outputs, step ${step}`).to.deep.equal(Array.from(outPlain));
        expect(
          simd!.weights.every((v, t) => Object.is(v, W[t])),
          `weights, step ${step}`,
        ).to.equal(true);
      }
      // The comparison means something: the weights moved and the outputs are not the bias.
      expect(Array.from(outPlain)).to.not.deep.equal(Array.from(b));
    });
  }

  // relu-clipped: an activation the whole-step kernel (online-step.ts) does not implement, so online
  // steps take the general path with this first-layer kernel.
  it("inside the engine: 60 online steps on the fused SIMD path equal the unfused two passes, bit for bit, on the article's first layer", () => {
    const sizes = [1024, 150, 100, 1];
    const network = { sizes, hiddenActivation: 'relu-clipped' as const, outputActivation: 'sigmoid' as const };
    const params = initParams(sizes, { scheme: 'he' }, 3);
    const rng = Rng.stream(3, 'first-layer-engine');
    const x = Float32Array.from({ length: 60 * 1024 }, () => rng.uniform());
    const sgd = { learningRate: 0.05, momentum: 0 };
    const fused = createHandwrittenEngine(network, sgd, params);
    const unfused = createHandwrittenEngine(network, sgd, params);
    for (let r = 0; r < 60; r++) {
      const batch = { x: x.subarray(r * 1024, (r + 1) * 1024), y: Float32Array.of(r % 2), n: 1 };
      fused.step(batch);
      unfused.step(batch);
      // Applies the deferred update now (descendOnOuterProduct), so the next forward pass is the plain affine.
      unfused.getParams();
    }
    const [a, b] = [fused.getParams(), unfused.getParams()];
    for (let k = 0; k < 3; k++) {
      expect(
        a.weights[k].every((v, t) => Object.is(v, b.weights[k][t])),
        `layer ${k} weights`,
      ).to.equal(true);
      expect(Array.from(a.biases[k]), `layer ${k} biases`).to.deep.equal(Array.from(b.biases[k]));
    }
    expect(a.weights[0].some((v, t) => v !== params.weights[0][t])).to.equal(true);
  });

  for (const sizes of [
    [1024, 150, 30, 1],
    [1023, 151, 7, 1],
    [9, 7, 1],
  ]) {
    it(`${sizes.join('-')}: forward passes (as evaluation and prediction run them) and SGD steps of batches 2 to 600 are the plain engine's, bit for bit`, () => {
      const network = { sizes, hiddenActivation: 'relu' as const, outputActivation: 'sigmoid' as const };
      const params = initParams(sizes, { scheme: 'he' }, 5);
      const simd = new HandwrittenMlp(network, params, 'float32', 'simd');
      const plain = new HandwrittenMlp(network, params, 'float32', 'plain');
      const rng = Rng.stream(5, 'first-layer-affine');
      const x = Float32Array.from({ length: 600 * sizes[0] }, () => rng.uniform());
      const y = Float32Array.from({ length: 600 }, (_, r) => r % 2);
      const same = (a: ArrayLike<number>, b: ArrayLike<number>, what: string) =>
        expect(
          Array.from(a).every((v, t) => Object.is(v, b[t])),
          what,
        ).to.equal(true);
      // 300 and 600 cross the kernel's 256-example chunks; 3 and 7 leave an odd example.
      for (const n of [2, 3, 7, 300, 600]) same(simd.forward(x, n), Float32Array.from(plain.forward(x, n)), `forward, batch ${n}`);
      const sgd = { learningRate: 0.1, momentum: 0 };
      for (const [step, n] of [5, 64, 100, 5].entries()) {
        const batch = { x: x.subarray(step * 100 * sizes[0]), y: y.subarray(step * 100), n };
        simd.step(batch, sgd);
        plain.step(batch, sgd);
      }
      for (let k = 0; k < sizes.length - 1; k++) same(simd.weights[k], plain.weights[k], `layer ${k} weights after the steps`);
      same(simd.forward(x, 600), Float32Array.from(plain.forward(x, 600)), 'forward after the steps');
    });
  }

  it('first-layer-wasm.ts holds exactly what first-layer.wat compiles to (run `node tools/build-wasm.mjs` after editing the .wat)', async function () {
    this.timeout(30_000);
    const bytes = (await compileKernel('first-layer')) as Buffer;
    const committed = readFileSync(path.join(ROOT, 'src', 'nn', 'handwritten', 'first-layer-wasm.ts'), 'utf8');
    expect(committed).to.equal(moduleText('first-layer', bytes));
  });
});
