/**
 * Bad input, class by class (issue 11), as a user meets it: the built command line
 * (`node dist/run.js`, or the one named by $CLI_UNDER_TEST, to run these cases against
 * another build) in a scratch folder. Every case asserts the exit code, the single line on
 * stderr, and what is (not) left on disk. The data cache and the lock are tested in process.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureData } from '../src/data/fetch.js';
import { batchDirOf } from '../src/data/cache.js';
import { BATCH_FILES } from '../src/data/checksums.js';
import type { DataSource } from '../src/data/sources/source.js';
import { lockFolder } from '../src/util/lock.js';
import { parseCsv } from '../src/util/csv.js';
import { saveParams } from '../src/nn/params-io.js';
import { initParams } from '../src/nn/params.js';
import { makeFixtureDataDir, tableOf, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { ROOT, expectOneLine, runBuiltCli, type CliOptions, type CliResult } from './helpers/built-cli.js';

/** The CLI with its debug switch off; a run longer than `timeoutMs` (30 s) is killed. */
function runCli(args: string[], opts: CliOptions & { cwd: string }): Promise<CliResult> {
  return runBuiltCli(args, { ...opts, env: { CIFAR10_MLP_DEBUG: '', ...opts.env }, timeoutMs: opts.timeoutMs ?? 30_000 });
}

