/**
 * The loss-landscape probe: the batched, incremental sweep must give the loss a plain forward
 * pass gives at every point, its tf.grad column must be the derivative of that loss, and the
 * summaries and files must say what the curves show.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import type { Dataset } from '../src/data/types.js';
import { createHandwrittenEngine } from '../src/nn/handwritten/engine.js';
import { cloneParams, initParams, type Params } from '../src/nn/params.js';
import { checkDerivative, describeCurve } from '../src/probes/landscape-shape.js';
import { unitState } from '../src/probes/landscape-rules.js';
import { linspace, pickWeights, runLandscape } from '../src/probes/landscape.js';
import { FirstLayerSweeper, type ProbedNetwork } from '../src/probes/weight-scan.js';
import { parseCsv } from '../src/util/csv.js';
import type { Activation } from '../src/config/schema.js';
import { Rng } from '../src/util/rng.js';

/** Random inputs in [0, 1) like pixels, targets 0/1. */
function randomData(count: number, inputs: number, seed: number): Dataset {
  const rng = Rng.stream(seed, 'spec-data');
  const x = new Float32Array(count * inputs);
  for (let k = 0; k < x.length; k++) x[k] = rng.uniform();
  const y = new Float32Array(count);
  for (let k = 0; k < count; k++) y[k] = rng.int(2);
  return { x, y, count, inputs };
}

function act(kind: string, z: number): number {
  if (kind === 'sigmoid') return 1 / (1 + Math.exp(-z));
  if (kind === 'relu') return Math.max(0, z);
  if (kind === 'tanh') return Math.tanh(z);
  return z;
}

/**
 * The independent reference: a full forward pass of every example in float64, written out
 * plainly, with W1[i, j] set to v. Nothing incremental, no TensorFlow.js.
 */
function plainLoss(p: Params, hidden: string, data: Dataset, i: number, j: number, v: number): number {
  const s = p.sizes;
  let total = 0;
  for (let n = 0; n < data.count; n++) {
    let a: number[] = Array.from(data.x.subarray(n * s[0], (n + 1) * s[0]));
    for (let l = 0; l + 1 < s.length; l++) {
      const next: number[] = [];
      for (let q = 0; q < s[l + 1]; q++) {
        let z = p.biases[l][q];
        for (let r = 0; r < s[l]; r++) z += a[r] * (l === 0 && r === i && q === j ? v : p.weights[l][r * s[l + 1] + q]);
        next.push(act(l === s.length - 2 ? 'sigmoid' : hidden, z));
      }
      a = next;
    }
    total += (a[0] - data.y[n]) ** 2;
  }
  return total / data.count;
}

function withWeight(p: Params, i: number, j: number, v: number): Params {
  const q = cloneParams(p);
  q.weights[0][i * p.sizes[1] + j] = v;
  return q;
}

