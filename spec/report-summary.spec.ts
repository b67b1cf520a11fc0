/**
 * From a folder of job records to summary.csv and the report's verdicts (finalize), on a
 * hand-made sweep where the right numbers are known.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { parseCsv } from '../src/util/csv.js';
import { finalize } from '../src/reports/finalize.js';
import { makeSyntheticReproduceDir, type SyntheticSweep } from './helpers/report-fixture.js';

/** Against the article: 80 %, shallow is best, ReLU well ahead, Sigmoid's curve has the minimum, no vanishing gradient. */
const CONTRARY_WORLD: SyntheticSweep = {
  accuracy: (a, layers, seed) => (a === 'relu' ? 0.86 : 0.8) - 0.03 * (layers - 3) + 0.002 * (seed - 2),
  landscape: (a, w) => (a === 'sigmoid' ? 0.2 + 0.001 * (w - 1) ** 2 : 0.2 + 0.05 / (1 + Math.exp(w))),
  gradient: () => 1e-3,
  mechanism: (a) =>
    a === 'sigmoid'
      ? // Sigmoid's units leave their bounds in training and its weights grow less than ReLU's.
        { deltaInit: 0, deltaTrained: 0, need: 0.2, saturated: 0.01, saturatedInit: 0.05, weightGrowthLog10: 0 }
      : { deltaInit: 0.3, deltaTrained: 0.3, need: 0.4, saturated: 0, weightGrowthLog10: 0.3 },
};

describe('reproduce summary and verdicts from job records', function () {
  this.timeout(30_000);
  let dir = '';
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes one row per configuration with the statistics over seeds, and verdicts that contradict the article when the data do', async () => {
    dir = makeSyntheticReproduceDir(CONTRARY_WORLD);
    const { data } = await finalize(dir);
    const rows = parseCsv(readFileSync(path.join(dir, 'summary.csv'), 'utf8'));
    expect(rows.map((r) => r.config)).to.deep.equal([
      'sigmoid3',
      'sigmoid4',
      'sigmoid5',
      'sigmoid6',
      'sigmoid7',
      'relu3',
      'relu4',
      'relu5',
      'relu6',
      'relu7',
    ]);
    const relu5 = rows[7];
    expect(relu5).to.include({ activation: 'relu', layers: '5', seeds: '3', seed_list: '1 2 3' });
    // Seeds give 0.798, 0.800, 0.802 (the primary figure, at the fixture's lowest validation loss): mean 0.8, sample SD 0.002,
    // 95 % interval 0.8 +- t(0.975, 2) x 0.002 / sqrt(3) = 0.8 +- 0.004968.
    expect(Number(relu5.test_acc_mean)).to.be.closeTo(0.8, 1e-12);
    expect(Number(relu5.test_acc_sd)).to.be.closeTo(0.002, 1e-12);
    expect(Number(relu5.test_acc_ci_low)).to.be.closeTo(0.8 - 0.0049683, 1e-6);
    expect(Number(relu5.test_acc_ci_high)).to.be.closeTo(0.8 + 0.0049683, 1e-6);
    expect(Number(relu5.best_epoch_mean)).to.equal(3);
    expect(Number(relu5.run_seconds_mean)).to.equal(6);
    expect(data.claims.map((c) => c.verdict)).to.deep.equal([
      'contradicts',
      'contradicts',
      'contradicts',
      'contradicts',
      'contradicts',
      'contradicts',
      'contradicts',
      'contradicts',
    ]);
    const md = readFileSync(path.join(dir, 'report.md'), 'utf8');
    // claims 6-8 under their own section, after the article's results
    const section = md.indexOf("## The author's explanation");
    expect(section).to.be.greaterThan(md.indexOf('### 5. '));
    for (const n of [6, 7, 8]) expect(md.indexOf(`### ${n}. `)).to.be.greaterThan(section);
    // claim 6's measurement drawn: the δ profile of the first seed's probed networks
    expect(md).to.include('![Back-propagated error per hidden layer](charts/deltas.png)');
    expect(existsSync(path.join(dir, 'charts', 'deltas.png'))).to.equal(true);
    // claim 5's counts under the landscape rules' other constants, the frozen pair marked
    expect(md).to.include('## How the landscape verdict moves with its rules');
    expect(md).to.match(/\| 1e-6 \(frozen\) \| 1\.0 % \(frozen\) \| \d+\/\d+ \/ /);
    expect(md).to.include(
      'This run contradicts the article on this claim, with these settings: seeds 1, 2, 3; epochs 3; learning rate 0.1;',
    );
    expect(md).to.include('- backend: wasm (@tensorflow/tfjs-backend-wasm 4.22.0, 1 thread)');
    expect(md).to.include('- wall time: 10 min 00 s until the report was written, with 2 worker processes');
  });
});
