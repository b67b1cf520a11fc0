import { expect } from 'chai';
import { runMetrics } from '../src/training/run-metrics.js';
import type { EpochRecord } from '../src/training/loop.js';

function epoch(e: number, valLoss: number, testAccuracy: number): EpochRecord {
  return {
    epoch: e,
    trainLoss: 0.2,
    trainAccuracy: 0.6 + e / 100,
    testLoss: 0.2,
    testAccuracy,
    valLoss,
    valAccuracy: 1 - valLoss,
    seconds: 1,
    elapsedSeconds: e,
  };
}

describe('run metrics: the primary figure is chosen on the validation split', () => {
  const history = [
    epoch(0, 0.25, 0.5),
    epoch(1, 0.2, 0.62),
    epoch(2, 0.18, 0.66),
    epoch(3, 0.19, 0.7),
    epoch(4, 0.21, 0.69),
    epoch(5, 0.22, 0.71),
    epoch(6, 0.23, 0.6),
  ];

  it('reports the test accuracy at the epoch of lowest validation loss, not the best test epoch', () => {
    const m = runMetrics(history);
    expect(m.selectedEpoch).to.equal(2);
    expect(m.testAccuracy).to.equal(0.66);
    expect(m.bestValLoss).to.equal(0.18);
    expect(m.valAccuracy).to.be.closeTo(0.82, 1e-12);
    expect(m.selectedBy).to.equal('lowest validation loss');
  });

  it('records the final epoch and the mean of the last five beside it', () => {
    const m = runMetrics(history);
    expect(m.testAccuracyFinal).to.equal(0.6);
    expect(m.testAccuracyLast5).to.be.closeTo((0.66 + 0.7 + 0.69 + 0.71 + 0.6) / 5, 1e-12);
    expect(m.trainAccuracyFinal).to.be.closeTo(0.66, 1e-12);
  });

  it('counts epoch 0 as a candidate, and takes the first of tied epochs', () => {
    expect(runMetrics([epoch(0, 0.2, 0.5), epoch(1, 0.3, 0.7)]).selectedEpoch).to.equal(0);
    expect(runMetrics([epoch(0, 0.3, 0.5), epoch(1, 0.2, 0.6), epoch(2, 0.2, 0.7)]).selectedEpoch).to.equal(1);
  });

  it('ignores diverged epochs (NaN loss) and falls back to the final epoch without a validation split', () => {
    expect(runMetrics([epoch(0, 0.25, 0.5), epoch(1, Number.NaN, 0.5)]).selectedEpoch).to.equal(0);
    const m = runMetrics([epoch(0, Number.NaN, 0.5), epoch(1, Number.NaN, 0.7)]);
    expect(m.selectedEpoch).to.equal(1);
    expect(m.testAccuracy).to.equal(0.7);
    expect(m.selectedBy).to.equal('final epoch (no validation split)');
    expect(Number.isNaN(m.bestValLoss)).to.equal(true);
  });
});
