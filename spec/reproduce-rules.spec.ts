/**
 * A reproduction that follows a rules file: each network's learning rate chosen on the validation
 * split by the registered rule (trailing mean, one-standard-error tie, runs at the maximum, the
 * grid's edge), then the judged seeds trained at the chosen rates with the stopping rule.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { lowestTrailingMean, rateBeyond, selectRatePerNetwork, type PerNetworkTuningRun } from '../src/experiment/select-lr.js';
import { runSweep } from '../src/reproduce/article.js';
import { loadReproduceConfig } from '../src/reproduce/config.js';
import { loadConfirmatoryRules } from '../src/reproduce/rules.js';
import { jobState, readPlanFile } from '../src/experiment/store.js';
import { parseCsv } from '../src/util/csv.js';
import { UsageError } from '../src/util/errors.js';
import { LEARNED_THRESHOLD } from '../src/reports/claims/accuracy-level.js';
import { STILL_LEARNING } from '../src/reports/claims/by-seed.js';
import { CROSSED_BOOTSTRAP, MARGINS, PRIMARY_PARTS } from '../src/reports/claims/registry.js';
import { BUDGETS } from '../src/reports/budgets.js';
import { NEAR_BEST_VAL_LOSS } from '../src/reports/protocol.js';

function run(network: string, learningRate: number, seed: number, valLosses: number[], atMaximum = false): PerNetworkTuningRun {
  return { network, learningRate, seed, valLosses, atMaximum };
}

/** A curve that falls to `floor` and stays there (long enough for a 5-epoch mean). */
const curve = (floor: number, noise = 0): number[] => [
  0.25,
  0.2,
  floor + noise,
  floor - noise,
  floor + noise,
  floor - noise,
  floor + noise,
];

describe('the confirmatory learning-rate rule', () => {
  it('scores a run by its lowest 5-epoch trailing mean, not its bare minimum', () => {
    expect(lowestTrailingMean([5, 4, 3, 2, 1, 0, 10, 10])).to.be.closeTo(2, 1e-12); // epochs 2-6: (4+3+2+1+0)/5
    expect(lowestTrailingMean([3, 1])).to.equal(2); // shorter than the window: the mean of all
    expect(lowestTrailingMean([0.2, Number.NaN, 0.1])).to.be.NaN;
    // A noisy curve with a deep single dip loses to a smooth one whose bare minimum is higher.
    const noisy = [0.3, 0.05, 0.4, 0.2, 0.3, 0.2, 0.3];
    const smooth = [0.3, 0.2, 0.19, 0.18, 0.18, 0.18, 0.18];
    expect(Math.min(...noisy)).to.be.below(Math.min(...smooth));
    expect(lowestTrailingMean(noisy)).to.be.above(lowestTrailingMean(smooth));
  });

  it('chooses the lowest mean; a rate within one paired standard error is tied and the smaller rate wins', () => {
    const grid = [0.1, 0.3, 1];
    const runs = [1, 2, 3].flatMap((seed) => [
      run('n', 0.1, seed, curve(0.2)),
      // 0.3 is lowest in two seeds and higher in one: its gap to 1 is smaller than its standard error.
      run('n', 0.3, seed, curve(seed === 3 ? 0.16 : 0.139)),
      run('n', 1, seed, curve(0.14)),
    ]);
    const [choice] = selectRatePerNetwork(runs, { atMaximumLimit: 2, grid });
    const row = (lr: number) => choice.rows.find((r) => r.learningRate === lr)!;
    expect(row(1).tied).to.equal(true);
    expect(row(0.3).tied).to.equal(true);
    expect(row(0.1).tied).to.equal(false);
    expect(choice.learningRate).to.equal(0.3);
    expect(choice.edgeRate).to.equal(null);
  });

  it('prefers a rate whose runs finished over one mostly stopped at the maximum, and never chooses one that diverged', () => {
    const grid = [0.1, 0.3, 1];
    const runs = [1, 2, 3].flatMap((seed) => [
      run('n', 0.1, seed, curve(0.1), true), // lowest, but 3 of 3 at the maximum: still learning
      run('n', 0.3, seed, curve(0.15)),
      run('n', 1, seed, seed === 2 ? [0.2, Number.POSITIVE_INFINITY] : curve(0.12)),
    ]);
    const [choice] = selectRatePerNetwork(runs, { atMaximumLimit: 2, grid });
    expect(choice.learningRate).to.equal(0.3);
    expect(choice.rows.find((r) => r.learningRate === 1)!.diverged).to.equal(true);
    expect(choice.rows.find((r) => r.learningRate === 0.1)!.eligible).to.equal(false);
    // When every finite rate is mostly at the maximum, they are all eligible again.
    const allSlow = runs.filter((r) => r.learningRate === 0.1);
    expect(selectRatePerNetwork(allSlow, { atMaximumLimit: 2, grid })[0].learningRate).to.equal(0.1);
  });

  it("asks for one rate a factor of 3 beyond the grid's end when the choice sits there, and only once", () => {
    const grid = [0.1, 0.3, 1];
    const runs = [1, 2, 3].flatMap((seed) => grid.map((lr) => run('n', lr, seed, curve(0.2 - lr / 10, seed * 1e-4))));
    const [choice] = selectRatePerNetwork(runs, { atMaximumLimit: 2, grid });
    expect(choice.learningRate).to.equal(1);
    expect(choice.edgeRate).to.equal(3);
    const low = [1, 2, 3].flatMap((seed) => grid.map((lr) => run('n', lr, seed, curve(0.1 + lr / 10, seed * 1e-4))));
    expect(selectRatePerNetwork(low, { atMaximumLimit: 2, grid })[0].edgeRate).to.equal(rateBeyond(0.1, 'below'));
    // With the rate beyond tried, no further one is asked for even if it wins.
    const extended = [...runs, ...[1, 2, 3].map((seed) => run('n', 3, seed, curve(0.05, seed * 1e-4)))];
    const again = selectRatePerNetwork(extended, { atMaximumLimit: 2, grid });
    expect(again[0].learningRate).to.equal(3);
    expect(again[0].edgeRate).to.equal(null);
  });
});

