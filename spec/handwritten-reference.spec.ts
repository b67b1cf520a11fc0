/**
 * The hand-written engine's fast kernels (src/nn/handwritten/engine.ts) against the reference
 * backpropagation (src/nn/handwritten/reference.ts), written from the textbook's four equations:
 * the same gradients to float64 rounding when the engine runs in float64, and the same weights to
 * float32 tolerance after several steps of online and mini-batch SGD with the float32 engine.
 */
import { expect } from 'chai';
import { createHandwrittenEngine, HandwrittenMlp } from '../src/nn/handwritten/engine.js';
import {
  batchGradient,
  feedforward,
  gradientDescentStep,
  referenceNetwork,
  type ReferenceGradient,
} from '../src/nn/handwritten/reference.js';
import { initParams, type Params } from '../src/nn/params.js';
import type { NetworkSpec } from '../src/nn/engine.js';
import type { Activation, OutputActivation } from '../src/config/schema.js';
import { activationNames } from '../src/config/activations.js';
import { difference } from '../src/training/compare-engines.js';
import { Rng } from '../src/util/rng.js';

const SIZES = [9, 7, 5, 4, 1];

function setup(seed: number, n: number): { params: Params; x: Float32Array; y: Float32Array } {
  const params = initParams(SIZES, { scheme: 'he' }, seed);
  const rng = Rng.stream(seed, 'reference-spec');
  for (const b of params.biases) for (let t = 0; t < b.length; t++) b[t] = rng.range(-0.3, 0.6);
  const x = Float32Array.from({ length: n * SIZES[0] }, () => rng.uniform());
  const y = Float32Array.from({ length: n }, (_, r) => r % 2);
  return { params, x, y };
}

/** Layer l of a textbook-shaped gradient (w[j][k]) in the engine's layout (W[k * fanOut + j]). */
function flatWeights(g: ReferenceGradient | { weights: number[][][] }, l: number): number[] {
  const w = g.weights[l];
  const fanOut = w.length;
  const fanIn = w[0].length;
  const flat = new Array<number>(fanIn * fanOut);
  for (let j = 0; j < fanOut; j++) for (let k = 0; k < fanIn; k++) flat[k * fanOut + j] = w[j][k];
  return flat;
}

const activations = activationNames('hidden') as Activation[];

describe('hand-written engine: the fast kernels against the reference backpropagation', () => {
  for (const hidden of activations) {
    for (const output of ['sigmoid', 'linear'] as OutputActivation[]) {
      for (const n of [1, 6]) {
        it(`${hidden} hidden, ${output} output, batch ${n}: outputs and every gradient, float64, to 1e-12 of the layer's largest`, () => {
          const network: NetworkSpec = { sizes: SIZES, hiddenActivation: hidden, outputActivation: output };
          const { params, x, y } = setup(5 + n, n);
          const ref = referenceNetwork(network, params);
          const fast = new HandwrittenMlp(network, params, 'float64');
          const out = fast.forward(x, n);
          for (let r = 0; r < n; r++) {
            const { as } = feedforward(ref, x.subarray(r * SIZES[0], (r + 1) * SIZES[0]));
            expect(out[r]).to.be.closeTo(as[as.length - 1][0], 1e-12);
          }
          const g = fast.computeGradients({ x, y, n });
          const expected = batchGradient(ref, x, y, n);
          for (let l = 0; l + 1 < SIZES.length; l++) {
            const dw = difference(flatWeights(expected, l), g.weights[l], { absolute: 1e-15, relative: 1e-12 }, 'layer');
            expect(dw.scale, `layer ${l}: an all-zero gradient tests nothing`).to.be.greaterThan(0);
            expect(dw.ok, `layer ${l} weights: max |diff| ${dw.maxAbs} of ${dw.scale}`).to.equal(true);
            const db = difference(expected.biases[l], g.biases[l], { absolute: 1e-15, relative: 1e-12 }, 'layer');
            expect(db.ok, `layer ${l} biases: max |diff| ${db.maxAbs} of ${db.scale}`).to.equal(true);
          }
        });
      }
    }
  }

  for (const [hidden, n] of [
    ['sigmoid', 1],
    ['relu', 1],
    ['relu', 4],
    ['tanh', 70],
  ] as Array<[Activation, number]>) {
    it(`${hidden}, batch ${n}: 25 SGD steps of the float32 engine follow the reference's (float64) to float32 tolerance`, () => {
      const network: NetworkSpec = { sizes: SIZES, hiddenActivation: hidden, outputActivation: 'sigmoid' };
      const examples = 100;
      const { params, x, y } = setup(17, examples);
      const ref = referenceNetwork(network, params);
      const engine = createHandwrittenEngine(network, { learningRate: 0.5, momentum: 0 }, params);
      for (let s = 0; s < 25; s++) {
        const start = (s * n) % (examples - n + 1);
        const bx = x.slice(start * SIZES[0], (start + n) * SIZES[0]);
        const by = y.slice(start, start + n);
        engine.step({ x: bx, y: by, n });
        gradientDescentStep(ref, bx, by, n, 0.5);
      }
      const after = engine.getParams();
      for (let l = 0; l + 1 < SIZES.length; l++) {
        const d = difference(flatWeights(ref, l), after.weights[l], { absolute: 1e-6, relative: 1e-5 }, 'layer');
        expect(d.ok, `layer ${l}: max |diff| ${d.maxAbs} of ${d.scale}`).to.equal(true);
        const moved = difference(params.weights[l], after.weights[l], { absolute: 1e-4, relative: 0 }, 'own');
        expect(moved.ok, `layer ${l}: the weights must have moved for the comparison to mean anything`).to.equal(false);
      }
    });
  }

  it('online SGD (its first-layer update deferred to the next forward pass) is unchanged by evaluate, predict, gradients and setParams in between', () => {
    const network: NetworkSpec = { sizes: SIZES, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' };
    const { params, x, y } = setup(23, 40);
    const other = setup(24, 40).params;
    const ref = referenceNetwork(network, params);
    const engine = createHandwrittenEngine(network, { learningRate: 0.5, momentum: 0 }, params);
    const one = (r: number) => ({ x: x.slice(r * SIZES[0], (r + 1) * SIZES[0]), y: y.slice(r, r + 1), n: 1 });
    for (let r = 0; r < 30; r++) {
      if (r === 10) {
        // A step on other parameters, then setParams back to where the reference is: the step is forgotten.
        engine.setParams(other);
        engine.step(one(39));
        engine.setParams(referenceParams(ref));
      }
      engine.step(one(r));
      gradientDescentStep(ref, one(r).x, one(r).y, 1, 0.5);
      if (r % 3 === 0) engine.evaluate(x, y, 40);
      if (r % 4 === 1) engine.predict(x, 1);
      if (r % 5 === 2) engine.gradients({ x, y, n: 7 });
    }
    const after = engine.getParams();
    for (let l = 0; l + 1 < SIZES.length; l++) {
      const d = difference(flatWeights(ref, l), after.weights[l], { absolute: 1e-6, relative: 1e-5 }, 'layer');
      expect(d.ok, `layer ${l}: max |diff| ${d.maxAbs} of ${d.scale}`).to.equal(true);
    }
  });
});

/** The reference network's parameters in the engine's layout (float32). */
function referenceParams(ref: { weights: number[][][]; biases: number[][] }): Params {
  return {
    sizes: [...SIZES],
    weights: ref.weights.map((_, l) => Float32Array.from(flatWeights(ref, l))),
    biases: ref.biases.map((b) => Float32Array.from(b)),
  };
}
