/**
 * The initialisation options of the search (issue 22): Xavier with a gain, and biases drawn like
 * the weights. The numbers of every config written before them must not move (the digests below
 * were taken from src/nn/params.ts before the options existed), the weights must not depend on
 * how the biases start, and both engines must start from exactly what initParams drew.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { initParams, type InitSpec, type Params } from '../src/nn/params.js';
import { createHandwrittenEngine } from '../src/nn/handwritten/engine.js';
import { createTfjsEngine } from '../src/nn/tfjs/engine.js';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import type { NetworkSpec } from '../src/nn/engine.js';
import { parseConfig } from '../src/config/load.js';
import { trainRun } from '../src/training/train-run.js';
import { separableSubset } from './helpers/train-data.js';
import { usageMessage } from './helpers/usage-error.js';

const SIZES = [12, 7, 5, 1];

function digest(p: Params): string {
  const h = createHash('sha256');
  for (const w of p.weights) h.update(Buffer.from(w.buffer));
  for (const b of p.biases) h.update(Buffer.from(b.buffer));
  return h.digest('hex').slice(0, 16);
}

describe('init options: gain and biases drawn like the weights (src/nn/params.ts)', () => {
  it('leaves the numbers of every earlier scheme as they were (digests from before the options)', () => {
    const before: [InitSpec, string][] = [
      [{ scheme: 'uniform' }, '388af0bbd05bafb0'],
      [{ scheme: 'uniform', limit: 0.5 }, '3231e577093cca4b'],
      [{ scheme: 'xavier' }, '9ad6aafdc8bc22e2'],
      [{ scheme: 'he' }, '72dc25a7e109eb2e'],
      [{ scheme: 'normal', std: 0.1 }, 'bcbecfb49366b3d8'],
    ];
    for (const [init, expected] of before) {
      expect(digest(initParams(SIZES, init, 42)), JSON.stringify(init)).to.equal(expected);
      expect(digest(initParams(SIZES, { ...init, bias: 'zero' }, 42)), `${JSON.stringify(init)} bias zero`).to.equal(expected);
    }
    expect(digest(initParams(SIZES, { scheme: 'xavier', gain: 1 }, 42))).to.equal('9ad6aafdc8bc22e2');
  });

  it('xavier with gain 4: every weight is 4 times the plain Xavier one, inside 4 sqrt(6/(fan_in+fan_out))', () => {
    const plain = initParams(SIZES, { scheme: 'xavier' }, 7);
    const four = initParams(SIZES, { scheme: 'xavier', gain: 4 }, 7);
    for (let l = 0; l < plain.weights.length; l++) {
      const limit = 4 * Math.sqrt(6 / (SIZES[l] + SIZES[l + 1]));
      four.weights[l].forEach((w, k) => {
        expect(w).to.be.closeTo(4 * plain.weights[l][k], 1e-6);
        expect(Math.abs(w)).to.be.at.most(limit);
      });
      expect(Math.max(...four.weights[l].map(Math.abs)), `layer ${l}`).to.be.above(0.5 * limit);
    }
  });

  for (const init of [
    { scheme: 'uniform', limit: 0.5 },
    { scheme: 'xavier', gain: 4 },
    { scheme: 'he' },
  ] as const satisfies readonly InitSpec[]) {
    it(`${JSON.stringify(init)}, biases like the weights: the same weights as with zero biases, biases from the weights' distribution`, () => {
      const zero = initParams(SIZES, init, 3);
      const drawn = initParams(SIZES, { ...init, bias: 'like-weights' }, 3);
      expect(drawn.weights.map((w) => Array.from(w))).to.deep.equal(zero.weights.map((w) => Array.from(w)));
      for (let l = 0; l < drawn.biases.length; l++) {
        const b = Array.from(drawn.biases[l]);
        expect(b).to.have.length(SIZES[l + 1]);
        expect(new Set(b).size, `layer ${l}: distinct values`).to.equal(b.length);
        const bound = init.scheme === 'uniform' ? init.limit : init.scheme === 'xavier' ? 4 * Math.sqrt(6 / (SIZES[l] + SIZES[l + 1])) : 10;
        for (const v of b) expect(Math.abs(v)).to.be.at.most(bound);
      }
      // Deterministic, and a function of the seed.
      expect(digest(initParams(SIZES, { ...init, bias: 'like-weights' }, 3))).to.equal(digest(drawn));
      expect(digest(initParams(SIZES, { ...init, bias: 'like-weights' }, 4))).to.not.equal(digest(drawn));
    });
  }

  it('the run config accepts gain only with xavier and bias "zero" or "like-weights", one line naming the field', () => {
    const good = { hidden: [4], activation: 'sigmoid' };
    const parsed = parseConfig({ ...good, init: { scheme: 'xavier', gain: 4, bias: 'like-weights' } }, 'x.json', 'x');
    expect(parsed.init).to.deep.equal({ scheme: 'xavier', gain: 4, bias: 'like-weights' });
    // Absent fields stay absent: a parsed older config (and so its jobs' fingerprints) is unchanged.
    expect(parseConfig({ ...good, init: { scheme: 'xavier' } }, 'x.json', 'x').init).to.deep.equal({ scheme: 'xavier' });
    const message = (raw: unknown): string => usageMessage(() => parseConfig(raw, 'x.json', 'x'));
    expect(message({ ...good, init: { scheme: 'he', gain: 4 } })).to.match(
      /^x\.json: field "init\.gain": only the "xavier" scheme takes a gain$/,
    );
    expect(message({ ...good, init: { scheme: 'he', bias: 'random' } })).to.match(/^x\.json: field "init\.bias": .*"zero"\|"like-weights"/);
  });
});

describe('init options: both engines start from what initParams drew', () => {
  const network: NetworkSpec = { sizes: SIZES, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' };
  const sgd = { learningRate: 0.1, momentum: 0 };
  let dir: string;
  before(async () => {
    await selectBackend('wasm');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'init-options-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('the hand-written and the TensorFlow.js engine hold the drawn biases and give the same outputs', () => {
    const params = initParams(SIZES, { scheme: 'xavier', gain: 4, bias: 'like-weights' }, 11);
    const x = Float32Array.from({ length: 3 * SIZES[0] }, (_, k) => (k % 5) / 5);
    const engines = [createHandwrittenEngine(network, sgd, params), createTfjsEngine(network, sgd, params)];
    try {
      for (const engine of engines) {
        expect(
          engine.getParams().biases.map((b) => Array.from(b)),
          engine.kind,
        ).to.deep.equal(params.biases.map((b) => Array.from(b)));
      }
      const [a, b] = engines.map((e) => Array.from(e.predict(x, 3)));
      a.forEach((v, k) => expect(v).to.be.closeTo(b[k], 1e-5));
    } finally {
      for (const engine of engines) engine.dispose();
    }
  });

  for (const engine of ['handwritten', 'tfjs'] as const) {
    it(`trainRun (${engine}) starts from biases drawn like the weights: epoch 0 is the drawn network's loss`, async () => {
      const subset = separableSubset(40, 20, SIZES[0]);
      const init = { scheme: 'uniform', limit: 1, bias: 'like-weights' } as const;
      const config = parseConfig(
        {
          hidden: SIZES.slice(1, -1),
          activation: 'sigmoid',
          init,
          epochs: 1,
          batchSize: 4,
          engine,
          backend: 'wasm',
          seed: 5,
          evaluation: 'every-epoch',
        },
        'x.json',
        'x',
      );
      const run = await trainRun(config, {
        subset,
        outDir: path.join(dir, engine),
        progress: 'none',
        charts: false,
        handleInterrupt: false,
      });
      const reference = createHandwrittenEngine(network, sgd, initParams(SIZES, init, 5));
      const zero = createHandwrittenEngine(network, sgd, initParams(SIZES, { scheme: 'uniform', limit: 1 }, 5));
      try {
        const expected = reference.evaluate(subset.test.x, subset.test.y, subset.test.count).loss;
        expect(run.history[0].testLoss).to.be.closeTo(expected, 1e-5);
        expect(Math.abs(zero.evaluate(subset.test.x, subset.test.y, subset.test.count).loss - expected)).to.be.above(1e-4);
      } finally {
        reference.dispose();
        zero.dispose();
      }
    });
  }
});
