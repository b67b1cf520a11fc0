/**
 * The train command as a user runs it: `node dist/run.js --config FILE [flags]` (build first;
 * `npm test` does). Mistakes give one line on stderr and a non-zero exit, never a stack; a run
 * on fixture data leaves its files; Ctrl-C leaves the finished epochs readable.
 */
import { expect } from 'chai';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv } from '../src/util/csv.js';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { CLI, runBuiltCli } from './helpers/built-cli.js';

const runCli = runBuiltCli;

/** Runs tasks with at most `limit` at a time (the machine has two cores). */
async function inPool<T, R>(items: readonly T[], limit: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

describe('train: the command line', function () {
  let dir: string;
  let fixture: FixtureDataDir;

  before(async function () {
    if (!existsSync(CLI)) throw new Error('dist/run.js is missing: run `npm run build` first (npm test does it)');
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'train-cli-'));
    fixture = await makeFixtureDataDir({ recordsPerBatch: 200 });
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
    await fixture?.cleanup();
  });

  async function writeConfig(name: string, content: unknown): Promise<string> {
    const file = path.join(dir, name);
    await fs.writeFile(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  // Every config mistake's message is checked in-process in spec/config.spec.ts; here a sample
  // of each kind goes through the real command line (each spawn loads Node and the program).
  it('rejects invalid configs and flags with one line naming the file or flag, exit 2, no stack', async () => {
    const good = { hidden: [8], activation: 'relu' };
    const cases: { what: string; args: () => Promise<string[]>; message: RegExp }[] = [
      {
        what: 'unknown key',
        args: async () => ['--config', await writeConfig('unknown.json', { ...good, learningrate: 0.1 })],
        message: /unknown\.json: unknown key "learningrate"/,
      },
      { what: 'no --config', args: async () => [], message: /Missing required argument: config/ },
      {
        what: 'unknown flag',
        args: async () => ['--config', await writeConfig('ok1.json', good), '--learning-rate', '0.1'],
        message: /Unknown arguments?: learning-rate/,
      },
      {
        what: '--epochs not a number',
        args: async () => ['--config', await writeConfig('ok2.json', good), '--epochs', 'ten'],
        message: /--epochs: expected a number, got "ten"/,
      },
      {
        what: '--epochs without a value',
        args: async () => ['--config', await writeConfig('ok3.json', good), '--epochs'],
        message: /--epochs: expected a value after the flag/,
      },
      { what: '--lr negative', args: async () => ['--config', await writeConfig('ok4.json', good), '--lr', '-1'], message: /--lr: .*>0/ },
      {
        what: '--progress unknown',
        args: async () => ['--config', await writeConfig('ok9.json', good), '--progress', 'fancy'],
        message: /--progress: expected one of auto, bar, lines, none/,
      },
    ];
    const results = await inPool(cases, 3, async (c) => ({ c, r: await runCli(await c.args()) }));
    for (const { c, r } of results) {
      const lines = r.stderr.trimEnd().split('\n');
      expect(lines, `${c.what}: stderr was\n${r.stderr}`).to.have.length(1);
      expect(lines[0], c.what).to.match(/^error: /);
      expect(lines[0], c.what).to.match(c.message);
      expect(r.stderr, c.what).to.not.match(/\n\s+at /);
      expect(r.code, c.what).to.equal(2);
    }
  });

  it('trains end to end on fixture data into outputs/<config>-<time>/ and prints backend and final accuracy', async () => {
    const config = await writeConfig('tiny.json', {
      hidden: [8],
      activation: 'relu',
      learningRate: 0.1,
      batchSize: 20,
      epochs: 2,
      data: { trainPerClass: 60, testPerClass: 20, validationPerClass: 20 },
    });
    const r = await runCli(['--config', config, '--data-dir', fixture.dataDir, '--seed', '4'], { cwd: dir });
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(
      /^backend: wasm \(@tensorflow\/tfjs-backend-wasm [\d.]+, 1 thread\) \((batch 20 < 256: a second thread slows small-batch steps down|one core for this run)\)$/m,
    );
    expect(r.stdout).to.match(/^epoch 2\/2 /m); // not a terminal: one plain line per epoch
    expect(r.stdout).to.match(/^epoch 2\/2 .* val loss \d\.\d{4} acc \d+\.\d % /m); // the set that chooses the epoch
    expect(r.stdout).to.match(
      /^test \d+\.\d % at epoch \d+ \(lowest validation loss\); final \d+\.\d % at epoch 2 \(2 epochs, no stopping rule\)$/m,
    );
    expect(r.stdout).to.match(/^full test set \(120 images\): \d+\.\d % at epoch \d+, \d+\.\d % at epoch 2$/m);
    const runs = await fs.readdir(path.join(dir, 'outputs'));
    expect(runs).to.have.length(1);
    expect(runs[0]).to.match(/^tiny-\d{8}T\d{6}Z$/);
    const out = path.join(dir, 'outputs', runs[0]);
    for (const f of ['history.csv', 'summary.csv', 'run.json', 'weights.json']) expect(existsSync(path.join(out, f)), f).to.equal(true);
    const history = parseCsv(await fs.readFile(path.join(out, 'history.csv'), 'utf8'));
    expect(history.map((h) => h.epoch)).to.deep.equal(['0', '1', '2']);
    const run = JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8'));
    expect(run.seed).to.equal(4);
    expect(run.config.epochs).to.equal(2);
    expect(run.data.source).to.be.a('string').and.not.equal('');
    expect(run.data.trainCount).to.equal(120);
  });

  it('on Ctrl-C stops, keeps the finished epochs in history.csv and says where', async () => {
    const config = await writeConfig('long.json', {
      hidden: [8],
      activation: 'sigmoid',
      batchSize: 10,
      epochs: 500,
      data: { trainPerClass: 60, testPerClass: 20, validationPerClass: 20 },
    });
    const out = path.join(dir, 'interrupted');
    let sent = false;
    const r = await runCli(['--config', config, '--data-dir', fixture.dataDir, '--out', out], {
      onStdout: (text, child) => {
        if (!sent && /^epoch +2\/500 /m.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(sent, r.stdout + r.stderr).to.equal(true);
    expect(r.code).to.equal(130);
    const last = r.stderr.trimEnd().split('\n').pop() ?? '';
    const m = /^error: interrupted after (\d+) of 500 epochs; the finished epochs are in (.+history\.csv)$/.exec(last);
    expect(m, r.stderr).to.not.equal(null);
    expect(r.stderr).to.not.match(/\n\s+at /);
    const finished = Number(m![1]);
    expect(finished).to.be.within(2, 499);
    const history = parseCsv(await fs.readFile(m![2], 'utf8'));
    expect(history.map((h) => Number(h.epoch))).to.deep.equal([...Array(finished + 1).keys()]);
    const run = JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8'));
    expect(run.status).to.equal('interrupted');
    expect(existsSync(path.join(out, 'summary.csv'))).to.equal(false);
  });
});
