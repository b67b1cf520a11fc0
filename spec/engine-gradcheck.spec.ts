/**
 * The finite-difference gradient check (src/nn/gradcheck.ts) validates each engine's
 * gradients on its own, and fails on a deliberately wrong gradient (so it can fail).
 */
import { expect } from 'chai';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import {
  checkGradients,
  describeCheck,
  engineSubject,
  float64Subject,
  FLOAT32_CHECK,
  FLOAT64_CHECK,
  type GradientSubject,
} from '../src/nn/gradcheck.js';
import { createHandwrittenEngine } from '../src/nn/handwritten/engine.js';
import { createTfjsEngine } from '../src/nn/tfjs/engine.js';
import { initParams, type Params } from '../src/nn/params.js';
import type { Batch, Engine, NetworkSpec } from '../src/nn/engine.js';
import type { Activation, OutputActivation } from '../src/config/schema.js';
import { Rng } from '../src/util/rng.js';

const SIZES = [6, 5, 4, 1];
const SGD = { learningRate: 0.1, momentum: 0 };

function fixture(n: number, seed: number): { params: Params; batch: Batch } {
  const params = initParams(SIZES, { scheme: 'xavier' }, seed);
  const rng = Rng.stream(seed, 'gradcheck-spec');
  // Random biases keep ReLU pre-activations off the kink at exactly 0.
  for (const b of params.biases) for (let t = 0; t < b.length; t++) b[t] = rng.range(-0.5, 0.5);
  const x = Float32Array.from({ length: n * SIZES[0] }, () => rng.uniform());
  const y = Float32Array.from({ length: n }, (_, r) => r % 2);
  return { params, batch: { x, y, n } };
}

/** A test double: a real engine whose gradients() is wrong in one way. */
function wrongGradientEngine(inner: Engine, corrupt: (g: Params) => void): Engine {
  return {
    kind: inner.kind,
    network: inner.network,
    step: (b) => inner.step(b),
    evaluate: (x, y, n) => inner.evaluate(x, y, n),
    predict: (x, n) => inner.predict(x, n),
    gradients: (b) => {
      const g = inner.gradients(b);
      corrupt(g);
      return g;
    },
    getParams: () => inner.getParams(),
    setParams: (p) => inner.setParams(p),
    dispose: () => inner.dispose(),
  };
}

describe('engine: finite-difference gradient check', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  const cases: Array<[Activation, OutputActivation, number]> = [
    ['sigmoid', 'sigmoid', 1],
    ['sigmoid', 'linear', 6],
    ['relu', 'sigmoid', 1],
    ['relu', 'sigmoid', 6],
    ['tanh', 'sigmoid', 6],
    ['tanh', 'linear', 1],
    ['relu-clipped', 'sigmoid', 1],
    ['relu-clipped', 'sigmoid', 6],
    ['relu-scaled', 'sigmoid', 6],
    ['relu-scaled', 'linear', 1],
  ];
  for (const [activation, output, n] of cases) {
    const network: NetworkSpec = { sizes: SIZES, hiddenActivation: activation, outputActivation: output };
    it(`${activation} hidden, ${output} output, batch ${n}: hand-written (float64), hand-written engine and tfjs engine (float32) all pass`, () => {
      const { params, batch } = fixture(n, 7 + n);
      const precise = checkGradients(float64Subject(network, params, batch), FLOAT64_CHECK);
      expect(precise.passed, describeCheck(precise)).to.equal(true);
      expect(precise.checked).to.equal(6 * 5 + 5 + 5 * 4 + 4 + 4 + 1); // every parameter
      expect(precise.skipped).to.equal(0);
      for (const engine of [createHandwrittenEngine(network, SGD, params), createTfjsEngine(network, SGD, params)]) {
        const r = checkGradients(engineSubject(engine, batch), FLOAT32_CHECK);
        engine.dispose();
        expect(r.passed, describeCheck(r)).to.equal(true);
        expect(r.worst!.ratio).to.be.lessThan(1);
      }
    });
  }

  describe('a deliberately wrong gradient fails it', () => {
    const network: NetworkSpec = { sizes: SIZES, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' };

    it("float32: the first layer's weight gradients 10% too large", () => {
      const { params, batch } = fixture(4, 3);
      const wrong = wrongGradientEngine(createHandwrittenEngine(network, SGD, params), (g) => {
        for (let t = 0; t < g.weights[0].length; t++) g.weights[0][t] *= 1.1;
      });
      const r = checkGradients(engineSubject(wrong, batch, 'wrong double'), FLOAT32_CHECK);
      expect(r.passed, describeCheck(r)).to.equal(false);
      expect(r.failures.every((f) => f.layer === 0 && f.kind === 'weight')).to.equal(true);
      expect(describeCheck(r)).to.match(/^FAIL wrong double/);
    });

    it('float32: a single bias gradient with the wrong sign (the tfjs engine wrapped)', () => {
      const { params, batch } = fixture(4, 5);
      const wrong = wrongGradientEngine(createTfjsEngine(network, SGD, params), (g) => {
        g.biases[1][2] = -g.biases[1][2];
      });
      const r = checkGradients(engineSubject(wrong, batch, 'wrong double'), FLOAT32_CHECK);
      wrong.dispose();
      expect(r.passed).to.equal(false);
      expect(r.failures.map((f) => [f.layer, f.kind, f.index])).to.deep.equal([[1, 'bias', 2]]);
    });

    it('float64: the gradient without the factor 2 of d(e^2)/de', () => {
      const { params, batch } = fixture(3, 9);
      const right = float64Subject(network, params, batch);
      const halved: GradientSubject = {
        ...right,
        description: 'halved double',
        gradients: () => {
          const g = right.gradients();
          return { weights: g.weights.map((w) => Array.from(w, (v) => v / 2)), biases: g.biases.map((b) => Array.from(b, (v) => v / 2)) };
        },
      };
      const r = checkGradients(halved, FLOAT64_CHECK);
      expect(r.passed).to.equal(false);
      expect(r.failures.length).to.be.greaterThan(r.checked / 2);
    });
  });

  it('a kink of ReLU is reported as skipped, not judged', () => {
    // One hidden ReLU unit whose pre-activation is exactly 0 for the single example.
    const network: NetworkSpec = { sizes: [2, 1, 1], hiddenActivation: 'relu', outputActivation: 'sigmoid' };
    const params: Params = {
      sizes: [2, 1, 1],
      weights: [Float32Array.of(0.5, -0.5), Float32Array.of(0.8)],
      biases: [Float32Array.of(0), Float32Array.of(0.1)],
    };
    const batch = { x: Float32Array.of(0.25, 0.25), y: Float32Array.of(1), n: 1 };
    const r = checkGradients(float64Subject(network, params, batch), FLOAT64_CHECK);
    expect(r.skipped).to.be.greaterThan(0);
    expect(r.failures).to.have.length(0);
    expect(r.passed).to.equal(false); // more than 10% of the parameters could not be judged
  });
});
