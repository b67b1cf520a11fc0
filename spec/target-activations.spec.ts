/**
 * "The next neuron would need 2": the probe finds the loss-minimising output of a hidden unit
 * where the answer is known in closed form, and never misses a better value a dense search finds.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Dataset } from '../src/data/types.js';
import { initParams, type Params } from '../src/nn/params.js';
import { targetActivations, writeTargetCsv } from '../src/probes/target-activations.js';
import { parseCsv } from '../src/util/csv.js';

/** One input, one hidden unit, one output: out = f_out(v a + c) with a = f(w x + b). */
function tiny(w: number, v: number, c: number): Params {
  return { sizes: [1, 1, 1], weights: [Float32Array.of(w), Float32Array.of(v)], biases: [Float32Array.of(0), Float32Array.of(c)] };
}

const one = (x: number, y: number): Dataset => ({ x: Float32Array.of(x), y: Float32Array.of(y), count: 1, inputs: 1 });

describe('target activations: the output a hidden unit would need', () => {
  it('a sigmoid unit whose ideal output is beyond 1 (or below 0) is found outside, at the search bound', () => {
    const up = targetActivations({ name: 't', activation: 'sigmoid', outputActivation: 'sigmoid', params: tiny(1, 2, 0) }, one(0.5, 1));
    expect(up.targets).to.have.length(1);
    expect(up.targets[0].best).to.be.closeTo(2, 1e-9); // the interval's upper end: "would need at least 2"
    expect(up.targets[0].outside).to.equal(true);
    expect(up.layers[0].fractionAbove).to.equal(1);
    const down = targetActivations({ name: 't', activation: 'sigmoid', outputActivation: 'sigmoid', params: tiny(1, 2, 0) }, one(0.5, 0));
    expect(down.targets[0].best).to.be.closeTo(-1, 1e-9);
    expect(down.layers[0].fractionAbove).to.equal(0);
  });

  it("a reachable target is found inside, to the refinement's precision", () => {
    // Linear output 2a - 1, target 0.5: a* = 0.75, inside (0, 1).
    const r = targetActivations({ name: 't', activation: 'sigmoid', outputActivation: 'linear', params: tiny(1, 2, -1) }, one(0.3, 0.5));
    expect(r.targets[0].best).to.be.closeTo(0.75, 1e-6);
    expect(r.targets[0].lossAtBest).to.be.below(1e-10);
    expect(r.targets[0].outside).to.equal(false);
    // ReLU: target -0.5 needs a = 0.25 (inside [0, inf)); target -3 needs a = -1 (below 0, outside).
    const relu = targetActivations({ name: 't', activation: 'relu', outputActivation: 'linear', params: tiny(1, 2, -1) }, one(0.3, -3));
    expect(relu.targets[0].best).to.be.closeTo(-1, 1e-6);
    expect(relu.targets[0].outside).to.equal(true);
    expect(relu.targets[0].outsideWithGain).to.equal(true);
  });

  it('never misses a better output than a dense search finds, on a random deeper network', () => {
    const inputs = 6;
    const sizes = [inputs, 5, 4, 3, 1];
    const params = initParams(sizes, { scheme: 'normal', std: 1.5 }, 2);
    const count = 12;
    const x = Float32Array.from({ length: count * inputs }, (_, k) => ((k * 37) % 11) / 10);
    const y = Float32Array.from({ length: count }, (_, k) => k % 2);
    const data: Dataset = { x, y, count, inputs };
    const r = targetActivations({ name: 't', activation: 'sigmoid', outputActivation: 'sigmoid', params }, data, {
      unitsPerLayer: 3,
      examples: 5,
      seed: 4,
    });
    expect(r.layers.map((l) => l.pairs)).to.deep.equal([15, 15, 15]);
    for (const l of r.layers) expect(l.fractionOutside).to.be.within(0, 1);
    for (const t of r.targets) {
      // Dense reference: 3,001 points over the same interval [-1, 2].
      const lossAt = (a: number): number => {
        return referenceLoss(params, data, t.example, t.layer, t.unit, a);
      };
      let dense = Infinity;
      for (let k = 0; k <= 3000; k++) dense = Math.min(dense, lossAt(-1 + (3 * k) / 3000));
      expect(t.lossAtBest).to.be.at.most(dense + 1e-9);
      expect(t.lossAtBest).to.be.closeTo(lossAt(t.best), 1e-12);
      expect(t.lossAtCurrent).to.be.closeTo((referenceOutput(params, data, t.example) - data.y[t.example]) ** 2, 1e-9);
    }
  });

  it('writes one row per network, state and layer', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'targets-'));
    try {
      const params = initParams([3, 4, 2, 1], { scheme: 'xavier' }, 1);
      const data: Dataset = { x: Float32Array.of(0.1, 0.5, 0.9, 0.3, 0.2, 0.7), y: Float32Array.of(1, 0), count: 2, inputs: 3 };
      const result = targetActivations({ name: 'n', activation: 'relu', outputActivation: 'sigmoid', params }, data);
      await writeTargetCsv(path.join(dir, 'target-activations.csv'), [{ config: 'n', at: 'init', result }]);
      const rows = parseCsv(await readFile(path.join(dir, 'target-activations.csv'), 'utf8'));
      expect(rows.map((r) => [r.at, r.layer, r.pairs])).to.deep.equal([
        ['init', '1', '8'],
        ['init', '2', '4'],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const sig = (z: number): number => 1 / (1 + Math.exp(-z));

/** Plain float64 forward pass with hidden layer `layer`'s unit `unit` forced to `a` (layer 0: none). */
function referenceLoss(p: Params, data: Dataset, n: number, layer: number, unit: number, a: number): number {
  return (forward(p, data, n, layer, unit, a) - data.y[n]) ** 2;
}

function referenceOutput(p: Params, data: Dataset, n: number): number {
  return forward(p, data, n, 0, 0, 0);
}

function forward(p: Params, data: Dataset, n: number, layer: number, unit: number, a: number): number {
  const s = p.sizes;
  let h = Array.from(data.x.subarray(n * s[0], (n + 1) * s[0]), Number);
  for (let l = 0; l + 1 < s.length; l++) {
    const next: number[] = [];
    for (let q = 0; q < s[l + 1]; q++) {
      let z = p.biases[l][q];
      for (let r = 0; r < s[l]; r++) z += h[r] * p.weights[l][r * s[l + 1] + q];
      next.push(sig(z));
    }
    if (l + 1 === layer) next[unit] = a;
    h = next;
  }
  return h[0];
}
