/**
 * The study end to end on synthetic CIFAR-10 files and tiny networks: tuning on the validation
 * split, judged runs, matrix and report; two shards merged give the matrix one machine gives;
 * the Slurm script and the GNU parallel line work as dry runs with their schedulers' variables.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { parseCsv } from '../src/util/csv.js';
import { runStudy } from '../src/study/run-study.js';
import { readGroupRecord } from '../src/experiment/tuned-groups.js';
import { mergeStudies } from '../src/study/merge-study.js';
import { mergeShards } from '../src/experiment/merge.js';
import { writeStudyReport } from '../src/study/report.js';
import { UserError } from '../src/util/errors.js';
import { addStudyAxis } from '../src/study/axes.js';
import { EPOCHS_AXIS } from './helpers/study-axis.js';
import { silentStream } from './helpers/silent-stream.js';

const projectRoot = path.resolve(import.meta.dirname, '..');

describe('study (synthetic data, tiny networks)', function () {
  this.timeout(240_000);
  let fixture: FixtureDataDir;
  let root: string;
  let studyFile: string;

  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 50 });
    root = mkdtempSync(path.join(os.tmpdir(), 'study-'));
    const cfg = path.join(root, 'configs');
    mkdirSync(cfg);
    for (const [activation, hidden] of [
      ['sigmoid', [5]],
      ['relu', [5]],
      ['sigmoid', [5, 4]],
      ['relu', [5, 4]],
    ] as const) {
      writeFileSync(path.join(cfg, `${activation}${hidden.length + 2}.json`), JSON.stringify({ activation, hidden, backend: 'cpu' }));
    }
    studyFile = path.join(cfg, 'study.json');
    writeFileSync(
      studyFile,
      JSON.stringify({
        networks: ['sigmoid3', 'relu3', 'sigmoid4', 'relu4'],
        seeds: 2,
        tuningSeeds: 1,
        batchSizes: [10],
        inits: [
          { name: 'he', scheme: 'he' },
          { name: 'half', scheme: 'uniform', limit: 0.5 },
        ],
        perBatch: { '10': { epochs: 2, learningRates: [0.3, 3], engine: 'handwritten' } },
        arms: ['tuned', 'one-rate'],
        quick: [{ batchSize: 10, init: 'he', arms: ['tuned'] }],
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

  const study = (outDir: string, shard = { index: 1, count: 1 }) =>
    runStudy({
      configFile: studyFile,
      quick: false,
      overrides: {},
      outDir,
      dataDir: fixture.dataDir,
      shard,
      jobs: 1,
      progress: 'none',
      stream: silentStream(),
    });

  it('tunes on validation, runs the judged seeds, and writes a matrix of every claim part x cell', async () => {
    const out = path.join(root, 'single');
    const outcome = await study(out);
    expect(outcome.ran).to.deep.equal(['b10-he', 'b10-half']);
    const group = readGroupRecord(out, 'b10-he');
    expect(group, 'group.json').to.not.equal(null);
    expect([0.3, 3]).to.include(group!.selection.shared);
    expect(Object.keys(group!.selection.tuned).sort()).to.deep.equal(['relu', 'sigmoid']);

    const files = await writeStudyReport(out);
    const rows = parseCsv(readFileSync(files.matrix, 'utf8'));
    const cells = [...new Set(rows.map((r) => r.cell))];
    expect(cells).to.deep.equal(['b10-he-tuned', 'b10-he-one-rate', 'b10-half-tuned', 'b10-half-one-rate']);
    for (const cell of cells) {
      const mine = rows.filter((r) => r.cell === cell);
      expect(mine.map((r) => r.claim)).to.include.members(['1', '2', '3', '4']);
      for (const r of mine)
        expect(['agrees', 'contradicts', 'inconclusive', 'mixed', 'not measured', 'still learning']).to.include(r.verdict);
    }
    const md = readFileSync(files.md, 'utf8');
    expect(md).to.match(/Closest to the article/);
    expect(existsSync(path.join(out, 'charts', 'verdicts.png'))).to.equal(true);

    // Run again: every group is complete, nothing runs, the matrix is unchanged.
    const again = await study(out);
    expect(again.ran).to.deep.equal([]);
  });

  it('two shards merged give the same matrix as one machine', async () => {
    const dirs = [path.join(root, 'shard-1'), path.join(root, 'shard-2')];
    const first = await study(dirs[0], { index: 1, count: 2 });
    const second = await study(dirs[1], { index: 2, count: 2 });
    expect([...first.ran, ...second.ran].sort()).to.deep.equal(['b10-half', 'b10-he']);
    expect(first.ran).to.have.length(1);

    const partial = path.join(root, 'partial');
    await mergeStudies([dirs[0]], partial).then(
      () => expect.fail('a merge missing a group must fail'),
      (e: unknown) => expect((e as Error).message).to.match(/^study merge: 1 of 2 are complete in none of the folders \(b10-/),
    );
    expect(existsSync(partial), 'a failed merge leaves no folder behind').to.equal(false);
    // The one merge recognises the kind of folder: a study is not merged as a sweep.
    await mergeShards({ dirs, outDir: path.join(root, 'never'), finish: async () => null }).then(
      () => expect.fail('a study merged as a sweep must fail'),
      (e: unknown) => expect((e as Error).message).to.match(/holds a study, not a reproduce sweep; merge it with `study merge`/),
    );

    const merged = path.join(root, 'merged');
    const { final: files } = await mergeStudies(dirs, merged);
    const single = readFileSync(path.join(root, 'single', 'matrix.csv'), 'utf8');
    expect(readFileSync(files.matrix, 'utf8')).to.equal(single);
    // The merged folder holds the single machine's judged runs, with the same numbers (all but the clock's).
    const numbers = (file: string) =>
      parseCsv(readFileSync(file, 'utf8')).map((row) =>
        Object.fromEntries(Object.entries(row).filter(([column]) => !['seconds', 'elapsed_seconds', 'finished_at'].includes(column))),
      );
    for (const group of ['b10-half', 'b10-he']) {
      const runs = path.join('groups', group, 'judged', 'runs');
      const names = readdirSync(path.join(root, 'single', runs));
      expect(readdirSync(path.join(merged, runs))).to.deep.equal(names);
      for (const name of names) {
        const history = path.join(runs, name, 'history.csv');
        expect(numbers(path.join(merged, history)), history).to.deep.equal(numbers(path.join(root, 'single', history)));
      }
    }
  });

  it('an axis added by the recipe alone (docs/architecture.md) runs end to end: its groups train with its values, the matrix and study.md name them', async () => {
    const remove = addStudyAxis(EPOCHS_AXIS);
    try {
      const raw = JSON.parse(readFileSync(studyFile, 'utf8')) as Record<string, unknown>;
      const file = path.join(path.dirname(studyFile), 'study-epochs.json');
      const quick = [1, 2].map((epochs) => ({ batchSize: 10, init: 'he', epochs, arms: ['tuned'] }));
      writeFileSync(file, JSON.stringify({ ...raw, inits: [{ name: 'he', scheme: 'he' }], epochCounts: [1, 2], quick }));
      const out = path.join(root, 'axis');
      const outcome = await runStudy({
        configFile: file,
        quick: true,
        overrides: {},
        outDir: out,
        dataDir: fixture.dataDir,
        shard: { index: 1, count: 1 },
        jobs: 1,
        progress: 'none',
        stream: silentStream(),
        report: true,
      });
      expect(outcome.ran).to.deep.equal(['b10-he-e1', 'b10-he-e2']);
      for (const epochs of [1, 2]) {
        const runs = path.join(out, 'groups', `b10-he-e${epochs}`, 'judged', 'runs');
        for (const name of readdirSync(runs)) {
          expect(parseCsv(readFileSync(path.join(runs, name, 'history.csv'), 'utf8')), name).to.have.length(epochs + 1);
        }
      }
      const rows = parseCsv(readFileSync(outcome.report!.matrix, 'utf8'));
      expect([...new Set(rows.map((r) => r.cell))]).to.deep.equal(['b10-he-e1-tuned', 'b10-he-e2-tuned']);
      expect([...new Set(rows.map((r) => r.epochs))]).to.deep.equal(['1', '2']);
      expect(readFileSync(outcome.report!.md, 'utf8')).to.include('| cell | batch | init | epochs | arm |');
    } finally {
      remove();
    }
  });

  it('refuses to mix another study into a folder, and a non-empty folder that holds no study', async () => {
    const foreign = path.join(root, 'foreign');
    mkdirSync(foreign);
    writeFileSync(path.join(foreign, 'notes.txt'), 'mine');
    await study(foreign).then(
      () => expect.fail('must refuse'),
      (e: unknown) => {
        expect(e).to.be.instanceOf(UserError);
        expect((e as Error).message).to.match(/not empty and holds no study/);
      },
    );
    expect(readFileSync(path.join(foreign, 'notes.txt'), 'utf8')).to.equal('mine');
  });

  it('the Slurm script and the GNU parallel line run as dry runs with their variables', function () {
    if (!existsSync(path.join(projectRoot, 'dist', 'run.js'))) this.skip();
    const args = `--config ${studyFile} --data-dir ${fixture.dataDir} --dry-run`;
    const slurm = spawnSync('bash', [path.join(projectRoot, 'scripts', 'study-slurm.sh')], {
      cwd: projectRoot,
      encoding: 'utf8',
      env: {
        ...process.env,
        SLURM_ARRAY_TASK_ID: '2',
        SLURM_ARRAY_TASK_COUNT: '2',
        SLURM_ARRAY_TASK_MIN: '1',
        STUDY_ARGS: args,
        SLURM_SUBMIT_DIR: projectRoot,
      },
    });
    expect(slurm.status, slurm.stderr).to.equal(0);
    expect(slurm.stderr).to.match(/shard 2\/2 \(Slurm array\) runs 1: b10-/);
    expect(slurm.stderr).to.match(/estimated .* on \d+ workers/);

    const parallel = spawnSync('parallel', ['--version'], { encoding: 'utf8' });
    if (parallel.status !== 0) {
      if (process.env.CI) expect.fail('GNU parallel is not installed (.ci/run installs it)');
      return;
    }
    const line = spawnSync(
      'parallel',
      [
        '-j',
        '2',
        'node',
        'dist/run.js',
        'study',
        '--jobs',
        '1',
        '--shard',
        '{}/2',
        '--out',
        path.join(root, 'p-{}'),
        ...args.split(' '),
        ':::',
        '1',
        '2',
      ],
      { cwd: projectRoot, encoding: 'utf8' },
    );
    expect(line.status, line.stderr).to.equal(0);
    expect(line.stderr).to.match(/shard 1\/2 \(--shard\)/);
    expect(line.stderr).to.match(/shard 2\/2 \(--shard\)/);
  });
});
