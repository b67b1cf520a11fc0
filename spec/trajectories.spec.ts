/**
 * trajectories.csv: the probed runs' units and gradients by epoch, pooled from activations.csv,
 * the chosen epoch at each budget replayed from the validation losses, and the file checked
 * against the runs table before it is believed.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  chosenPoint,
  chosenUpTo,
  readTrajectoriesBeside,
  stopPoint,
  trajectoriesOfRuns,
  writeTrajectoriesCsv,
  TRAJECTORIES_FILE,
} from '../src/reports/trajectories.js';
import { UserError } from '../src/util/errors.js';
import type { RunRow } from '../src/reports/runs-table.js';

/** Two hidden layers (widths 3 and 1) over four epochs; layer 1 saturates as training goes on. */
const ACTIVATIONS = [
  'epoch,layer,width,saturated_fraction,off_fraction,dead_unit_fraction,p05,p50,p95',
  '0,1,3,0,0,0,0.1,0.5,0.9',
  '0,2,1,0,0,0,0.1,0.5,0.9',
  '1,1,3,0.2,0,0,0.1,0.5,0.9',
  '1,2,1,0.6,0,0,0.1,0.5,0.9',
  '2,1,3,0.4,0,0,0.1,0.5,0.9',
  '2,2,1,0,0,0,0.1,0.5,0.9',
  '3,1,3,0.5,0,0,0.1,0.5,0.9',
  '3,2,1,0.5,0,0,0.1,0.5,0.9',
].join('\n');

// Validation loss: new lows at epochs 0, 1 and 2; epoch 3 is worse (the run stopped there).
const HISTORY = [0.3, 0.2, 0.1, 0.15].map((valLoss, epoch) => ({ epoch, valLoss }));
const GRADIENTS = [0, 1, 2, 3].flatMap((epoch) => [
  { epoch, layer: 2, meanAbs: 0.02 * (epoch + 1) },
  { epoch, layer: 1, meanAbs: 0.001 * (epoch + 1) },
]);

describe('trajectories.csv', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'trajectories-'));
    writeFileSync(path.join(dir, 'activations.csv'), `${ACTIVATIONS}\n`);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const made = () => trajectoriesOfRuns([{ configName: 'sigmoid7', seed: 11, dir, history: HISTORY, gradients: GRADIENTS }]);
  /** The runs table row these trajectories must agree with. */
  const row = (over: Partial<RunRow> = {}): RunRow => ({
    config: 'sigmoid7',
    activation: 'sigmoid',
    layers: 7,
    seed: 11,
    test_acc: 0.7,
    best_epoch: 2,
    stop_epoch: 3,
    saturated_init: 0,
    saturated_trained: 0.3,
    off_trained: 0,
    ...over,
  });

  it('pools the hidden layers by width, flags each new lowest validation loss, and replays the chosen epoch at a budget', () => {
    const [t] = made();
    // Epoch 1: (0.2 x 3 + 0.6 x 1) / 4 = 0.3; epoch 2: (0.4 x 3 + 0) / 4 = 0.3.
    expect(t.points.map((p) => p.saturated)).to.deep.equal([0, 0.3, 0.3, 0.5]);
    expect(t.points.map((p) => p.valBest)).to.deep.equal([true, true, true, false]);
    expect(t.points[1].meanAbsGrad).to.deep.equal([0.002, 0.04]);
    expect(chosenUpTo(t, 1).epoch).to.equal(1);
    expect(chosenPoint(t).epoch).to.equal(2);
    expect(chosenUpTo(t, 400).epoch).to.equal(2);
    expect(stopPoint(t).epoch).to.equal(3);
    // A run without activations.csv has no trajectory.
    expect(trajectoriesOfRuns([{ configName: 'relu3', seed: 11, dir: os.tmpdir(), history: HISTORY, gradients: [] }])).to.deep.equal([]);
  });

  it('reads back what it wrote, checked against the runs table', async () => {
    const written = made();
    await writeTrajectoriesCsv(dir, written);
    const runsFile = path.join(dir, 'runs.csv');
    expect(readTrajectoriesBeside(runsFile, [row()])).to.deep.equal(written);
    expect(readTrajectoriesBeside(path.join(os.tmpdir(), 'no-such-folder', 'runs.csv'), [row()])).to.equal(null);
  });

  it('refuses, with one line naming the file, a file that disagrees with the runs table or is malformed', async () => {
    await writeTrajectoriesCsv(dir, made());
    const runsFile = path.join(dir, 'runs.csv');
    const file = path.join(dir, TRAJECTORIES_FILE);
    const refused = (runs: RunRow[], pattern: RegExp) => {
      expect(() => readTrajectoriesBeside(runsFile, runs))
        .to.throw(UserError, pattern)
        .with.property('message')
        .that.includes(file);
    };
    refused([row({ seed: 12 })], /no run sigmoid7 seed 11/);
    refused([row({ stop_epoch: 4 })], /last epoch is 3, .* stop_epoch = 4/);
    refused([row({ best_epoch: 1 })], /chosen epoch .* is 2, .* best_epoch = 1/);
    refused([row({ saturated_trained: 0.31 })], /saturated share at the chosen epoch is 0.3/);
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace('\nsigmoid7,11,2,', '\nsigmoid7,11,5,'));
    refused([row()], /epochs must run 0, 1, 2/);
    writeFileSync(file, text.replace('\nsigmoid7,11,1,1,0.3,', '\nsigmoid7,11,1,1,1.3,'));
    refused([row()], /shares from 0 to 1/);
    writeFileSync(file, 'config,seed\n');
    refused([row()], /expected the header/);
  });
});
