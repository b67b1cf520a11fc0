/**
 * The whole online step (src/nn/handwritten/online-step.wat and its plain kernel in
 * online-step.ts): the WebAssembly SIMD kernel and the plain one give the same parameters, bit for
 * bit, over 120 to 300 steps on shapes whose widths do and do not divide by four (first layers cut
 * into column panels of 16, 8 and 4, with odd and even row counts), for every activation they
 * implement; the step is SGD (it agrees with the engine's general path, which sums in double, to
 * float32 tolerance); the engine takes its general path where the kernel does not apply; the floor
 * kernel leaves the weights alone; and the committed bytes are the .wat's.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HandwrittenMlp } from '../src/nn/handwritten/engine.js';
import { OnlineStep, onlineActivationCode } from '../src/nn/handwritten/online-step.js';
import { initParams, type Params } from '../src/nn/params.js';
import type { NetworkSpec, SgdSpec } from '../src/nn/engine.js';
import { difference } from '../src/training/compare-engines.js';
import { Rng } from '../src/util/rng.js';
// @ts-expect-error -- a plain JavaScript tool without type declarations
import { compileKernel, moduleText } from '../tools/build-wasm.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function data(sizes: readonly number[], examples: number, seed: number): { x: Float32Array; y: Float32Array } {
  const rng = Rng.stream(seed, 'online-step-spec');
  return {
    x: Float32Array.from({ length: examples * sizes[0] }, () => rng.uniform()),
    y: Float32Array.from({ length: examples }, () => (rng.uniform() < 0.5 ? 1 : 0)),
  };
}

const sameBits = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((v, t) => Object.is(v, b[t]));

/** Parameters with biases drawn away from zero, so relu layers are neither all dead nor all alive. */
function startParams(sizes: number[], seed: number): Params {
  const params = initParams(sizes, { scheme: 'he' }, seed);
  const rng = Rng.stream(seed, 'online-step-biases');
  for (const b of params.biases) for (let t = 0; t < b.length; t++) b[t] = rng.range(-0.2, 0.3);
  return params;
}

