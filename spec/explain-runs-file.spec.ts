/**
 * The explain verdict under a registered rule (a margin, the still-learning label, one depth judged
 * against ReLU) on runs whose truth is known, and its one path from explain-runs.csv: the report
 * judges from the rows it writes, so re-judging that file gives explain-verdict.csv byte for byte.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { toCsv } from '../src/util/csv.js';
import { UserError } from '../src/util/errors.js';
import type { VariantName } from '../src/explain/config.js';
import { STILL_LEARNING } from '../src/explain/decide.js';
import {
  EXPLAIN_RUN_COLUMNS,
  explainRunRows,
  judgeExplainRuns,
  readExplainRuns,
  verdictCsv,
  type ExplainRun,
} from '../src/explain/runs-file.js';
import { runExplain } from '../src/explain/run-explain.js';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { silentStream } from './helpers/silent-stream.js';

const RULE = { margin: 3, stillLearning: 0.5, flag: 0.3 };
const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/** Seed noise that sums to zero over the ten seeds (pairs of opposite sign), so a built-in effect is the estimate exactly. */
const NOISE = [0.8, -0.8, 0.3, -0.3, 1.1, -1.1, 0.5, -0.5, 0.2, -0.2];

/** 7-layer runs on the full split: each variant's accuracy is 76 minus its built-in deficit, plus per-variant seed noise. */
function runs(
  deficits: Record<'sigmoid' | 'relu' | 'relu-clipped' | 'relu-scaled-matched', number>,
  atMaximum: Partial<Record<VariantName, number>> = {},
): ExplainRun[] {
  return (Object.entries(deficits) as [VariantName, number][]).flatMap(([variant, deficit], v) =>
    SEEDS.map((seed, k) => {
      const acc = 76 - deficit + NOISE[(k + 3 * v) % SEEDS.length];
      return {
        variant,
        layers: 7,
        seed,
        learningRate: 0.1,
        testAccuracy: acc + 0.5,
        testFullAccuracy: acc,
        bestEpoch: 80,
        stopEpoch: k < (atMaximum[variant] ?? 0) ? 400 : 120,
        stopReason: k < (atMaximum[variant] ?? 0) ? 'maximum' : 'patience',
      };
    }),
  );
}

describe('explain verdict under a registered rule (synthetic runs, known truth)', () => {
  it('one depth: penalties are deficits against ReLU on the full split; a bound that costs 12 points holds, one that costs 1 is contradicted', () => {
    const costly = judgeExplainRuns(runs({ sigmoid: 20, relu: 0, 'relu-clipped': 12, 'relu-scaled-matched': 0 }), RULE, 'x')[0];
    expect(costly.confidence).to.equal(0.95);
    expect(costly.shrinkingCell).to.equal('relu-scaled-matched');
    expect(costly.penalty.get('relu')!.value).to.equal(0);
    expect(costly.penalty.get('sigmoid')!.value).to.be.closeTo(20, 1e-9);
    expect(costly.bounded!.value).to.be.closeTo(16, 1e-9);
    expect(costly.sigmoidFails).to.equal('holds');
    expect(costly.moreThanShrinking).to.equal('holds');
    expect(costly.blame).to.equal('both');
    const cheap = judgeExplainRuns(runs({ sigmoid: 20, relu: 0, 'relu-clipped': 1, 'relu-scaled-matched': 19 }), RULE, 'x')[0];
    expect(cheap.bounded!.value).to.be.closeTo(1, 1e-9);
    expect(cheap.bounded!.high).to.be.below(3);
    expect(cheap.moreThanShrinking).to.equal('contradicted');
    expect(cheap.blame).to.equal('shrinking derivative');
  });

  it('the margin decides: a 2-point bound effect lies above 0 but not above 3, so it is contradicted under the rule and held under the first rule', () => {
    const r = runs({ sigmoid: 2, relu: 0, 'relu-clipped': 2, 'relu-scaled-matched': 0 });
    const registered = judgeExplainRuns(r, RULE, 'x')[0];
    expect(registered.bounded!.low).to.be.above(0);
    expect(registered.moreThanShrinking).to.equal('contradicted');
    expect(registered.margin).to.equal(3);
    // The first rule (no decision block) reads the article-sized set and has its edge at 0.
    const first = judgeExplainRuns(r, undefined, 'x')[0];
    expect(first.margin).to.equal(0);
    expect(first.moreThanShrinking).to.equal('holds');
    expect(first.penalty.get('sigmoid')!.value).to.be.closeTo(2, 1e-9);
  });

  it('an interval that straddles the margin is inconclusive', () => {
    const wide = runs({ sigmoid: 4, relu: 0, 'relu-clipped': 3, 'relu-scaled-matched': 0 }).map((r) =>
      r.variant === 'relu-clipped' ? { ...r, testFullAccuracy: r.testFullAccuracy! + (r.seed % 2 === 0 ? 4 : -4) } : r,
    );
    const j = judgeExplainRuns(wide, RULE, 'x')[0];
    expect(j.bounded!.low).to.be.below(3);
    expect(j.bounded!.high).to.be.above(3);
    expect(j.moreThanShrinking).to.equal('inconclusive');
  });

  it("more than half of a variant's runs at the maximum: not judged, still learning; 3 of 10: flagged, still judged", () => {
    const deficits = { sigmoid: 20, relu: 0, 'relu-clipped': 12, 'relu-scaled-matched': 0 };
    const still = judgeExplainRuns(runs(deficits, { sigmoid: 6 }), RULE, 'x')[0];
    expect(still.moreThanShrinking).to.equal(STILL_LEARNING);
    expect(still.blame).to.equal(STILL_LEARNING);
    expect(still.sigmoidFails).to.equal(STILL_LEARNING);
    expect(still.stillLearning).to.deep.equal(['sigmoid 7 layers']);
    const five = judgeExplainRuns(runs(deficits, { 'relu-clipped': 5 }), RULE, 'x')[0];
    expect(five.moreThanShrinking).to.equal('holds');
    expect(five.flagged).to.deep.equal(['relu-clipped 7 layers']);
    const three = judgeExplainRuns(runs(deficits, { relu: 3 }), RULE, 'x')[0];
    expect(three.moreThanShrinking).to.equal('holds');
    expect(three.flagged).to.deep.equal(['relu 7 layers']);
    expect(judgeExplainRuns(runs(deficits, { relu: 2 }), RULE, 'x')[0].flagged).to.deep.equal([]);
  });
});

