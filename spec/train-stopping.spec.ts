/**
 * The stopping rule, the evaluation schedule, the full test set's predictions and the closing
 * line of a run: the rule and the schedule on a scripted engine (its losses are chosen, so the
 * epochs where the run must stop and score are known exactly), the files on real training runs.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load.js';
import type { RunConfig } from '../src/config/schema.js';
import type { Dataset, Subset } from '../src/data/types.js';
import { loadSubset } from '../src/data/subset.js';
import type { Engine, Evaluation } from '../src/nn/engine.js';
import { initParams } from '../src/nn/params.js';
import { trainLoop, type TrainLoopOptions } from '../src/training/loop.js';
import { trainRun, PREDICTION_COLUMNS, SUMMARY_COLUMNS, type RunResult } from '../src/training/train-run.js';
import { parseCsv } from '../src/util/csv.js';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { separableSubset } from './helpers/train-data.js';

// ---------------------------------------------------------------------------------------------
// A scripted engine: its validation loss after epoch e is script[e]; it logs what it scores.

const INPUTS = 4;

function set(count: number): Dataset {
  return { x: new Float32Array(count * INPUTS), y: new Float32Array(count), count, inputs: INPUTS };
}

/** Sets told apart by their size. */
const SETS = { train: set(8), validation: set(6), test: set(4), fullTest: set(10) };

interface Scripted {
  engine: Engine;
  /** [epoch, set name] of every evaluate() and predict() call, in order. */
  scored: [number, string][];
}

