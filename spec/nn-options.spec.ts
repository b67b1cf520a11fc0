/**
 * The training options of issue 14 in both engines: the bounded/unbounded ReLU variants at their
 * kinks, gradient normalisation per layer (one step is exactly W - lr g/||g|| with g the
 * finite-difference-checked gradient; the two engines agree over several steps), and targets
 * other than 1/0 (the accuracy threshold at their midpoint; the labels mapped once per run).
 */
import { expect } from 'chai';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { createHandwrittenEngine } from '../src/nn/handwritten/engine.js';
import { createTfjsEngine } from '../src/nn/tfjs/engine.js';
import { checkGradients, describeCheck, engineSubject, float64Subject, FLOAT32_CHECK, FLOAT64_CHECK } from '../src/nn/gradcheck.js';
import { initParams, type Params } from '../src/nn/params.js';
import type { Batch, Engine, NetworkSpec, SgdSpec } from '../src/nn/engine.js';
import { decisionThreshold, mapLabelsToTargets, withTargets } from '../src/nn/targets.js';
import { RunConfigSchema } from '../src/config/schema.js';
import { DEFAULT_TOLERANCES, difference } from '../src/training/compare-engines.js';
import { Rng } from '../src/util/rng.js';

const SIZES = [8, 6, 5, 1];

function fixture(n: number, seed: number, labels: [number, number] = [1, 0]): { params: Params; batch: Batch } {
  const params = initParams(SIZES, { scheme: 'xavier' }, seed);
  const rng = Rng.stream(seed, 'nn-options-spec');
  for (const b of params.biases) for (let t = 0; t < b.length; t++) b[t] = rng.range(-0.5, 0.5);
  const x = Float32Array.from({ length: n * SIZES[0] }, () => rng.uniform());
  const y = Float32Array.from({ length: n }, (_, r) => (r % 2 === 0 ? labels[0] : labels[1]));
  return { params, batch: { x, y, n } };
}

const bothEngines = (network: NetworkSpec, sgd: SgdSpec, params: Params): Engine[] => [
  createHandwrittenEngine(network, sgd, params),
  createTfjsEngine(network, sgd, params),
];

describe('nn options: relu-clipped and relu-scaled', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('forward: min(max(z, 0), 1) and 0.25 max(z, 0) in both engines', () => {
    // One input, three hidden units with weights -1, 0.5, 3 and no bias: z = (-x, x/2, 3x).
    const params: Params = {
      sizes: [1, 3, 1],
      weights: [Float32Array.of(-1, 0.5, 3), Float32Array.of(1, 10, 100)],
      biases: [new Float32Array(3), new Float32Array(1)],
    };
    const x = Float32Array.of(0.8);
    // output (linear) = a1 + 10 a2 + 100 a3
    const expected = { 'relu-clipped': 0 + 10 * 0.4 + 100 * 1, 'relu-scaled': 0 + 10 * 0.1 + 100 * 0.6 };
    for (const act of ['relu-clipped', 'relu-scaled'] as const) {
      for (const e of bothEngines(
        { sizes: [1, 3, 1], hiddenActivation: act, outputActivation: 'linear' },
        { learningRate: 0.1, momentum: 0 },
        params,
      )) {
        expect(e.predict(x, 1)[0], `${e.kind} ${act}`).to.be.closeTo(expected[act], 1e-5);
        e.dispose();
      }
    }
  });

  it('the derivative is 0 at both ends of the clipped range (z = 0 and z = 1), 1 inside, in both engines', () => {
    // Hidden units with z exactly 0, 1, 0.5 and 2 (x = 1, weights 0, 1, 0.5, 2, no bias).
    const params: Params = {
      sizes: [1, 4, 1],
      weights: [Float32Array.of(0, 1, 0.5, 2), Float32Array.of(1, 1, 1, 1)],
      biases: [new Float32Array(4), new Float32Array(1)],
    };
    const batch = { x: Float32Array.of(1), y: Float32Array.of(0), n: 1 };
    for (const e of bothEngines(
      { sizes: [1, 4, 1], hiddenActivation: 'relu-clipped', outputActivation: 'linear' },
      { learningRate: 0.1, momentum: 0 },
      params,
    )) {
      const g = e.gradients(batch).biases[0];
      // output = 0 + 1 + 0.5 + 1 = 2.5, dL/dout = 2 * 2.5 = 5: only the unit inside (0, 1) passes it.
      expect(Array.from(g), e.kind).to.deep.equal([0, 0, 5, 0]);
      e.dispose();
    }
  });
});

