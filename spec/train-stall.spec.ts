/**
 * The stall rule of configs/rules/search.json in the training loop: at epoch K a run stops
 * ("stalled") when its validation accuracy is at most maxValAccuracy and its validation loss is at
 * least minLossRatio x the loss at epoch floor(K/2). On a scripted engine (its validation losses
 * and accuracies are chosen, so where the rule must and must not fire is known), then on a real run.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load.js';
import type { Dataset } from '../src/data/types.js';
import type { Engine, Evaluation } from '../src/nn/engine.js';
import { initParams } from '../src/nn/params.js';
import { trainLoop, type StallRule, type TrainLoopOptions } from '../src/training/loop.js';
import { trainRun } from '../src/training/train-run.js';
import { parseCsv } from '../src/util/csv.js';
import { separableSubset } from './helpers/train-data.js';
import { usageMessage } from './helpers/usage-error.js';

const INPUTS = 4;
const set = (count: number): Dataset => ({ x: new Float32Array(count * INPUTS), y: new Float32Array(count), count, inputs: INPUTS });
const SETS = { train: set(8), validation: set(6), test: set(4) };

/** An engine whose validation loss and accuracy after epoch e are script[e]; it logs the epochs whose test set it scores. */
function scriptedEngine(script: readonly [number, number][]): { engine: Engine; testEpochs: number[] } {
  let epoch = 0;
  let steps = 0;
  const testEpochs: number[] = [];
  const params = initParams([INPUTS, 1], { scheme: 'xavier' }, 1);
  const engine: Engine = {
    kind: 'handwritten',
    network: { sizes: [INPUTS, 1], hiddenActivation: 'sigmoid', outputActivation: 'sigmoid' },
    step() {
      if (steps++ % 2 === 0) epoch++; // two steps per epoch (batch 4 of 8)
    },
    evaluate(_x, _y, n): Evaluation {
      if (n === SETS.validation.count) return { loss: script[epoch][0], accuracy: script[epoch][1] };
      if (n === SETS.test.count) testEpochs.push(epoch);
      return { loss: 0.25, accuracy: 0.5 };
    },
    predict: (_x, n) => new Float32Array(n),
    gradients: () => params,
    getParams: () => params,
    setParams() {},
    dispose() {},
  };
  return { engine, testEpochs };
}

async function scripted(script: readonly [number, number][], opts: Partial<TrainLoopOptions>) {
  const { engine, testEpochs } = scriptedEngine(script);
  const loop = await trainLoop({
    engine,
    ...SETS,
    batchSize: 4,
    seed: 1,
    epochs: script.length - 1,
    patience: 100,
    evaluation: 'when-needed',
    ...opts,
  });
  return { loop, testEpochs };
}

const RULE: StallRule = { epoch: 10, maxValAccuracy: 0.55, minLossRatio: 0.99 };
/** Epochs 0-20 at chance accuracy; the loss after epoch e is loss(e). */
const plateau = (loss: (e: number) => number, accuracy = 0.5): [number, number][] =>
  Array.from({ length: 21 }, (_, e) => [loss(e), accuracy]);

