/**
 * The study's plan: its config, grid, shards and learning-rate choice, all pure functions that
 * every shard and machine must compute alike.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseStudyConfig, type StudyConfig } from '../src/study/config.js';
import { cellsOf, fullGrid, groupsOfShard, quickGrid } from '../src/study/grid.js';
import { addStudyAxis } from '../src/study/axes.js';
import { tunedGroupOf } from '../src/study/group-configs.js';
import type { Network } from '../src/experiment/tuned-groups.js';
import { parseConfig } from '../src/config/load.js';
import { EPOCHS_AXIS } from './helpers/study-axis.js';
import { resolveShard } from '../src/experiment/shard.js';
import { selectLearningRates, type TuningRun } from '../src/experiment/select-lr.js';
import { UsageError } from '../src/util/errors.js';

const shipped = (): StudyConfig => parseStudyConfig(JSON.parse(readFileSync('configs/study.json', 'utf8')), 'configs/study.json');

describe('study: config', () => {
  it('the shipped configs/study.json is valid: 3 batch sizes x 4 inits, both arms, two quick groups', () => {
    const c = shipped();
    expect(fullGrid(c)).to.have.length(12);
    expect(cellsOf(fullGrid(c))).to.have.length(24);
    expect(quickGrid(c).map((g) => g.id)).to.deep.equal(['b1-uniform-fan-in', 'b32-he']);
    expect(cellsOf(quickGrid(c)).map((x) => x.id)).to.deep.equal(['b1-uniform-fan-in-one-rate', 'b32-he-tuned']);
  });

  it('names the field of a mistake in one line', () => {
    const raw = JSON.parse(readFileSync('configs/study.json', 'utf8')) as Record<string, unknown>;
    expect(() => parseStudyConfig({ ...raw, batchSizes: [1, 64] }, 'x.json')).to.throw(UsageError, /batchSizes.*perBatch/);
    expect(() => parseStudyConfig({ ...raw, quick: [{ batchSize: 1, init: 'nope', arms: ['tuned'] }] }, 'x.json')).to.throw(
      UsageError,
      /not one of "inits"/,
    );
    expect(() =>
      parseStudyConfig({ ...raw, inits: [...(raw.inits as object[]), { name: 'x', scheme: 'he', limit: 1 }] }, 'x.json'),
    ).to.throw(UsageError, /inits\.4\.limit.*uniform/);
    expect(() => parseStudyConfig({ ...raw, seeds: 1 }, 'x.json')).to.throw(UsageError, /seeds/);
  });

  it('overrides shrink a study: seeds, images per class, and the epochs of every batch size', () => {
    const raw = JSON.parse(readFileSync('configs/study.json', 'utf8')) as unknown;
    const c = parseStudyConfig(raw, 'x.json', { seeds: 2, epochs: 1, trainPerClass: 20, testPerClass: 10 });
    expect(c.seeds).to.equal(2);
    expect(c.trainPerClass).to.equal(20);
    expect(c.testPerClass).to.equal(10);
    expect(Object.values(c.perBatch).map((p) => p.epochs)).to.deep.equal([1, 1, 1]);
  });
});

describe('study: the recipe "add a study axis" (docs/architecture.md), followed once', () => {
  // The axis is one entry (spec/helpers/study-axis.ts, as it would be in src/study/axes.ts): the number of epochs.
  let remove: (() => void) | undefined;
  afterEach(() => remove?.());
  const raw = () =>
    JSON.parse(readFileSync('configs/study.json', 'utf8')) as { quick: Record<string, unknown>[] } & Record<string, unknown>;
  const withEpochs = () => {
    const r = raw();
    return { ...r, epochCounts: [5, 2], quick: r.quick.map((g, k) => ({ ...g, epochs: k === 0 ? 5 : 2 })) };
  };

  it('unknown before the entry is added: a config listing its values is refused in one line', () => {
    expect(() => parseStudyConfig({ ...raw(), epochCounts: [5, 2] }, 'x.json')).to.throw(UsageError, /x\.json: unknown key "epochCounts"/);
    expect(() => parseStudyConfig(withEpochs(), 'x.json')).to.throw(UsageError, /unknown key "epochs" in "quick\.0"/);
  });

  it('with the entry alone: the config takes its values, the grid is the product, ids name each value, runs train with it', () => {
    remove = addStudyAxis(EPOCHS_AXIS);
    const c = parseStudyConfig(withEpochs(), 'x.json');
    const grid = fullGrid(c);
    expect(grid).to.have.length(24);
    expect(grid.slice(0, 2).map((g) => g.id)).to.deep.equal(['b1-uniform-fan-in-e5', 'b1-uniform-fan-in-e2']);
    expect(quickGrid(c).map((g) => g.id)).to.deep.equal(['b1-uniform-fan-in-e5', 'b32-he-e2']);
    // Its checks and references are its own: a quick group must name a value, a value is listed once.
    const r = withEpochs();
    expect(() => parseStudyConfig({ ...r, quick: [{ ...r.quick[0], epochs: 7 }] }, 'x.json')).to.throw(
      UsageError,
      /quick\.0\.epochs.*not one of/,
    );
    expect(() => parseStudyConfig({ ...r, epochCounts: [2, 2] }, 'x.json')).to.throw(UsageError, /epochCounts.*listed twice/);
    // A group's runs train for its epochs; the other axes still set the rest.
    const network: Network = {
      name: 'sigmoid3',
      config: parseConfig({ activation: 'sigmoid', hidden: [5] }, 'n', 'sigmoid3'),
      family: 'sigmoid',
    };
    for (const g of grid) {
      const run = tunedGroupOf(g, [network], c).runConfig(network, 0.1, 'sigmoid3-lr0.1');
      expect(run.epochs).to.equal(g.values.epochs);
      expect(run.init.scheme).to.equal((g.values.init as { scheme: string }).scheme);
    }
    // Sharding needs no change: every group in exactly one shard.
    const owned = [1, 2, 3].map((k) => groupsOfShard(grid, c, k, 3).map((g) => g.id));
    expect(owned.flat().sort()).to.deep.equal(grid.map((g) => g.id).sort());
  });
});

describe('study: shards', () => {
  it('every group goes to exactly one shard, the same on every call', () => {
    const c = shipped();
    const groups = fullGrid(c);
    for (const n of [1, 2, 3, 5, 12, 20]) {
      const owned = Array.from({ length: n }, (_, k) => groupsOfShard(groups, c, k + 1, n).map((g) => g.id));
      expect(owned.flat().sort()).to.deep.equal(groups.map((g) => g.id).sort());
      expect(Array.from({ length: n }, (_, k) => groupsOfShard(groups, c, k + 1, n).map((g) => g.id))).to.deep.equal(owned);
    }
  });

  it('reads the shard from --shard, a Slurm array or a Kubernetes Indexed Job', () => {
    expect(resolveShard('2/3', undefined, {}).shard).to.deep.equal({ index: 2, count: 3 });
    expect(resolveShard(undefined, undefined, {}).shard).to.deep.equal({ index: 1, count: 1 });
    const slurm0 = resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '0' });
    expect(slurm0).to.deep.equal({ shard: { index: 1, count: 4 }, source: 'Slurm array' });
    const slurm1 = resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '4', SLURM_ARRAY_TASK_MIN: '1' });
    expect(slurm1.shard).to.deep.equal({ index: 4, count: 4 });
    expect(resolveShard(undefined, 3, { JOB_COMPLETION_INDEX: '2' }).shard).to.deep.equal({ index: 3, count: 3 });
    expect(resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '0', STUDY_SHARDS: '2' }).shard).to.deep.equal({
      index: 1,
      count: 2,
    });
    expect(resolveShard('1/2', undefined, { SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_COUNT: '4' }).source).to.equal('--shard');
  });

  it('refuses an incomplete or impossible scheduler environment in one line', () => {
    expect(() => resolveShard(undefined, undefined, { JOB_COMPLETION_INDEX: '0' })).to.throw(UsageError, /--shards N or STUDY_SHARDS/);
    expect(() => resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: '1' })).to.throw(UsageError, /SLURM_ARRAY_TASK_COUNT/);
    expect(() => resolveShard(undefined, 2, { JOB_COMPLETION_INDEX: '5' })).to.throw(UsageError, /--shard/);
    expect(() => resolveShard(undefined, undefined, { SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_COUNT: '2' })).to.throw(
      UsageError,
      /whole number/,
    );
    expect(() => resolveShard(undefined, 2, {})).to.throw(UsageError, /only with a Kubernetes/);
  });
});

describe('study: choosing the learning rate on the validation split', () => {
  const run = (activation: string, network: string, learningRate: number, bestValLoss: number, bestEpoch = 5): TuningRun => ({
    network,
    activation,
    learningRate,
    seed: 1000001,
    bestValLoss,
    bestEpoch,
    epochs: 20,
  });

  it('tuned: the lowest mean per activation; shared: the lowest mean over both', () => {
    const runs = [
      run('sigmoid', 's3', 0.1, 0.2),
      run('sigmoid', 's5', 0.1, 0.22),
      run('sigmoid', 's3', 1, 0.18),
      run('sigmoid', 's5', 1, 0.19),
      run('relu', 'r3', 0.1, 0.17),
      run('relu', 'r5', 0.1, 0.18),
      run('relu', 'r3', 1, 0.25),
      run('relu', 'r5', 1, 0.26),
    ];
    const s = selectLearningRates(runs);
    expect(s.tuned).to.deep.equal({ relu: 0.1, sigmoid: 1 });
    // means over both: 0.1 -> 0.1925, 1 -> 0.22
    expect(s.shared).to.equal(0.1);
  });

  it('a rate that diverges on any network is never preferred; ties go to the smaller rate', () => {
    const s = selectLearningRates([
      run('relu', 'r3', 0.1, 0.2),
      run('relu', 'r5', 0.1, 0.2),
      run('relu', 'r3', 3, 0.1),
      run('relu', 'r5', 3, Number.NaN),
    ]);
    expect(s.tuned.relu).to.equal(0.1);
    const tie = selectLearningRates([run('relu', 'r3', 0.3, 0.2), run('relu', 'r3', 0.1, 0.2)]);
    expect(tie.tuned.relu).to.equal(0.1);
  });

  it('flags runs whose best validation epoch is in the last tenth (the loss was still falling)', () => {
    const s = selectLearningRates([
      run('relu', 'r3', 0.1, 0.2, 19),
      run('relu', 'r5', 0.1, 0.2, 18),
      run('relu', 'r4', 0.1, 0.2, 3),
      run('relu', 'r6', 0.1, 0.2, 20),
    ]);
    expect(s.lateBestFraction).to.equal(0.75);
  });
});

describe('study: the naive fixed-range initialisation', () => {
  it('uniform with a limit draws from U(-limit, +limit) whatever the fan-in; other schemes refuse a limit', async () => {
    const { initParams } = await import('../src/nn/params.js');
    const { RunConfigSchema } = await import('../src/config/schema.js');
    const p = initParams([1024, 150, 1], { scheme: 'uniform', limit: 0.5 }, 3);
    const w = p.weights[0];
    let max = 0;
    for (const v of w) max = Math.max(max, Math.abs(v));
    expect(max).to.be.at.most(0.5).and.above(0.49);
    const fanIn = initParams([1024, 150, 1], { scheme: 'uniform' }, 3).weights[0];
    let maxFanIn = 0;
    for (const v of fanIn) maxFanIn = Math.max(maxFanIn, Math.abs(v));
    expect(maxFanIn).to.be.at.most(1 / 32);
    const bad = RunConfigSchema.safeParse({ hidden: [4], activation: 'relu', init: { scheme: 'he', limit: 0.5 } });
    expect(bad.success).to.equal(false);
  });
});