describe("nn options: gradient normalisation 'layer'", () => {
  before(async () => {
    await selectBackend('wasm');
  });

  for (const hiddenActivation of ['sigmoid', 'relu'] as const) {
    for (const n of [1, 5]) {
      it(`${hiddenActivation}, batch ${n}: one step is W - lr g/||g|| per layer, g passing the finite-difference check`, () => {
        const network: NetworkSpec = { sizes: SIZES, hiddenActivation, outputActivation: 'sigmoid' };
        const { params, batch } = fixture(n, 20 + n);
        const precise = checkGradients(float64Subject(network, params, batch), FLOAT64_CHECK);
        expect(precise.passed, describeCheck(precise)).to.equal(true);
        const lr = 0.3;
        for (const e of bothEngines(network, { learningRate: lr, momentum: 0, gradientNormalisation: 'layer' }, params)) {
          const checked = checkGradients(engineSubject(e, batch), FLOAT32_CHECK);
          expect(checked.passed, describeCheck(checked)).to.equal(true);
          e.setParams(params);
          const g = e.gradients(batch);
          e.step(batch);
          const after = e.getParams();
          for (let k = 0; k + 1 < SIZES.length; k++) {
            let sumSquares = 0;
            for (const v of [...g.weights[k], ...g.biases[k]]) sumSquares += v * v;
            const norm = Math.sqrt(sumSquares);
            expect(norm, 'a zero gradient would test nothing').to.be.greaterThan(1e-6);
            let moved = 0;
            for (const kind of ['weights', 'biases'] as const) {
              const expected = params[kind][k].map((w, t) => w - (lr * g[kind][k][t]) / norm);
              const d = difference(expected, after[kind][k], { absolute: 1e-6, relative: 1e-5 }, 'own');
              expect(d.ok, `${e.kind} layer ${k} ${kind}: max |diff| ${d.maxAbs}`).to.equal(true);
              for (let t = 0; t < params[kind][k].length; t++) moved += (after[kind][k][t] - params[kind][k][t]) ** 2;
            }
            // The update's length is lr whatever the gradient's size.
            expect(Math.sqrt(moved), `${e.kind} layer ${k}`).to.be.closeTo(lr, 1e-4);
          }
          e.dispose();
        }
      });
    }
  }

  it('the two engines agree over 10 steps, with momentum, batch 3', () => {
    const network: NetworkSpec = { sizes: SIZES, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' };
    const { params, batch } = fixture(3, 31);
    const [hand, tfjs] = bothEngines(network, { learningRate: 0.2, momentum: 0.9, gradientNormalisation: 'layer' }, params);
    for (let s = 0; s < 10; s++) {
      hand.step(batch);
      tfjs.step(batch);
    }
    const [a, b] = [hand.getParams(), tfjs.getParams()];
    for (let k = 0; k + 1 < SIZES.length; k++) {
      const d = difference(a.weights[k], b.weights[k], { absolute: 1e-5, relative: 1e-4 }, 'own');
      expect(d.ok, `layer ${k}: max |diff| ${d.maxAbs}`).to.equal(true);
      expect(difference(a.weights[k], params.weights[k], { absolute: 1e-3, relative: 0 }, 'own').ok, 'the weights moved').to.equal(false);
    }
    hand.dispose();
    tfjs.dispose();
  });
});

describe('nn options: targets other than 1 and 0', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('the config defaults to 1/0 and refuses a positive target not above the negative', () => {
    const base = { hidden: [3], activation: 'sigmoid' };
    expect(RunConfigSchema.parse(base).targets).to.deep.equal({ positive: 1, negative: 0 });
    expect(RunConfigSchema.parse(base).gradientNormalisation).to.equal('none');
    expect(RunConfigSchema.parse({ ...base, targets: { positive: 0.9, negative: 0.1 } }).targets).to.deep.equal({
      positive: 0.9,
      negative: 0.1,
    });
    expect(() => RunConfigSchema.parse({ ...base, targets: { positive: 0.1, negative: 0.9 } })).to.throw(/greater than negative/);
  });

  it('labels are mapped to the targets; 1/0 leaves the dataset untouched', () => {
    expect(Array.from(mapLabelsToTargets(Float32Array.of(1, 0, 1), { positive: 0.9, negative: 0.1 }))).to.deep.equal([
      Math.fround(0.9),
      Math.fround(0.1),
      Math.fround(0.9),
    ]);
    const data = { x: new Float32Array(2), y: Float32Array.of(1, 0), count: 2, inputs: 1 };
    expect(withTargets(data, { positive: 1, negative: 0 })).to.equal(data);
    expect(Array.from(withTargets(data, { positive: 0.8, negative: 0 }).y)).to.deep.equal([Math.fround(0.8), 0]);
    expect(Array.from(data.y)).to.deep.equal([1, 0]);
    expect(decisionThreshold({ positive: 0.8, negative: 0 })).to.equal(0.4);
  });

  it('accuracy counts an output above the midpoint as positive, in both engines', () => {
    // A linear unit copying its first input; targets 0.8/0: the threshold is 0.4.
    const params: Params = { sizes: [2, 1], weights: [Float32Array.of(1, 0)], biases: [Float32Array.of(0)] };
    const network: NetworkSpec = { sizes: [2, 1], hiddenActivation: 'sigmoid', outputActivation: 'linear' };
    // outputs 0.45 (target 0.8: right, though below 0.5), 0.35 (0.8: wrong), 0.3 (0: right), 0.42 (0: wrong)
    const x = Float32Array.of(0.45, 5, 0.35, 5, 0.3, 5, 0.42, 5);
    const y = mapLabelsToTargets(Float32Array.of(1, 1, 0, 0), { positive: 0.8, negative: 0 });
    for (const e of bothEngines(network, { learningRate: 0.1, momentum: 0, targets: { positive: 0.8, negative: 0 } }, params)) {
      const ev = e.evaluate(x, y, 4);
      expect(ev.accuracy, e.kind).to.be.closeTo(0.5, 1e-12);
      expect(ev.loss, e.kind).to.be.closeTo((0.35 ** 2 + 0.45 ** 2 + 0.3 ** 2 + 0.42 ** 2) / 4, 1e-6);
      e.dispose();
    }
  });

  it('gradients against 0.9/0.1 pass the finite-difference check and agree between engines', () => {
    const network: NetworkSpec = { sizes: SIZES, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' };
    const { params, batch } = fixture(4, 41, [0.9, 0.1]);
    const sgd: SgdSpec = { learningRate: 0.1, momentum: 0, targets: { positive: 0.9, negative: 0.1 } };
    const precise = checkGradients(float64Subject(network, params, batch), FLOAT64_CHECK);
    expect(precise.passed, describeCheck(precise)).to.equal(true);
    const [hand, tfjs] = bothEngines(network, sgd, params);
    const [gh, gt] = [hand.gradients(batch), tfjs.gradients(batch)];
    for (let k = 0; k + 1 < SIZES.length; k++) {
      const d = difference(gt.weights[k], gh.weights[k], DEFAULT_TOLERANCES.gradient, 'layer');
      expect(d.ok, `layer ${k}: max |diff| ${d.maxAbs}`).to.equal(true);
    }
    // The targets change the gradient: against 1/0 it differs.
    const gOne = hand.gradients({ ...batch, y: batch.y.map((v) => (v > 0.5 ? 1 : 0)) });
    expect(difference(gOne.biases[2], gh.biases[2], DEFAULT_TOLERANCES.gradient, 'layer').ok).to.equal(false);
    hand.dispose();
    tfjs.dispose();
  });
});