describe('landscape: sweeping one first-layer weight', function () {
  this.timeout(30000);
  const data = randomData(40, 12, 7);
  const sizes = [12, 7, 6, 5, 1];

  for (const backend of ['cpu', 'wasm'] as const) {
    for (const activation of ['sigmoid', 'relu', 'tanh'] as Activation[]) {
      it(`${activation} on ${backend}: the incremental sweep gives a full forward pass's loss at every point, and tf.grad its derivative`, async () => {
        await selectBackend(backend);
        // Weights large enough that even through sigmoid layers the swept weight moves the loss visibly.
        const params = initParams(sizes, { scheme: 'normal', std: 0.7 }, 3);
        params.biases.forEach((b, l) => b.forEach((_, k) => (b[k] = 0.1 * Math.sin(7 * l + k)))); // nonzero biases too
        const net: ProbedNetwork = { name: 't', activation, outputActivation: 'sigmoid', params };
        // 7 points per chunk: chunks of unequal size, so chunk boundaries are exercised.
        const sweeper = new FirstLayerSweeper(net, data, { rowsPerChunk: 7 * data.count });
        const [i, j] = [5, 2];
        const w0 = sweeper.original({ i, j });
        const values = linspace(w0 - 3, w0 + 3, 25);
        const r = sweeper.sweep({ i, j }, values);
        sweeper.dispose();
        const handwritten = createHandwrittenEngine(
          { sizes, hiddenActivation: activation, outputActivation: 'sigmoid' },
          { learningRate: 0.1, momentum: 0 },
          params,
        );
        let worstLoss = 0;
        let worstGrad = 0;
        let gradScale = 0;
        for (let p = 0; p < values.length; p++) {
          const v = r.values[p];
          expect(v).to.equal(Math.fround(values[p]));
          const reference = plainLoss(params, activation, data, i, j, v);
          worstLoss = Math.max(worstLoss, Math.abs(r.losses[p] - reference));
          // The hand-written engine (another implementation, float32) agrees too.
          handwritten.setParams(withWeight(params, i, j, v));
          expect(handwritten.evaluate(data.x, data.y, data.count).loss).to.be.closeTo(reference, 2e-6);
          // Central differences in float64 with a tiny step: the derivative of the reference loss.
          const h = 1e-5;
          const fd = (plainLoss(params, activation, data, i, j, v + h) - plainLoss(params, activation, data, i, j, v - h)) / (2 * h);
          worstGrad = Math.max(worstGrad, Math.abs(r.gradients[p] - fd));
          gradScale = Math.max(gradScale, Math.abs(fd));
        }
        handwritten.dispose();
        // Unit activity: neuron j's state on every example, from a plain float64 pre-activation.
        for (let p = 0; p < values.length; p++) {
          let active = 0;
          let saturated = 0;
          for (let n = 0; n < data.count; n++) {
            let z = params.biases[0][j];
            for (let q = 0; q < sizes[0]; q++)
              z += data.x[n * sizes[0] + q] * (q === i ? r.values[p] : params.weights[0][q * sizes[1] + j]);
            const state = unitState(activation, act(activation, z));
            if (state === 'active') active++;
            if (state === 'saturated') saturated++;
          }
          expect(r.unitActive[p], `active fraction at point ${p}`).to.equal(active / data.count);
          expect(r.unitSaturated[p], `saturated fraction at point ${p}`).to.equal(saturated / data.count);
        }
        if (activation === 'relu') expect(Math.min(...r.unitActive)).to.be.below(Math.max(...r.unitActive));
        expect(worstLoss, 'largest |sweep loss - forward-pass loss|').to.be.below(1e-6);
        expect(gradScale, 'the weight matters at all').to.be.above(1e-4);
        expect(worstGrad / gradScale, 'largest tf.grad error relative to the derivative scale').to.be.below(1e-3);
      });
    }
  }

  it('gives the same numbers however the points are batched', async () => {
    await selectBackend('cpu');
    const params = initParams(sizes, { scheme: 'xavier' }, 4);
    const net: ProbedNetwork = { name: 't', activation: 'sigmoid', outputActivation: 'sigmoid', params };
    const values = linspace(-2, 2, 13);
    const one = new FirstLayerSweeper(net, data, { rowsPerChunk: 1 }).sweep({ i: 3, j: 4 }, values);
    const all = new FirstLayerSweeper(net, data, { rowsPerChunk: 1e6 }).sweep({ i: 3, j: 4 }, values);
    for (let p = 0; p < values.length; p++) {
      expect(all.losses[p]).to.be.closeTo(one.losses[p], 1e-7);
      expect(all.gradients[p]).to.be.closeTo(one.gradients[p], 1e-7);
    }
  });

  it('handles a network with a single hidden layer (the sweep then feeds the output layer directly)', async () => {
    await selectBackend('cpu');
    const small = [12, 4, 1];
    const params = initParams(small, { scheme: 'xavier' }, 5);
    const sweeper = new FirstLayerSweeper({ name: 't', activation: 'relu', outputActivation: 'sigmoid', params }, data);
    const r = sweeper.sweep({ i: 1, j: 3 }, [-1, 0, 1]);
    sweeper.dispose();
    for (let p = 0; p < 3; p++) expect(r.losses[p]).to.be.closeTo(plainLoss(params, 'relu', data, 1, 3, r.values[p]), 1e-6);
  });

  it('leaks no tensors', async () => {
    await selectBackend('cpu');
    const before = tf.memory().numTensors;
    const params = initParams(sizes, { scheme: 'xavier' }, 4);
    const sweeper = new FirstLayerSweeper({ name: 't', activation: 'relu', outputActivation: 'sigmoid', params }, data, {
      rowsPerChunk: 100,
    });
    sweeper.sweep({ i: 0, j: 0 }, linspace(-1, 1, 9));
    sweeper.dispose();
    expect(tf.memory().numTensors).to.equal(before);
  });
});

