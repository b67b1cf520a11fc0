/**
 * Both engines pinned to PyTorch (as llm.c pins its engine): spec/fixtures/torch-reference.json,
 * written by tools/torch-reference.py with PyTorch in float64, holds for a small network and each
 * hidden activation the loss, the outputs and every gradient before each of three SGD steps, and
 * the parameters after them. Each engine, started from the same parameters, must reproduce every
 * number to float32 tolerance. Online SGD (batch 1) from the same start, which the hand-written
 * engine runs in its single-precision whole-step kernel (src/nn/handwritten/online-step.ts) for the
 * activations that kernel implements, is pinned the same way to PyTorch's float64 trajectory.
 * This test needs no PyTorch; only regenerating the fixture does.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { z } from 'zod';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { createEngine } from '../src/nn/create-engine.js';
import type { Params } from '../src/nn/params.js';
import { ENGINE_CHOICES } from '../src/config/schema.js';
import { activationNames, activationSpec, isActivationFor } from '../src/config/activations.js';
import { difference } from '../src/training/compare-engines.js';

const ParamsJson = z.strictObject({ weights: z.array(z.array(z.number())), biases: z.array(z.array(z.number())) });
const Fixture = z.object({
  torch: z.string(),
  sizes: z.array(z.number().int()),
  learningRate: z.number(),
  batchSize: z.number().int(),
  x: z.array(z.number()),
  y: z.array(z.number()),
  cases: z.array(
    z.strictObject({
      hiddenActivation: z.string().refine((a) => isActivationFor('hidden', a)),
      outputActivation: z.string().refine((a) => isActivationFor('output', a)),
      initial: ParamsJson,
      steps: z.array(
        z.strictObject({ firstExample: z.number().int(), loss: z.number(), outputs: z.array(z.number()), gradients: ParamsJson }),
      ),
      final: ParamsJson,
      online: z.strictObject({ steps: z.number().int(), final: ParamsJson, finalFloat32: ParamsJson }),
    }),
  ),
});

const fixture = Fixture.parse(JSON.parse(readFileSync(new URL('./fixtures/torch-reference.json', import.meta.url), 'utf8')));

/** float32 tolerances: |engine - torch| <= absolute + relative * scale (the value's own size, or its layer's largest). */
const TOLERANCE = {
  output: { absolute: 1e-6, relative: 1e-5 },
  loss: { absolute: 1e-7, relative: 1e-5 },
  gradient: { absolute: 1e-8, relative: 1e-4 },
  params: { absolute: 1e-6, relative: 1e-5 },
};

function toParams(p: z.infer<typeof ParamsJson>): Params {
  return {
    sizes: [...fixture.sizes],
    weights: p.weights.map((w) => Float32Array.from(w)),
    biases: p.biases.map((b) => Float32Array.from(b)),
  };
}

describe('engines pinned to PyTorch (spec/fixtures/torch-reference.json)', () => {
  before(async () => {
    await selectBackend('wasm');
  });

  it('the fixture covers every hidden activation whose table entry names a PyTorch counterpart, with gradients that are not all zero', () => {
    const pinned = activationNames('hidden').filter((a) => activationSpec(a).torch !== null);
    expect(pinned).to.include.members(['sigmoid', 'relu', 'tanh', 'relu-clipped', 'relu-scaled']);
    // The fixture names each case by the PyTorch script's name for it (tools/torch-reference.py's ACTIVATIONS).
    expect(fixture.cases.map((c) => c.hiddenActivation)).to.have.members(pinned.map((a) => activationSpec(a).torch));
    for (const c of fixture.cases)
      for (const s of c.steps) for (const g of s.gradients.weights) expect(Math.max(...g.map(Math.abs))).to.be.greaterThan(0);
  });

  for (const c of fixture.cases) {
    it(`hand-written engine, ${c.hiddenActivation} hidden: ${c.online.steps} online SGD steps (batch 1) end at PyTorch's parameters`, () => {
      const { sizes } = fixture;
      const network = { sizes, hiddenActivation: c.hiddenActivation, outputActivation: c.outputActivation };
      const engine = createEngine('handwritten', network, { learningRate: fixture.learningRate, momentum: 0 }, toParams(c.initial));
      const examples = fixture.y.length;
      for (let t = 0; t < c.online.steps; t++) {
        const r = t % examples;
        engine.step({ x: Float32Array.from(fixture.x.slice(r * sizes[0], (r + 1) * sizes[0])), y: Float32Array.of(fixture.y[r]), n: 1 });
      }
      const final = engine.getParams();
      for (let l = 0; l + 1 < sizes.length; l++) {
        for (const part of ['weights', 'biases'] as const) {
          const d = difference(c.online.final[part][l], final[part][l], TOLERANCE.params, 'own');
          expect(d.ok, `layer ${l} ${part}: max |diff| ${d.maxAbs}`).to.equal(true);
        }
        const moved = difference(c.initial.weights[l], final.weights[l], { absolute: 1e-4, relative: 0 }, 'own');
        expect(moved.ok, `layer ${l}: the weights must have moved`).to.equal(false);
      }
    });
  }

  for (const kind of ENGINE_CHOICES) {
    for (const c of fixture.cases) {
      it(`${kind} engine, ${c.hiddenActivation} hidden: loss, outputs and every gradient of ${c.steps.length} SGD steps, and the final parameters`, () => {
        const { sizes, batchSize: n } = fixture;
        const engine = createEngine(
          kind,
          { sizes, hiddenActivation: c.hiddenActivation, outputActivation: c.outputActivation },
          { learningRate: fixture.learningRate, momentum: 0 },
          toParams(c.initial),
        );
        try {
          for (const [t, s] of c.steps.entries()) {
            const batch = {
              x: Float32Array.from(fixture.x.slice(s.firstExample * sizes[0], (s.firstExample + n) * sizes[0])),
              y: Float32Array.from(fixture.y.slice(s.firstExample, s.firstExample + n)),
              n,
            };
            const out = difference(s.outputs, engine.predict(batch.x, n), TOLERANCE.output, 'own');
            expect(out.ok, `step ${t} outputs: max |diff| ${out.maxAbs}`).to.equal(true);
            const loss = difference([s.loss], [engine.evaluate(batch.x, batch.y, n).loss], TOLERANCE.loss, 'own');
            expect(loss.ok, `step ${t} loss: |diff| ${loss.maxAbs}`).to.equal(true);
            const g = engine.gradients(batch);
            for (let l = 0; l + 1 < sizes.length; l++) {
              for (const part of ['weights', 'biases'] as const) {
                const d = difference(s.gradients[part][l], g[part][l], TOLERANCE.gradient, 'layer');
                expect(d.ok, `step ${t} layer ${l} ${part}: max |diff| ${d.maxAbs} of ${d.scale}`).to.equal(true);
              }
            }
            engine.step(batch);
          }
          const final = engine.getParams();
          for (let l = 0; l + 1 < sizes.length; l++) {
            const d = difference(c.final.weights[l], final.weights[l], TOLERANCE.params, 'own');
            expect(d.ok, `final layer ${l} weights: max |diff| ${d.maxAbs}`).to.equal(true);
            const moved = difference(c.initial.weights[l], final.weights[l], { absolute: 1e-4, relative: 0 }, 'own');
            expect(moved.ok, `layer ${l}: the weights must have moved`).to.equal(false);
          }
        } finally {
          engine.dispose();
        }
      });
    }
  }
});
