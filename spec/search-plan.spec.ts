/**
 * The search's plan builder without running anything: the registered search as configs/search.json
 * and configs/rules/search.json give it (its grid, its stage A, the run config of a screening run),
 * and the rules of stages B to D on outcomes made up for the purpose, so each rule is seen to
 * decide what the rules file says it decides.
 */
import { expect } from 'chai';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSearchConfig, type SearchConfig } from '../src/search/config.js';
import {
  auditRuns,
  cellsOf,
  chooseCells,
  chooseRate,
  extendRuns,
  promotedCells,
  runConfigOf,
  runKey,
  stageA,
  stageBRuns,
  stageDRuns,
  type Cell,
  type Outcomes,
  type RunOutcome,
  type SearchRun,
} from '../src/search/plan.js';
import { UsageError } from '../src/util/errors.js';
import { writeTinySearch } from './helpers/search-fixture.js';

const ROOT = path.resolve(import.meta.dirname, '..');

describe('search plan: the registered search (configs/search.json)', () => {
  const config = loadSearchConfig(path.join(ROOT, 'configs', 'search.json'), false);

  it('reads the grid from the rules file: 16 cells x 7 rates, the hardest network first on both screening seeds', () => {
    expect(cellsOf(config)).to.have.length(16);
    expect(config.axes.learningRate).to.have.length(7);
    const a = stageA(config);
    expect(a.plan.jobs).to.have.length(16 * 7 * 2);
    expect(new Set(a.runs.map((r) => r.network))).to.deep.equal(new Set(['sigmoid7']));
    expect(a.plan.seeds).to.deep.equal([2001, 2002]);
    expect(config.rules.seeds.promoted).to.deep.equal([2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019, 2020]);
    expect(config.rules.sha256).to.match(/^[0-9a-f]{64}$/);
  });

  it('a screening run is the network of its config file, trained as its batch size says', () => {
    const a = stageA(config);
    const online = a.runs.find((r) => r.cell.id === 'b1-xavier-gain4-lw' && r.learningRate === 0.3 && r.seed === 2001)!;
    const c = runConfigOf(config, online);
    expect(c.name).to.equal('b1-xavier-gain4-lw-sigmoid7-lr0.3');
    expect(c).to.deep.include({ hidden: [150, 100, 50, 30, 15], activation: 'sigmoid', batchSize: 1, engine: 'handwritten', epochs: 200 });
    expect(c.init).to.deep.equal({ scheme: 'xavier', gain: 4, bias: 'like-weights' });
    expect(c.stopping).to.deep.equal({ patience: 15, stall: { epoch: 50, maxValAccuracy: 0.55, minLossRatio: 0.99 } });
    expect(c.data).to.deep.include({ trainPerClass: 2000, validationPerClass: 500, testPerClass: 200, fullTest: false });
    const batch32 = runConfigOf(config, { ...online, cell: cellsOf(config).find((x) => x.id === 'b32-uniform-0.5-zero')! });
    expect(batch32).to.deep.include({ batchSize: 32, engine: 'tfjs', epochs: 400 });
    expect(batch32.init).to.deep.equal({ scheme: 'uniform', limit: 0.5, bias: 'zero' });
    expect(batch32.stopping).to.deep.equal({ patience: 30, stall: { epoch: 100, maxValAccuracy: 0.55, minLossRatio: 0.99 } });
    // Run to the maximum (audit) and promoted runs: no stall rule; the promoted ones score the full test split.
    expect(runConfigOf(config, { ...online, variant: 'full' }).stopping).to.deep.equal({ patience: 200 });
    const promoted = runConfigOf(config, { ...online, variant: 'promoted' });
    expect([promoted.stopping, promoted.data.fullTest]).to.deep.equal([{ patience: 15 }, true]);
  });

  it('--quick is the part of the grid the config names, with its shorter budget', () => {
    const quick = loadSearchConfig(path.join(ROOT, 'configs', 'search.json'), true);
    expect(cellsOf(quick).map((c) => c.id)).to.deep.equal(['b32-xavier-gain4-zero', 'b32-xavier-gain4-lw']);
    expect(stageA(quick).plan.jobs).to.have.length(2 * 2 * 2);
    expect(quick.perBatch.get(32)).to.deep.include({ maxEpochs: 20, patience: 20 });
    expect(quick.perBatch.get(32)!.stall.K).to.equal(20);
  });
});

