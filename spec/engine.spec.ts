/**
 * The hand-written engine (src/nn/handwritten/engine.ts): its first-step gradients and forward
 * pass agree with the TensorFlow.js engine's within the stated float32 tolerance, and its SGD
 * step is exactly the stated update rule.
 */
import { expect } from 'chai';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { DEFAULT_TOLERANCES, difference } from '../src/training/compare-engines.js';
import { createHandwrittenEngine, HandwrittenMlp } from '../src/nn/handwritten/engine.js';
import { createTfjsEngine } from '../src/nn/tfjs/engine.js';
import { initParams, type Params } from '../src/nn/params.js';
import type { Batch, NetworkSpec } from '../src/nn/engine.js';
import type { Activation, OutputActivation } from '../src/config/schema.js';
import { activationNames } from '../src/config/activations.js';
import { createEngine } from '../src/nn/create-engine.js';
import { Rng } from '../src/util/rng.js';

/** n examples of `inputs` pixels in [0, 1] and balanced 0/1 targets, from a seeded stream. */
function makeBatch(n: number, inputs: number, seed: number): Batch {
  const rng = Rng.stream(seed, 'engine-spec');
  const x = Float32Array.from({ length: n * inputs }, () => rng.uniform());
  const y = Float32Array.from({ length: n }, (_, r) => (r + seed) % 2);
  return { x, y, n };
}

/** Initial parameters with small random biases, so no bias-driven symmetry hides a mistake. */
function paramsFor(sizes: number[], seed: number): Params {
  const p = initParams(sizes, { scheme: 'xavier' }, seed);
  const rng = Rng.stream(seed, 'engine-spec-bias');
  for (const b of p.biases) for (let t = 0; t < b.length; t++) b[t] = rng.range(-0.1, 0.1);
  return p;
}

describe('engine: hand-written MLP against the TensorFlow.js engine (first step, float32)', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  const shapes: number[][] = [
    [40, 1], // no hidden layer: a logistic unit
    [40, 12, 1],
    [40, 16, 12, 8, 1],
    [40, 16, 14, 12, 10, 8, 6, 1], // 8 layers, as deep as the article's deepest
  ];
  const activations = activationNames('hidden') as Activation[];
  const batchSizes = [1, 7, 32];
  let cases = 0;
  for (const activation of activations) {
    for (const sizes of shapes) {
      for (const n of batchSizes) {
        const output: OutputActivation = cases++ % 4 === 3 ? 'linear' : 'sigmoid';
        it(`${activation}, sizes [${sizes.join(',')}], ${output} output, batch ${n}: outputs, loss and every gradient agree`, () => {
          const network: NetworkSpec = { sizes, hiddenActivation: activation, outputActivation: output };
          const params = paramsFor(sizes, 11 + n + sizes.length);
          const batch = makeBatch(n, sizes[0], 3 + n);
          const sgd = { learningRate: 0.1, momentum: 0 };
          const tfjs = createTfjsEngine(network, sgd, params);
          const hand = createHandwrittenEngine(network, sgd, params);
          try {
            const out = difference(tfjs.predict(batch.x, n), hand.predict(batch.x, n), DEFAULT_TOLERANCES.output, 'own');
            expect(out.ok, `outputs differ by ${out.maxAbs}`).to.equal(true);
            const gt = tfjs.gradients(batch);
            const gh = hand.gradients(batch);
            for (let k = 0; k + 1 < sizes.length; k++) {
              for (const kind of ['weights', 'biases'] as const) {
                const d = difference(gt[kind][k], gh[kind][k], DEFAULT_TOLERANCES.gradient, 'layer');
                expect(d.scale, `layer ${k} ${kind}: the gradient is all zeros, the case tests nothing`).to.be.greaterThan(0);
                expect(d.ok, `layer ${k} ${kind}: max |diff| ${d.maxAbs} vs max |g| ${d.scale}`).to.equal(true);
              }
            }
          } finally {
            tfjs.dispose();
            hand.dispose();
          }
        });
      }
    }
  }

  it('states a float32-sized tolerance (a real mistake is orders of magnitude beyond it)', () => {
    expect(DEFAULT_TOLERANCES.gradient.relative).to.be.at.most(1e-4);
    expect(DEFAULT_TOLERANCES.output.relative).to.be.at.most(1e-5);
  });

  it('the engine factory builds the hand-written engine', async () => {
    const sizes = [6, 4, 1];
    const e = await createEngine(
      'handwritten',
      { sizes, hiddenActivation: 'relu', outputActivation: 'sigmoid' },
      { learningRate: 0.1, momentum: 0 },
      paramsFor(sizes, 1),
    );
    expect(e.kind).to.equal('handwritten');
    expect(e.predict(makeBatch(2, 6, 1).x, 2)).to.have.length(2);
  });
});

