/**
 * Trained networks in TensorFlow.js's own format (src/nn/tfjs/layers-model.ts): a saved
 * model.json + weights.bin loads with tf.loadLayersModel and predicts what the engine that trained
 * it predicts; its Params read back bit for bit; every training run writes the pair.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { createEngine } from '../src/nn/create-engine.js';
import { initParams } from '../src/nn/params.js';
import { layersModelFileHandler, readLayersModel, saveLayersModel } from '../src/nn/tfjs/layers-model.js';
import type { NetworkSpec } from '../src/nn/engine.js';
import { ENGINE_CHOICES, type Activation } from '../src/config/schema.js';
import { activationNames } from '../src/config/activations.js';
import { parseConfig } from '../src/config/load.js';
import { trainRun } from '../src/training/train-run.js';
import { difference } from '../src/training/compare-engines.js';
import { UserError } from '../src/util/errors.js';
import { Rng } from '../src/util/rng.js';
import { separableSubset } from './helpers/train-data.js';

const SIZES = [12, 7, 5, 1];
const N = 20;

describe('nn: networks saved as a TensorFlow.js layers model', () => {
  let dir: string;
  before(async () => {
    await selectBackend('wasm');
  });
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'layers-model-'));
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  const rng = Rng.stream(3, 'layers-model-spec');
  const x = Float32Array.from({ length: N * SIZES[0] }, () => rng.uniform());
  const y = Float32Array.from({ length: N }, (_, r) => r % 2);

  it('saving leaves no tensor behind (a worker saves a network after every run)', async () => {
    const network: NetworkSpec = { sizes: SIZES, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' };
    const params = initParams(SIZES, { scheme: 'he' }, 4);
    const before = tf.memory().numTensors;
    for (let k = 0; k < 3; k++) await saveLayersModel(dir, network, params);
    expect(tf.memory().numTensors).to.equal(before);
  });

  for (const kind of ENGINE_CHOICES) {
    for (const activation of activationNames('hidden') as Activation[]) {
      it(`${kind} engine, ${activation}: tf.loadLayersModel gives the engine's predictions; the Params read back exactly`, async () => {
        const network: NetworkSpec = { sizes: SIZES, hiddenActivation: activation, outputActivation: 'sigmoid' };
        const engine = createEngine(kind, network, { learningRate: 0.5, momentum: 0 }, initParams(SIZES, { scheme: 'he' }, 9));
        for (let s = 0; s < 5; s++) engine.step({ x, y, n: N });
        const params = engine.getParams();
        const expected = engine.predict(x, N);
        engine.dispose();
        await saveLayersModel(dir, network, params);
        expect((await fs.readdir(dir)).sort()).to.deep.equal(['model.json', 'weights.bin']);
        const json = JSON.parse(await fs.readFile(path.join(dir, 'model.json'), 'utf8')) as {
          format: string;
          weightsManifest: Array<{ paths: string[] }>;
        };
        expect(json.format).to.equal('layers-model');
        expect(json.weightsManifest[0].paths).to.deep.equal(['./weights.bin']);

        const model = await tf.loadLayersModel(layersModelFileHandler(path.join(dir, 'model.json')));
        const got = tf.tidy(() => (model.predict(tf.tensor2d(x, [N, SIZES[0]])) as tf.Tensor).dataSync() as Float32Array);
        model.dispose();
        const d = difference(expected, got, { absolute: 1e-6, relative: 1e-5 }, 'own');
        expect(d.ok, `predictions differ by ${d.maxAbs}`).to.equal(true);
        expect(Math.max(...expected) - Math.min(...expected), 'outputs that vary').to.be.greaterThan(1e-3);

        const saved = await readLayersModel(path.join(dir, 'model.json'));
        const back = saved.params;
        expect(back.sizes).to.deep.equal(SIZES);
        expect(saved.activations).to.deep.equal([...SIZES.slice(2).map(() => activation), 'sigmoid']);
        for (let l = 0; l + 1 < SIZES.length; l++) {
          expect(Array.from(back.weights[l])).to.deep.equal(Array.from(params.weights[l]));
          expect(Array.from(back.biases[l])).to.deep.equal(Array.from(params.biases[l]));
        }
      });
    }
  }

  it('a file that is not a layers model is one user error naming it', async () => {
    const file = path.join(dir, 'model.json');
    await fs.writeFile(file, '{"weights": []}');
    let caught: unknown;
    try {
      await readLayersModel(file);
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(UserError);
    expect((caught as Error).message).to.match(/model\.json: not a TensorFlow\.js layers model/);
  });

  it('a training run writes model.json + weights.bin beside weights.json, holding the final parameters', async () => {
    const config = parseConfig(
      { hidden: [6], activation: 'relu', epochs: 1, batchSize: 8, engine: 'handwritten', data: { trainPerClass: 16, testPerClass: 8 } },
      'spec config',
      'spec',
    );
    const outDir = path.join(dir, 'run');
    const result = await trainRun(config, {
      subset: separableSubset(32, 16, 10),
      outDir,
      progress: 'none',
      charts: false,
      handleInterrupt: false,
    });
    const files = await fs.readdir(outDir);
    expect(files).to.include.members(['weights.json', 'model.json', 'weights.bin']);
    const back = (await readLayersModel(path.join(outDir, 'model.json'))).params;
    expect(Array.from(back.weights[0])).to.deep.equal(Array.from(result.params.weights[0]));
  });
});
