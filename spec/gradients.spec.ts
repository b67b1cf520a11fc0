/**
 * Gradients layer by layer: what training records (gradients.csv and its charts), and the
 * vanishing gradient itself as a property of the maths.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { parseConfig } from '../src/config/load.js';
import type { Dataset, Subset } from '../src/data/types.js';
import { createTfjsEngine } from '../src/nn/tfjs/engine.js';
import { initParams, type InitScheme } from '../src/nn/params.js';
import { GRADIENT_COLUMNS, gradientStats } from '../src/nn/gradient-stats.js';
import { parseCsv } from '../src/util/csv.js';
import type { Activation } from '../src/config/schema.js';
import { trainRun } from '../src/training/train-run.js';
import { Rng } from '../src/util/rng.js';

function randomData(count: number, inputs: number, seed: number): Dataset {
  const rng = Rng.stream(seed, 'spec-gradients');
  const x = new Float32Array(count * inputs);
  for (let k = 0; k < x.length; k++) x[k] = rng.uniform();
  const y = new Float32Array(count);
  for (let k = 0; k < count; k++) y[k] = rng.int(2);
  return { x, y, count, inputs };
}

describe('gradients layer by layer', function () {
  this.timeout(30000);
  let dir: string;
  before(async () => {
    await selectBackend('cpu');
    dir = await mkdtemp(path.join(os.tmpdir(), 'gradients-spec-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a training run that records them writes gradients.csv (one row per layer per epoch, epoch 0 = init) and its charts', async () => {
    const subset: Subset = {
      train: randomData(64, 16, 1),
      test: randomData(16, 16, 2),
      positive: 'airplane',
      negative: 'ship',
      color: 'gray',
      source: 'spec',
      dataDir: dir,
    };
    const config = parseConfig(
      { hidden: [8, 6, 4], activation: 'sigmoid', recordGradients: true, epochs: 3, batchSize: 16, backend: 'cpu' },
      'spec',
      'spec-run',
    );
    const outDir = path.join(dir, 'run');
    const result = await trainRun(config, { outDir, subset, progress: 'none', handleInterrupt: false });
    const rows = parseCsv(await readFile(path.join(outDir, 'gradients.csv'), 'utf8'));
    expect(Object.keys(rows[0])).to.deep.equal([...GRADIENT_COLUMNS]);
    const layers = 4; // 16->8->6->4->1
    expect(rows).to.have.length(layers * (config.epochs + 1));
    const pairs = new Set(rows.map((r) => `${r.epoch}/${r.layer}`));
    for (let e = 0; e <= config.epochs; e++)
      for (let l = 1; l <= layers; l++) expect(pairs.has(`${e}/${l}`), `epoch ${e} layer ${l}`).to.equal(true);
    const sizes = [16, 8, 6, 4, 1];
    for (const r of rows) {
      expect(Number(r.fan_in)).to.equal(sizes[Number(r.layer) - 1]);
      expect(Number(r.fan_out)).to.equal(sizes[Number(r.layer)]);
      expect(Number(r.l2_norm_grad)).to.be.above(0);
      // The L2 norm of n numbers is at least their mean absolute value times sqrt(n).
      expect(Number(r.l2_norm_grad)).to.be.at.least(Number(r.mean_abs_grad) * Math.sqrt(Number(r.fan_in) * Number(r.fan_out)) * (1 - 1e-6));
    }
    expect(result.gradients).to.have.length(rows.length);
    for (const name of ['curves', 'gradients-by-layer', 'gradients-by-epoch']) {
      for (const ext of ['svg', 'png']) expect((await stat(path.join(outDir, `${name}.${ext}`))).size, `${name}.${ext}`).to.be.above(1000);
    }
  });

  /** Mean |dL/dW| of every layer, first to last, at initialisation, on random pixel-like data. */
  function firstOverLast(activation: Activation, init: InitScheme, seed: number): number[] {
    const sizes = [64, 32, 32, 32, 32, 1]; // depth 6 as the article counts: input, 4 hidden, output
    const data = randomData(200, 64, 100 + seed);
    const engine = createTfjsEngine(
      { sizes, hiddenActivation: activation, outputActivation: 'sigmoid' },
      { learningRate: 0.1, momentum: 0 },
      initParams(sizes, { scheme: init }, seed),
    );
    const stats = gradientStats(engine, data, 0);
    engine.dispose();
    return stats.map((s) => s.meanAbs);
  }

  it('a deep sigmoid network at initialisation: the gradient shrinks layer by layer towards the input', () => {
    // Backpropagation multiplies the error signal by Wᵀ·diag(σ'(z)) once per layer going down,
    // and σ' ≤ 1/4 (at most 1/4, at z = 0). Xavier weights keep the Wᵀ factor near 1 in size,
    // so every sigmoid layer divides the signal by about 4 or more: over the four sigmoid
    // layers of this depth-6 network the first layer's gradient is 4⁴ = 256 times smaller
    // than the last layer's, give or take. ReLU (derivative 1 where active) with He weights
    // (made to keep the signal's size) has no such factor.
    for (const seed of [1, 2, 3]) {
      const sig = firstOverLast('sigmoid', 'xavier', seed);
      for (let l = 0; l + 1 < sig.length; l++)
        expect(sig[l], `seed ${seed}: sigmoid layer ${l + 1} below layer ${l + 2}`).to.be.below(sig[l + 1]);
      const sigRatio = sig[0] / sig[sig.length - 1];
      expect(sigRatio, `seed ${seed}: first/last for sigmoid`).to.be.below(1 / 16);
      const relu = firstOverLast('relu', 'he', seed);
      const reluRatio = relu[0] / relu[relu.length - 1];
      expect(reluRatio, `seed ${seed}: ReLU keeps the first layer's gradient much closer to the last's`).to.be.above(10 * sigRatio);
    }
  });
});
