/**
 * Saturation and activity over training: the statistics match a plain count on a tiny network,
 * a run that records them writes activations.csv and its chart, and the relative update per
 * layer is what the parameters before and after an epoch say.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { parseConfig } from '../src/config/load.js';
import { activationStats, ACTIVATION_COLUMNS } from '../src/nn/activation-stats.js';
import { gradientRecorder } from '../src/nn/gradient-stats.js';
import { createTfjsEngine } from '../src/nn/tfjs/engine.js';
import { initParams, type Params } from '../src/nn/params.js';
import { trainRun } from '../src/training/train-run.js';
import { parseCsv } from '../src/util/csv.js';
import { separableSubset } from './helpers/train-data.js';

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

/** Hidden-layer outputs of every example, in float64, plainly. */
function hiddenOutputs(p: Params, x: Float32Array, count: number, f: (z: number) => number): number[][][] {
  const s = p.sizes;
  const layers: number[][][] = s.slice(1, -1).map(() => []);
  for (let n = 0; n < count; n++) {
    let a = Array.from(x.subarray(n * s[0], (n + 1) * s[0]), Number);
    for (let l = 0; l + 2 < s.length; l++) {
      const next: number[] = [];
      for (let q = 0; q < s[l + 1]; q++) {
        let z = p.biases[l][q];
        for (let r = 0; r < s[l]; r++) z += a[r] * p.weights[l][r * s[l + 1] + q];
        next.push(f(z));
      }
      layers[l].push(next);
      a = next;
    }
  }
  return layers;
}

describe('activation statistics over training', function () {
  this.timeout(60000);
  before(async () => {
    await selectBackend('cpu');
  });

  it('saturation, dead units and percentiles agree with a plain count', () => {
    const subset = separableSubset(50, 2, 6, 3);
    const sizes = [6, 5, 4, 1];
    for (const activation of ['sigmoid', 'relu'] as const) {
      const params = initParams(sizes, { scheme: 'normal', std: 2 }, 3);
      params.biases[0][2] = -100; // unit 2 of layer 1: off (ReLU) / saturated low (Sigmoid) on every example
      const f = activation === 'sigmoid' ? sig : (z: number) => Math.max(0, z);
      const stats = activationStats(params, { sizes, hiddenActivation: activation, outputActivation: 'sigmoid' }, subset.train, 4);
      const plain = hiddenOutputs(params, subset.train.x, subset.train.count, f);
      expect(stats.map((s) => [s.epoch, s.layer, s.width])).to.deep.equal([
        [4, 1, 5],
        [4, 2, 4],
      ]);
      stats.forEach((s, l) => {
        const all = plain[l].flat();
        const saturated = all.filter((y) => y <= 0.02 || y >= 0.98).length / all.length;
        const off = all.filter((y) => y <= 0).length / all.length;
        const dead = plain[l][0].filter((_, u) => plain[l].every((row) => row[u] <= 0)).length / plain[l][0].length;
        expect(s.saturatedFraction).to.be.closeTo(activation === 'sigmoid' ? saturated : 0, 1e-12);
        expect(s.offFraction).to.be.closeTo(activation === 'relu' ? off : 0, 1e-12);
        expect(s.deadUnitFraction).to.be.closeTo(activation === 'relu' ? dead : 0, 1e-12);
        const sorted = all.slice().sort((a, b) => a - b);
        const median = (sorted[(sorted.length - 1) / 2] ?? (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2) as number;
        expect(s.p50).to.be.closeTo(median, 1e-5);
        expect(s.p05).to.be.at.most(s.p50);
        expect(s.p95).to.be.at.least(s.p50);
      });
      if (activation === 'relu') expect(stats[0].deadUnitFraction).to.be.at.least(1 / 5);
      else expect(stats[0].saturatedFraction).to.be.at.least(1 / 5);
    }
  });

  it('a run that records them writes activations.csv (epoch 0 = init, one row per hidden layer) and its chart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'activations-spec-'));
    try {
      const config = parseConfig(
        { hidden: [8, 6], activation: 'relu', recordActivations: true, recordGradients: true, epochs: 2, batchSize: 16, backend: 'cpu' },
        'spec',
        'spec-run',
      );
      const outDir = path.join(dir, 'run');
      const result = await trainRun(config, { outDir, subset: separableSubset(64, 16, 10), progress: 'none', handleInterrupt: false });
      const rows = parseCsv(await readFile(path.join(outDir, 'activations.csv'), 'utf8'));
      expect(Object.keys(rows[0])).to.deep.equal([...ACTIVATION_COLUMNS]);
      expect(rows.map((r) => `${r.epoch}/${r.layer}`)).to.deep.equal(['0/1', '0/2', '1/1', '1/2', '2/1', '2/2']);
      expect(result.activations).to.have.length(6);
      for (const ext of ['svg', 'png']) expect((await stat(path.join(outDir, `activations.${ext}`))).size).to.be.above(1000);
      const grads = parseCsv(await readFile(path.join(outDir, 'gradients.csv'), 'utf8'));
      expect(grads.filter((g) => g.epoch === '0').every((g) => g.relative_update === 'NaN')).to.equal(true);
      expect(grads.filter((g) => g.epoch !== '0').every((g) => Number(g.relative_update) > 0)).to.equal(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('the relative update is ||W after - W before|| / ||W before|| per layer', () => {
    const sizes = [6, 5, 1];
    const data = separableSubset(32, 2, 6, 3).train;
    const engine = createTfjsEngine(
      { sizes, hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' },
      { learningRate: 0.5, momentum: 0 },
      initParams(sizes, { scheme: 'xavier' }, 1),
    );
    const record = gradientRecorder(engine, data);
    expect(record(0).every((s) => Number.isNaN(s.relativeUpdate))).to.equal(true);
    const before = engine.getParams();
    engine.step({ x: data.x, y: data.y, n: data.count });
    const after = engine.getParams();
    const stats = record(1);
    engine.dispose();
    stats.forEach((s, l) => {
      const diff = Math.hypot(...after.weights[l].map((w, k) => w - before.weights[l][k]));
      expect(s.relativeUpdate).to.be.closeTo(diff / Math.hypot(...before.weights[l]), 1e-9);
    });
  });
});
