/**
 * The engine comparison (src/training/compare-engines.ts and the `compare` command): both engines start
 * from one draw and see the same batches; their first steps agree within the stated tolerance,
 * their weights after one epoch agree; a broken engine is caught; the command writes
 * compare.csv and exits non-zero only on a first-step mismatch.
 */
import { expect } from 'chai';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { parseConfig } from '../src/config/load.js';
import {
  compareEngines,
  comparisonRows,
  difference,
  formatComparison,
  COMPARE_COLUMNS,
  type ComparisonResult,
} from '../src/training/compare-engines.js';
import { createHandwrittenEngine } from '../src/nn/handwritten/engine.js';
import type { Params } from '../src/nn/params.js';
import { parseCsv, toCsv } from '../src/util/csv.js';
import type { Engine, EngineKind, NetworkSpec, SgdSpec } from '../src/nn/engine.js';
import { createEngine } from '../src/nn/create-engine.js';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { runBuiltCli } from './helpers/built-cli.js';
import { separableSubset } from './helpers/train-data.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'run.js');

/** After one epoch on the small fixture, weights of the two float32 engines differ by at most this. */
const ONE_EPOCH_WEIGHT_TOLERANCE = 1e-5;

describe('compare: both engines from one start and the same batches', () => {
  const subset = separableSubset(96, 40, 30, 5);
  let relu: ComparisonResult;

  before(async () => {
    await selectBackend('wasm');
    const config = parseConfig(
      { hidden: [12, 8, 6], activation: 'relu', epochs: 1, batchSize: 8, learningRate: 0.2, seed: 3 },
      'test',
      'relu-test',
    );
    relu = await compareEngines({ config, subset, createEngine });
  });

  it('the first forward pass and every first-step gradient agree within tolerance', () => {
    expect(relu.firstBatchSize).to.equal(8);
    expect(relu.outputs.ok && relu.loss.ok).to.equal(true);
    expect(relu.gradients).to.have.length(2 * 4); // weights and biases of 4 layers
    for (const g of relu.gradients) {
      expect(g.ok, `layer ${g.layer} ${g.kind}: ${g.maxAbs} > ${g.tolerance}`).to.equal(true);
      expect(g.normTfjs).to.be.greaterThan(0);
    }
    expect(relu.firstStepOk).to.equal(true);
    expect(formatComparison(relu).at(-1)).to.match(/^verdict: MATCH/);
  });

  it('starts from identical weights and, after one epoch, the weights agree within tolerance', () => {
    expect(relu.epochs.map((e) => e.epoch)).to.deep.equal([0, 1]);
    expect(relu.epochs[0].maxWeightDiff).to.equal(0);
    expect(relu.epochs[0].tfjs.trainLoss).to.be.closeTo(relu.epochs[0].handwritten.trainLoss, 1e-6);
    expect(relu.epochs[1].maxWeightDiff).to.be.greaterThan(0); // float32 summation order differs
    expect(relu.epochs[1].maxWeightDiff).to.be.lessThan(ONE_EPOCH_WEIGHT_TOLERANCE);
    expect(relu.epochs[1].tfjs.testAccuracy).to.equal(relu.epochs[1].handwritten.testAccuracy);
  });

  for (const [activation, batchSize, momentum] of [
    ['sigmoid', 1, 0],
    ['tanh', 16, 0.9],
  ] as const) {
    it(`${activation}, batch ${batchSize}, momentum ${momentum}: one epoch, first step and weights agree`, async () => {
      const config = parseConfig({ hidden: [10, 6], activation, epochs: 1, batchSize, momentum, learningRate: 0.1, seed: 4 }, 'test', 't');
      const r = await compareEngines({ config, subset: separableSubset(48, 16, 30, 6), createEngine });
      expect(r.firstStepOk).to.equal(true);
      expect(r.epochs[1].maxWeightDiff).to.be.lessThan(ONE_EPOCH_WEIGHT_TOLERANCE);
    });
  }

  it('a broken engine (bias gradients dropped) is caught at the first step', async () => {
    const config = parseConfig({ hidden: [8], activation: 'sigmoid', epochs: 1, batchSize: 4, seed: 2 }, 'test', 't');
    const broken = (kind: EngineKind, network: NetworkSpec, sgd: SgdSpec, params: Params): Engine => {
      if (kind === 'tfjs') return createEngine(kind, network, sgd, params) as Engine;
      const inner = createHandwrittenEngine(network, sgd, params);
      return {
        ...inner,
        kind: inner.kind,
        network: inner.network,
        gradients: (b) => {
          const g = inner.gradients(b);
          g.biases[0].fill(0);
          return g;
        },
      };
    };
    const r = await compareEngines({ config, subset: separableSubset(16, 8, 30, 7), createEngine: broken });
    expect(r.firstStepOk).to.equal(false);
    expect(r.gradients.filter((g) => !g.ok).map((g) => `${g.layer} ${g.kind}`)).to.deep.equal(['0 biases']);
    expect(formatComparison(r).join('\n')).to.match(/BEYOND TOLERANCE[\s\S]*verdict: MISMATCH/);
  });

  it('compare.csv rows: the first forward pass, each gradient, five rows per epoch', () => {
    const rows = comparisonRows(relu);
    expect(rows.filter((r) => r.section === 'first_forward')).to.have.length(2);
    expect(rows.filter((r) => r.section === 'first_step_gradient')).to.have.length(8);
    expect(rows.filter((r) => r.section === 'epoch')).to.have.length(2 * 5);
    const parsed = parseCsv(toCsv(COMPARE_COLUMNS, rows));
    expect(Object.keys(parsed[0])).to.deep.equal([...COMPARE_COLUMNS]);
  });

  it('difference(): relative to the largest entry for gradients, to each entry for outputs', () => {
    const a = [1, 1e-6];
    const b = [1, 2e-6];
    expect(difference(a, b, { absolute: 0, relative: 1e-5 }, 'layer').ok).to.equal(true); // 1e-6 <= 1e-5 * 1
    expect(difference(a, b, { absolute: 0, relative: 1e-5 }, 'own').ok).to.equal(false); // 1e-6 > 1e-5 * 2e-6
    expect(difference([0, 0], [0, NaN], { absolute: 1, relative: 1 }, 'own').ok).to.equal(false);
  });
});