describe('landscape: shape of a curve and the derivative check', () => {
  const v = linspace(-4, 4, 81);

  it('a bowl has its minimum inside; a sigmoid-shaped fall has it at the edge and is monotone', () => {
    const bowl = describeCurve(
      v,
      v.map((x) => 0.3 + 0.01 * (x - 1) ** 2),
      v.map((x) => 0.02 * (x - 1)),
    );
    expect(bowl.minimum).to.equal('inside');
    expect(bowl.minValue).to.be.closeTo(1, 1e-9);
    expect(bowl.monotone).to.equal('no');
    expect(bowl.edgeRise).to.be.closeTo(0.01 * 9, 1e-9);
    const fall = describeCurve(
      v,
      v.map((x) => 0.3 - 0.05 / (1 + Math.exp(-x))),
      v.map(() => 0),
    );
    expect(fall.minimum).to.equal('upper edge');
    expect(fall.monotone).to.equal('decreasing');
    const rise = describeCurve(
      v,
      v.map((x) => 0.3 + 0.05 / (1 + Math.exp(-x))),
      v.map(() => 0),
    );
    expect(rise.minimum).to.equal('lower edge');
    expect(rise.monotone).to.equal('increasing');
  });

  it('a curve that has flattened to its asymptote does not get a minimum "inside" from rounding noise', () => {
    // Decreasing, then flat at 0.25 with ±1e-11 jitter (below the noise level, 2e-8 x loss).
    const losses = v.map((x, p) => (x < 0 ? 0.25 + 0.01 * x * x : 0.25 + (p % 2 ? 1e-11 : -1e-11)));
    const shape = describeCurve(
      v,
      losses,
      v.map(() => 0),
    );
    expect(shape.minimum).to.equal('upper edge');
    expect(shape.monotone).to.equal('decreasing');
  });

  it('the check accepts the true derivative and rejects a wrong one', () => {
    const losses = v.map((x) => 0.3 - 0.05 / (1 + Math.exp(-2 * x)));
    const truth = v.map((x) => {
      const s = 1 / (1 + Math.exp(-2 * x));
      return -0.05 * 2 * s * (1 - s);
    });
    const right = checkDerivative(v, losses, truth);
    expect(right.relative).to.be.below(0.01);
    expect(right.unexplained).to.be.below(0.01);
    for (const [why, wrong] of [
      ['20 % too large', truth.map((g) => 1.2 * g)],
      ['wrong sign', truth.map((g) => -g)],
      ["a neighbouring point's", truth.map((_, p) => truth[Math.min(p + 4, truth.length - 1)])],
    ] as const) {
      const c = checkDerivative(v, losses, wrong);
      expect(c.relative, why).to.be.above(0.1);
      expect(c.unexplained, why).to.be.above(0.1);
    }
  });

  it('a kink explains a gap between the derivative at a point and the slope across it', () => {
    // |v - 0.05|: the slope jumps from -1 to +1 between two grid points.
    const losses = v.map((x) => Math.abs(x - 0.05));
    const truth = v.map((x) => Math.sign(x - 0.05));
    const c = checkDerivative(v, losses, truth);
    expect(c.relative, 'point by point the derivative and the difference disagree at the kink').to.be.above(0.3);
    expect(c.unexplained).to.be.below(1e-9);
  });
});