describe('configs/rules/confirmatory.json drives npm start', () => {
  it('the shipped reproduce config takes its seeds, stopping rule, maximum and grid from the rules file', () => {
    const rules = loadConfirmatoryRules('configs/rules/confirmatory.json');
    const rc = loadReproduceConfig('configs/reproduce.json');
    expect(rc.rules?.sha256).to.equal(rules.sha256);
    expect(rc.settings.firstSeed).to.equal(rules.seeds.confirmatory.first);
    expect(rc.settings.seeds).to.equal(rules.seeds.confirmatory.count);
    for (const config of rc.runConfigs.values()) {
      expect(config.epochs).to.equal(rules.stopping.maxEpochs);
      expect(config.stopping).to.deep.equal({
        patience: rules.stopping.patience.min,
        patienceFraction: rules.stopping.patience.fractionOfBestEpoch,
      });
    }
    expect([...rc.runConfigs.keys()].sort()).to.deep.equal([...rules.networks].sort());
  });
});

describe("the report's constants are the rules file's", () => {
  it('learned threshold, still-learning shares, budgets, bootstrap', () => {
    const rules = JSON.parse(readFileSync('configs/rules/confirmatory.json', 'utf8'));
    expect(LEARNED_THRESHOLD).to.equal(rules.claims['accuracy-level'].learned.threshold);
    expect(STILL_LEARNING).to.deep.equal({ share: rules.stopping.stillLearning.share, flag: rules.stopping.stillLearning.flag });
    expect([...BUDGETS]).to.deep.equal(rules.budgets.epochs);
    expect(MARGINS.around).to.equal(rules.claims['accuracy-level'].margin);
    expect(MARGINS.little).to.equal(rules.claims['depth-effect'].margin);
    expect(MARGINS.bestWithin).to.equal(rules.claims['best-depth'].equivalenceDelta);
    expect(MARGINS.slightly).to.equal(rules.claims['sigmoid-vs-relu'].margin);
    expect(MARGINS.saturated).to.equal(rules.claims.asymptote.saturated);
    expect([...PRIMARY_PARTS]).to.deep.equal(rules.primary);
    expect(rules.stopping.chosenEpoch).to.include(`within ${NEAR_BEST_VAL_LOSS} of the minimum`);
    expect(CROSSED_BOOTSTRAP).to.deep.equal({ resamples: rules.bootstrap.resamples, seed: rules.bootstrap.seed });
  });
});

