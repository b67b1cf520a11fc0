/**
 * The table of activations (src/config/activations.ts) is the one place an activation is
 * defined: an entry added to it alone (here softsign, added inside the test, following the recipe
 * in docs/engines.md) is accepted by a config, trains on both engines, is probed and is
 * saved as a layers model; an entry with a field left out is refused at compile time and at
 * start, in one line; a name not in the table is an error, never a guess.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { activationNames, activationSpec, addActivation, checkActivation, type ActivationSpec } from '../src/config/activations.js';
import { parseConfig } from '../src/config/load.js';
import { ENGINE_CHOICES, type Activation } from '../src/config/schema.js';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { createEngine } from '../src/nn/create-engine.js';
import { layersModelFileHandler } from '../src/nn/tfjs/layers-model.js';
import { deltaProfile } from '../src/probes/backprop-deltas.js';
import { FirstLayerSweeper } from '../src/probes/weight-scan.js';
import { targetActivations } from '../src/probes/target-activations.js';
import { trainRun, type RunResult } from '../src/training/train-run.js';
import { parseCsv } from '../src/util/csv.js';
import { separableSubset } from './helpers/train-data.js';

/** softsign(z) = z / (1 + |z|), in (-1, 1); its derivative 1 / (1 + |z|)² is (1 - |a|)² through the output. */
const SOFTSIGN: ActivationSpec = {
  use: 'hidden',
  description: 'z / (1 + |z|): bounded like tanh, with polynomial tails',
  f: (z) => z / (1 + Math.abs(z)),
  derivativeFromOutput: (a) => (1 - Math.abs(a)) ** 2,
  kinks: [],
  bounds: { lower: -1, upper: 1 },
  unitState: (a) => (Math.abs(a) >= 0.96 ? 'saturated' : 'active'),
  handwritten: {
    activate(z, count) {
      for (let t = 0; t < count; t++) z[t] = z[t] / (1 + Math.abs(z[t]));
    },
    multiplyByDerivative(d, a, count) {
      for (let t = 0; t < count; t++) d[t] *= (1 - Math.abs(a[t])) ** 2;
    },
  },
  tfjs: {
    forward: (z, { tf: t }) => t.div(z, t.add(1, t.abs(z))),
    backwardFromOutput: (dy, y, { tf: t }) => t.mul(dy, t.square(t.sub(1, t.abs(y)))),
  },
  keras: { dense: 'softsign', after: null },
  torch: null,
};

const NAME = 'softsign';