function scriptedEngine(valLosses: readonly number[]): Scripted {
  let epoch = 0;
  let stepsThisEpoch = 0;
  let params = initParams([INPUTS, 1], { scheme: 'xavier' }, 1);
  const scored: [number, string][] = [];
  const nameOf = (n: number) => Object.entries(SETS).find(([, s]) => s.count === n)![0];
  const engine: Engine = {
    kind: 'handwritten',
    network: { sizes: [INPUTS, 1], hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' },
    step() {
      // Two steps per epoch (batch 4 of 8): the epoch counter moves on the first.
      if (stepsThisEpoch++ % 2 === 0) epoch++;
      // The parameters carry the epoch, so scoring from a kept copy shows which epoch it was.
      params = { ...params, biases: [Float32Array.of(epoch)] };
    },
    evaluate(_x, _y, n): Evaluation {
      const name = nameOf(n);
      const at = params.biases[0][0];
      scored.push([at, name]);
      return name === 'validation' ? { loss: valLosses[at], accuracy: 0.5 } : { loss: 1 / (1 + at), accuracy: at / 100 };
    },
    predict(_x, n) {
      scored.push([params.biases[0][0], nameOf(n)]);
      return new Float32Array(n).fill(params.biases[0][0]);
    },
    gradients: () => params,
    getParams: () => ({ ...params, biases: [Float32Array.from(params.biases[0])] }),
    setParams(p) {
      params = p;
    },
    dispose() {},
  };
  return { engine, scored };
}

async function scriptedRun(valLosses: readonly number[], opts: Partial<TrainLoopOptions>) {
  const { engine, scored } = scriptedEngine(valLosses);
  const loop = await trainLoop({
    engine,
    train: SETS.train,
    test: SETS.test,
    validation: SETS.validation,
    batchSize: 4,
    seed: 1,
    epochs: valLosses.length - 1,
    ...opts,
  });
  const epochsScoring = (name: string) => [...new Set(scored.filter(([, s]) => s === name).map(([e]) => e))];
  return { loop, scored, epochsScoring };
}

describe('train: the stopping rule', () => {
  //                    epoch: 0    1    2    3     4    5     6     7     8    9
  const stopsByPatience = [1.0, 0.9, 0.8, 0.85, 0.7, 0.75, 0.7, 0.76, 0.6, 0.5];

  it('stops when the validation loss has not been strictly lower for `patience` epochs (a tie is no improvement)', async () => {
    const { loop } = await scriptedRun(stopsByPatience, { patience: 3 });
    // Epoch 6 ties epoch 4's 0.7: not an improvement, so 4 stays the chosen epoch and 4 + 3 = 7 ends it.
    expect(loop.chosenEpoch).to.equal(4);
    expect(loop.stopEpoch).to.equal(7);
    expect(loop.stopReason).to.equal('patience');
    expect(loop.history.map((h) => h.epoch)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('runs to the maximum when the validation loss keeps improving within the patience', async () => {
    const { loop } = await scriptedRun(stopsByPatience, { patience: 4 });
    expect(loop.chosenEpoch).to.equal(9);
    expect(loop.stopEpoch).to.equal(9);
    expect(loop.stopReason).to.equal('maximum');
  });

  it('reaching the maximum with the patience exhausted at that epoch counts as patience', async () => {
    const { loop } = await scriptedRun([1, 0.5, 0.6, 0.7], { patience: 2 });
    expect([loop.chosenEpoch, loop.stopEpoch, loop.stopReason]).to.deep.equal([1, 3, 'patience']);
  });

  it('patienceFraction lengthens the patience to ceil(f x the last improving epoch) when that is longer', async () => {
    //                  epoch: 0    1    2    3    4    5    6    7    8    9    10
    const lateImprover = [1.0, 0.9, 0.8, 0.7, 0.6, 0.65, 0.66, 0.67, 0.68, 0.5, 0.69];
    // Patience 2 alone ends the run at 4 + 2 = 6, before the improvement at 9.
    const plain = await scriptedRun(lateImprover, { patience: 2 });
    expect([plain.loop.chosenEpoch, plain.loop.stopEpoch, plain.loop.stopReason]).to.deep.equal([4, 6, 'patience']);
    // f = 1: after epoch 4 the patience is max(2, 4) = 4, so the run ends at 8, one epoch before the improvement.
    const one = await scriptedRun(lateImprover, { patience: 2, patienceFraction: 1 });
    expect([one.loop.chosenEpoch, one.loop.stopEpoch, one.loop.stopReason]).to.deep.equal([4, 8, 'patience']);
    // f = 1.25: ceil(5) = 5 reaches epoch 9, which improves; then ceil(11.25) = 12 outlasts the maximum of 10.
    const grown = await scriptedRun(lateImprover, { patience: 2, patienceFraction: 1.25 });
    expect([grown.loop.chosenEpoch, grown.loop.stopEpoch, grown.loop.stopReason]).to.deep.equal([9, 10, 'maximum']);
    // f = 0.5: ceil(0.5 x 4) = 2, no longer than the patience itself, so the run ends as without it.
    const half = await scriptedRun(lateImprover, { patience: 2, patienceFraction: 0.5 });
    expect([half.loop.chosenEpoch, half.loop.stopEpoch]).to.deep.equal([4, 6]);
  });

  it('without a rule trains every epoch ("fixed")', async () => {
    const { loop } = await scriptedRun(stopsByPatience, {});
    expect([loop.chosenEpoch, loop.stopEpoch, loop.stopReason]).to.deep.equal([9, 9, 'fixed']);
  });

  it('a validation loss that is not a number never improves', async () => {
    const { loop } = await scriptedRun([1, NaN, NaN, 0.9], { patience: 2 });
    expect([loop.chosenEpoch, loop.stopEpoch, loop.stopReason]).to.deep.equal([0, 2, 'patience']);
  });

  it('refuses a stopping rule without a validation set', async () => {
    const { engine } = scriptedEngine([1, 1]);
    let error: unknown;
    try {
      await trainLoop({ engine, train: SETS.train, test: SETS.test, epochs: 1, batchSize: 4, seed: 1, patience: 2 });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.contain('needs a validation set');
  });
});

describe('train: the evaluation schedule', () => {
  const losses = [1.0, 0.9, 0.8, 0.85, 0.7, 0.75, 0.7, 0.76, 0.6, 0.5, 0.55, 0.56, 0.57, 0.58, 0.59, 0.6];

  it('when-needed, fixed epochs: validation every epoch; test at improving epochs, the last five and the end; train at the chosen and the final epoch', async () => {
    const { loop, epochsScoring } = await scriptedRun(losses, { evaluation: 'when-needed', fullTest: SETS.fullTest });
    expect(loop.chosenEpoch).to.equal(9);
    expect(epochsScoring('validation')).to.deep.equal([...Array(16).keys()]);
    expect(epochsScoring('test')).to.deep.equal([0, 1, 2, 4, 8, 9, 11, 12, 13, 14, 15]);
    // The chosen epoch's training set is scored at the end, from the parameters kept at epoch 9.
    expect(epochsScoring('train')).to.deep.equal([15, 9]);
    expect(epochsScoring('fullTest')).to.deep.equal([15, 9]);
    const testCells = loop.history.filter((h) => !Number.isNaN(h.testAccuracy)).map((h) => h.epoch);
    expect(testCells).to.deep.equal([0, 1, 2, 4, 8, 9, 11, 12, 13, 14, 15]);
    const trainCells = loop.history.filter((h) => !Number.isNaN(h.trainAccuracy)).map((h) => h.epoch);
    expect(trainCells).to.deep.equal([9, 15]);
    expect(loop.history[9].trainAccuracy).to.equal(9 / 100);
    expect(Array.from(loop.fullTestOutputs!.chosen)).to.deep.equal(new Array(10).fill(9));
    expect(Array.from(loop.fullTestOutputs!.final)).to.deep.equal(new Array(10).fill(15));
  });

  it('when-needed with patience: the test set is scored at the epochs that may be among the last five', async () => {
    const { loop, epochsScoring } = await scriptedRun(losses, { evaluation: 'when-needed', patience: 6 });
    // Chosen 9; the stop at 15 = 9 + 6; epochs 11-15 are within five of it.
    expect([loop.chosenEpoch, loop.stopEpoch, loop.stopReason]).to.deep.equal([9, 15, 'patience']);
    expect(epochsScoring('test')).to.deep.equal([0, 1, 2, 4, 6, 7, 8, 9, 11, 12, 13, 14, 15]);
  });

  it('every-epoch scores the training, validation and test sets after every epoch', async () => {
    const { epochsScoring } = await scriptedRun(losses, { evaluation: 'every-epoch' });
    for (const name of ['train', 'validation', 'test']) expect(epochsScoring(name), name).to.deep.equal([...Array(16).keys()]);
  });
});

// ---------------------------------------------------------------------------------------------
// Real training runs

const FEATURES = 16;

/** A separable subset with a validation split drawn from the same hyperplane. */
function subsetWithValidation(): Subset {
  const all = separableSubset(320, 80, FEATURES);
  const take = (d: Dataset, from: number, n: number): Dataset => ({
    x: d.x.slice(from * FEATURES, (from + n) * FEATURES),
    y: d.y.slice(from, from + n),
    count: n,
    inputs: FEATURES,
  });
  return { ...all, train: take(all.train, 0, 240), validation: take(all.train, 240, 80) };
}

function config(overrides: Record<string, unknown> = {}): RunConfig {
  return parseConfig(
    {
      hidden: [12],
      activation: 'sigmoid',
      learningRate: 2,
      batchSize: 16,
      epochs: 30,
      seed: 3,
      backend: 'wasm',
      data: { trainPerClass: 120, testPerClass: 40, validationPerClass: 40 },
      ...overrides,
    },
    'spec config',
    'spec',
  );
}

async function tempDir(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'train-stopping-'));
}

async function readCsv(file: string): Promise<Record<string, string>[]> {
  return parseCsv(await fs.readFile(file, 'utf8'));
}

/** A summary row without its wall times. */
function withoutTimes(row: Record<string, string>): Record<string, string> {
  const { seconds: _s, eval_seconds: _e, started_at: _a, finished_at: _f, ...rest } = row;
  return rest;
}

describe('train: runs with a stopping rule record where and why they stopped', function () {
  this.timeout(180_000);
  const subset = subsetWithValidation();
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  it('summary.csv and run.json hold best_epoch, stop_epoch and stop_reason; the same config and seed give the same files', async () => {
    // lr 40 makes the validation loss jump about, so a patience of 2 runs out well before 30 epochs.
    const c = config({ learningRate: 40, stopping: { patience: 2 } });
    const runs = [];
    for (const out of ['a', 'b']) {
      runs.push(await trainRun(c, { subset, outDir: path.join(dir, out), progress: 'none', charts: false }));
    }
    const [a] = runs;
    expect(a.stopReason).to.equal('patience');
    expect(a.stopEpoch).to.equal(a.metrics.selectedEpoch + 2);
    expect(a.stopEpoch).to.be.below(30);
    expect(a.history).to.have.length(a.stopEpoch + 1);
    const [summary] = await readCsv(path.join(dir, 'a', 'summary.csv'));
    expect(Object.keys(summary)).to.deep.equal([...SUMMARY_COLUMNS]);
    expect(summary).to.include({
      best_epoch: String(a.metrics.selectedEpoch),
      stop_epoch: String(a.stopEpoch),
      stop_reason: 'patience',
      patience: '2',
      test_full_acc: '', // a synthetic subset has no full test set
    });
    const runJson = JSON.parse(await fs.readFile(path.join(dir, 'a', 'run.json'), 'utf8'));
    expect(runJson.results).to.include({ bestEpoch: a.metrics.selectedEpoch, stopEpoch: a.stopEpoch, stopReason: 'patience' });
    // Determinism: the numbers of both runs' files are the same.
    const [summaryB] = await readCsv(path.join(dir, 'b', 'summary.csv'));
    expect(withoutTimes(summaryB)).to.deep.equal(withoutTimes(summary));
    const numbers = async (out: string) =>
      (await readCsv(path.join(dir, out, 'history.csv'))).map(({ seconds: _s, elapsed_seconds: _e, finished_at: _f, ...rest }) => rest);
    expect(await numbers('b')).to.deep.equal(await numbers('a'));
  });

  it('one that keeps improving stops at the maximum', async () => {
    const r = await trainRun(config({ learningRate: 0.5, epochs: 6, stopping: { patience: 5 } }), {
      subset,
      outDir: path.join(dir, 'max'),
      progress: 'none',
      charts: false,
    });
    expect(r.stopReason).to.equal('maximum');
    expect(r.stopEpoch).to.equal(6);
    const [summary] = await readCsv(path.join(dir, 'max', 'summary.csv'));
    expect(summary).to.include({ stop_reason: 'maximum', stop_epoch: '6', epochs: '6' });
  });

  it('without a rule: "fixed", every epoch trained', async () => {
    const r = await trainRun(config({ epochs: 5 }), { subset, outDir: path.join(dir, 'fixed'), progress: 'none', charts: false });
    expect([r.stopReason, r.stopEpoch, r.history.length]).to.deep.equal(['fixed', 5, 6]);
    const [summary] = await readCsv(path.join(dir, 'fixed', 'summary.csv'));
    expect(summary).to.include({ stop_reason: 'fixed', stop_epoch: '5', patience: '' });
  });

  it('the reported figure is the same whether the sets are scored every epoch or when needed', async () => {
    const runs: RunResult[] = [];
    for (const evaluation of ['every-epoch', 'when-needed']) {
      runs.push(
        await trainRun(config({ epochs: 12, evaluation }), { subset, outDir: path.join(dir, evaluation), progress: 'none', charts: false }),
      );
    }
    const [every, needed] = runs;
    expect(needed.metrics).to.deep.equal(every.metrics);
    expect([needed.finalTrainAccuracy, needed.finalTrainLoss, needed.finalTestLoss]).to.deep.equal([
      every.finalTrainAccuracy,
      every.finalTrainLoss,
      every.finalTestLoss,
    ]);
    // Every cell scored when needed holds the value scoring every epoch gives; the chosen epoch's training set is among them.
    const cells = (r: RunResult) => r.history.map((h) => [h.trainLoss, h.trainAccuracy, h.testLoss, h.testAccuracy, h.valLoss]);
    const scoredCells = cells(needed);
    cells(every).forEach((row, e) =>
      row.forEach((v, k) => Number.isNaN(scoredCells[e][k]) || expect(scoredCells[e][k], `epoch ${e}`).to.equal(v)),
    );
    expect(Number.isNaN(needed.history[needed.metrics.selectedEpoch].trainAccuracy)).to.equal(false);
    const history = await readCsv(path.join(dir, 'when-needed', 'history.csv'));
    expect(history.filter((h) => h.train_acc === '').length, 'unscored training cells are empty').to.be.above(0);
  });
});

describe('train: the full test set and the closing line', function () {
  this.timeout(180_000);
  let fixture: FixtureDataDir;
  let dir: string;
  before(async () => {
    fixture = await makeFixtureDataDir();
    dir = await tempDir();
  });
  after(async () => {
    await fixture.cleanup();
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('loadSubset: the full test set is every image of the two classes in the test batch; the test set its first testPerClass of each', async () => {
    const s = await loadSubset({
      dataDir: fixture.dataDir,
      positive: 'airplane',
      negative: 'ship',
      trainPerClass: 20,
      testPerClass: 15,
      color: 'gray',
    });
    const full = s.fullTest!;
    expect(full.count).to.equal(2 * fixture.testPerClass);
    expect(Array.from(full.y).filter((y) => y === 1)).to.have.length(fixture.testPerClass);
    expect(
      Array.from(full.index).every((v, k) => k === 0 || v > full.index[k - 1]),
      'file order',
    ).to.equal(true);
    // The test set is the full set's first 15 airplanes and first 15 ships, in the same order.
    const firsts: number[] = [];
    const seen = [0, 0];
    full.y.forEach((y, k) => {
      if (seen[y]++ < 15) firsts.push(k);
    });
    expect(s.test.count).to.equal(30);
    firsts.forEach((k, row) => {
      expect(s.test.y[row]).to.equal(full.y[k]);
      expect(Array.from(s.test.x.subarray(row * 1024, (row + 1) * 1024))).to.deep.equal(
        Array.from(full.x.subarray(k * 1024, (k + 1) * 1024)),
      );
    });
  });

  it('predictions.csv: one row per image of the full test set, the labels of the data, the summary accuracies from its outputs', async () => {
    const c = parseConfig(
      {
        hidden: [8],
        activation: 'relu',
        learningRate: 0.05,
        batchSize: 10,
        epochs: 4,
        seed: 2,
        backend: 'wasm',
        init: { scheme: 'xavier' },
        data: { trainPerClass: 100, testPerClass: 40, validationPerClass: 20 },
      },
      'spec config',
      'fixture',
    );
    const out = path.join(dir, 'full');
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => lines.push(String(chunk)) > 0) as typeof process.stdout.write;
    let r;
    try {
      r = await trainRun(c, { dataDir: fixture.dataDir, outDir: out, progress: 'lines', charts: false });
    } finally {
      process.stdout.write = write;
    }
    const subset = await loadSubset({ dataDir: fixture.dataDir, ...c.data });
    const rows = await readCsv(path.join(out, 'predictions.csv'));
    expect(Object.keys(rows[0])).to.deep.equal([...PREDICTION_COLUMNS]);
    expect(rows).to.have.length(2 * fixture.testPerClass);
    expect(rows.map((row) => Number(row.label))).to.deep.equal(Array.from(subset.fullTest!.y));
    expect(rows.map((row) => Number(row.index))).to.deep.equal(Array.from(subset.fullTest!.index));
    expect(rows.filter((row) => row.in_test === '1')).to.have.length(80);
    const accuracy = (column: string) => rows.filter((row) => Number(row[column]) > 0.5 === (row.label === '1')).length / rows.length;
    const [summary] = await readCsv(path.join(out, 'summary.csv'));
    expect(Number(summary.test_full_acc)).to.equal(accuracy('output_best'));
    expect(Number(summary.test_full_acc_final)).to.equal(accuracy('output_final'));
    expect(r.fullTestAccuracy).to.equal(accuracy('output_best'));
    // The test set is part of the full one: its accuracy at the chosen epoch, recomputed from the file.
    const inTest = rows.filter((row) => row.in_test === '1');
    const testAcc = inTest.filter((row) => Number(row.output_best) > 0.5 === (row.label === '1')).length / inTest.length;
    expect(testAcc).to.equal(r.metrics.testAccuracy);

    // The terminal: the validation-chosen figure and the validation set on every epoch line, never a test-set best.
    const text = lines.join('');
    expect(text).to.contain(
      `test ${(100 * r.metrics.testAccuracy).toFixed(1)} % at epoch ${r.metrics.selectedEpoch} (lowest validation loss)`,
    );
    expect(text).to.match(/epoch 1\/4 .* val loss \d\.\d{4} acc \d+\.\d %/);
    expect(text).not.to.match(/best/i);
  });

  it('data.fullTest false: no predictions.csv, empty full-test cells', async () => {
    const c = parseConfig(
      {
        hidden: [4],
        activation: 'relu',
        epochs: 1,
        batchSize: 10,
        backend: 'wasm',
        data: { trainPerClass: 20, testPerClass: 10, validationPerClass: 10, fullTest: false },
      },
      'spec config',
      'fixture',
    );
    const out = path.join(dir, 'nofull');
    await trainRun(c, { dataDir: fixture.dataDir, outDir: out, progress: 'none', charts: false });
    const [summary] = await readCsv(path.join(out, 'summary.csv'));
    expect(summary).to.include({ test_full_acc: '', test_full_acc_final: '' });
    expect((await fs.readdir(out)).includes('predictions.csv')).to.equal(false);
  });
});