describe('reproduce with a rules file (synthetic data, tiny networks)', function () {
  this.timeout(240_000);
  let fixture: FixtureDataDir;
  let root: string;
  let configFile: string;

  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 50 });
    root = mkdtempSync(path.join(os.tmpdir(), 'reproduce-rules-'));
    const cfg = path.join(root, 'configs');
    mkdirSync(path.join(cfg, 'rules'), { recursive: true });
    for (const [activation, hidden] of [
      ['sigmoid', [6]],
      ['relu', [6, 4]],
    ] as const) {
      const config = {
        activation,
        hidden,
        epochs: 40,
        batchSize: 10,
        backend: 'cpu',
        data: { trainPerClass: 30, testPerClass: 15, validationPerClass: 10 },
      };
      writeFileSync(path.join(cfg, `${activation}${hidden.length + 2}.json`), JSON.stringify(config));
    }
    writeFileSync(
      path.join(cfg, 'rules', 'confirmatory.json'),
      JSON.stringify({
        version: 1,
        networks: ['sigmoid3', 'relu4'],
        seeds: { confirmatory: { first: 11, count: 2 }, tuning: { first: 1001, count: 2 } },
        // The grid's ends are far apart, so one network's choice lands on an end and the edge rule runs.
        stopping: { patience: { min: 2, fractionOfBestEpoch: 0.5 }, maxEpochs: 6 },
        learningRates: { grid: { sigmoid: [0.001, 0.5], relu: [0.0001, 0.05] } },
      }),
    );
    configFile = path.join(cfg, 'reproduce.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        configs: ['sigmoid3', 'relu4'],
        rules: 'rules/confirmatory.json',
        jobs: 2,
        gradients: { configs: [] },
        landscape: { configs: ['sigmoid3'], allSeeds: false, count: 1, points: 11 },
      }),
    );
  });

  after(async () => {
    await fixture?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const quiet = (): NodeJS.WriteStream => new Writable({ write: (_c, _e, cb) => cb() }) as unknown as NodeJS.WriteStream;

  it('tunes every network at every grid rate, extends an edge choice once, and trains the judged seeds at the chosen rates', async () => {
    const out = path.join(root, 'out');
    const outcome = await runSweep({ configFile, outDir: out, dataDir: fixture.dataDir, progress: 'none', stream: quiet() });
    expect(outcome.failed).to.deep.equal([]);
    const tune = readPlanFile(path.join(out, 'tune'));
    expect(tune.jobs.map((j) => j.id).sort()).to.deep.equal(
      ['relu4-lr0.0001', 'relu4-lr0.05', 'sigmoid3-lr0.001', 'sigmoid3-lr0.5'].flatMap((n) => [`${n}-s1001`, `${n}-s1002`]).sort(),
    );
    const chosen = JSON.parse(readFileSync(path.join(out, 'learning-rates.json'), 'utf8'));
    expect(chosen.rules.sha256).to.match(/^[0-9a-f]{64}$/);
    // Every choice of a two-rate grid sits at an end, so every network tried one rate beyond it.
    const edge = readPlanFile(path.join(out, 'tune-edge'));
    expect(edge.jobs).to.have.length(4);
    const table = parseCsv(readFileSync(path.join(out, 'learning-rates.csv'), 'utf8'));
    expect(table).to.have.length(12); // 2 networks x 3 rates x 2 seeds
    expect(table.filter((r) => r.chosen === 'true').length).to.equal(4); // one rate per network, both seeds
    const main = readPlanFile(out);
    expect(main.seeds).to.deep.equal([11, 12]);
    for (const job of main.jobs) {
      if (job.kind !== 'train') continue;
      expect(job.config.learningRate).to.equal(chosen.chosen[job.configName]);
      expect(job.config.stopping).to.deep.equal({ patience: 2, patienceFraction: 0.5 });
      const state = jobState(out, job);
      expect(state.state).to.equal('complete');
      if (state.state === 'complete' && state.record.kind === 'train') expect(['patience', 'maximum']).to.include(state.record.stopReason);
    }
    expect(existsSync(path.join(out, 'probes', 'landscape-sigmoid3-s11'))).to.equal(true);

    // Run again: everything is found complete, nothing is trained twice.
    const again = await runSweep({ configFile, outDir: out, dataDir: fixture.dataDir, progress: 'none', stream: quiet() });
    expect(again.ran).to.equal(0);
  });

  it('refuses --shard with one line: the rate choice needs every tuning run', async () => {
    let error: unknown;
    try {
      await runSweep({
        configFile,
        outDir: path.join(root, 'sharded'),
        dataDir: fixture.dataDir,
        shard: { index: 1, count: 2 },
        progress: 'none',
        stream: quiet(),
      });
    } catch (err) {
      error = err;
    }
    expect(error).to.be.instanceOf(UsageError);
    expect((error as Error).message).to.match(/^--shard: .*run it on one machine$/);
  });

  it('refuses a reproduce config that sets seeds beside a rules file', () => {
    const bad = path.join(root, 'configs', 'bad.json');
    writeFileSync(bad, JSON.stringify({ configs: ['sigmoid3', 'relu4'], rules: 'rules/confirmatory.json', seeds: 3 }));
    expect(() => loadReproduceConfig(bad)).to.throw(UsageError, /seeds.*comes from the rules file/);
  });
});