describe('the table of activations', () => {
  let dir: string;
  before(async () => {
    await selectBackend('cpu');
    dir = await mkdtemp(path.join(os.tmpdir(), 'activations-table-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an activation added to the table alone is accepted by a config, trains, is probed and is saved, on both engines', async () => {
    const remove = addActivation(NAME, SOFTSIGN);
    try {
      expect(activationNames('hidden')).to.include(NAME);
      expect(activationNames('output')).not.to.include(NAME);
      const subset = separableSubset(64, 16, 10);
      const runs: RunResult[] = [];
      for (const engine of ENGINE_CHOICES) {
        const config = parseConfig(
          {
            hidden: [8, 6],
            activation: NAME,
            engine,
            recordActivations: true,
            epochs: 4,
            batchSize: 8,
            learningRate: 0.5,
            backend: 'cpu',
            evaluation: 'every-epoch',
          },
          'spec',
          `softsign-${engine}`,
        );
        expect(config.activation).to.equal(NAME);
        const outDir = path.join(dir, engine);
        const run = await trainRun(config, { outDir, subset, progress: 'none', charts: false, handleInterrupt: false });
        runs.push(run);
        // Trained: the training loss fell.
        expect(run.finalTrainLoss, engine).to.be.below(0.8 * run.history[0].trainLoss);
        // Probed during training: activations.csv, from the entry's unit states.
        const rows = parseCsv(await readFile(path.join(outDir, 'activations.csv'), 'utf8'));
        expect(rows.map((r) => `${r.epoch}/${r.layer}`)).to.deep.equal([
          '0/1',
          '0/2',
          '1/1',
          '1/2',
          '2/1',
          '2/2',
          '3/1',
          '3/2',
          '4/1',
          '4/2',
        ]);
        for (const r of rows) expect(Number(r.off_fraction)).to.equal(0); // softsign has no "off" state
        for (const r of rows) expect(Number(r.p05)).to.be.within(-1, 1);
        // Saved: model.json loads with TensorFlow.js and predicts what the engine predicts.
        const model = await tf.loadLayersModel(layersModelFileHandler(path.join(outDir, 'model.json')));
        const x = subset.test.x;
        const fromModel = tf.tidy(() => (model.predict(tf.tensor2d(x, [subset.test.count, 10])) as tf.Tensor).dataSync());
        model.dispose();
        const net = { sizes: [10, 8, 6, 1], hiddenActivation: NAME as Activation, outputActivation: 'sigmoid' as const };
        const e = createEngine(engine, net, { learningRate: 0.5, momentum: 0 }, run.params);
        const fromEngine = e.predict(x, subset.test.count);
        e.dispose();
        for (let k = 0; k < fromEngine.length; k++) expect(fromModel[k], `${engine} example ${k}`).to.be.closeTo(fromEngine[k], 1e-5);
      }
      // The two engines computed the same network (float32 tolerance after 32 steps).
      const [a, b] = runs.map((r) => Array.from(r.params.weights[1]));
      for (let k = 0; k < a.length; k++) expect(a[k]).to.be.closeTo(b[k], 1e-4);
      // The probes run on the trained network.
      const probed = { name: 'softsign', activation: NAME as Activation, outputActivation: 'sigmoid' as const, params: runs[0].params };
      const deltas = deltaProfile(probed, subset.train);
      expect(deltas.hidden.map((h) => h.width)).to.deep.equal([8, 6]);
      for (const h of deltas.hidden) expect(h.meanNorm).to.be.above(0);
      const sweeper = new FirstLayerSweeper(probed, subset.train);
      try {
        const sweep = sweeper.sweep({ i: 2, j: 3 }, [-2, 0, 2]);
        expect(Array.from(sweep.losses).every(Number.isFinite)).to.equal(true);
        expect(Array.from(sweep.unitActive).every((v) => v >= 0 && v <= 1)).to.equal(true);
      } finally {
        sweeper.dispose();
      }
      const targets = targetActivations(probed, subset.train, { unitsPerLayer: 3, examples: 10 });
      expect(targets.layers.map((l) => l.pairs)).to.deep.equal([30, 30]);
      // Outside means outside the entry's bounds (-1, 1).
      for (const t of targets.targets) expect(t.outside).to.equal(t.best < -1 || t.best > 1);
    } finally {
      remove();
    }
    // Removed again: the name is unknown to every lookup, which says so instead of guessing.
    expect(() => activationSpec(NAME)).to.throw(
      /^unknown activation "softsign" \(known: sigmoid, relu, tanh, relu-clipped, relu-scaled, linear\)$/,
    );
    expect(() => parseConfig({ hidden: [4], activation: NAME }, 'spec', 'spec')).to.throw(/activation/);
  });

  it('an entry with a field left out does not compile, and is refused at start in one line', () => {
    const { tfjs: _left, ...withoutTfjs } = SOFTSIGN;
    void _left;
    // @ts-expect-error: without its TensorFlow.js ops the entry is not an ActivationSpec (every field is required)
    expect(() => addActivation('softsign-without-tfjs', withoutTfjs)).to.throw(
      /^activation table: "softsign-without-tfjs": field "tfjs" is missing$/,
    );
    const { bounds: _b, ...withoutBounds } = SOFTSIGN;
    void _b;
    expect(() => checkActivation('x', withoutBounds)).to.throw(/^activation table: "x": field "bounds" is missing$/);
    expect(() => activationSpec('softsign-without-tfjs')).to.throw(/unknown activation/);
  });

  it('the check at start catches an entry whose numbers disagree with themselves', () => {
    const wrongSlope = { ...SOFTSIGN, derivativeFromOutput: (a: number) => 1 - Math.abs(a) };
    expect(() => checkActivation('w', wrongSlope)).to.throw(
      /^activation table: "w": derivativeFromOutput\(f\(-3\.1\)\) = .*, but f's slope there is /,
    );
    const wrongKernel = {
      ...SOFTSIGN,
      handwritten: { ...SOFTSIGN.handwritten, activate: (z: Float32Array | Float64Array, n: number) => z.fill(0, 0, n) },
    };
    expect(() => checkActivation('k', wrongKernel)).to.throw(
      /^activation table: "k": handwritten\.activate gives 0 at z = -3\.1, f gives /,
    );
    const outOfBounds = { ...SOFTSIGN, bounds: { lower: 0, upper: 1 } };
    expect(() => checkActivation('b', outOfBounds)).to.throw(/lies outside its bounds \[0, 1\]$/);
    expect(() => addActivation('relu', SOFTSIGN)).to.throw(/^activation table: "relu" is already in the table$/);
  });

  it('every entry of the table passes the check, and the config schema takes its names from it', () => {
    for (const name of [...activationNames('hidden'), ...activationNames('output')]) checkActivation(name, activationSpec(name));
    expect(activationNames('hidden')).to.deep.equal(['sigmoid', 'relu', 'tanh', 'relu-clipped', 'relu-scaled']);
    expect(activationNames('output')).to.deep.equal(['sigmoid', 'linear']);
    expect(() => parseConfig({ hidden: [4], activation: 'linear' }, 'spec', 'spec')).to.throw(
      /"sigmoid"\|"relu"\|"tanh"\|"relu-clipped"\|"relu-scaled"/,
    );
  });
});