describe('compare: the command line', function () {
  let dir: string;
  let fixture: FixtureDataDir;

  const run = (args: string[]) => runBuiltCli(args, { cwd: dir });

  before(async () => {
    if (!existsSync(CLI)) throw new Error('dist/run.js is missing: run `npm run build` first (npm test does it)');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'compare-cli-'));
    fixture = await makeFixtureDataDir({ recordsPerBatch: 100 });
    await fs.writeFile(
      path.join(dir, 'small.json'),
      JSON.stringify({
        hidden: [10, 6],
        activation: 'relu',
        epochs: 5,
        batchSize: 10,
        data: { trainPerClass: 40, testPerClass: 20, validationPerClass: 20 },
      }),
    );
  });

  after(async () => {
    await fixture?.cleanup();
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('prints the side-by-side report and the verdict, writes compare.csv, exits 0', async () => {
    const r = await run(['compare', '--config', 'small.json', '--epochs', '2', '--data-dir', fixture.dataDir, '--out', 'cmp']);
    expect(r.stderr, r.stderr).to.equal('');
    expect(r.code).to.equal(0);
    expect(r.stdout).to.match(/first step gradients/);
    expect(r.stdout).to.match(/verdict: MATCH/);
    expect(r.stdout).to.match(/tolerances \(first step only\)/);
    const rows = parseCsv(await fs.readFile(path.join(dir, 'cmp', 'compare.csv'), 'utf8'));
    expect(rows.filter((row) => row.section === 'epoch' && row.quantity === 'test_accuracy').map((row) => row.epoch)).to.deep.equal([
      '0',
      '1',
      '2',
    ]);
    expect(rows.filter((row) => row.section === 'first_step_gradient').every((row) => row.within_tolerance === 'true')).to.equal(true);
  });

  it('user mistakes: one line on stderr, non-zero exit', async () => {
    const epochs = await run(['compare', '--config', 'small.json', '--epochs', 'ten']);
    expect(epochs.code).to.equal(2);
    expect(epochs.stderr.trim().split('\n')).to.have.length(1);
    expect(epochs.stderr).to.match(/--epochs/);
    await fs.mkdir(path.join(dir, 'full'));
    await fs.writeFile(path.join(dir, 'full', 'x'), '');
    const full = await run(['compare', '--config', 'small.json', '--out', 'full', '--data-dir', fixture.dataDir]);
    expect(full.code).to.equal(2);
    expect(full.stderr).to.match(/^error: --out full: the folder already holds files/);
  });
});
