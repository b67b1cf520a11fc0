/**
 * The training loop and trainRun on small synthetic sets: it learns, on every backend that
 * loads; it is deterministic; it leaks no tensors; it writes the run folder.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { selectBackend, type BackendChoice } from '../src/nn/tfjs/backend.js';
import { parseConfig } from '../src/config/load.js';
import type { RunConfig } from '../src/config/schema.js';
import { initParams } from '../src/nn/params.js';
import { loadParams } from '../src/nn/params-io.js';
import { parseCsv } from '../src/util/csv.js';
import { createEngine } from '../src/nn/create-engine.js';
import { trainLoop, type EpochRecord } from '../src/training/loop.js';
import { trainRun, HISTORY_COLUMNS, SUMMARY_COLUMNS } from '../src/training/train-run.js';
import { UserError } from '../src/util/errors.js';
import { separableSubset } from './helpers/train-data.js';

const INPUTS = 16;
const subset = separableSubset(240, 80, INPUTS);

function config(overrides: Record<string, unknown> = {}): RunConfig {
  return parseConfig(
    {
      hidden: [12],
      activation: 'sigmoid',
      learningRate: 2,
      batchSize: 16,
      epochs: 12,
      seed: 3,
      backend: 'wasm',
      data: { trainPerClass: 120, testPerClass: 40 },
      ...overrides,
    },
    'spec config',
    'spec',
  );
}

/** The numbers of a history, without its wall times (which differ from run to run). */
function numbers(history: readonly EpochRecord[]): number[][] {
  return history.map((h) => [h.epoch, h.trainLoss, h.trainAccuracy, h.testLoss, h.testAccuracy]);
}

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'train-loop-'));
}

describe('train: the loop learns a separable set on every backend that loads', () => {
  for (const backend of ['wasm', 'cpu', 'tensorflow'] as BackendChoice[]) {
    for (const activation of ['sigmoid', 'relu'] as const) {
      it(`${backend}, ${activation}: loss falls and accuracy rises`, async function () {
        try {
          await selectBackend(backend);
        } catch (err) {
          if (err instanceof UserError) this.skip(); // e.g. native TensorFlow is not installed here
          throw err;
        }
        const c = config({ activation, backend, learningRate: activation === 'relu' ? 0.2 : 2 });
        const sizes = [INPUTS, ...c.hidden, 1];
        const engine = createEngine(
          'tfjs',
          { sizes, hiddenActivation: activation, outputActivation: 'sigmoid' },
          { learningRate: c.learningRate, momentum: 0 },
          initParams(sizes, c.init, c.seed),
        );
        try {
          const { history } = await trainLoop({
            engine,
            train: subset.train,
            test: subset.test,
            epochs: c.epochs,
            batchSize: c.batchSize,
            seed: c.seed,
          });
          const first = history[0];
          const last = history[history.length - 1];
          expect(history.map((h) => h.epoch)).to.deep.equal([...Array(c.epochs + 1).keys()]);
          expect(first.trainAccuracy).to.be.below(0.7);
          expect(last.trainLoss).to.be.below(0.5 * first.trainLoss);
          expect(last.trainAccuracy).to.be.above(0.9);
          expect(last.testAccuracy).to.be.above(0.85);
        } finally {
          engine.dispose();
        }
      });
    }
  }
});