describe('explain-runs.csv: read back and checked', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'explain-runs-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('round-trips, and re-judging gives the same verdict file', () => {
    const r = runs({ sigmoid: 20, relu: 0, 'relu-clipped': 1, 'relu-scaled-matched': 5 }, { sigmoid: 3 });
    const file = path.join(dir, 'explain-runs.csv');
    writeFileSync(file, toCsv(EXPLAIN_RUN_COLUMNS, explainRunRows(r)));
    const back = readExplainRuns(file);
    expect(back).to.deep.equal(r);
    expect(verdictCsv(judgeExplainRuns(back, RULE, file))).to.equal(verdictCsv(judgeExplainRuns(r, RULE, 'x')));
  });

  it('refuses another file, a bad cell and a run given twice, in one line naming the file', () => {
    const bad = (name: string, text: string): string => {
      const file = path.join(dir, name);
      writeFileSync(file, text);
      try {
        judgeExplainRuns(readExplainRuns(file), RULE, file);
      } catch (err) {
        expect(err).to.be.instanceOf(UserError);
        const message = (err as Error).message;
        expect(message).to.not.include('\n');
        expect(message.startsWith(file)).to.equal(true);
        return message;
      }
      throw new Error('expected a UserError');
    };
    const header = EXPLAIN_RUN_COLUMNS.join(',');
    expect(bad('a.csv', 'config,seed\nrelu7,1\n')).to.match(/not an explain-runs\.csv/);
    expect(bad('b.csv', `${header}\nrelu,7,1,0.1,abc,75,10,50,patience\n`)).to.match(/row 2: column test_accuracy: expected a number/);
    expect(bad('c.csv', `${header}\nrelu-tiny,7,1,0.1,75,75,10,50,patience\n`)).to.match(/row 2: column variant/);
    expect(bad('d.csv', `${header}\nrelu,7,1,0.1,75,75,10,50,tired\n`)).to.match(/row 2: column stop_reason/);
    expect(bad('e.csv', `${header}\nrelu,7,1,0.1,75,75,10,50,patience\nrelu,7,1,0.1,74,74,10,50,patience\n`)).to.match(
      /seed 1, is given twice/,
    );
    expect(bad('f.csv', `${header}\nrelu,7,1,0.1,75,,10,50,patience\n`)).to.match(/was not scored on the full test split/);
  });
});

describe('explain with a registered rule, end to end (synthetic data, tiny networks)', function () {
  this.timeout(900_000); // eight phases of worker processes, on a shared and loaded machine
  let fixture: FixtureDataDir;
  let root: string;
  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 50 });
    root = mkdtempSync(path.join(os.tmpdir(), 'explain-rule-'));
  });
  after(async () => {
    await fixture?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('trains to the stopping rule, writes explain-runs.csv, and its re-judgement is explain-verdict.csv byte for byte', async () => {
    const configFile = path.join(root, 'explain.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        variants: ['sigmoid', 'relu', 'relu-clipped', 'relu-scaled-matched'],
        hidden: [4, 3],
        layers: [4],
        init: { name: 'he', scheme: 'he' },
        batchSize: 10,
        epochs: 4,
        stopping: { patience: 1 },
        learningRates: [0.3, 1],
        engine: 'handwritten',
        backend: 'cpu',
        seeds: 2,
        firstSeed: 3001,
        probe: false,
        decision: RULE,
        trainPerClass: 20,
        validationPerClass: 10,
        testPerClass: 10,
      }),
    );
    const out = path.join(root, 'out');
    const outcome = await runExplain({
      configFile,
      overrides: {},
      outDir: out,
      dataDir: fixture.dataDir,
      shard: { index: 1, count: 1 },
      jobs: 1,
      progress: 'none',
      stream: silentStream(),
      report: true,
    });
    expect(outcome.complete).to.equal(true);
    const file = path.join(out, 'explain-runs.csv');
    const written = readExplainRuns(file);
    expect(written).to.have.length(8);
    expect(new Set(written.map((r) => `${r.variant} ${r.layers}`))).to.deep.equal(
      new Set(['sigmoid 4', 'relu 4', 'relu-clipped 4', 'relu-scaled-matched 4']),
    );
    expect(written.map((r) => r.seed).sort()).to.deep.equal([3001, 3001, 3001, 3001, 3002, 3002, 3002, 3002]);
    for (const r of written) {
      expect(['patience', 'maximum']).to.include(r.stopReason);
      expect(r.stopEpoch).to.be.at.most(4);
      expect(r.testFullAccuracy).to.be.a('number');
    }
    const verdict = readFileSync(path.join(out, 'explain-verdict.csv'), 'utf8');
    expect(verdictCsv(judgeExplainRuns(written, RULE, file))).to.equal(verdict);
    expect(verdict.split('\n')[1]).to.match(/^0\.95,3,relu-scaled-matched,/);
    const md = readFileSync(path.join(out, 'explain.md'), 'utf8');
    expect(md).to.include('The registered rule');
    expect(md).to.include('judged runs stopped at the maximum');
  });
});
