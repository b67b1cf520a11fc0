/**
 * Folders from elsewhere are checked before their runs are believed: a folder given to
 * `reproduce --reuse`, an output folder that is resumed, and the shards given to `reproduce
 * merge`. Two tiny shards are trained once (synthetic data); every case copies them, plants
 * one trap, runs the built command line (build first) and asserts the exit code, the one line
 * on stderr, and what is (and is not) on disk.
 */
import { expect } from 'chai';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { expectOneLine, runBuiltCli, type CliResult } from './helpers/built-cli.js';

describe('hostile reused, resumed and merged folders', function () {
  this.timeout(300_000);
  let fixture: FixtureDataDir;
  let root: string;
  let configFile: string;
  /** A complete sweep (the two shards merged), and its two shards. */
  let base: string;
  let shards: string[];
  let n = 0;
  /** A fresh path under the test folder. */
  const fresh = (name: string): string => path.join(root, `${name}-${++n}`);
  /** A copy of `dir` to tamper with. */
  const copyOf = (dir: string): string => {
    const to = fresh(path.basename(dir));
    cpSync(dir, to, { recursive: true });
    return to;
  };
  const reproduce = (...args: string[]): Promise<CliResult> =>
    runBuiltCli(['reproduce', '--config', configFile, '--data-dir', fixture.dataDir, '--jobs', '1', '--progress', 'none', ...args], {
      env: { CIFAR10_MLP_DEBUG: '' },
      timeoutMs: 120_000,
    });
  const merge = (...args: string[]): Promise<CliResult> =>
    runBuiltCli(['reproduce', 'merge', ...args], { env: { CIFAR10_MLP_DEBUG: '' }, timeoutMs: 120_000 });
  const run = (dir: string, id = 'sigmoid3-s1'): string => path.join(dir, 'runs', id);
  const resultOf = (dir: string, id = 'sigmoid3-s1'): Record<string, unknown> & { history: Record<string, unknown>[] } =>
    JSON.parse(readFileSync(path.join(run(dir, id), 'result.json'), 'utf8'));
  const writeResult = (dir: string, record: unknown, id = 'sigmoid3-s1'): void =>
    writeFileSync(path.join(run(dir, id), 'result.json'), JSON.stringify(record));

  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 50 });
    root = mkdtempSync(path.join(os.tmpdir(), 'hostile-reuse-'));
    const cfg = path.join(root, 'configs');
    mkdirSync(cfg);
    for (const activation of ['sigmoid', 'relu']) {
      const config = {
        activation,
        hidden: [4],
        epochs: 1,
        batchSize: 10,
        backend: 'cpu',
        data: { trainPerClass: 20, testPerClass: 10, validationPerClass: 10 },
      };
      writeFileSync(path.join(cfg, `${activation}3.json`), JSON.stringify(config));
    }
    configFile = path.join(cfg, 'reproduce.json');
    writeFileSync(configFile, JSON.stringify({ configs: ['sigmoid3', 'relu3'], seeds: 1, jobs: 1 }));
    shards = [path.join(root, 'shard-1'), path.join(root, 'shard-2')];
    for (const [k, dir] of shards.entries()) {
      const r = await reproduce('--shard', `${k + 1}/2`, '--out', dir);
      expect(r.code, r.stderr).to.equal(0);
    }
    base = path.join(root, 'base');
    const r = await merge(...shards, '--out', base);
    expect(r.code, r.stderr).to.equal(0);
    expect(readdirSync(path.join(base, 'runs')).sort()).to.deep.equal(['relu3-s1', 'sigmoid3-s1']);
  });

  after(async () => {
    await fixture?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  describe('--reuse', () => {
    it('a file is refused as a command-line mistake, and no output folder is made', async () => {
      const out = fresh('out');
      const r = await reproduce('--out', out, '--reuse', configFile);
      expectOneLine(r, 2, /--reuse .*reproduce\.json: is a file, expected a folder written by reproduce/);
      expect(existsSync(out)).to.equal(false);
    });

    it('the output folder itself is refused', async () => {
      const out = copyOf(base);
      const r = await reproduce('--out', out, '--reuse', out);
      expectOneLine(r, 2, /--reuse .*: is the output folder --out /);
    });

    it('a folder inside the output folder is refused', async () => {
      const out = copyOf(base);
      const r = await reproduce('--out', out, '--reuse', path.join(out, 'runs'));
      expectOneLine(r, 2, /--reuse .*runs: is the output folder --out .* or inside it/);
    });

    it('a study folder and a training run are refused (no plan.json), not silently found empty', async () => {
      const study = fresh('study');
      mkdirSync(path.join(study, 'groups'), { recursive: true });
      writeFileSync(path.join(study, 'study.json'), '{}');
      for (const from of [study, run(base)]) {
        const out = fresh('out');
        const r = await reproduce('--out', out, '--reuse', from);
        expectOneLine(r, 2, /--reuse .*: holds no plan\.json, so it is not a folder written by reproduce/);
        expect(existsSync(out)).to.equal(false);
      }
    });

    it('a weights.bin linked to a file elsewhere is refused and nothing is copied', async () => {
      const from = copyOf(base);
      const secret = path.join(root, 'secret.bin');
      writeFileSync(secret, 'not yours');
      rmSync(path.join(run(from), 'weights.bin'));
      symlinkSync(secret, path.join(run(from), 'weights.bin'));
      const out = fresh('out');
      const r = await reproduce('--out', out, '--reuse', from);
      expectOneLine(r, 1, /--reuse .*weights\.bin is a symbolic link; a finished job's folder must hold regular files only/);
      expect(existsSync(out)).to.equal(false);
    });

    it('a run folder that is a link out of the folder is refused', async () => {
      const from = copyOf(base);
      const elsewhere = copyOf(run(base));
      rmSync(run(from), { recursive: true });
      symlinkSync(elsewhere, run(from));
      const out = fresh('out');
      const r = await reproduce('--out', out, '--reuse', from);
      expectOneLine(r, 1, /--reuse .*sigmoid3-s1 is a symbolic link, not a job folder/);
      expect(existsSync(out)).to.equal(false);
    });

    it('a result.json claiming 0.99 test accuracy against its own history.csv is refused', async () => {
      const from = copyOf(base);
      const record = resultOf(from);
      for (const e of record.history) e.testAccuracy = 0.99;
      record.finalTestAccuracy = 0.99;
      writeResult(from, record);
      const out = fresh('out');
      const r = await reproduce('--out', out, '--reuse', from);
      expectOneLine(r, 1, /--reuse .*sigmoid3-s1\/result\.json: says test_acc 0\.99 at epoch 0, its .*history\.csv /);
      expect(existsSync(out)).to.equal(false);
    });

    it('the same folder untouched is copied whole, regular files only', async () => {
      const out = fresh('out');
      const r = await reproduce('--out', out, '--reuse', base);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stderr).to.match(/copied 2 finished jobs with the same settings/);
      expect(readFileSync(path.join(run(out), 'weights.bin'))).to.deep.equal(readFileSync(path.join(run(base), 'weights.bin')));
    });
  });

  describe('resuming', () => {
    it('a runs/ linked to a folder elsewhere is refused and nothing is written there', async () => {
      const out = copyOf(shards[0]);
      const elsewhere = fresh('elsewhere');
      mkdirSync(elsewhere);
      writeFileSync(path.join(elsewhere, '.tmp-keep'), 'a file the sweep must not remove');
      rmSync(path.join(out, 'runs'), { recursive: true });
      symlinkSync(elsewhere, path.join(out, 'runs'));
      const r = await reproduce('--shard', '1/2', '--out', out);
      expectOneLine(r, 1, /runs: is a symbolic link; a sweep's runs\/ and probes\/ must be folders inside it/);
      expect(readdirSync(elsewhere)).to.deep.equal(['.tmp-keep']);
    });

    it('a run that claims 7 epochs in a 1-epoch sweep (result.json and history.csv agreeing) is refused', async () => {
      const out = copyOf(base);
      const id = readdirSync(path.join(out, 'runs')).find((d) => existsSync(path.join(run(out, d), 'history.csv')))!;
      const record = resultOf(out, id);
      const last = record.history[record.history.length - 1];
      record.history = Array.from({ length: 8 }, (_, epoch) => ({ ...last, epoch }));
      writeResult(out, record, id);
      const historyFile = path.join(run(out, id), 'history.csv');
      const [header, , row] = readFileSync(historyFile, 'utf8').split('\n');
      const rest = row.slice(row.indexOf(','));
      writeFileSync(historyFile, [header, ...Array.from({ length: 8 }, (_, epoch) => `${epoch}${rest}`), ''].join('\n'));
      const before = readFileSync(path.join(out, 'summary.csv'), 'utf8');
      const r = await reproduce('--out', out);
      expectOneLine(r, 1, new RegExp(`cannot be reused \\(.*${id}/result\\.json: records 7 epochs, its config trains 1\\)`));
      expect(readFileSync(path.join(out, 'summary.csv'), 'utf8')).to.equal(before);
    });

    it('a result.json whose config was edited (its fingerprint kept) is refused', async () => {
      const out = copyOf(base);
      const record = resultOf(out) as unknown as { config: { epochs: number } };
      record.config.epochs = 7;
      writeResult(out, record);
      const r = await reproduce('--out', out);
      expectOneLine(r, 1, /cannot be reused \(.*sigmoid3-s1\/result\.json: its config does not give its fingerprint/);
    });
  });

  describe('reproduce merge', () => {
    it('a shard made by another version of the program is refused, and the output keeps no run', async () => {
      const shard = copyOf(shards[0]);
      const id = readdirSync(path.join(shard, 'runs'))[0];
      const record = resultOf(shard, id) as unknown as { versions: { project: string } };
      record.versions.project = '0.0.1';
      writeResult(shard, record, id);
      const out = fresh('merged');
      const r = await merge(shard, shards[1], '--out', out);
      expectOneLine(r, 1, new RegExp(`${id}/result\\.json: made by version 0\\.0\\.1 of this program`));
      expect(existsSync(path.join(out, 'runs', id))).to.equal(false);
      expect(existsSync(path.join(out, 'summary.csv'))).to.equal(false);
    });

    it('a shard whose plan.json was edited is refused before anything is made', async () => {
      const shard = copyOf(shards[1]);
      const plan = JSON.parse(readFileSync(path.join(shard, 'plan.json'), 'utf8'));
      plan.jobs[0].config.epochs = 9;
      writeFileSync(path.join(shard, 'plan.json'), JSON.stringify(plan));
      const out = fresh('merged');
      const r = await merge(shards[0], shard, '--out', out);
      expectOneLine(r, 1, /plan\.json: its jobs do not give its fingerprint \(the file was edited\)/);
      expect(existsSync(out)).to.equal(false);
    });

    it('a shard holding a named pipe in a run folder is refused, not copied', async () => {
      const shard = copyOf(shards[0]);
      const id = readdirSync(path.join(shard, 'runs'))[0];
      const { spawnSync } = await import('node:child_process');
      expect(spawnSync('mkfifo', [path.join(run(shard, id), 'pipe')]).status).to.equal(0);
      const out = fresh('merged');
      const r = await merge(shard, shards[1], '--out', out);
      expectOneLine(r, 1, /pipe is a named pipe; a finished job's folder must hold regular files only/);
      expect(existsSync(path.join(out, 'runs', id))).to.equal(false);
    });
  });
});