/** The run ended with exactly one line on stderr, matching `pattern`, no stack, and this exit code. */
/** Every file and folder under `dir`, relative. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map(String).sort();
}

const TINY = {
  hidden: [4],
  activation: 'sigmoid',
  batchSize: 10,
  epochs: 1,
  data: { trainPerClass: 60, testPerClass: 20, validationPerClass: 10 },
};

describe('bad input, class by class: one line, an exit code, nothing left behind', function () {
  this.timeout(120_000);
  let work: string;
  let fixture: FixtureDataDir;

  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 80 });
  });
  after(() => fixture.cleanup());
  beforeEach(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'cli-errors-'));
  });
  afterEach(() => fs.rm(work, { recursive: true, force: true }));

  async function writeJson(name: string, value: unknown, prefix = ''): Promise<string> {
    const file = path.join(work, name);
    await fs.writeFile(file, prefix + JSON.stringify(value, null, 1));
    return file;
  }

  /** A reproduce config of one tiny run config, in work/sweep-configs/. */
  async function sweepConfig(extra: object = {}): Promise<string> {
    await fs.mkdir(path.join(work, 'sweep-configs'));
    await writeJson(path.join('sweep-configs', 'tiny.json'), TINY);
    return writeJson(path.join('sweep-configs', 'reproduce.json'), { configs: ['tiny'], seeds: 1, ...extra });
  }

  it('1. a config name is a label: no path, no newline, no 300 characters; nothing is written anywhere', async () => {
    const outside = path.join(path.dirname(work), `escaped-${path.basename(work)}`);
    for (const name of [`../../${path.basename(outside)}`, '/tmp/abs', 'two\nlines', 'x'.repeat(300)]) {
      const config = await writeJson('named.json', { ...TINY, name });
      const r = await runCli(['--config', config, '--data-dir', fixture.dataDir], { cwd: work });
      expectOneLine(r, 2, /named\.json: field "name": /);
    }
    expect(existsSync(outside)).to.equal(false);
    expect(await listTree(work)).to.deep.equal(['named.json']);
  });

  it('2. reproduce and merge refuse a non-empty folder they did not make, and leave it as it was', async () => {
    const config = await sweepConfig();
    const run = path.join(work, 'a-training-run');
    await fs.mkdir(run);
    await fs.writeFile(path.join(run, 'summary.csv'), 'config\nrelu7\n');
    const before = await listTree(run);
    const sweep = await runCli(['reproduce', '--config', config, '--out', run, '--data-dir', fixture.dataDir], { cwd: work });
    expectOneLine(sweep, 2, /--out .*a-training-run: holds files but no plan\.json, so it is not a folder of `reproduce`/);
    const merge = await runCli(['reproduce', 'merge', run, '--out', run], { cwd: work });
    expect(merge.code).to.not.equal(0);
    expect(merge.stderr.trimEnd().split('\n')).to.have.length(1);
    expect(await listTree(run)).to.deep.equal(before);
    expect(await fs.readFile(path.join(run, 'summary.csv'), 'utf8')).to.equal('config\nrelu7\n');
  });

  it('3. folders under /proc or /sys, behind a file, or unwritable fail at once (no endless mkdir)', async () => {
    const config = await writeJson('tiny.json', TINY);
    await fs.writeFile(path.join(work, 'a-file'), 'x');
    const cases: [string[], number, RegExp][] = [
      [['--config', config, '--out', '/proc/cifar-x/run'], 2, /--out \/proc\/cifar-x\/run: is under \/proc, a kernel filesystem/],
      [['--config', config, '--out', '/sys/kernel/cifar-x'], 2, /--out \/sys\/kernel\/cifar-x: is under \/sys/],
      [['reproduce', '--config', await sweepConfig(), '--out', '/proc/self/x'], 2, /--out \/proc\/self\/x: is under \/proc/],
      [['--config', config, '--out', path.join(work, 'a-file', 'run')], 2, /cannot create the folder: .*a-file is a file/],
      [
        ['reproduce', '--config', path.join(work, 'sweep-configs', 'reproduce.json'), '--out', path.join(work, 'a-file')],
        2,
        /is a file, expected a folder/,
      ],
    ];
    for (const [args, code, pattern] of cases) {
      const t = performance.now();
      const r = await runCli([...args, '--data-dir', fixture.dataDir], { cwd: work, timeoutMs: 20_000 });
      expectOneLine(r, code, pattern);
      expect(performance.now() - t, args.join(' ')).to.be.below(15_000);
    }
    const locked = path.join(work, 'read-only');
    await fs.mkdir(locked, { mode: 0o555 });
    const asRoot = process.getuid?.() === 0;
    if (!asRoot || spawnSync('chattr', ['+i', locked]).status === 0) {
      try {
        const r = await runCli(['--config', config, '--out', path.join(locked, 'run'), '--data-dir', fixture.dataDir], { cwd: work });
        expectOneLine(r, 1, /cannot create the folder: (permission denied|not permitted) at .*read-only\/run$/);
      } finally {
        if (asRoot) spawnSync('chattr', ['-i', locked]);
      }
    }
    expect(await listTree(work)).to.not.include('outputs');
  });

  it('4. flags pass the same limits as the file, derived values too (the last seed), before any job starts', async () => {
    const config = await sweepConfig();
    const highSeed = await writeJson(path.join('sweep-configs', 'high-seed.json'), { configs: ['tiny'], firstSeed: 4294967290, seeds: 3 });
    const overflow = await writeJson(path.join('sweep-configs', 'overflow.json'), { configs: ['tiny'], firstSeed: 4294967295, seeds: 2 });
    const cases: [string[], RegExp][] = [
      [['--seeds', '100000'], /^error: --seeds: .*<=1000/],
      [['--jobs', '100000'], /^error: --jobs: expected "auto" or at most 4 worker processes per core/],
      [['--seeds', '0'], /^error: --seeds: /],
      [
        ['--config', overflow],
        /overflow\.json: field "seeds": the last seed, firstSeed \+ seeds - 1 = 4294967296, must be at most 4294967295/,
      ],
      [
        ['--config', highSeed, '--seeds', '10'],
        /^error: --seeds: the last seed, firstSeed \+ seeds - 1 = 4294967299, must be at most 4294967295/,
      ],
      [['--epochs', '0'], /^error: --epochs: /],
      [['--train-per-class', '0'], /^error: --train-per-class: /],
      [['--train-per-class', '4995'], /^error: --train-per-class: /],
    ];
    for (const [flags, pattern] of cases) {
      const args = flags.includes('--config') ? flags : ['--config', config, ...flags];
      const out = path.join(work, 'sweep-out');
      const r = await runCli(['reproduce', ...args, '--out', out, '--data-dir', fixture.dataDir], { cwd: work });
      expectOneLine(r, 2, pattern);
      expect(existsSync(out), flags.join(' ')).to.equal(false);
    }
  });

  it('5. what cannot be allocated or parsed ends in one line, never a stack from TensorFlow.js', async () => {
    const huge = await writeJson('huge.json', { ...TINY, hidden: [100000, 100000] });
    const r = await runCli(['--config', huge], { cwd: work });
    expectOneLine(
      r,
      2,
      /huge\.json: field "hidden": a network of sizes \[1024, 100000, 100000, 1\] needs about [\d.]+ GiB to train; at most/,
    );
    const config = await writeJson('tiny.json', TINY);
    const points = await runCli(['landscape', '--config', config, '--at', 'init', '--points', '1e9', '--out', path.join(work, 'l')], {
      cwd: work,
    });
    expectOneLine(points, 2, /^error: --points: .*<=10001/);
    expect(existsSync(path.join(work, 'l'))).to.equal(false);
  });

  it('5b. a run folder that cannot be written is one line naming it and exit 1, with --debug too', async function () {
    const config = await writeJson('tiny.json', TINY);
    const out = path.join(work, 'unwritable-run');
    await fs.mkdir(out, { mode: 0o555 });
    // Root writes through permissions: make the folder immutable instead (ext4 and most Linux filesystems).
    const asRoot = process.getuid?.() === 0;
    if (asRoot && spawnSync('chattr', ['+i', out]).status !== 0) this.skip();
    try {
      const args = ['--config', config, '--data-dir', fixture.dataDir, '--out', out, '--backend', 'cpu', '--progress', 'none'];
      const line =
        /^error: .*unwritable-run\/\.output\.lock: cannot take the lock: (EACCES: permission denied|EPERM: operation not permitted)/;
      expectOneLine(await runCli(args, { cwd: work }), 1, line);
      expectOneLine(await runCli([...args, '--debug'], { cwd: work }), 1, line);
      expect(await fs.readdir(out)).to.deep.equal([]);
    } finally {
      if (asRoot) spawnSync('chattr', ['-i', out]);
    }
  });

  it('6a. a landscape error after the data loaded leaves no empty --out folder', async () => {
    const config = await writeJson('tiny.json', TINY);
    const weights = path.join(work, 'weights.json');
    await saveParams(weights, initParams([1024, 3, 1], { scheme: 'he' }, 1));
    const out = path.join(work, 'landscape-out');
    const r = await runCli(
      ['landscape', '--config', config, '--weights', weights, '--data-dir', fixture.dataDir, '--out', out, '--backend', 'cpu'],
      {
        cwd: work,
      },
    );
    expectOneLine(r, 2, /--weights .*weights\.json: holds a network of sizes \[1024, 3, 1\], but tiny is \[1024, 4, 1\]/);
    expect(existsSync(out)).to.equal(false);
  });

  for (const signal of ['SIGTERM', 'SIGHUP'] as const) {
    it(`6b. ${signal} stops training like Ctrl-C: run.json says "interrupted" with the epochs history.csv holds`, async () => {
      const config = await writeJson('long.json', { ...TINY, epochs: 500 });
      const out = path.join(work, 'run');
      let sent = false;
      const r = await runCli(['--config', config, '--data-dir', fixture.dataDir, '--out', out, '--progress', 'lines', '--backend', 'cpu'], {
        cwd: work,
        onStdout: (text, child) => {
          if (!sent && /^epoch +3\/500 /m.test(text)) {
            sent = true;
            child.kill(signal);
          }
        },
      });
      expect(sent, r.stdout + r.stderr).to.equal(true);
      // The notice that the signal was heard, then the one error line; no stack.
      const lines = r.stderr.trim().split('\n');
      expect(lines, r.stderr).to.have.length(2);
      expect(lines[0]).to.equal(`stopping after the current step (${signal}; Ctrl-C again to quit at once)`);
      expect(lines[1]).to.match(/^error: interrupted after \d+ of 500 epochs; the finished epochs are in /);
      expect(r.code).to.equal(signal === 'SIGTERM' ? 143 : 129);
      const run = JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8'));
      const history = parseCsv(await fs.readFile(path.join(out, 'history.csv'), 'utf8'));
      expect(run.status).to.equal('interrupted');
      expect(run.epochsCompleted).to.equal(history.length - 1);
      expect(run.epochsCompleted).to.be.at.least(3);
    });
  }

  it('6c. run.json is current after every epoch, so even SIGKILL leaves it matching history.csv', async () => {
    const config = await writeJson('long.json', { ...TINY, epochs: 500 });
    const out = path.join(work, 'run');
    let sent = false;
    await runCli(['--config', config, '--data-dir', fixture.dataDir, '--out', out, '--progress', 'lines', '--backend', 'cpu'], {
      cwd: work,
      onStdout: (text, child) => {
        if (!sent && /^epoch +4\/500 /m.test(text)) {
          sent = true;
          child.kill('SIGKILL');
        }
      },
    });
    const run = JSON.parse(await fs.readFile(path.join(out, 'run.json'), 'utf8'));
    const history = parseCsv(await fs.readFile(path.join(out, 'history.csv'), 'utf8'));
    expect(run.status).to.equal('running');
    // Written after history.csv in the same epoch: at most one epoch behind it.
    expect(run.epochsCompleted).to.be.within(history.length - 2, history.length - 1);
    expect(run.epochsCompleted).to.be.at.least(4);
  });

  it('8. messages: a BOM is accepted, NaN is located, an unknown command and --shard -1/2 are named', async () => {
    const bom = await writeJson('bom.json', TINY, '\uFEFF');
    // The BOM file parses: the flag is then what is wrong.
    expectOneLine(await runCli(['--config', bom, '--lr', '-1'], { cwd: work }), 2, /^error: --lr: /);
    const nan = path.join(work, 'nan.json');
    await fs.writeFile(nan, '{\n  "hidden": [4],\n  "activation": "relu",\n  "learningRate": NaN\n}\n');
    expectOneLine(await runCli(['--config', nan], { cwd: work }), 2, /nan\.json: not valid JSON: unexpected "NaN" at line 4, column 19/);
    expectOneLine(await runCli(['frobnicate'], { cwd: work }), 2, /^error: unknown command: frobnicate \(commands: train, data, /);
    // `train` is the default command's name: it works written out (the benchmark's memory run uses it)
    expectOneLine(await runCli(['train', '--config', nan], { cwd: work }), 2, /nan\.json: not valid JSON/);
    expectOneLine(
      await runCli(['reproduce', '--shard', '-1/2'], { cwd: work }),
      2,
      /^error: --shard: expected k\/n such as 1\/4, got "-1\/2"/,
    );
    expectOneLine(await runCli(['--config', bom, '--epochs'], { cwd: work }), 2, /^error: --epochs: expected a value after the flag$/);
    expect(await listTree(work)).to.deep.equal(['bom.json', 'nan.json']);
  });

  it('8b. --backend cpu prints no TensorFlow.js banner', async () => {
    const config = await writeJson('tiny.json', TINY);
    const r = await runCli(
      ['--config', config, '--data-dir', fixture.dataDir, '--backend', 'cpu', '--progress', 'none', '--out', path.join(work, 'run')],
      {
        cwd: work,
      },
    );
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout + r.stderr).to.not.match(/node backend|={10}/);
    expect(r.stderr).to.equal('');
  });
});

