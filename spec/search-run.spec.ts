/**
 * The search end to end on synthetic CIFAR-10 files and a tiny grid (spec/helpers/search-fixture.ts,
 * without the audit, whose rules search-plan.spec.ts checks): every stage a plan on the engine in
 * its own folder, the stall rule in the runs, the matrix, stage E's claims (judged as `report --runs`
 * judges them), the distances, the report, the charts, resume; the same search run as two shards
 * per stage, merged after each stage, ends in the same files and the same runs as one machine; the
 * mistakes a user can make with its folders are one line each.
 */
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { writeTinySearch } from './helpers/search-fixture.js';
import { parseCsv } from '../src/util/csv.js';
import { UserError } from '../src/util/errors.js';
import { loadSearchConfig, type SearchConfig } from '../src/search/config.js';
import { runSearch, type RunSearchOptions } from '../src/search/run-search.js';
import { mergeSearch } from '../src/search/merge-search.js';
import { readPlanFile, type TrainRecord } from '../src/experiment/store.js';
import { SEARCH_MATRIX_COLUMNS } from '../src/search/matrix.js';
import { SEARCH_VERDICT_COLUMNS } from '../src/search/verdicts.js';
import { loadCheckRules } from '../src/search/check.js';
import { CHECK_COLUMNS, runSearchCheck } from '../src/search/run-check.js';
import { readRunsCsv } from '../src/reports/runs-csv.js';
import { readTestImagesBeside } from '../src/reports/test-images.js';
import { writeClaimsCsv } from '../src/reports/claims-table.js';
import { judgeClaims } from '../src/reports/verdicts.js';
import { MARGINS } from '../src/reports/claim-margins.js';
import { bootstrapsOf } from '../src/reports/claims/registry.js';
import { silentStream } from './helpers/silent-stream.js';

/** A stage folder's run records, by job id. */
function records(dir: string): Map<string, TrainRecord> {
  const plan = readPlanFile(dir);
  return new Map(plan.jobs.map((job) => [job.id, JSON.parse(readFileSync(path.join(dir, 'runs', job.id, 'result.json'), 'utf8'))]));
}

/** A history.csv without its clock columns. */
function numbers(file: string): Record<string, string>[] {
  return parseCsv(readFileSync(file, 'utf8')).map((row) =>
    Object.fromEntries(Object.entries(row).filter(([column]) => !['seconds', 'elapsed_seconds', 'finished_at'].includes(column))),
  );
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}

