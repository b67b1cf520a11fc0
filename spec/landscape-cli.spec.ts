/**
 * The `landscape` command end to end on fixture data (in-process: spawning the CLI under tsx
 * takes many seconds here): trains or loads or takes the untrained networks, writes its files,
 * and turns mistakes into one-line usage errors.
 */
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { landscapeCommand } from '../src/cli/landscape.js';
import { parseCsv } from '../src/util/csv.js';
import { runCommandInProcess } from './helpers/run-command.js';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';

function run(args: string[]): Promise<{ stdout: string; error?: Error }> {
  return runCommandInProcess(landscapeCommand, args);
}

describe('landscape: the command line', function () {
  this.timeout(60000);
  let fixture: FixtureDataDir;
  let dir: string;
  let relu: string;
  let sigmoid: string;
  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 100 });
    dir = await mkdtemp(path.join(os.tmpdir(), 'landscape-cli-'));
    const common = {
      hidden: [12, 8],
      epochs: 2,
      batchSize: 16,
      backend: 'wasm',
      data: { trainPerClass: 40, testPerClass: 10, validationPerClass: 20 },
    };
    relu = path.join(dir, 'relu-small.json');
    sigmoid = path.join(dir, 'sigmoid-small.json');
    await writeFile(relu, JSON.stringify({ ...common, activation: 'relu', init: { scheme: 'he' }, recordGradients: true }));
    await writeFile(sigmoid, JSON.stringify({ ...common, activation: 'sigmoid' }));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await fixture.cleanup();
  });

  it('trains both configs, probes them side by side and writes the CSVs, the chart and the training runs', async () => {
    const out = path.join(dir, 'trained');
    const r = await run([
      'landscape',
      '--config',
      relu,
      '--config',
      sigmoid,
      '--count',
      '2',
      '--points',
      '21',
      '--span',
      '2',
      '--jobs',
      '1',
      '--data-dir',
      fixture.dataDir,
      '--out',
      out,
      '--progress',
      'none',
    ]);
    expect(r.error, r.error?.message).to.equal(undefined);
    expect(r.stdout).to.match(/relu-small \(relu\): 2 weights swept; minimum inside the range for \d, at an edge for \d/);
    expect(r.stdout).to.match(/sigmoid-small \(sigmoid\): 2 weights swept/);
    expect(r.stdout).to.match(/time: probe [\d.]+ s on 1 thread .*training [\d.]+ s/);
    const rows = parseCsv(await readFile(path.join(out, 'landscape.csv'), 'utf8'));
    expect(rows).to.have.length(2 * 2 * 21);
    const info = JSON.parse(await readFile(path.join(out, 'landscape.json'), 'utf8'));
    expect(info.counts.map((c: { swept: number }) => c.swept)).to.deep.equal([2, 2]);
    expect(info.examples).to.equal('training set (80 examples)');
    // The training runs live inside, with their weights, curves and (when recorded) gradient charts.
    for (const f of [
      'train-relu-small/weights.json',
      'train-relu-small/curves.png',
      'train-relu-small/gradients-by-layer.png',
      'train-sigmoid-small/history.csv',
      'landscape.png',
    ]) {
      await readFile(path.join(out, f));
    }

    // The saved weights probe to the same curves without training again.
    const again = path.join(dir, 'loaded');
    const l = await run([
      'landscape',
      '--config',
      relu,
      '--config',
      sigmoid,
      '--count',
      '2',
      '--points',
      '21',
      '--span',
      '2',
      '--jobs',
      '1',
      '--weights',
      path.join(out, 'train-relu-small/weights.json'),
      '--weights',
      path.join(out, 'train-sigmoid-small/weights.json'),
      '--data-dir',
      fixture.dataDir,
      '--out',
      again,
    ]);
    expect(l.error, l.error?.message).to.equal(undefined);
    const reloaded = parseCsv(await readFile(path.join(again, 'landscape.csv'), 'utf8'));
    expect(reloaded.map((x) => x.loss)).to.deep.equal(rows.map((x) => x.loss));
    expect(reloaded.map((x) => x.gradient)).to.deep.equal(rows.map((x) => x.gradient));
  });

  it('probes the untrained networks with --at init, over a seeded subset with --examples', async () => {
    const out = path.join(dir, 'init');
    // Sigmoid: a smooth curve, so even 30 images and 11 points pass the derivative check (a ReLU
    // curve over so few images is a handful of kinks, which 11 points cannot resolve).
    const r = await run([
      'landscape',
      '--config',
      sigmoid,
      '--at',
      'init',
      '--weight',
      '3,1',
      '--weight',
      '100,7',
      '--points',
      '11',
      '--examples',
      '30',
      '--jobs',
      '1',
      '--data-dir',
      fixture.dataDir,
      '--out',
      out,
    ]);
    expect(r.error, r.error?.message).to.equal(undefined);
    const summary = parseCsv(await readFile(path.join(out, 'landscape-summary.csv'), 'utf8'));
    expect(summary.map((s) => `${s.weight_i},${s.weight_j}`)).to.deep.equal(['3,1', '100,7']);
    expect(summary[0].examples).to.equal('30 training examples (a seeded subset of 80)');
  });

  it('says in one line what is wrong with a flag', async () => {
    const cases: [string[], RegExp][] = [
      [['--at', 'init', '--weight', '3'], /^--weight 3: expected i,j/],
      [['--at', 'init', '--weight', '2000,1'], /^--weight 2000,1: outside the first layer of relu-small/],
      [['--at', 'later'], /^--at: expected one of trained, init, got "later"/],
      [['--at', 'init', '--weights', 'a.json'], /^--weights and --at init: choose one/],
      [['--weights', 'a.json', '--weights', 'b.json'], /^--weights: give one weights file per --config \(1\)/],
      [['--weights', path.join(dir, 'nothing.json')], /nothing\.json: cannot read the weights file: no such file/],
      [['--at', 'init', '--span', '2', '--from', '-1', '--to', '1'], /^--span: give either span or from\/to, not both/],
      [['--at', 'init', '--from', '1'], /^--to: give both from and to, or neither/],
      [['--at', 'init', '--points', '2'], /^--points: .*>=3/],
      [['--at', 'init', '--count', '2', '--weight', '1,1'], /^--weight and --count/],
    ];
    for (const [k, [flags, message]] of cases.entries()) {
      const r = await run(['landscape', '--config', relu, '--data-dir', fixture.dataDir, '--out', path.join(dir, `bad-${k}`), ...flags]);
      expect(r.error, flags.join(' ')).to.be.instanceOf(Error);
      expect(r.error!.message, flags.join(' ')).to.match(message);
      expect(r.error!.message).to.not.include('\n');
    }
    // The curves are losses against one set of targets: a config trained towards 0.9 / 0.1 beside one towards 1 / 0 is refused.
    const reachable = path.join(dir, 'sigmoid-reachable.json');
    await writeFile(
      reachable,
      JSON.stringify({ ...JSON.parse(await readFile(sigmoid, 'utf8')), targets: { positive: 0.9, negative: 0.1 } }),
    );
    const targets = await run(['landscape', '--config', sigmoid, '--config', reachable, '--at', 'init', '--data-dir', fixture.dataDir]);
    expect(targets.error?.message).to.match(/^--config: sigmoid-reachable uses different data settings or targets from sigmoid-small/);
    const file = await run(['landscape', '--config', relu, '--at', 'init', '--data-dir', fixture.dataDir, '--out', relu]);
    expect(file.error?.message).to.match(/^--out .*relu-small\.json: is a file, expected a folder/);
  });
});
