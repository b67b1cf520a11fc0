/**
 * One run on several cores (issue 15): TensorFlow.js's threaded wasm build started under Node
 * (src/nn/tfjs/wasm-threads.ts) and the rule that gives a run its threads (src/nn/tfjs/threads.ts).
 *
 * The backend is set up once per process, so the runs are real `node dist/run.js` processes on
 * fixture data: with 2 threads the backend must say so, and the numbers must equal the
 * one-thread run's to the bit (XNNPACK splits a product by blocks of output, never a sum).
 */
import { expect } from 'chai';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv } from '../src/util/csv.js';
import { coresPerRun, threadsForRun } from '../src/nn/tfjs/threads.js';
import { ROW_MAJOR_FROM } from '../src/nn/tfjs/layout.js';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { CLI, ROOT, runBuiltCli } from './helpers/built-cli.js';

const runCli = runBuiltCli;

describe('threads: the rule', () => {
  it('auto gives every allowed core to row-major batches and one thread below', () => {
    expect(threadsForRun('auto', ROW_MAJOR_FROM, 2).threads).to.equal(2);
    expect(threadsForRun('auto', 4000, 4).threads).to.equal(4);
    expect(threadsForRun('auto', ROW_MAJOR_FROM - 1, 2).threads).to.equal(1);
    expect(threadsForRun('auto', 1, 8).threads).to.equal(1);
    expect(threadsForRun('auto', 4000, 1).threads).to.equal(1);
    expect(threadsForRun('auto', 4000, 1.5).threads).to.equal(1);
  });

  it('a number is taken as asked, whatever the batch', () => {
    expect(threadsForRun(2, 1, 1)).to.deep.equal({ threads: 2, why: 'as asked (--threads)' });
    expect(threadsForRun(1, 4000, 8).threads).to.equal(1);
  });

  it("a sweep's parallel runs share the cores without oversubscribing them", () => {
    expect(coresPerRun(2, 2)).to.equal(1);
    expect(coresPerRun(2, 1)).to.equal(2);
    expect(coresPerRun(8, 3)).to.equal(2);
    expect(coresPerRun(2, 5)).to.equal(1);
    expect(coresPerRun(4, 0)).to.equal(4);
  });
});

describe('threads: a training run on the threaded wasm build', function () {
  this.timeout(120_000);
  let dir: string;
  let fixture: FixtureDataDir;

  before(async function () {
    if (!existsSync(CLI)) throw new Error('dist/run.js is missing: run `npm run build` first (npm test does it)');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasm-threads-'));
    fixture = await makeFixtureDataDir({ recordsPerBatch: 200 });
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
    await fixture?.cleanup();
  });

  /** Trains the same tiny config with each thread count; returns the run folders. */
  async function trainWith(name: string, batchSize: number, threads: string[]): Promise<{ out: string; stdout: string }[]> {
    const config = path.join(dir, `${name}.json`);
    await fs.writeFile(
      config,
      JSON.stringify({
        hidden: [20, 10],
        activation: 'sigmoid',
        learningRate: 0.5,
        batchSize,
        epochs: 3,
        backend: 'wasm',
        data: { trainPerClass: 150, testPerClass: 20, validationPerClass: 20 },
      }),
    );
    const runs = [];
    for (const t of threads) {
      const out = path.join(dir, `${name}-${t}`);
      const r = await runCli(['--config', config, '--data-dir', fixture.dataDir, '--threads', t, '--out', out, '--progress', 'lines']);
      expect(r.code, r.stderr).to.equal(0);
      runs.push({ out, stdout: r.stdout });
    }
    return runs;
  }

  /** history.csv without the columns that time the epochs. */
  async function numbersOf(out: string): Promise<Record<string, string>[]> {
    const rows = parseCsv(await fs.readFile(path.join(out, 'history.csv'), 'utf8'));
    return rows.map(({ seconds: _s, elapsed_seconds: _e, finished_at: _f, ...numbers }) => numbers);
  }

  it('a row-major batch on 2 threads says so and gives the one-thread numbers to the bit', async () => {
    const [one, two] = await trainWith('rows', 300, ['1', '2']);
    const run2 = JSON.parse(await fs.readFile(path.join(two.out, 'run.json'), 'utf8'));
    expect(run2.threads).to.equal(2);
    expect(run2.backend.threads).to.equal(2);
    expect(await fs.readFile(path.join(two.out, 'weights.json'), 'utf8')).to.equal(
      await fs.readFile(path.join(one.out, 'weights.json'), 'utf8'),
    );
    const [h1, h2] = [await numbersOf(one.out), await numbersOf(two.out)];
    expect(h1).to.have.length(4);
    expect(h2).to.deep.equal(h1);
  });

  it('auto picks 2 threads for a row-major batch on 2 cores and 1 for a small one, and says why', async function () {
    if (os.availableParallelism() < 2) this.skip();
    const [big] = await trainWith('auto-big', 300, ['auto']);
    expect(big.stdout).to.match(/^backend: wasm \(.*, \d+ threads\) \(batch 300 ≥ 256: large products split over \d+ cores\)$/m);
    const [small] = await trainWith('auto-small', 20, ['auto']);
    expect(small.stdout).to.match(/^backend: wasm \(.*, 1 thread\) \(batch 20 < 256: a second thread slows small-batch steps down\)$/m);
  });

  it('a feature-major batch forced onto 2 threads gives the same numbers too', async () => {
    const [one, two] = await trainWith('features', 20, ['1', '2']);
    expect(await fs.readFile(path.join(two.out, 'weights.json'), 'utf8')).to.equal(
      await fs.readFile(path.join(one.out, 'weights.json'), 'utf8'),
    );
  });

  it('--threads outside 1-8 is one line naming the flag', async () => {
    for (const bad of ['0', '9', 'two', '1.5']) {
      const r = await runCli(['--config', path.join(ROOT, 'configs', 'sigmoid5.json'), '--threads', bad]);
      expect(r.code, bad).to.not.equal(0);
      expect(r.stderr.trim()).to.equal(`error: --threads: expected auto or a whole number from 1 to 8, got "${bad}"`);
    }
  });
});