describe('search (synthetic data, a tiny grid)', function () {
  this.timeout(600_000);
  let fixture: FixtureDataDir;
  let root: string;
  let config: SearchConfig;
  const lines: string[] = [];

  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 50 });
    // One bias rule, no audit (search-plan.spec.ts and search-stages.spec.ts check it) and one worker process per
    // stage: the runs are tiny, and what costs is starting the workers of each stage, on one machine and each shard.
    const tiny = writeTinySearch({ bias: ['zero'], jobs: 1, audit: false });
    root = tiny.root;
    config = loadSearchConfig(tiny.configFile, false);
  });
  after(async () => {
    await fixture?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const search = (outDir: string, extra: Partial<RunSearchOptions> = {}) =>
    runSearch({
      config,
      outDir,
      dataDir: fixture.dataDir,
      progress: 'none',
      stream: silentStream(),
      command: 'node dist/run.js search',
      say: (line) => lines.push(line),
      ...extra,
    });

  it('runs every stage as a plan in its own folder and writes the matrix, the stage counts and the charts', async () => {
    const out = path.join(root, 'single');
    const outcome = await search(out);
    expect(outcome.done).to.equal(true);
    expect(readdirSync(out).sort()).to.include.members([
      'A',
      'B',
      'D',
      'E',
      'search.json',
      'matrix.csv',
      'stages.csv',
      'verdicts.csv',
      'distance.csv',
      'report.md',
      'charts',
    ]);

    // Stage A: the hardest network only, at every point, on both screening seeds, each batch size on its engine.
    const a = [...records(path.join(out, 'A')).values()];
    expect(a).to.have.length(2 * 2 * 2); // batch x rate x seed
    expect(new Set(a.map((r) => r.configName.split('-lr')[0].replace(/^.*-/, '')))).to.deep.equal(new Set(['sigmoid4']));
    for (const r of a) {
      expect(r.config.engine, r.id).to.equal(r.config.batchSize === 1 ? 'handwritten' : 'tfjs');
      expect(r.config.init).to.deep.include({ scheme: 'xavier', gain: 4 });
      expect(r.config.stopping?.stall).to.deep.equal({ epoch: 3, maxValAccuracy: 0.55, minLossRatio: 0.99 });
      expect([2001, 2002]).to.include(r.seed);
    }
    // The stall rule ended some screening runs at K = 3, and only runs at chance whose loss stood still.
    const stalled = a.filter((r) => r.stopReason === 'stalled');
    expect(stalled.length).to.be.above(0);
    for (const r of stalled) {
      expect(r.stopEpoch).to.equal(3);
      const [half, k] = [r.history[1], r.history[3]];
      expect(k.valAccuracy).to.be.at.most(0.55);
      expect(k.valLoss).to.be.at.least(0.99 * half.valLoss);
    }
    const rows = parseCsv(readFileSync(path.join(out, 'matrix.csv'), 'utf8'));
    expect(Object.keys(rows[0])).to.deep.equal([...SEARCH_MATRIX_COLUMNS]);
    expect(rows.map((r) => `${r.cell} ${r.arm}`)).to.deep.equal(
      ['b1-xavier-gain4-zero', 'b10-xavier-gain4-zero'].flatMap((c) => [`${c} one-rate`, `${c} per-activation`]),
    );
    for (const r of rows) {
      expect(['A', 'C', 'D']).to.include(r.stage);
      expect(Number(r.learned)).to.be.within(0, 3);
      expect(r.passed).to.equal(Number(r.learned) === 3 ? '1' : '0');
      if (r.arm === 'one-rate') expect(r.rates).to.match(/^[\d.]+$/);
      else expect(r.rates).to.match(/^sigmoid [\d.]+; relu [\d.]+$/);
    }
    // At most maxPromoted (2) cells, each passing; the promoted seeds' runs are stage D's.
    const promoted = rows.filter((r) => r.promoted === '1');
    expect(promoted.length).to.be.within(1, 2);
    for (const r of promoted) expect([r.passed, r.stage]).to.deep.equal(['1', 'D']);
    const d = [...records(path.join(out, 'D')).values()];
    expect(new Set(d.map((r) => r.seed))).to.deep.equal(new Set([2011, 2012]));
    for (const r of d) expect(r.config.stopping?.stall, 'no stall rule on the promoted seeds').to.equal(undefined);

    const stages = parseCsv(readFileSync(path.join(out, 'stages.csv'), 'utf8'));
    expect(stages[0]).to.deep.include({ stage: 'A', runs: '8', stalled: String(stalled.length) });
    for (const chart of ['matrix.png', 'screen.png', 'matrix.svg', 'verdicts.png', 'distance.png'])
      expect(existsSync(path.join(out, 'charts', chart)), chart).to.equal(true);

    // Stage E: each promoted cell judged by the reproduction's judge in its folder, which `report --runs` judges the same.
    const verdicts = parseCsv(readFileSync(path.join(out, 'verdicts.csv'), 'utf8'));
    expect(Object.keys(verdicts[0])).to.deep.equal([...SEARCH_VERDICT_COLUMNS]);
    for (const p of promoted) {
      const folder = path.join(out, 'E', `${p.cell}-${p.arm}`);
      const runsFile = path.join(folder, 'runs.csv');
      const runs = readRunsCsv(runsFile);
      expect(runs.map((r) => `${r.config} ${r.seed}`).sort()).to.deep.equal(
        ['relu3', 'sigmoid3', 'sigmoid4'].flatMap((n) => [`${n} 2011`, `${n} 2012`]),
      );
      expect(runs.every((r) => r.test_full_acc !== undefined && r.seconds === undefined)).to.equal(true);
      const images = readTestImagesBeside(runsFile, runs);
      expect(images, 'the promoted runs score the full test split').to.not.equal(null);
      const again = path.join(root, `again-${p.cell}-${p.arm}`);
      mkdirSync(again);
      await writeClaimsCsv(again, judgeClaims(runs, MARGINS, bootstrapsOf(runs, images)));
      const claims = readFileSync(path.join(folder, 'claims.csv'), 'utf8');
      expect(readFileSync(path.join(again, 'claims.csv'), 'utf8')).to.equal(claims);
      // verdicts.csv holds the cell's judged claims (1-4) as claims.csv has them, with their distances.
      // (The tiny grid has no 5- or 6-layer network: claim 3 is not measured, so not among them.)
      const judged = parseCsv(claims);
      const measured = [...new Set(judged.filter((r) => r.part !== 'all' && r.verdict !== 'not measured').map((r) => r.claim))];
      expect(measured).to.include.members(['1', '2', '4']);
      const mine = verdicts.filter((v) => v.cell === p.cell && v.arm === p.arm);
      expect([...new Set(mine.map((v) => v.claim))]).to.deep.equal(measured);
      for (const v of mine) {
        const c = judged.find((r) => r.claim === v.claim && r.part === v.part)!;
        expect([v.verdict, v.statistic, v.ci_low, v.ci_high]).to.deep.equal([c.verdict, c.statistic, c.ci_low, c.ci_high]);
        // A part's distance is uncapped; a claim's (its overall row) is capped at 3.
        if (v.part === 'all') expect(Number(v.distance)).to.be.within(0, 3);
        else expect(Number(v.distance)).to.be.at.least(0);
      }
    }
    // distance.csv: every cell and arm on the screening seeds (validation), every promoted one on the promoted seeds (test).
    const distance = parseCsv(readFileSync(path.join(out, 'distance.csv'), 'utf8'));
    const overall = distance.filter((d) => d.claim === 'all');
    expect(overall.filter((d) => d.seeds === 'screen').map((d) => `${d.cell} ${d.arm} ${d.accuracy}`)).to.deep.equal(
      rows.map((r) => `${r.cell} ${r.arm} validation`),
    );
    // (The promoted ones in the order of promotion, not the grid's.)
    expect(
      overall
        .filter((d) => d.seeds === 'promoted')
        .map((d) => `${d.cell} ${d.arm} ${d.accuracy}`)
        .sort(),
    ).to.deep.equal(promoted.map((r) => `${r.cell} ${r.arm} test`).sort());
    for (const d of overall) {
      const claims = distance.filter((x) => x.cell === d.cell && x.arm === d.arm && x.seeds === d.seeds && x.claim !== 'all');
      expect(claims.map((c) => c.claim)).to.deep.equal(['1', '2', '3', '4']);
      expect(Number(d.distance)).to.be.closeTo(claims.reduce((a, c) => a + Number(c.distance), 0) / 4, 1e-9);
    }
    // The report: the rules' fingerprint, the cells promoted and judged, and the cautions the rules require.
    const report = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(report).to.include(`SHA-256 \`${config.rules.sha256}\``);
    for (const p of promoted) expect(report).to.include(`### ${p.cell} (${p.arm})`);
    for (const words of [
      'favours claims 2-4 (',
      'is not evidence that the article holds generally',
      'uncorrected',
      'answer different questions',
      'validation accuracy in place of the test accuracy',
      `Passed the screen (stage C, every network learns at the chosen rates): ${rows.filter((r) => r.passed === '1').length} of 4`,
    ])
      expect(report).to.include(words);

    // Again: every stage is complete, nothing runs, the matrix is the same.
    const written = ['matrix.csv', 'verdicts.csv', 'distance.csv', 'report.md'];
    const before = written.map((f) => readFileSync(path.join(out, f), 'utf8'));
    lines.length = 0;
    const again = await search(out);
    expect(again.done).to.equal(true);
    expect(lines.filter((l) => /to run on/.test(l))).to.deep.equal([]);
    expect(written.map((f) => readFileSync(path.join(out, f), 'utf8'))).to.deep.equal(before);
  });

  it('two shards per stage, merged after each, end in the matrix and the runs of one machine', async () => {
    const merged = path.join(root, 'merged');
    let rounds = 0;
    for (;;) {
      rounds++;
      const shards = [1, 2].map((k) => path.join(root, `round${rounds}-shard${k}`));
      for (const [k, dir] of shards.entries()) {
        const outcome = await search(dir, { shard: { index: k + 1, count: 2 }, after: rounds === 1 ? undefined : merged });
        expect(outcome.done, 'a shard never finishes the search').to.equal(false);
      }
      if (rounds === 1) {
        // A merge missing a shard names what is missing, and writes no stage.
        const missing = await rejection(mergeSearch(config, [shards[0]], path.join(root, 'partial'), () => {}));
        expect(missing.message).to.match(/^search merge \(stage A\): \d+ of 8 are complete in none of the folders/);
        expect(existsSync(path.join(root, 'partial', 'A'))).to.equal(false);
      }
      const progress = await mergeSearch(config, shards, merged, () => {});
      if (progress.done) break;
      expect(rounds, 'stages').to.be.below(8);
    }
    expect(rounds).to.equal(
      readdirSync(path.join(root, 'single')).filter((n) => ['A', 'B', 'audit', 'extend', 'B2', 'D'].includes(n)).length,
    );
    const judged = readdirSync(path.join(root, 'single', 'E')).flatMap((cell) =>
      ['runs.csv', 'test-images.csv', 'claims.csv'].map((f) => path.join('E', cell, f)),
    );
    for (const file of ['matrix.csv', 'stages.csv', 'verdicts.csv', 'distance.csv', 'report.md', ...judged]) {
      expect(readFileSync(path.join(merged, file), 'utf8'), file).to.equal(readFileSync(path.join(root, 'single', file), 'utf8'));
    }
    for (const stage of ['A', 'D']) {
      const runs = path.join(stage, 'runs');
      const names = readdirSync(path.join(root, 'single', runs)).sort();
      expect(readdirSync(path.join(merged, runs)).sort()).to.deep.equal(names);
      for (const name of names) {
        const history = path.join(runs, name, 'history.csv');
        expect(numbers(path.join(merged, history)), history).to.deep.equal(numbers(path.join(root, 'single', history)));
      }
    }
  });

  it('search check: on the complete search, runs its selection to the maximum as one more plan and writes check.csv and check.md', async () => {
    const out = path.join(root, 'single');
    const rulesFile = path.join(root, 'check-rules.json');
    writeFileSync(
      rulesFile,
      JSON.stringify({
        version: 1,
        sample: { perBatch: 2, seed: 7 },
        nearest: { count: 1 },
        fanIn: { init: 'xavier-gain4' },
        interpretation: { threshold: 0.1, alternatives: [0.2] },
      }),
    );
    const rules = loadCheckRules(rulesFile);
    const check = () =>
      runSearchCheck({
        config,
        rules,
        outDir: out,
        dataDir: fixture.dataDir,
        progress: 'none',
        stream: silentStream(),
        command: 'node dist/run.js search check',
        say: (line) => lines.push(line),
      });
    const outcome = await check();
    expect(outcome.files).to.deep.equal({ csv: path.join(out, 'check.csv'), report: path.join(out, 'check.md') });
    const rows = parseCsv(readFileSync(path.join(out, 'check.csv'), 'utf8'));
    expect(Object.keys(rows[0])).to.deep.equal([...CHECK_COLUMNS]);
    // The tiny grid has one initialisation, so the fan-in part is every screen run: the check runs each once.
    const screen = [...records(path.join(out, 'A')).values(), ...records(path.join(out, 'B')).values()];
    expect(rows).to.have.length(screen.length);
    const runs = records(path.join(out, 'check'));
    expect(runs.size).to.equal(rows.length);
    for (const r of runs.values()) {
      expect(r.configName, r.id).to.match(/-full$/);
      expect(r.config.stopping).to.deep.equal({ patience: 6 }); // the maximum: no stall rule
      expect(r.config.epochs).to.equal(6);
      expect(['maximum', 'patience', 'diverged']).to.include(r.stopReason);
    }
    for (const row of rows) {
      const screened = screen.find((r) => r.id === row.id.replace('-full-s', '-s'))!;
      expect(screened, row.id).to.not.equal(undefined);
      expect(row.screen_stop_reason).to.equal(screened.stopReason);
      expect(row.groups.split(' ')).to.include('fan-in');
    }
    const report = readFileSync(path.join(out, 'check.md'), 'utf8');
    for (const b of [1, 10]) expect(report).to.match(new RegExp(`^\\| ${b} \\| \\d+ \\| [0-2] \\| `, 'm'));
    // Again: every run is complete, nothing runs, the same bytes.
    const before = ['check.csv', 'check.md'].map((f) => readFileSync(path.join(out, f), 'utf8'));
    lines.length = 0;
    await check();
    expect(lines.filter((l) => /to run on/.test(l))).to.deep.equal([]);
    expect(['check.csv', 'check.md'].map((f) => readFileSync(path.join(out, f), 'utf8'))).to.deep.equal(before);
    // An unfinished search is refused in one line.
    const unfinished = path.join(root, 'check-unfinished');
    mkdirSync(unfinished);
    writeFileSync(path.join(unfinished, 'search.json'), readFileSync(path.join(out, 'search.json')));
    const err = await rejection(
      runSearchCheck({
        config,
        rules,
        outDir: unfinished,
        dataDir: fixture.dataDir,
        progress: 'none',
        stream: silentStream(),
        command: 'x',
        say: () => {},
      }),
    );
    expect(err).to.be.instanceOf(UserError);
    expect(err.message).to.include('stage A is not');
    expect(err.message.split('\n')).to.have.length(1);
  });

  it('refuses a folder of another search, a non-empty folder holding none, and --after without a shard: one line each', async () => {
    const otherSearch = writeTinySearch();
    try {
      const other = loadSearchConfig(otherSearch.configFile, true); // the quick part: another search
      const err = await rejection(runSearch({ ...baseOptions(), config: other, outDir: path.join(root, 'single') }));
      expect(err).to.be.instanceOf(UserError);
      expect(err.message).to.match(/single: holds a search with other settings \(.*search\.json\); use another --out$/);

      const foreign = path.join(root, 'foreign');
      mkdirSync(foreign);
      writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
      const notEmpty = await rejection(search(foreign));
      expect(notEmpty.message).to.match(/--out .*foreign: is not empty and holds no search \(search\.json\)/);
      expect(readdirSync(foreign)).to.deep.equal(['notes.txt']);

      const after = await rejection(search(path.join(root, 'x'), { after: path.join(root, 'single') }));
      expect(after.message).to.equal('--after: only with --shard (a machine running the whole search reads its own --out)');

      const merge = await rejection(mergeSearch(other, [path.join(root, 'single')], path.join(root, 'y'), () => {}));
      expect(merge.message).to.match(
        /single: holds a search with other settings than .*search\.json --quick; merge only shards of one search$/,
      );
      for (const line of [err, notEmpty, after, merge].map((e) => e.message)) expect(line.split('\n')).to.have.length(1);
    } finally {
      rmSync(otherSearch.root, { recursive: true, force: true });
    }

    function baseOptions(): RunSearchOptions {
      return {
        config,
        outDir: '',
        dataDir: fixture.dataDir,
        progress: 'none',
        stream: silentStream(),
        command: 'x',
        say: () => {},
      };
    }
  });
});
