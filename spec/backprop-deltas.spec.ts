/**
 * The back-propagated error per layer: tf.grad's δ against a plain float64 backpropagation,
 * the geometric decay fit, the paired comparison from identical weights, and the files.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { writeDeltaChart } from '../src/charts/charts.js';
import { deltaProfile, pairedDeltasAtInit, writeDeltaCsv } from '../src/probes/backprop-deltas.js';
import { initParams, type Params } from '../src/nn/params.js';
import { parseCsv } from '../src/util/csv.js';
import { separableSubset } from './helpers/train-data.js';
import type { Dataset } from '../src/data/types.js';

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

/** Per hidden layer, the mean over examples of ||δ_l(n)||, by plain backpropagation in float64. */
function plainDeltaNorms(p: Params, data: Dataset, hidden: 'sigmoid' | 'relu'): number[] {
  const s = p.sizes;
  const L = s.length - 1;
  const f = hidden === 'sigmoid' ? sig : (z: number) => Math.max(0, z);
  const df = hidden === 'sigmoid' ? (z: number) => sig(z) * (1 - sig(z)) : (z: number) => (z > 0 ? 1 : 0);
  const sums = new Array(L - 1).fill(0);
  for (let n = 0; n < data.count; n++) {
    const zs: number[][] = [];
    let a = Array.from(data.x.subarray(n * s[0], (n + 1) * s[0]), Number);
    for (let l = 0; l < L; l++) {
      const z = Array.from({ length: s[l + 1] }, (_, q) =>
        a.reduce((acc, ar, r) => acc + ar * p.weights[l][r * s[l + 1] + q], p.biases[l][q]),
      );
      zs.push(z);
      a = z.map(l === L - 1 ? sig : f);
    }
    let delta = [2 * (a[0] - data.y[n]) * sig(zs[L - 1][0]) * (1 - sig(zs[L - 1][0]))];
    for (let l = L - 2; l >= 0; l--) {
      delta = zs[l].map((z, h) => df(z) * delta.reduce((acc, d, q) => acc + d * p.weights[l + 1][h * s[l + 2] + q], 0));
      sums[l] += Math.hypot(...delta);
    }
  }
  return sums.map((v) => v / data.count);
}

describe('back-propagated error per layer', function () {
  this.timeout(30000);
  before(async () => {
    await selectBackend('cpu');
  });

  it("tf.grad's per-example δ norms match plain backpropagation; the decay is the fitted geometric rate", () => {
    const data = separableSubset(20, 2, 6, 2).train;
    const params = initParams([6, 5, 4, 3, 1], { scheme: 'xavier' }, 2);
    for (const hidden of ['sigmoid', 'relu'] as const) {
      const profile = deltaProfile({ name: 't', activation: hidden, outputActivation: 'sigmoid', params }, data);
      const plain = plainDeltaNorms(params, data, hidden);
      expect(profile.hidden.map((h) => h.layer)).to.deep.equal([1, 2, 3]);
      profile.hidden.forEach((h, l) => expect(h.meanNorm).to.be.closeTo(plain[l], 1e-5 * plain[l] + 1e-9));
      // Least-squares slope of ln(norm) over layers 1, 2, 3 is (ln v3 - ln v1) / 2.
      const v = plain;
      expect(profile.shrinkPerLayer).to.be.closeTo(Math.exp((Math.log(v[2]) - Math.log(v[0])) / 2), 1e-4);
    }
    // Sigmoid's derivative is at most 1/4: its δ shrinks towards the input.
    const [s, r] = pairedDeltasAtInit(params, data, ['sigmoid', 'relu'], 'sigmoid');
    expect(s.activation).to.equal('sigmoid');
    expect(r.activation).to.equal('relu');
    expect(s.shrinkPerLayer).to.be.above(1);
  });

  it('writes deltas.csv with an output row and the chart', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'deltas-'));
    try {
      const data = separableSubset(10, 2, 4, 1).train;
      const params = initParams([4, 3, 3, 1], { scheme: 'he' }, 1);
      const profiles = pairedDeltasAtInit(params, data, ['sigmoid', 'relu'], 'sigmoid');
      await writeDeltaCsv(
        path.join(dir, 'deltas.csv'),
        profiles.map((profile) => ({ config: 'n', at: 'init', profile })),
      );
      const rows = parseCsv(await readFile(path.join(dir, 'deltas.csv'), 'utf8'));
      expect(rows.map((r) => `${r.activation}/${r.layer}`)).to.deep.equal([
        'sigmoid/1',
        'sigmoid/2',
        'sigmoid/output',
        'relu/1',
        'relu/2',
        'relu/output',
      ]);
      const files = await writeDeltaChart(
        dir,
        profiles.flatMap((p) => p.hidden.map((h) => ({ series: p.activation, layer: h.layer, meanNorm: h.meanNorm }))),
      );
      expect((await stat(files.png)).size).to.be.above(1000);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