describe('engine: hand-written SGD follows the stated rule exactly', () => {
  const sizes = [37, 13, 9, 1];
  const network: NetworkSpec = { sizes, hiddenActivation: 'tanh', outputActivation: 'sigmoid' };

  // 5 (row-by-row), 64 (largest fused block), 100 (full gradient, then update). Batch 1 runs the
  // single-precision online step (below; its own rule is pinned in spec/engine-online-step.spec.ts).
  for (const n of [5, 64, 100]) {
    it(`batch ${n}: one step is W - lr * gradients(batch), to the last bit`, () => {
      const params = paramsFor(sizes, 4);
      const batch = makeBatch(n, 37, n);
      const e = createHandwrittenEngine(network, { learningRate: 0.5, momentum: 0 }, params);
      const g = e.gradients(batch);
      e.step(batch);
      const after = e.getParams();
      for (let k = 0; k < 3; k++) {
        const expected = params.weights[k].map((w, t) => w - 0.5 * g.weights[k][t]);
        expect(Array.from(after.weights[k])).to.deep.equal(Array.from(expected));
        const expectedB = params.biases[k].map((b, t) => b - 0.5 * g.biases[k][t]);
        expect(Array.from(after.biases[k])).to.deep.equal(Array.from(expectedB));
      }
    });
  }

  it('batch 1 (the online step, summing in float32): one step is W - lr * gradients(batch) (summed in double) to float32 tolerance', () => {
    const params = paramsFor(sizes, 4);
    const batch = makeBatch(1, 37, 1);
    const e = createHandwrittenEngine(network, { learningRate: 0.5, momentum: 0 }, params);
    const g = e.gradients(batch);
    e.step(batch);
    const after = e.getParams();
    for (let k = 0; k < 3; k++) {
      const expected = params.weights[k].map((w, t) => w - 0.5 * g.weights[k][t]);
      expect(
        after.weights[k].every((w, t) => Math.abs(w - expected[t]) <= 1e-6 * Math.max(1, Math.abs(w))),
        `layer ${k}`,
      ).to.equal(true);
      expect(
        after.weights[k].some((w, t) => w !== params.weights[k][t]),
        `layer ${k} moved`,
      ).to.equal(true);
    }
  });

  it('with momentum: v = m v + g; W -= lr v over two steps', () => {
    const params = paramsFor(sizes, 6);
    const b1 = makeBatch(3, 37, 1);
    const b2 = makeBatch(3, 37, 2);
    const lr = 0.2;
    const m = 0.9;
    const e = createHandwrittenEngine(network, { learningRate: lr, momentum: m }, params);
    const g1 = e.gradients(b1);
    e.step(b1);
    const mid = e.getParams();
    const g2 = e.gradients(b2);
    e.step(b2);
    const after = e.getParams();
    for (let k = 0; k < 3; k++) {
      for (let t = 0; t < params.weights[k].length; t++) {
        const v1 = Math.fround(g1.weights[k][t]);
        const w1 = Math.fround(params.weights[k][t] - lr * v1);
        expect(mid.weights[k][t]).to.equal(w1);
        const v2 = Math.fround(m * v1 + g2.weights[k][t]);
        expect(after.weights[k][t]).to.equal(Math.fround(w1 - lr * v2));
      }
    }
  });

  it('setParams forgets the momentum; getParams returns a copy', () => {
    const params = paramsFor(sizes, 8);
    const batch = makeBatch(4, 37, 9);
    const fresh = createHandwrittenEngine(network, { learningRate: 0.3, momentum: 0.9 }, params);
    fresh.step(batch);
    const used = createHandwrittenEngine(network, { learningRate: 0.3, momentum: 0.9 }, params);
    used.step(makeBatch(4, 37, 10)); // builds up a velocity
    used.setParams(params);
    used.step(batch);
    expect(Array.from(used.getParams().weights[0])).to.deep.equal(Array.from(fresh.getParams().weights[0]));
    const copy = fresh.getParams();
    copy.weights[0][0] = 123;
    expect(fresh.getParams().weights[0][0]).to.not.equal(123);
  });

  it("an example's output does not depend on the batch it is evaluated in", () => {
    const params = paramsFor(sizes, 12);
    const batch = makeBatch(9, 37, 4);
    const e = createHandwrittenEngine({ ...network, hiddenActivation: 'relu' }, { learningRate: 0.1, momentum: 0 }, params);
    const together = e.predict(batch.x, 9);
    for (let r = 0; r < 9; r++) expect(e.predict(batch.x.subarray(r * 37, (r + 1) * 37), 1)[0]).to.equal(together[r]);
  });

  it('evaluate: mean squared error and the 0.5 threshold', () => {
    const e = createHandwrittenEngine(
      { sizes: [2, 1], hiddenActivation: 'sigmoid', outputActivation: 'linear' },
      { learningRate: 0.1, momentum: 0 },
      { sizes: [2, 1], weights: [Float32Array.of(1, 0)], biases: [Float32Array.of(0)] },
    );
    // outputs = first input: 0.9 (target 1, right), 0.2 (target 1, wrong), 0.4 (target 0, right)
    const ev = e.evaluate(Float32Array.of(0.9, 5, 0.2, 5, 0.4, 5), Float32Array.of(1, 1, 0), 3);
    expect(ev.loss).to.be.closeTo((0.01 + 0.64 + 0.16) / 3, 1e-7);
    expect(ev.accuracy).to.be.closeTo(2 / 3, 1e-12);
  });

  it('refuses parameters of another shape and batches too short for n', () => {
    const p = paramsFor([5, 3, 1], 1);
    expect(() =>
      createHandwrittenEngine(
        { sizes: [5, 4, 1], hiddenActivation: 'relu', outputActivation: 'sigmoid' },
        { learningRate: 1, momentum: 0 },
        p,
      ),
    ).to.throw(/sizes/);
    const e = createHandwrittenEngine(
      { sizes: [5, 3, 1], hiddenActivation: 'relu', outputActivation: 'sigmoid' },
      { learningRate: 1, momentum: 0 },
      p,
    );
    expect(() => e.step({ x: new Float32Array(5), y: new Float32Array(2), n: 2 })).to.throw(/x holds 5/);
  });

  it('float64 and float32 versions of the same code agree to float32 precision', () => {
    const s = [30, 10, 6, 1];
    const params = paramsFor(s, 2);
    const batch = makeBatch(6, 30, 2);
    const net: NetworkSpec = { sizes: s, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' };
    const g32 = new HandwrittenMlp(net, params, 'float32').computeGradients(batch);
    const g64 = new HandwrittenMlp(net, params, 'float64').computeGradients(batch);
    expect(g64.weights[0]).to.be.instanceOf(Float64Array);
    for (let k = 0; k < 3; k++) {
      expect(difference(g32.weights[k], g64.weights[k], { absolute: 1e-9, relative: 1e-5 }, 'layer').ok).to.equal(true);
    }
  });
});