describe('the online step: WebAssembly SIMD kernel against the plain one', () => {
  const shapes = [
    [1024, 150, 100, 50, 30, 15, 1],
    [1023, 151, 7, 1],
    [9, 7, 5, 4, 1],
    [3, 1],
    [13, 6, 1],
    [37, 27, 11, 1],
  ];
  const activations = [
    ['sigmoid', 'sigmoid'],
    ['relu', 'sigmoid'],
    ['tanh', 'linear'],
    ['relu', 'linear'],
  ] as const;
  for (const sizes of shapes) {
    const steps = sizes[0] > 1000 ? 120 : 300;
    for (const [hidden, output] of activations) {
      it(`${sizes.join('-')}, ${hidden} hidden, ${output} output: ${steps} steps (parameters read out and in halfway) give the same parameters to the bit`, function () {
        this.timeout(60_000);
        const network: NetworkSpec = { sizes, hiddenActivation: hidden, outputActivation: output };
        const params = startParams(sizes, sizes.length * 100 + sizes[1]);
        const simd = new HandwrittenMlp(network, params, 'float32', 'simd');
        const plain = new HandwrittenMlp(network, params, 'float32', 'plain');
        const { x, y } = data(sizes, steps, 11);
        const sgd: SgdSpec = { learningRate: output === 'linear' ? 0.02 : 0.3, momentum: 0 };
        for (let r = 0; r < steps; r++) {
          const batch = { x: x.subarray(r * sizes[0], (r + 1) * sizes[0]), y: y.subarray(r, r + 1), n: 1 };
          simd.step(batch, sgd);
          plain.step(batch, sgd);
          if (r === steps / 2) expect(sameBits(simd.getParams().weights[0], plain.getParams().weights[0]), 'halfway').to.equal(true);
        }
        const [a, b] = [simd.getParams(), plain.getParams()];
        for (let k = 0; k + 1 < sizes.length; k++) {
          expect(sameBits(a.weights[k], b.weights[k]), `layer ${k} weights`).to.equal(true);
          expect(sameBits(a.biases[k], b.biases[k]), `layer ${k} biases`).to.equal(true);
          expect(sameBits(a.weights[k], params.weights[k]), `layer ${k} must have moved`).to.equal(false);
        }
        expect(a.weights.flatMap((w) => Array.from(w)).every(Number.isFinite), 'finite weights').to.equal(true);
      });
    }
  }

  it("is SGD: 40 steps agree with the engine's general path (sums in double) to float32 tolerance", () => {
    const sizes = [9, 7, 5, 4, 1];
    for (const hidden of ['sigmoid', 'relu', 'tanh'] as const) {
      const network: NetworkSpec = { sizes, hiddenActivation: hidden, outputActivation: 'sigmoid' };
      const params = startParams(sizes, 4);
      const online = new HandwrittenMlp(network, params, 'float32');
      const general = new HandwrittenMlp(network, params, 'float32');
      const { x, y } = data(sizes, 40, 5);
      for (let r = 0; r < 40; r++) {
        const batch = { x: x.subarray(r * 9, (r + 1) * 9), y: y.subarray(r, r + 1), n: 1 };
        online.step(batch, { learningRate: 0.5, momentum: 0 });
        general.forward(batch.x, 1);
        general.backward(batch.x, batch.y, 1, { learningRate: 0.5, momentum: 0 });
      }
      const [a, b] = [online.getParams(), general.getParams()];
      for (let k = 0; k + 1 < sizes.length; k++) {
        const d = difference(Array.from(b.weights[k]), a.weights[k], { absolute: 1e-6, relative: 1e-5 }, 'layer');
        expect(d.ok, `${hidden}, layer ${k}: max |diff| ${d.maxAbs} of ${d.scale}`).to.equal(true);
        expect(sameBits(a.weights[k], b.weights[k]), `${hidden}, layer ${k}: two different summations`).to.equal(false);
      }
    }
  });

  it('implements sigmoid, relu, tanh and linear; relu-clipped and relu-scaled, momentum and gradient normalisation take the general path', () => {
    expect(['sigmoid', 'relu', 'tanh', 'linear'].map((a) => onlineActivationCode(a as 'relu'))).to.deep.equal([0, 1, 2, 3]);
    expect(onlineActivationCode('relu-clipped')).to.equal(null);
    expect(onlineActivationCode('relu-scaled')).to.equal(null);
    expect(OnlineStep.create([4, 3, 1], 'relu-scaled', 'sigmoid', 'simd')).to.equal(null);
    expect(OnlineStep.create([4, 3, 1], 'relu', 'sigmoid', 'simd')?.kernel).to.equal('simd');
    // On the general path the plain and SIMD engines sum in double, as before: still the same bits.
    const sizes = [9, 7, 1];
    const { x, y } = data(sizes, 20, 9);
    for (const [hidden, sgd] of [
      ['relu-clipped', { learningRate: 0.3, momentum: 0 }],
      ['relu', { learningRate: 0.3, momentum: 0.9 }],
      ['sigmoid', { learningRate: 0.3, momentum: 0, gradientNormalisation: 'layer' }],
    ] as const) {
      const network: NetworkSpec = { sizes, hiddenActivation: hidden, outputActivation: 'sigmoid' };
      const params = startParams(sizes, 2);
      const engine = new HandwrittenMlp(network, params, 'float32');
      const reference = new HandwrittenMlp(network, params, 'float32');
      for (let r = 0; r < 20; r++) {
        const batch = { x: x.subarray(r * 9, (r + 1) * 9), y: y.subarray(r, r + 1), n: 1 };
        engine.step(batch, sgd);
        reference.forward(batch.x, 1);
        reference.backward(batch.x, batch.y, 1, sgd);
      }
      const [a, b] = [engine.getParams(), reference.getParams()];
      for (let k = 0; k < 2; k++) expect(sameBits(a.weights[k], b.weights[k]), `${hidden}: layer ${k}`).to.equal(true);
    }
  });

  it('the floor kernel moves the weights through memory and leaves them as they were', () => {
    const sizes = [1024, 150, 100, 50, 30, 15, 1];
    const kernel = OnlineStep.create(sizes, 'sigmoid', 'sigmoid', 'simd')!;
    const params = startParams(sizes, 1);
    kernel.load(params.weights, params.biases);
    kernel.streamWeights();
    const weights = params.weights.map((w) => new Float32Array(w.length));
    const biases = params.biases.map((b) => new Float32Array(b.length));
    kernel.store(weights, biases);
    for (let k = 0; k + 1 < sizes.length; k++) expect(sameBits(weights[k], params.weights[k]), `layer ${k}`).to.equal(true);
    const plain = OnlineStep.create(sizes, 'sigmoid', 'sigmoid', 'plain')!;
    expect(() => plain.streamWeights()).to.throw(/only for the WebAssembly kernel/);
  });

  it('online-step-wasm.ts holds exactly what online-step.wat compiles to (run `node tools/build-wasm.mjs` after editing the .wat)', async function () {
    this.timeout(30_000);
    const bytes = (await compileKernel('online-step')) as Buffer;
    const committed = readFileSync(path.join(ROOT, 'src', 'nn', 'handwritten', 'online-step-wasm.ts'), 'utf8');
    expect(committed).to.equal(moduleText('online-step', bytes));
  });
});