describe('landscape: runLandscape', function () {
  this.timeout(30000);
  let dir: string;
  before(async () => {
    await selectBackend('wasm');
    dir = await mkdtemp(path.join(os.tmpdir(), 'landscape-spec-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('picks weights reproducibly from the seed, all distinct', () => {
    const a = pickWeights(1, 1024, 150, 10);
    expect(pickWeights(1, 1024, 150, 10)).to.deep.equal(a);
    expect(new Set(a.map((w) => `${w.i},${w.j}`)).size).to.equal(10);
    expect(pickWeights(2, 1024, 150, 10)).to.not.deep.equal(a);
    expect(pickWeights(1, 2, 2, 4).length).to.equal(4);
    expect(() => pickWeights(1, 2, 2, 5)).to.throw(/only 4 weights/);
  });

  it('writes landscape.csv, landscape-summary.csv and the chart for two networks side by side', async () => {
    // Enough examples and units that the kinks of the ReLU curve (one wherever a unit switches
    // for one example) are each small, as in the real networks.
    const data = randomData(600, 10, 9);
    const sizes = [10, 40, 30, 1];
    const networks: ProbedNetwork[] = [
      { name: 'relu-net', activation: 'relu', outputActivation: 'sigmoid', params: initParams(sizes, { scheme: 'he' }, 1) },
      { name: 'sigmoid-net', activation: 'sigmoid', outputActivation: 'sigmoid', params: initParams(sizes, { scheme: 'xavier' }, 1) },
    ];
    const lines: string[] = [];
    const result = await runLandscape({ networks, data, count: 3, seed: 1, span: 4, points: 41, outDir: dir, log: (l) => lines.push(l) });
    expect(result.curves).to.have.length(6);
    expect(result.check.passed, `unexplained ${result.check.unexplained}`).to.equal(true);
    expect(result.check.unexplained).to.be.below(0.05);
    expect(result.counts.map((c) => c.swept)).to.deep.equal([3, 3]);
    for (const c of result.counts) expect(c.inside + c.atEdge).to.equal(3);
    // Both networks are probed at the same weights (same seed, same shape).
    expect(result.curves.slice(0, 3).map((c) => [c.weightI, c.weightJ])).to.deep.equal(
      result.curves.slice(3).map((c) => [c.weightI, c.weightJ]),
    );
    // The loss at the original weight is the network's own loss.
    for (const c of result.curves) {
      const net = networks.find((n) => n.name === c.config)!;
      expect(c.lossAtOriginal).to.be.closeTo(plainLoss(net.params, net.activation, data, c.weightI, c.weightJ, c.original), 1e-6);
      expect(c.values[0]).to.be.closeTo(c.original - 4, 1e-6);
      expect(c.values[40]).to.be.closeTo(c.original + 4, 1e-6);
    }
    const rows = parseCsv(await readFile(path.join(dir, 'landscape.csv'), 'utf8'));
    expect(rows).to.have.length(6 * 41);
    expect(Object.keys(rows[0])).to.deep.equal([
      'config',
      'activation',
      'weight_i',
      'weight_j',
      'original',
      'value',
      'loss',
      'gradient',
      'slope',
      'unit_active_fraction',
      'unit_saturated_fraction',
    ]);
    for (const r of rows) expect(Number(r.unit_active_fraction) + Number(r.unit_saturated_fraction)).to.be.within(0, 1);
    expect(rows[0].slope).to.equal('');
    expect(Number(rows[1].slope)).to.be.a('number').and.not.NaN;
    const summary = parseCsv(await readFile(path.join(dir, 'landscape-summary.csv'), 'utf8'));
    expect(summary).to.have.length(6);
    expect(summary.map((s) => s.minimum)).to.deep.equal(result.curves.map((c) => c.shape.minimum));
    expect(summary.map((s) => s.shape)).to.deep.equal(result.curves.map((c) => c.measures.classification.shape));
    // The frozen rules' "minimum" and the summary's agree (one rule).
    expect(result.curves.map((c) => c.measures.classification.minimum)).to.deep.equal(result.curves.map((c) => c.shape.minimum));
    for (const f of ['landscape.svg', 'landscape.png']) expect((await stat(path.join(dir, f))).size).to.be.above(1000);
    expect(lines.some((l) => /relu-net \(relu\): 3 weights swept; minimum inside the range for \d+/.test(l))).to.equal(true);
    expect(lines.some((l) => /derivative check: largest/.test(l))).to.equal(true);
  });

  it('gives the same numbers when the sweeps run on worker threads', async () => {
    const data = randomData(200, 10, 3);
    const sizes = [10, 8, 6, 1];
    const networks: ProbedNetwork[] = [
      { name: 'a', activation: 'relu', outputActivation: 'sigmoid', params: initParams(sizes, { scheme: 'he' }, 2) },
      { name: 'b', activation: 'sigmoid', outputActivation: 'sigmoid', params: initParams(sizes, { scheme: 'normal', std: 0.5 }, 2) },
    ];
    const opts = { networks, data, count: 3, seed: 5, span: 2, points: 21, failOnCheck: false };
    const here = await runLandscape({ ...opts, jobs: 1 });
    const threads = await runLandscape({ ...opts, jobs: 2 });
    expect(threads.seconds.jobs).to.equal(2);
    expect(threads.curves.map((c) => [c.config, c.weightI, c.weightJ])).to.deep.equal(
      here.curves.map((c) => [c.config, c.weightI, c.weightJ]),
    );
    threads.curves.forEach((c, k) => {
      expect(c.losses).to.deep.equal(here.curves[k].losses);
      expect(c.gradients).to.deep.equal(here.curves[k].gradients);
      expect(c.lossAtOriginal).to.equal(here.curves[k].lossAtOriginal);
    });
  });

  it('rejects a bad range or weight with a one-line usage error', async () => {
    const data = randomData(10, 4, 1);
    const networks: ProbedNetwork[] = [
      { name: 'n', activation: 'relu', outputActivation: 'sigmoid', params: initParams([4, 3, 1], { scheme: 'he' }, 1) },
    ];
    const fails = async (o: object, re: RegExp) => {
      let err: unknown;
      try {
        await runLandscape({ networks, data, ...o });
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(o)).to.be.instanceOf(Error);
      expect((err as Error).name).to.equal('UsageError');
      expect((err as Error).message).to.match(re);
    };
    await fails({ from: 1, to: -1 }, /--from\/--to/);
    await fails({ points: 2 }, /--points/);
    await fails({ weights: [{ i: 4, j: 0 }] }, /outside the first layer/);
    await fails({ span: -1 }, /--span/);
  });
});