describe('train: the stall rule (stopping.stall)', () => {
  it('stops at K ("stalled") a run at chance whose loss has not fallen by 1 % since K/2', async () => {
    // Falling slowly: 0.2500 at epoch 5, 0.2480 at 10 (ratio 0.992 >= 0.99).
    const { loop } = await scripted(
      plateau((e) => 0.25 - 0.0004 * Math.max(0, e - 5)),
      { stall: RULE },
    );
    expect([loop.stopEpoch, loop.stopReason, loop.chosenEpoch]).to.deep.equal([10, 'stalled', 10]);
    expect(loop.history.map((h) => h.epoch)).to.deep.equal([...Array(11).keys()]);
  });

  it('lets a run go on whose loss fell by more than 1 % since K/2, or whose accuracy is above the bound', async () => {
    const falling = await scripted(
      plateau((e) => 0.25 - 0.0006 * Math.max(0, e - 5)), // 0.2470 at 10: ratio 0.988 < 0.99
      { stall: RULE },
    );
    expect([falling.loop.stopEpoch, falling.loop.stopReason]).to.deep.equal([20, 'maximum']);
    const above = await scripted(
      plateau(() => 0.25, 0.56),
      { stall: RULE },
    );
    expect([above.loop.stopEpoch, above.loop.stopReason]).to.deep.equal([20, 'maximum']);
    // At the bound itself the rule fires: "at most" maxValAccuracy, "at least" the ratio.
    const atBound = await scripted(
      plateau(() => 0.25, 0.55),
      { stall: RULE },
    );
    expect([atBound.loop.stopEpoch, atBound.loop.stopReason]).to.deep.equal([10, 'stalled']);
  });

  it('is checked at K only: a run that was on a plateau after K is not cut later, and patience may end a run first', async () => {
    // Learning until 12, then flat: at K = 10 the loss had fallen, so the rule passes and never looks again.
    const late = await scripted(
      plateau((e) => (e <= 12 ? 0.25 - 0.005 * e : 0.19)),
      { stall: RULE, patience: 100 },
    );
    expect(late.loop.stopReason).to.equal('maximum');
    const flat = await scripted(
      plateau(() => 0.25),
      { stall: RULE, patience: 3 },
    );
    expect([flat.loop.stopEpoch, flat.loop.stopReason]).to.deep.equal([3, 'patience']);
  });

  it('a loss that is not a number at K/2 or K never stalls a run (the other rules end it)', async () => {
    const { loop } = await scripted(
      plateau((e) => (e === 5 ? Number.NaN : 0.25)),
      { stall: RULE, patience: 100 },
    );
    expect(loop.stopReason).to.equal('maximum');
  });

  it('when-needed: the test set is scored at the five epochs up to K, so test_acc_last5 of a stalled run is exact', async () => {
    const { loop, testEpochs } = await scripted(
      plateau(() => 0.25),
      { stall: RULE },
    );
    expect(loop.stopReason).to.equal('stalled');
    for (const e of [6, 7, 8, 9, 10]) expect(testEpochs, `epoch ${e}`).to.include(e);
  });

  it('needs a validation set', async () => {
    const { engine } = scriptedEngine(plateau(() => 0.25));
    let error: unknown;
    try {
      await trainLoop({ engine, train: SETS.train, test: SETS.test, epochs: 3, batchSize: 4, seed: 1, stall: RULE });
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.contain('needs a validation set');
  });
});

describe('train: the stall rule in a run config', function () {
  this.timeout(120_000);
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'train-stall-'));
  });
  after(async () => fs.rm(dir, { recursive: true, force: true }));

  const FEATURES = 8;
  const base = {
    hidden: [6],
    activation: 'sigmoid',
    batchSize: 8,
    epochs: 12,
    seed: 2,
    backend: 'wasm',
    data: { trainPerClass: 40, testPerClass: 10, validationPerClass: 10 },
  };

  it('a run that barely moves stops at K with stop_reason "stalled" in summary.csv and run.json', async () => {
    const all = separableSubset(100, 20, FEATURES);
    const take = (d: Dataset, from: number, n: number): Dataset => ({
      x: d.x.slice(from * FEATURES, (from + n) * FEATURES),
      y: d.y.slice(from, from + n),
      count: n,
      inputs: FEATURES,
    });
    const subset = { ...all, train: take(all.train, 0, 80), validation: take(all.train, 80, 20) };
    // A rate of 1e-6 leaves the loss where it started; maxValAccuracy 1 makes any accuracy "at chance".
    const config = parseConfig(
      { ...base, learningRate: 1e-6, stopping: { patience: 50, stall: { epoch: 6, maxValAccuracy: 1, minLossRatio: 0.99 } } },
      'spec',
      'spec',
    );
    const run = await trainRun(config, { subset, outDir: path.join(dir, 'stalled'), progress: 'none', charts: false });
    expect([run.stopEpoch, run.stopReason]).to.deep.equal([6, 'stalled']);
    const [summary] = parseCsv(await fs.readFile(path.join(dir, 'stalled', 'summary.csv'), 'utf8'));
    expect(summary).to.include({ stop_reason: 'stalled', stop_epoch: '6' });
    const runJson = JSON.parse(await fs.readFile(path.join(dir, 'stalled', 'run.json'), 'utf8'));
    expect(runJson.results.stopReason).to.equal('stalled');
  });

  it('the config refuses a stall epoch below 2 and a rule without a validation split, one line naming the field', () => {
    const message = (raw: unknown): string => usageMessage(() => parseConfig(raw, 'x.json', 'x'));
    const stall = { epoch: 1, maxValAccuracy: 0.55, minLossRatio: 0.99 };
    expect(message({ ...base, stopping: { patience: 5, stall } })).to.match(/^x\.json: field "stopping\.stall\.epoch": Too small/);
    expect(
      message({ ...base, data: { ...base.data, validationPerClass: 0 }, stopping: { patience: 5, stall: { ...stall, epoch: 4 } } }),
    ).to.match(/^x\.json: field "stopping": needs a validation split/);
  });
});
