/**
 * The author's explanation measured on one network (src/probes/mechanism.ts): each summary
 * number against the probe it comes from, saturation at both extremes, the identical-weights
 * comparison, determinism, and the two CSV files.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { initParams, type Params } from '../src/nn/params.js';
import { deltaProfile } from '../src/probes/backprop-deltas.js';
import { targetActivations } from '../src/probes/target-activations.js';
import { DEFAULT_MECHANISM_SETTINGS, measureMechanism, writeMechanismCsvs } from '../src/probes/mechanism.js';
import type { ProbedNetwork } from '../src/probes/weight-scan.js';
import { parseCsv } from '../src/util/csv.js';
import { separableSubset } from './helpers/train-data.js';

const SETTINGS = { ...DEFAULT_MECHANISM_SETTINGS, targetUnitsPerLayer: 3, targetExamples: 12 };

function scaled(p: Params, factor: number): Params {
  return { ...p, weights: p.weights.map((w) => w.map((v) => v * factor)), biases: p.biases.map((b) => b.slice()) };
}

describe("the author's explanation measured on one network", function () {
  this.timeout(60000);
  const data = separableSubset(24, 2, 6, 3).train;
  const initial = initParams([6, 5, 4, 3, 1], { scheme: 'xavier' }, 3);
  const trainedParams = scaled(initial, 1.7);
  const net = (params: Params, activation: 'sigmoid' | 'relu' = 'sigmoid'): ProbedNetwork => ({
    name: 't',
    activation,
    outputActivation: 'sigmoid',
    params,
  });

  before(async () => {
    await selectBackend('cpu');
  });

  it('each summary number is the probe it comes from: δ ratio top/first hidden layer, pooled "need" shares, per state', () => {
    const r = measureMechanism({ trained: net(trainedParams), initial, data, seed: 5, settings: SETTINGS });
    for (const [state, params] of [
      ['init', initial],
      ['trained', trainedParams],
    ] as const) {
      const d = deltaProfile(net(params), data);
      const m = r.summary[state];
      expect(m.deltaMeanNorm).to.deep.equal(d.hidden.map((h) => h.meanNorm));
      expect(m.deltaLog10TopOverFirst).to.be.closeTo(Math.log10(d.hidden[2].meanNorm / d.hidden[0].meanNorm), 1e-12);
      expect(m.deltaShrinkPerLayer).to.equal(d.shrinkPerLayer);
      const t = targetActivations(net(params), data, { unitsPerLayer: 3, examples: 12, seed: 5 });
      const pairs = t.layers.reduce((a, l) => a + l.pairs, 0);
      const outside = t.targets.filter((x) => x.outsideWithGain).length;
      const above = t.targets.filter((x) => x.outsideWithGain && x.best > 1).length;
      expect(m.needOutside).to.be.closeTo(outside / pairs, 1e-12);
      expect(m.needAbove).to.be.closeTo(above / pairs, 1e-12);
    }
    // the two states differ, so neither was computed from the other's weights
    expect(r.summary.init.deltaMeanNorm).to.not.deep.equal(r.summary.trained.deltaMeanNorm);
  });

  it('saturation: none with tiny weights, nearly all with huge ones; ReLU is off, never saturated', () => {
    const tiny = measureMechanism({ trained: net(scaled(initial, 1e-3)), initial, data, seed: 1, settings: SETTINGS });
    expect(tiny.summary.trained.saturated).to.equal(0);
    const huge = measureMechanism({ trained: net(scaled(initial, 1e3)), initial, data, seed: 1, settings: SETTINGS });
    expect(huge.summary.trained.saturated).to.be.greaterThan(0.9);
    const relu = measureMechanism({ trained: net(trainedParams, 'relu'), initial, data, seed: 1, settings: SETTINGS });
    expect(relu.summary.trained.saturated).to.equal(0);
    expect(relu.summary.trained.off).to.be.greaterThan(0);
    expect(relu.summary.trained.needAbove).to.equal(0); // ReLU has no upper bound
  });

  it('compares the activations from identical initial weights, and gives the same numbers twice', () => {
    const a = measureMechanism({ trained: net(trainedParams), initial, data, seed: 2, settings: SETTINGS });
    expect(a.summary.sameWeightsInit.map((s) => s.activation)).to.deep.equal(['sigmoid', 'relu']);
    // through its own activation, the identical-weights number is the init state's
    expect(a.summary.sameWeightsInit[0].deltaLog10TopOverFirst).to.equal(a.summary.init.deltaLog10TopOverFirst);
    const relu = deltaProfile(net(initial, 'relu'), data);
    expect(a.summary.sameWeightsInit[1].deltaShrinkPerLayer).to.equal(relu.shrinkPerLayer);
    const b = measureMechanism({ trained: net(trainedParams), initial, data, seed: 2, settings: SETTINGS });
    expect({ ...b.summary, seconds: 0 }).to.deep.equal({ ...a.summary, seconds: 0 });
  });

  it('writes deltas.csv (init, trained, init through the other activation) and target-activations.csv', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'mechanism-'));
    try {
      const r = measureMechanism({ trained: net(trainedParams), initial, data, seed: 2, settings: SETTINGS });
      await writeMechanismCsvs(dir, 'sigmoid5', r);
      const deltas = parseCsv(await readFile(path.join(dir, 'deltas.csv'), 'utf8'));
      expect([...new Set(deltas.map((d) => d.at))]).to.deep.equal(['init', 'trained', 'init as sigmoid', 'init as relu']);
      expect(deltas.filter((d) => d.at === 'trained').map((d) => d.layer)).to.deep.equal(['1', '2', '3', 'output']);
      const targets = parseCsv(await readFile(path.join(dir, 'target-activations.csv'), 'utf8'));
      expect(targets.map((t) => `${t.at}:${t.layer}`)).to.deep.equal(['init:1', 'init:2', 'init:3', 'trained:1', 'trained:2', 'trained:3']);
      expect(Object.keys(targets[0])).to.include('fraction_above_with_gain');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
