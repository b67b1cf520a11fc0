/**
 * The explain command's module end to end on synthetic CIFAR-10 files and tiny networks: every
 * variant tuned on the validation split and trained at two depths, then explain.csv, the chart
 * and explain.md; a second run resumes with nothing to do; a dry run plans only its shard's variants.
 */
import { expect } from 'chai';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { parseCsv } from '../src/util/csv.js';
import { runExplain, type ExplainOptions } from '../src/explain/run-explain.js';
import { writeExplainReport } from '../src/explain/report.js';
import { mergeExplain } from '../src/explain/merge-explain.js';
import { readGroupRecord } from '../src/experiment/tuned-groups.js';
import { silentStream } from './helpers/silent-stream.js';

describe('explain (synthetic data, tiny networks)', function () {
  this.timeout(480_000); // the first test runs the experiment three times: whole, then as two shards (on a shared, loaded machine)
  let fixture: FixtureDataDir;
  let root: string;
  let configFile: string;

  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 50 });
    root = mkdtempSync(path.join(os.tmpdir(), 'explain-'));
    configFile = path.join(root, 'explain.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        // The 2 x 2 of factors (the Sigmoid fixes are the same machinery with other run settings; each variant costs two sweeps).
        variants: ['sigmoid', 'relu', 'relu-clipped', 'relu-scaled'],
        hidden: [4, 3],
        layers: [3, 4],
        init: { name: 'he', scheme: 'he' },
        batchSize: 10,
        epochs: 1,
        learningRates: [0.3, 1],
        engine: 'handwritten',
        backend: 'cpu',
        seeds: 2,
        trainPerClass: 20,
        validationPerClass: 10,
        testPerClass: 10,
      }),
    );
  });

  after(async () => {
    await fixture?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const explain = (outDir: string, extra: Partial<ExplainOptions> = {}) =>
    runExplain({
      configFile,
      overrides: {},
      outDir,
      dataDir: fixture.dataDir,
      shard: { index: 1, count: 1 },
      jobs: 1,
      progress: 'none',
      stream: silentStream(),
      ...extra,
    });

  it('trains every variant at every depth with a rate chosen per variant, and writes the table, chart and report', async () => {
    const out = path.join(root, 'out');
    const outcome = await explain(out);
    expect(outcome.ran).to.deep.equal(['sigmoid', 'relu', 'relu-clipped', 'relu-scaled']);
    expect(outcome.complete).to.equal(true);
    const group = readGroupRecord(path.join(out, 'variants', 'relu-scaled'), 'b10-he');
    expect(Object.keys(group!.selection.tuned)).to.deep.equal(['relu-scaled']);
    expect([0.3, 1]).to.include(group!.selection.tuned['relu-scaled']);

    const files = await writeExplainReport(out, configFile, outcome.config);
    const rows = parseCsv(readFileSync(files.csv, 'utf8'));
    const accuracy = rows.filter((r) => r.measure === 'test_accuracy');
    expect(accuracy.map((r) => `${r.variant}/${r.layers}`)).to.have.length(8);
    expect(new Set(rows.map((r) => r.variant))).to.deep.equal(new Set(outcome.config.variants));
    for (const r of accuracy) {
      expect(Number(r.n)).to.equal(2);
      expect(Number(r.mean)).to.be.within(0, 100);
      expect(Number(r.ci_low)).to.be.at.most(Number(r.mean));
    }
    const penalties = rows.filter((r) => r.measure === 'depth_penalty');
    expect(penalties.map((r) => r.layers)).to.deep.equal(new Array(4).fill('3-4'));
    // The penalty row is the mean over seeds of 3-layer minus 4-layer accuracy: check against the accuracy rows.
    for (const p of penalties) {
      const at = (l: string) => Number(accuracy.find((r) => r.variant === p.variant && r.layers === l)!.mean);
      expect(Number(p.mean)).to.be.closeTo(at('3') - at('4'), 1e-9);
    }
    expect(existsSync(files.chart)).to.equal(true);
    const md = readFileSync(files.md, 'utf8');
    expect(md).to.match(/## The author's explanation/);
    expect(md).to.match(/The data blames: (bounded output|shrinking derivative|both|inconclusive)\./);
    expect(md).to.match(/sigmoid-reachable.*: not measured\./);

    // The deepest network of each variant is probed: landscape and the author's explanation, per judged seed.
    for (const variant of outcome.config.variants) {
      // Every variant's curves are classified; a measure that cannot be taken on a seed (a rectifier layer with all
      // units off has no δ) is left out, never made up, so only Sigmoid is sure to have all of them on these tiny nets.
      const measures =
        variant === 'sigmoid'
          ? ['landscape_interior_share', 'delta_log10_init', 'delta_log10_trained', 'saturated_trained']
          : ['landscape_interior_share'];
      for (const measure of measures) {
        const row = rows.find((r) => r.variant === variant && r.measure === measure);
        expect(row, `${variant} ${measure}`).to.not.equal(undefined);
        expect(row!.layers).to.equal('4');
        expect(Number(row!.n), `${variant} ${measure}`).to.equal(2);
      }
    }
    expect(md).to.match(/## Each variant's deepest network: landscape and mechanism/);
    expect(md).to.match(/\| relu-scaled \| relu-scaled4-lr[0-9.]+ \(n = 2\) \|/);

    const again = await explain(out);
    expect(again.ran).to.deep.equal([]);
    expect(again.complete).to.equal(true);

    // --reuse: a new folder takes every finished run from this one (same settings) instead of training it again.
    const copy = path.join(root, 'reused');
    const reused = await explain(copy, { reuseFrom: out });
    expect(reused.complete).to.equal(true);
    const judgedRun = (dir: string) => path.join(dir, 'variants', 'sigmoid', 'groups', 'b10-he', 'judged', 'runs');
    const first = readdirSync(judgedRun(out))[0];
    expect(readFileSync(path.join(judgedRun(copy), first, 'result.json'), 'utf8')).to.equal(
      readFileSync(path.join(judgedRun(out), first, 'result.json'), 'utf8'),
    );
    const copied = await writeExplainReport(copy, configFile, reused.config);
    expect(readFileSync(copied.csv, 'utf8')).to.equal(readFileSync(files.csv, 'utf8'));

    // --shard 1/2 and 2/2, each into its own folder (as on two machines): each runs its own variants, and `explain
    // merge` gives the table one machine gives, byte for byte.
    const shards = [path.join(root, 'shard-1'), path.join(root, 'shard-2')];
    const one = await explain(shards[0], { shard: { index: 1, count: 2 } });
    expect(one.complete).to.equal(false);
    const two = await explain(shards[1], { shard: { index: 2, count: 2 } });
    expect([...one.ran, ...two.ran].sort()).to.deep.equal([...outcome.config.variants].sort());
    expect(one.ran.filter((v) => two.ran.includes(v))).to.deep.equal([]);
    const mergeInto = (outDir: string, dirs = shards) => mergeExplain({ dirs, outDir, configFile, overrides: {} });
    const partial = path.join(root, 'partial');
    await mergeInto(partial, [shards[0]]).then(
      () => expect.fail('a merge missing a shard must fail'),
      (e: unknown) => expect((e as Error).message).to.match(/^explain merge: \d+ of 4 are complete in none of the folders \(variants\//),
    );
    expect(existsSync(partial)).to.equal(false);
    const merged = await mergeInto(path.join(root, 'merged'));
    expect(merged.copied).to.equal(4);
    expect(readFileSync(merged.final.csv, 'utf8')).to.equal(readFileSync(files.csv, 'utf8'));
  });

  it("a dry run plans only its shard's variants and runs nothing", async () => {
    const out = path.join(root, 'sharded');
    const planned: string[] = [];
    const dry = await explain(out, {
      dryRun: true,
      shard: { index: 3, count: 3 },
      onPlan: (todo) => void planned.push(...todo.map((v) => v.variant)),
    });
    expect(planned).to.deep.equal(['relu-clipped']);
    expect(dry.ran).to.deep.equal([]);
    expect(existsSync(out)).to.equal(false);

    const foreign = path.join(root, 'foreign');
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    await explain(foreign).then(
      () => expect.fail('must refuse a folder that holds something else'),
      (e: unknown) => expect((e as Error).message).to.match(/not empty and holds no explain experiment/),
    );
  });
});