describe('the data cache repairs itself', function () {
  this.timeout(60_000);

  /** A source that delivers the fixture's files (verified against the fixture's table). */
  function copySource(from: string): DataSource {
    return {
      name: 'fixture copy',
      produce: async ({ outDir }) => {
        for (const name of BATCH_FILES) await fs.copyFile(path.join(from, name), path.join(outDir, name));
      },
    };
  }

  it('7a. fetch replaces a cached file that fails verification', async () => {
    const fixture = await makeFixtureDataDir({ recordsPerBatch: 20, stamp: false });
    const pristine = await makeFixtureDataDir({ recordsPerBatch: 20, stamp: false });
    try {
      const table = await tableOf(fixture.batchDir);
      const bin = path.join(fixture.batchDir, 'data_batch_2.bin');
      const buf = await fs.readFile(bin);
      buf[10] ^= 0xff;
      await fs.writeFile(bin, buf);
      const lines: string[] = [];
      const r = await ensureData(fixture.dataDir, {
        sources: [copySource(pristine.batchDir)],
        expected: table,
        progress: false,
        log: (l) => lines.push(l),
      });
      expect(r.source).to.equal('fixture copy');
      expect(lines.join('\n')).to.match(/data_batch_2\.bin: MD5 mismatch.*fetching a verified copy to replace it/);
      expect((await fs.readFile(bin)).equals(await fs.readFile(path.join(pristine.batchDir, 'data_batch_2.bin')))).to.equal(true);
    } finally {
      await fixture.cleanup();
      await pristine.cleanup();
    }
  });

  it('7b. bytes changed with size and mtime restored are caught (the stamp is confirmed by a hash once per process)', async () => {
    const fixture = await makeFixtureDataDir({ recordsPerBatch: 20 });
    try {
      const table = await tableOf(fixture.batchDir);
      const bin = path.join(batchDirOf(fixture.dataDir), 'test_batch.bin');
      const st = await fs.stat(bin);
      const buf = await fs.readFile(bin);
      buf[5] ^= 0x01;
      await fs.writeFile(bin, buf);
      await fs.utimes(bin, st.atime, st.mtime);
      let message = '';
      try {
        await ensureData(fixture.dataDir, { sources: [], expected: table, progress: false });
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.match(/test_batch\.bin: MD5 mismatch/);
    } finally {
      await fixture.cleanup();
    }
  });
});

describe('the sweep lock', () => {
  it('9. two simultaneous starts: exactly one takes the lock, the other is told the folder is in use', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lock-'));
    try {
      const attempts = await Promise.allSettled(
        Array.from({ length: 4 }, () => lockFolder(dir, path.join(dir, 'sweep.lock'), `${dir}: in use by another sweep`)),
      );
      const won = attempts.filter((a) => a.status === 'fulfilled');
      const lost = attempts.filter((a): a is PromiseRejectedResult => a.status === 'rejected');
      expect(won).to.have.length(1);
      for (const l of lost) expect((l.reason as Error).message).to.match(/in use by another sweep/);
      await (won[0] as PromiseFulfilledResult<() => Promise<void>>).value();
      const again = await lockFolder(dir, path.join(dir, 'sweep.lock'), 'busy');
      await again();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the sweep lock after SIGKILL', () => {
  it('9b. a lock whose owner on this machine was killed is taken over at once (not after the 30 s staleness)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'lock-killed-'));
    try {
      const lockPath = path.join(dir, 'sweep.lock');
      // A holder in another process, killed with SIGKILL while holding the lock.
      const holder = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '-e',
          `import('${path.join(ROOT, 'src', 'util', 'lock.ts')}').then(async (m) => { await m.lockFolder(${JSON.stringify(dir)}, ${JSON.stringify(lockPath)}, 'busy'); console.log('locked'); setInterval(() => {}, 1000); });`,
        ],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
      );
      await new Promise<void>((resolve) => holder.stdout!.on('data', (d: Buffer) => String(d).includes('locked') && resolve()));
      const refused = await lockFolder(dir, lockPath, 'busy: held by a live process').then(
        () => 'taken',
        (err: Error) => err.message,
      );
      expect(refused).to.equal('busy: held by a live process');
      holder.kill('SIGKILL');
      await new Promise((r) => holder.on('exit', r));
      const release = await lockFolder(dir, lockPath, 'busy');
      await release();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
