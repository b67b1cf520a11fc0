/**
 * stopping.csv (src/reports/protocol.ts): per network, accuracy had training ended at each
 * budget, and the registered spread of test accuracy over the epochs whose validation loss is
 * within 0.005 of the lowest.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { protocolOf } from '../src/reports/protocol.js';
import { parseCsv } from '../src/util/csv.js';
import type { TrainRecord } from '../src/experiment/store.js';

/** A training record with the fields the stopping table reads (the rest is never looked at). */
function record(seed: number, valLoss: number[], testAccuracy: (number | null)[]): TrainRecord {
  return {
    configName: 'sigmoid7',
    seed,
    config: { learningRate: 1 },
    stopEpoch: valLoss.length - 1,
    stopReason: 'patience',
    fullTestAccuracy: 0.7,
    fullTestAccuracyFinal: 0.69,
    history: valLoss.map((v, epoch) => ({ epoch, valLoss: v, valAccuracy: 0.7, testAccuracy: testAccuracy[epoch] })),
  } as unknown as TrainRecord;
}

describe('stopping.csv', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'stopping-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('counts the epochs within 0.005 of the lowest validation loss and spreads the test accuracy of those scored', async () => {
    // Seed 1: lowest 0.199 at epoch 2; within 0.005: epochs 1, 2, 4, 5; the test set scored at 1, 2 and 4 (0.6, 0.7, 0.65).
    const a = record(1, [0.3, 0.2, 0.199, 0.25, 0.203, 0.1995], [0.5, 0.6, 0.7, null, 0.65, null]);
    // Seed 2: one epoch in the band, scored: no spread.
    const b = record(2, [0.3, 0.1, 0.2], [0.5, 0.8, 0.75]);
    const section = await protocolOf(dir, [a, b], null);
    const [row] = parseCsv(readFileSync(path.join(dir, 'stopping.csv'), 'utf8'));
    expect(Number(row.near_best_epochs_mean)).to.be.closeTo((4 + 1) / 2, 1e-12);
    expect(Number(row.near_best_scored_mean)).to.be.closeTo((3 + 1) / 2, 1e-12);
    expect(Number(row.near_best_test_acc_spread_mean)).to.be.closeTo((0.1 + 0) / 2, 1e-12);
    // Had training ended at 40 epochs: both runs stopped earlier, so each reports its chosen epoch.
    expect(Number(row.test_acc_at_40)).to.be.closeTo((0.7 + 0.8) / 2, 1e-12);
    const table = section.tables.find((t) => t.title.startsWith('Stopping and budget'))!.table;
    expect(table.headers).to.include('test accuracy spread over those');
    expect(table.rows[0].slice(-3)).to.deep.equal(['2.5', '2.0', '5.0']);
  });
});