describe('search plan: the rules of the stages, on made-up outcomes', () => {
  let root: string;
  let config: SearchConfig;
  before(() => {
    const tiny = writeTinySearch();
    root = tiny.root;
    config = loadSearchConfig(tiny.configFile, false);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  const cell = (id: string): Cell => cellsOf(config).find((c) => c.id === id)!;
  /** An outcome of a screening run with this validation accuracy and lowest loss. */
  function outcome(
    network: string,
    c: Cell,
    learningRate: number,
    seed: number,
    valAccuracy: number,
    bestValLoss = 0.2,
    stopReason = 'patience',
  ): RunOutcome {
    const run: SearchRun = { network, cell: c, learningRate, seed, variant: 'screen' };
    return { run, stopReason, valAccuracy, bestValLoss, finalValAccuracy: valAccuracy, learned: valAccuracy >= 0.65 };
  }
  const outcomesOf = (list: RunOutcome[]): Outcomes => new Map(list.map((o) => [runKey(o.run), o]));

  it('B: every other network where the hardest learned on either seed; the other activation at every rate of such a cell', () => {
    const b1 = cell('b1-xavier-gain4-zero');
    const b10 = cell('b10-xavier-gain4-zero');
    const outcomes = outcomesOf([
      outcome('sigmoid4', b1, 0.3, 2001, 0.5),
      outcome('sigmoid4', b1, 0.3, 2002, 0.7), // learned on one seed: the point counts as learned
      outcome('sigmoid4', b1, 0.001, 2001, 0.5),
      outcome('sigmoid4', b1, 0.001, 2002, 0.5),
      outcome('sigmoid4', b10, 0.3, 2001, 0.6),
      outcome('sigmoid4', b10, 0.3, 2002, 0.6),
    ]);
    const runs = stageBRuns(config, outcomes).map((r) => `${r.cell.id} ${r.network} ${r.learningRate} ${r.seed}`);
    expect(runs).to.deep.equal([
      'b1-xavier-gain4-zero relu3 0.001 2001',
      'b1-xavier-gain4-zero relu3 0.001 2002',
      'b1-xavier-gain4-zero sigmoid3 0.3 2001',
      'b1-xavier-gain4-zero sigmoid3 0.3 2002',
      'b1-xavier-gain4-zero relu3 0.3 2001',
      'b1-xavier-gain4-zero relu3 0.3 2002',
    ]);
  });

  it('C: most networks learning first, then the lowest mean loss within one standard error, then the smaller rate', () => {
    const c = cell('b1-xavier-gain4-zero');
    const at = (lr: number, acc: [number, number, number], loss: [number, number, number]) =>
      (['sigmoid3', 'sigmoid4', 'relu3'] as const).flatMap((n, k) => [2001, 2002].map((seed) => outcome(n, c, lr, seed, acc[k], loss[k])));
    // Both rates: all three learn. 0.3 has the lower mean loss, but 0.001 lies within its standard error: the smaller wins.
    const tied = outcomesOf([...at(0.001, [0.7, 0.7, 0.7], [0.2, 0.21, 0.19]), ...at(0.3, [0.8, 0.8, 0.8], [0.1, 0.3, 0.15])]);
    expect(chooseRate(config, tied, c, ['sigmoid3', 'sigmoid4', 'relu3'])).to.deep.equal({ learningRate: 0.001, learned: 3, networks: 3 });
    // Without the spread 0.3 stands alone.
    const apart = outcomesOf([...at(0.001, [0.7, 0.7, 0.7], [0.2, 0.21, 0.19]), ...at(0.3, [0.8, 0.8, 0.8], [0.1, 0.11, 0.09])]);
    expect(chooseRate(config, apart, c, ['sigmoid3', 'sigmoid4', 'relu3'])!.learningRate).to.equal(0.3);
    // More networks learning beats a lower loss.
    const more = outcomesOf([...at(0.001, [0.7, 0.7, 0.7], [0.2, 0.21, 0.19]), ...at(0.3, [0.8, 0.6, 0.8], [0.01, 0.01, 0.01])]);
    expect(chooseRate(config, more, c, ['sigmoid3', 'sigmoid4', 'relu3'])).to.deep.include({ learningRate: 0.001, learned: 3 });

    // Stage A ran the hardest network in every cell.
    const elsewhere = cellsOf(config)
      .filter((x) => x.id !== c.id)
      .map((x) => outcome('sigmoid4', x, 0.001, 2001, 0.5));
    const every = chooseCells(config, outcomesOf([...apart.values(), ...elsewhere]));
    // Where the hardest network never learned, no other network ran: nothing learns, and ReLU has no rate to choose.
    const stopped = every.filter((x) => x.cell.id === 'b1-xavier-gain4-lw');
    expect(stopped.map((x) => [x.arm, x.passed, x.learned, x.screened])).to.deep.equal([
      ['one-rate', false, 0, false],
      ['per-activation', false, 0, false],
    ]);
    expect([...stopped[1].rates.keys()]).to.deep.equal(['sigmoid3', 'sigmoid4']);
    const choices = every.filter((x) => x.cell.id === c.id);
    expect(choices.map((x) => [x.arm, x.passed, x.learned])).to.deep.equal([
      ['one-rate', true, 3],
      ['per-activation', true, 3],
    ]);
    expect(choices[0].minValAccuracy).to.be.closeTo(0.8, 1e-12);
  });

  it('D: passing cells only, the highest smallest validation accuracy first, at most maxPromoted, one run per network, rate and seed', () => {
    const all = cellsOf(config).flatMap((c, k) =>
      (['sigmoid3', 'sigmoid4', 'relu3'] as const).flatMap((n) => [2001, 2002].map((seed) => outcome(n, c, 0.3, seed, 0.66 + 0.01 * k))),
    );
    const choices = chooseCells(config, outcomesOf(all));
    const promoted = promotedCells(config, choices);
    expect(promoted).to.have.length(2); // maxPromoted
    expect(promoted.map((p) => p.cell.id)).to.deep.equal(['b10-xavier-gain4-lw', 'b10-xavier-gain4-lw']);
    // Both arms of the cell chose 0.3 for every network: one run serves both.
    expect(stageDRuns(config, promoted)).to.have.length(3 * 2);
  });

  it('audit: drawn from the runs at or below the bound with the sample seed, then the nearest; extend: stalled runs of a cell where one learned', () => {
    const c = cell('b10-xavier-gain4-lw');
    const low = [0.5, 0.52, 0.54, 0.55, 0.51].map((acc, k) => outcome('relu3', c, 0.001, 2001 + k, acc, 0.25, 'stalled'));
    const outcomes = outcomesOf([...low, outcome('relu3', c, 0.3, 2001, 0.9)]);
    const audit = auditRuns(config, outcomes);
    expect(audit).to.have.length(2); // 1 drawn + 1 nearest
    expect(audit.every((r) => r.variant === 'full')).to.equal(true);
    expect(auditRuns(config, outcomes)).to.deep.equal(audit);
    const drawn = audit[0];
    // The nearest of the rest is the highest accuracy at or below 0.55.
    expect(audit[1].seed).to.equal(drawn.seed === 2004 ? 2003 : 2004);
    // An audited run that learned: every other stalled run of its cell runs to its maximum.
    const audited = audit.map((r, k) => ({ ...outcome('relu3', c, 0.001, r.seed, k === 0 ? 0.7 : 0.5), run: r }));
    const extend = extendRuns(config, outcomes, audited);
    expect(extend.map((r) => r.seed).sort()).to.deep.equal(low.map((o) => o.run.seed).filter((s) => !audit.some((a) => a.seed === s)));
    expect(
      extendRuns(
        config,
        outcomes,
        audited.map((o) => ({ ...o, learned: false })),
      ),
    ).to.deep.equal([]);
  });

  it('a quick part outside the rules is one line naming the field', () => {
    const tiny = writeTinySearch();
    try {
      const file = tiny.configFile;
      const text = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, JSON.stringify({ ...text, quick: { learningRate: [0.05] } }));
      expect(() => loadSearchConfig(file, true)).to.throw(
        UsageError,
        /search\.json: field "quick\.learningRate": 0\.05 is not in the rules' grid$/,
      );
    } finally {
      rmSync(tiny.root, { recursive: true, force: true });
    }
  });
});