describe('train: trainRun', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('is deterministic: the same config, seed and backend give the same history; another seed does not', async () => {
    const run = (seed: number, out: string) =>
      trainRun(config({ seed, epochs: 4, hidden: [12, 6] }), { subset, outDir: path.join(dir, out), progress: 'none', charts: false });
    const a = await run(3, 'a');
    const b = await run(3, 'b');
    const c = await run(4, 'c');
    expect(numbers(b.history)).to.deep.equal(numbers(a.history));
    expect(Array.from(b.params.weights[0])).to.deep.equal(Array.from(a.params.weights[0]));
    expect(numbers(c.history)).to.not.deep.equal(numbers(a.history));
    // The CSV holds the same digits the run returned.
    const rows = parseCsv(await fs.readFile(path.join(dir, 'a', 'history.csv'), 'utf8'));
    // (Epochs whose training set was not scored have NaN there and an empty cell.)
    expect(rows.map((r) => (r.train_loss === '' ? NaN : Number(r.train_loss)))).to.deep.equal(a.history.map((h) => h.trainLoss));
    expect(rows.filter((r) => r.train_loss !== '')).to.have.length.above(0);
  });

  it('leaks no tensor across epochs, at batch sizes 1 and the whole set', async () => {
    const small = separableSubset(60, 20, INPUTS);
    for (const batchSize of [1, 60]) {
      const c = config({ batchSize, epochs: 3, learningRate: 0.5, data: { trainPerClass: 30, testPerClass: 10 } });
      const r = await trainRun(c, { subset: small, outDir: path.join(dir, `b${batchSize}`), progress: 'none', charts: false });
      expect(r.liveTensors).to.have.length(4);
      expect(new Set(r.liveTensors).size, `live tensors after each epoch: ${r.liveTensors.join(', ')}`).to.equal(1);
      expect(r.history.every((h) => Number.isNaN(h.trainLoss) || Number.isFinite(h.trainLoss))).to.equal(true);
      expect(Number.isFinite(r.finalTrainLoss)).to.equal(true);
    }
  });

  it('evaluates the validation split every epoch and reports the test accuracy at its lowest loss', async () => {
    // The test set doubles as the validation set here, so both columns must agree exactly.
    const r = await trainRun(config({ epochs: 4, hidden: [12] }), {
      subset: { ...subset, validation: subset.test },
      outDir: path.join(dir, 'validated'),
      progress: 'none',
      charts: false,
    });
    expect(r.history.map((h) => h.valLoss)).to.deep.equal(r.history.map((h) => h.testLoss));
    const lowest = r.history.reduce((a, b) => (b.valLoss < a.valLoss ? b : a));
    expect(r.metrics.selectedEpoch).to.equal(lowest.epoch);
    expect(r.metrics.testAccuracy).to.equal(lowest.testAccuracy);
    const history = parseCsv(await fs.readFile(path.join(dir, 'validated', 'history.csv'), 'utf8'));
    expect(history.map((h) => Number(h.val_loss))).to.deep.equal(r.history.map((h) => h.valLoss));
  });

  it('writes history.csv, summary.csv, run.json, weights.json, gradients.csv and the curves chart', async () => {
    const epochs: number[] = [];
    const out = path.join(dir, 'run');
    const r = await trainRun(config({ epochs: 3, hidden: [12, 6], recordGradients: true }), {
      subset,
      outDir: out,
      progress: 'none',
      onEpoch: (e) => epochs.push(e.epoch),
    });
    expect(epochs).to.deep.equal([0, 1, 2, 3]);
    const history = parseCsv(await fs.readFile(path.join(out, 'history.csv'), 'utf8'));
    expect(Object.keys(history[0])).to.deep.equal([...HISTORY_COLUMNS]);
    expect(history.map((h) => Number(h.epoch))).to.deep.equal([0, 1, 2, 3]);
    expect(Number.isNaN(Date.parse(history[3].finished_at))).to.equal(false);

    const summary = parseCsv(await fs.readFile(path.join(out, 'summary.csv'), 'utf8'));
    expect(summary).to.have.length(1);
    expect(Object.keys(summary[0])).to.deep.equal([...SUMMARY_COLUMNS]);
    expect(Number(summary[0].final_test_acc)).to.equal(r.finalTestAccuracy);
    // no validation split in this subset: the primary figure falls back to the final epoch
    expect(Number(summary[0].test_acc)).to.equal(r.finalTestAccuracy);
    expect(summary[0].val_loss_best).to.equal('');
    expect(Number(summary[0].best_test_acc)).to.equal(Math.max(...r.history.slice(1).map((h) => h.testAccuracy)));
    expect(summary[0].layers).to.equal('4');

    const runJson = JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8'));
    expect(runJson.status).to.equal('finished');
    expect(runJson.config.hidden).to.deep.equal([12, 6]);
    expect(runJson.backend.name).to.equal('wasm');
    expect(runJson.threads).to.be.a('number');
    expect(runJson.data.source).to.equal('synthetic separable set');
    expect(Date.parse(runJson.finishedAt)).to.be.at.least(Date.parse(runJson.startedAt));

    const weights = loadParams(path.join(out, 'weights.json'));
    expect(Array.from(weights.weights[2])).to.deep.equal(Array.from(r.params.weights[2]));

    for (const f of ['curves.svg', 'curves.png']) expect((await fs.stat(path.join(out, f))).size, f).to.be.above(1000);

    const grads = parseCsv(await fs.readFile(path.join(out, 'gradients.csv'), 'utf8'));
    expect(grads).to.have.length(4 * 3); // epochs 0..3, three weight matrices
    expect(grads.every((g) => Number(g.mean_abs_grad) > 0)).to.equal(true);
  });

  it('trains with the hand-written engine through the same loop', async () => {
    const r = await trainRun(config({ engine: 'handwritten', evaluation: 'every-epoch' }), {
      subset,
      outDir: path.join(dir, 'hw'),
      progress: 'none',
      charts: false,
    });
    expect(r.engine).to.equal('handwritten');
    expect(r.backend).to.equal(null);
    expect(r.finalTrainAccuracy).to.be.above(0.9);
    expect(r.finalTrainLoss).to.be.below(0.5 * r.history[0].trainLoss);
  });

  it('refuses an --out folder that already holds files', async () => {
    await fs.writeFile(path.join(dir, 'keep.txt'), 'x');
    let caught: unknown;
    try {
      await trainRun(config({ epochs: 1 }), { subset, outDir: dir, progress: 'none', charts: false });
    } catch (err) {
      caught = err;
    }
    expect(caught).to.be.instanceOf(UserError);
    expect((caught as Error).message).to.match(/already holds files/);
  });
});
