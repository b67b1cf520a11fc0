/**
 * The explain experiment's forward-matched control and the init option behind it: weights drawn
 * as before and then scaled (src/nn/params.ts WeightScale). Pinned here: no earlier config's
 * numbers or job fingerprints move (digests and fingerprints taken before the option existed);
 * 0.25 max(z, 0) with the weights after the first layer x 4 gives plain ReLU's output at
 * initialisation, in both engines, and its gradients are ReLU's with the later layers' weights'
 * a quarter (the reparametrisation docs/probes.md describes); the registered config's plan.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { initParams, type InitSpec, type Params } from '../src/nn/params.js';
import { createHandwrittenEngine } from '../src/nn/handwritten/engine.js';
import { createTfjsEngine } from '../src/nn/tfjs/engine.js';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import type { Engine, NetworkSpec } from '../src/nn/engine.js';
import { loadConfigFile, parseConfig } from '../src/config/load.js';
import { planTrainRuns } from '../src/experiment/job.js';
import { loadExplainConfig, parseExplainConfig, VARIANTS } from '../src/explain/config.js';
import { variantStudyPlan } from '../src/explain/plan.js';
import { usageMessage } from './helpers/usage-error.js';

const SIZES = [12, 7, 5, 3, 1];

function digest(p: Params): string {
  const h = createHash('sha256');
  for (const w of p.weights) h.update(Buffer.from(w.buffer));
  for (const b of p.biases) h.update(Buffer.from(b.buffer));
  return h.digest('hex').slice(0, 16);
}

describe('init weightScale (src/nn/params.ts)', () => {
  it('leaves the numbers of every earlier scheme as they were (digests from before the option), and a scale of 1 changes nothing', () => {
    const before: [InitSpec, string][] = [
      [{ scheme: 'uniform' }, '388af0bbd05bafb0'],
      [{ scheme: 'xavier' }, '9ad6aafdc8bc22e2'],
      [{ scheme: 'he' }, '72dc25a7e109eb2e'],
    ];
    for (const [init, expected] of before) {
      expect(digest(initParams([12, 7, 5, 1], init, 42)), JSON.stringify(init)).to.equal(expected);
      expect(digest(initParams([12, 7, 5, 1], { ...init, weightScale: { firstLayer: 1, laterLayers: 1 } }, 42))).to.equal(expected);
    }
  });

  it("multiplies the drawn weights: firstLayer the inputs' layer, laterLayers every other (the output's too); biases untouched", () => {
    const plain = initParams(SIZES, { scheme: 'he', bias: 'like-weights' }, 9);
    const scaled = initParams(SIZES, { scheme: 'he', bias: 'like-weights', weightScale: { firstLayer: 0.5, laterLayers: 4 } }, 9);
    plain.weights.forEach((w, l) => {
      const factor = l === 0 ? 0.5 : 4;
      scaled.weights[l].forEach((v, k) => expect(v, `layer ${l} weight ${k}`).to.equal(Math.fround(factor * w[k])));
    });
    expect(scaled.biases.map((b) => Array.from(b))).to.deep.equal(plain.biases.map((b) => Array.from(b)));
    const onlyLater = initParams(SIZES, { scheme: 'he', weightScale: { laterLayers: 4 } }, 9);
    expect(Array.from(onlyLater.weights[0])).to.deep.equal(Array.from(plain.weights[0]));
  });

  it('the run config keeps an absent weightScale absent, and refuses an empty or non-positive one in one line', () => {
    const good = { hidden: [4], activation: 'relu' };
    expect(parseConfig({ ...good, init: { scheme: 'he' } }, 'x.json', 'x').init).to.deep.equal({ scheme: 'he' });
    expect(parseConfig({ ...good, init: { scheme: 'he', weightScale: { laterLayers: 4 } } }, 'x.json', 'x').init).to.deep.equal({
      scheme: 'he',
      weightScale: { laterLayers: 4 },
    });
    expect(usageMessage(() => parseConfig({ ...good, init: { scheme: 'he', weightScale: {} } }, 'x.json', 'x'))).to.match(
      /^x\.json: field "init\.weightScale": names firstLayer, laterLayers or both$/,
    );
    expect(usageMessage(() => parseConfig({ ...good, init: { scheme: 'he', weightScale: { laterLayers: 0 } } }, 'x.json', 'x'))).to.match(
      /^x\.json: field "init\.weightScale\.laterLayers": /,
    );
  });
});

describe('the fingerprints of every earlier config do not move', () => {
  // Taken with the code of the commit before weightScale, the explain config's stopping rule and decision existed.
  const NETWORKS: Record<string, string> = {
    relu3: '42d1dcc3ef3727a21357e214762dd7aa8e0e15af89d3381bfbea308a6eceee5b',
    relu7: '78465314cff585e8c624f8a22dbe0c5b5b4d68f5701788281a4b092e4e84ae2e',
    sigmoid3: 'b6e0bbe52b8759d24f3c7ca79bc778caab57a7c750a2f85b128f59844a683b40',
    sigmoid7: '59a460538e7318f770b06b114bb5ef8d2d524e14e9dbd0b52f3676a996f2c890',
  };
  const VARIANT_JOBS: Record<string, string> = {
    sigmoid: 'e7ce862e0efc3458f64f77d84604f6b566618e45f9e137d1c58be86e9b55bea0',
    relu: '426de8ee850bd0074d0f56314bf7002f71f114d8fa279244adcb390847977d13',
    'relu-clipped': '46b3b110284e78384b1d9e9de686c5ebf5d83e6b021fb3ec8c93967bef2b30ae',
    'relu-scaled': '418f9492d6d63c6f038f31e378d619e55ad6ac123b2b3e3b1c9b5bb3e312180b',
    'sigmoid-reachable': 'f81e547e72a21d0c7692427f5060ca609399947ec28eab0a45f3b439ba66c2f9',
    'sigmoid-normalised': '4a2813289e8c607330e48687ac10394f628b196bf7cf5631c4c298bcfcaf6353',
  };
  const VARIANT_IDENTITY: Record<string, string> = {
    sigmoid: 'de8b194e74be1758e168fa76c5fa5b80294c78872a875d401fca74cb64da549a',
    'relu-scaled': '2c9f861dd1d8dfa7636b63f0811ff207c9612164853b8073dcd4f4f738c9919e',
    'sigmoid-normalised': '48145e929e0e7dcd6d60a1cf4c96717cd791db19045369fd407df3a481c49b73',
  };

  it('the shipped network configs: the same jobs', () => {
    for (const [name, expected] of Object.entries(NETWORKS)) {
      const c = loadConfigFile(`configs/${name}.json`);
      const plan = planTrainRuns([1, 2].map((seed) => ({ configName: name, seed, config: { ...c, seed } })));
      expect(plan.fingerprint, name).to.equal(expected);
    }
  });

  it("configs/explain.json: every variant's run configs at every rate, its folder identity and its probed network", () => {
    const c = loadExplainConfig('configs/explain.json');
    for (const variant of c.variants) {
      const plan = variantStudyPlan(c, variant, '/tmp/explain-control-spec');
      const g = plan.groups[0];
      const runs = g.networks.flatMap((net) =>
        g.learningRates.map((lr) => {
          const name = `${net.name}-lr${lr}`;
          return { configName: name, seed: 1, config: { ...g.runConfig(net, lr, name), seed: 1 } };
        }),
      );
      expect(planTrainRuns(runs).fingerprint, variant).to.equal(VARIANT_JOBS[variant]);
      if (variant in VARIANT_IDENTITY)
        expect(createHash('sha256').update(JSON.stringify(plan.config)).digest('hex'), `${variant} identity`).to.equal(
          VARIANT_IDENTITY[variant],
        );
      expect(g.probed).to.deep.equal([`${variant}7`]);
    }
  });
});

describe("relu-scaled-matched: ReLU's forward pass at initialisation", () => {
  const sgd = { learningRate: 0.1, momentum: 0 };
  const relu: NetworkSpec = { sizes: SIZES, hiddenActivation: 'relu', outputActivation: 'sigmoid' };
  const scaled: NetworkSpec = { ...relu, hiddenActivation: 'relu-scaled' };
  const x = Float32Array.from({ length: 6 * SIZES[0] }, (_, k) => ((k * 7) % 11) / 11);
  const batch = { x, y: Float32Array.from([1, 0, 1, 1, 0, 0]), n: 6 };
  const scale = VARIANTS['relu-scaled-matched'].weightScale;
  before(async () => {
    await selectBackend('wasm');
  });

  it('the variant scales the weights after the first layer by 1 / 0.25 and nothing else', () => {
    expect(scale).to.deep.equal({ laterLayers: 4 });
    expect(VARIANTS['relu-scaled-matched'].activation).to.equal('relu-scaled');
  });

  for (const make of [createHandwrittenEngine, createTfjsEngine]) {
    it(`${make === createHandwrittenEngine ? 'hand-written' : 'TensorFlow.js'} engine: the same output as ReLU, gradients ReLU's with the later weights' a quarter`, () => {
      const engines: Engine[] = [
        make(relu, sgd, initParams(SIZES, { scheme: 'he' }, 5)),
        make(scaled, sgd, initParams(SIZES, { scheme: 'he', weightScale: scale }, 5)),
        make(scaled, sgd, initParams(SIZES, { scheme: 'he' }, 5)),
      ];
      try {
        const [a, b, c] = engines.map((e) => Array.from(e.predict(x, 6)));
        a.forEach((v, k) => expect(b[k], `output ${k}`).to.be.closeTo(v, 1e-6));
        // Without the scale the output differs (the forward signal shrinks by 0.25 per layer).
        expect(Math.max(...a.map((v, k) => Math.abs(v - c[k])))).to.be.above(1e-3);
        const [gRelu, gMatched] = engines.slice(0, 2).map((e) => e.gradients(batch));
        gRelu.weights.forEach((w, l) => {
          const factor = l === 0 ? 1 : 0.25;
          w.forEach((v, k) =>
            expect(gMatched.weights[l][k], `layer ${l} weight ${k}`).to.be.closeTo(factor * v, 1e-6 + 1e-4 * Math.abs(v)),
          );
          gRelu.biases[l].forEach((v, k) =>
            expect(gMatched.biases[l][k], `layer ${l} bias ${k}`).to.be.closeTo(v, 1e-6 + 1e-4 * Math.abs(v)),
          );
        });
      } finally {
        for (const e of engines) e.dispose();
      }
    });
  }
});

describe('configs/explain-matched.json: the registered rerun', () => {
  const file = 'configs/explain-matched.json';
  const raw = (): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;

  it('the 2 x 2 at 7 layers with the matched control, 10 fresh seeds, the confirmatory stopping rule, the registered decision', () => {
    const c = loadExplainConfig(file);
    expect(c.variants).to.deep.equal(['sigmoid', 'relu', 'relu-clipped', 'relu-scaled-matched']);
    expect(c.layers).to.deep.equal([7]);
    expect(c.seeds).to.be.at.least(10);
    // No earlier run used these seeds (configs/rules/confirmatory.json lists 1-30, 101-103, 1001-1003, 2001-2020).
    expect(c.firstSeed).to.equal(3001);
    expect(c.stopping).to.deep.equal({ patience: 40, patienceFraction: 0.5 });
    expect(c.epochs).to.equal(400);
    expect(c.decision).to.deep.equal({ margin: 3, stillLearning: 0.5, flag: 0.3 });
  });

  it('every run config carries the stopping rule; only the control its scaled weights; nothing is probed', () => {
    const c = loadExplainConfig(file);
    for (const variant of c.variants) {
      const g = variantStudyPlan(c, variant, '/tmp/explain-control-spec').groups[0];
      const rc = g.runConfig(g.networks[0], 0.1, 'x');
      expect(rc.stopping, variant).to.deep.equal({ patience: 40, patienceFraction: 0.5 });
      expect(rc.epochs).to.equal(400);
      expect(rc.init, variant).to.deep.equal(
        variant === 'relu-scaled-matched' ? { scheme: 'he', weightScale: { laterLayers: 4 } } : { scheme: 'he' },
      );
      expect(rc.hidden).to.deep.equal([150, 100, 50, 30, 15]);
      expect(g.probed).to.deep.equal([]);
    }
  });

  it('refuses both scaled ReLUs, one depth without ReLU, and a decision without a stopping rule, naming the field', () => {
    const r = raw();
    expect(usageMessage(() => parseExplainConfig({ ...r, variants: ['relu', 'relu-scaled', 'relu-scaled-matched'] }, file))).to.match(
      /^configs\/explain-matched\.json: field "variants": names both relu-scaled and relu-scaled-matched/,
    );
    expect(usageMessage(() => parseExplainConfig({ ...r, variants: ['sigmoid', 'relu-clipped'] }, file))).to.match(
      /field "layers": one depth needs the "relu" variant/,
    );
    const withoutStopping: Record<string, unknown> = { ...r };
    delete withoutStopping.stopping;
    expect(usageMessage(() => parseExplainConfig(withoutStopping, file))).to.match(/field "decision": needs a "stopping" rule/);
  });
});
