/**
 * Files from elsewhere are checked before they are believed: model files handed to
 * `landscape --weights`, runs tables handed to `report --runs`, output folders and files that
 * another process or another program holds, a full disk, and the small gaps beside them. Each
 * case runs the built command line (build first) and asserts the exit code, the one line on
 * stderr, and what is (and is not) left on disk.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { saveParams } from '../src/nn/params-io.js';
import { initParams } from '../src/nn/params.js';
import { saveLayersModel } from '../src/nn/tfjs/layers-model.js';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { CLI, ROOT, expectOneLine, runBuiltCli, type CliOptions, type CliResult } from './helpers/built-cli.js';

function runCli(args: string[], opts: CliOptions & { cwd: string }): Promise<CliResult> {
  return runBuiltCli(args, { ...opts, env: { CIFAR10_MLP_DEBUG: '', ...opts.env }, timeoutMs: opts.timeoutMs ?? 60_000 });
}

/** The CLI under a file size limit of `kib` KiB: a write beyond it fails as on a full disk (EFBIG). */
function runCliWithSizeLimit(kib: number, args: string[], cwd: string): Promise<CliResult> {
  const quoted = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const env = { ...process.env, CIFAR10_DATA_DIR: '/nonexistent-cifar-cache', CIFAR10_MLP_DEBUG: '' };
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', `ulimit -f ${kib}; exec ${quoted}`], { cwd, env });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

const TINY = {
  hidden: [4],
  activation: 'sigmoid',
  batchSize: 10,
  epochs: 1,
  data: { trainPerClass: 60, testPerClass: 20, validationPerClass: 10 },
};

const HEADER = 'config,activation,layers,seed,test_acc';
/** A valid runs table body: sigmoid3 and relu3, two seeds each. */
const ROWS = ['sigmoid3,sigmoid,3,1,0.71', 'relu3,relu,3,1,0.80', 'sigmoid3,sigmoid,3,2,0.70', 'relu3,relu,3,2,0.81'];

describe('files from elsewhere are hostile until checked', function () {
  this.timeout(180_000);
  let work: string;
  let fixture: FixtureDataDir;

  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 80 });
  });
  after(() => fixture.cleanup());
  beforeEach(async () => {
    work = await fs.mkdtemp(path.join(os.tmpdir(), 'hostile-'));
  });
  afterEach(() => fs.rm(work, { recursive: true, force: true }));

  async function writeJson(name: string, value: unknown): Promise<string> {
    const file = path.join(work, name);
    await fs.writeFile(file, JSON.stringify(value, null, 1));
    return file;
  }

  describe('model files (landscape --weights)', () => {
    /** A sigmoid model of TINY's shape in work/model/. */
    async function model(activation: 'sigmoid' | 'relu' = 'sigmoid'): Promise<string> {
      const dir = path.join(work, 'model');
      await saveLayersModel(
        dir,
        { sizes: [1024, 4, 1], hiddenActivation: activation, outputActivation: 'sigmoid' },
        initParams([1024, 4, 1], { scheme: 'he' }, 1),
      );
      return path.join(dir, 'model.json');
    }

    async function probe(weights: string, activation = 'sigmoid'): Promise<{ r: CliResult; out: string }> {
      const config = await writeJson('tiny.json', { ...TINY, activation });
      const out = path.join(work, 'out');
      const args = ['landscape', '--config', config, '--weights', weights, '--data-dir', fixture.dataDir, '--out', out, '--backend', 'cpu'];
      return { r: await runCli(args, { cwd: work, timeoutMs: 30_000 }), out };
    }

    async function editManifest(file: string, paths: string[]): Promise<void> {
      const json = JSON.parse(await fs.readFile(file, 'utf8')) as { weightsManifest: { paths: string[] }[] };
      json.weightsManifest[0].paths = paths;
      await fs.writeFile(file, JSON.stringify(json));
    }

    it('a bad model file is refused before the backend and the data load: the one line is all the command prints', async () => {
      const file = await model();
      await editManifest(file, ['../secret.bin']);
      const { r } = await probe(file);
      expectOneLine(r, 1, /leaves the model's folder/);
      expect(r.stdout, 'nothing loaded before the refusal').not.to.match(/backend:|data:/);
    });

    it('a manifest path outside the model folder (../, absolute) is refused before anything is read', async () => {
      const file = await model();
      await fs.copyFile(path.join(work, 'model', 'weights.bin'), path.join(work, 'secret.bin'));
      for (const escape of ['../secret.bin', path.join(work, 'secret.bin')]) {
        await editManifest(file, [escape]);
        const { r, out } = await probe(file);
        expectOneLine(r, 1, /model\.json: the weights path ".*secret\.bin" leaves the model's folder/);
        expect(existsSync(out)).to.equal(false);
      }
    });

    it('a weights.bin that is a link to /dev/zero, or a named pipe, is refused at once (no hang, no memory)', async () => {
      const file = await model();
      const bin = path.join(work, 'model', 'weights.bin');
      await fs.rm(bin);
      await fs.symlink('/dev/zero', bin);
      const linked = await probe(file);
      expectOneLine(linked.r, 1, /weights\.bin: the weights file is a symbolic link/);
      await fs.rm(bin);
      expect(spawnSync('mkfifo', [bin]).status).to.equal(0);
      const piped = await probe(file);
      expectOneLine(piped.r, 1, /weights\.bin: the weights file is not a regular file/);
      expect(existsSync(piped.out)).to.equal(false);
    });

    it('a weights.bin longer or shorter than the manifest is refused, naming both files', async () => {
      const file = await model();
      const bin = path.join(work, 'model', 'weights.bin');
      const good = await fs.readFile(bin);
      for (const bytes of [Buffer.concat([good, Buffer.alloc(4)]), good.subarray(0, good.length - 4)]) {
        await fs.writeFile(bin, bytes);
        const { r, out } = await probe(file);
        expectOneLine(r, 1, new RegExp(`weights\\.bin: holds ${bytes.length} bytes of weights, but .*model\\.json lists ${good.length}`));
        expect(existsSync(out)).to.equal(false);
      }
    });

    it('non-finite weights are refused: NaN in weights.bin, 1e40 (Infinity in float32) in weights.json', async () => {
      const file = await model();
      const bin = path.join(work, 'model', 'weights.bin');
      const bytes = await fs.readFile(bin);
      bytes.writeFloatLE(NaN, 8);
      await fs.writeFile(bin, bytes);
      expectOneLine((await probe(file)).r, 1, /weights\.bin: weight dense_1\/kernel\[2\] is NaN; only finite weights are read/);

      const weights = path.join(work, 'weights.json');
      await saveParams(weights, initParams([1024, 4, 1], { scheme: 'he' }, 1));
      await fs.writeFile(weights, (await fs.readFile(weights, 'utf8')).replace(/\[\[[-0-9.e]+,/, '[[1e40,'));
      const { r, out } = await probe(weights);
      expectOneLine(r, 1, /weights\.json: weights of layer 1, value 1 is 1e\+40, beyond the range of float32/);
      expect(existsSync(out)).to.equal(false);
    });

    it('a Sigmoid model probed with a ReLU config is refused, not probed as ReLU', async () => {
      const file = await model('sigmoid');
      const { r, out } = await probe(file, 'relu');
      expectOneLine(
        r,
        2,
        /--weights .*model\.json: holds a network with sigmoid hidden layers, sigmoid output, but tiny has relu hidden layers/,
      );
      expect(existsSync(out)).to.equal(false);
    });
  });

  describe('runs tables (report --runs)', () => {
    async function report(content: string | Buffer, name = 'runs.csv'): Promise<{ r: CliResult; out: string }> {
      const file = path.join(work, name);
      await fs.writeFile(file, content);
      const out = path.join(work, 'report');
      return { r: await runCli(['report', '--runs', file, '--out', out], { cwd: work }), out };
    }

    it("accepts what Excel and R write: a byte-order mark, CRLF, quoted headers, R's row names and NA", async () => {
      const r = ['"","config","activation","layers","seed","test_acc","val_acc"'];
      ROWS.forEach((row, i) => r.push(`"${i + 1}",${row.replace(/^(\w+),(\w+)/, '"$1","$2"')},NA`));
      const { r: ran, out } = await report(`\ufeff${r.join('\r\n')}\r\n`);
      expect(ran.code, ran.stderr).to.equal(0);
      const summary = readFileSync(path.join(out, 'summary.csv'), 'utf8');
      expect(summary).to.match(/relu3/);
      expect(summary).to.match(/sigmoid3/);
      expect((await fs.readdir(out)).filter((n) => n.startsWith('.'))).to.deep.equal([]);
    });

    const refused: [string, string | Buffer, RegExp][] = [
      [
        'UTF-16 (Excel\'s "Unicode text")',
        Buffer.from(`\ufeff${HEADER}\n${ROWS.join('\n')}\n`, 'utf16le'),
        /runs\.csv: the runs table is UTF-16; save it as UTF-8/,
      ],
      [
        'a column named twice',
        `${HEADER},test_acc\n${ROWS.map((r) => `${r},0.1`).join('\n')}\n`,
        /runs\.csv: line 1: column "test_acc" appears twice \(columns 5 and 6\)/,
      ],
      [
        'a hexadecimal number',
        `${HEADER}\n${ROWS[0]}\nrelu3,relu,3,0x0,0.8\n`,
        /runs\.csv: line 3, column "seed": expected a number, got "0x0"/,
      ],
      [
        'Infinity as a number',
        `${HEADER}\n${ROWS[0]}\nrelu3,relu,Infinity,1,0.8\n`,
        /runs\.csv: line 3, column "layers": expected a number, got "Infinity"/,
      ],
      ['a bare exponent', `${HEADER}\n${ROWS[0]}\nrelu3,relu,3,1e,0.8\n`, /runs\.csv: line 3, column "seed": expected a number, got "1e"/],
      [
        'a relu3 row saying 5 layers',
        `${HEADER}\n${ROWS.join('\n')}\nrelu3,relu,5,3,0.8\n`,
        /runs\.csv: line 6, column "layers": config "relu3" is 5 here but 3 on line 3/,
      ],
      [
        'a relu3 row saying sigmoid',
        `${HEADER}\n${ROWS.join('\n')}\nrelu3,sigmoid,3,3,0.8\n`,
        /runs\.csv: line 6, column "activation": config "relu3" is sigmoid here but relu on line 3/,
      ],
      [
        'an activation spelled RELU',
        `${HEADER}\n${ROWS[0]}\nrelu3,RELU,3,1,0.8\n`,
        /runs\.csv: line 3, column "activation": unknown activation "RELU"/,
      ],
      [
        'invalid UTF-8',
        Buffer.concat([Buffer.from(`${HEADER}\n${ROWS[0]}\nrelu3`), Buffer.from([0xff]), Buffer.from(',relu,3,1,0.8\n')]),
        /runs\.csv: line 3: not valid UTF-8/,
      ],
      [
        'a bad row after a quoted field over two lines',
        `${HEADER},note\nsigmoid3,sigmoid,3,1,0.7,"two\nlines"\nrelu3,relu,3,1,seventy,\n`,
        /runs\.csv: line 4, column "test_acc": expected a number, got "seventy"/,
      ],
      ['a row with a field too many', `${HEADER}\n${ROWS[0]},extra\n`, /runs\.csv: line 2: 6 fields, but the header has 5/],
    ];
    for (const [what, content, pattern] of refused) {
      it(`refuses ${what} with one line, writing nothing`, async () => {
        const { r, out } = await report(content);
        expectOneLine(r, 1, pattern);
        expect(existsSync(out)).to.equal(false);
      });
    }

    it('echoes no terminal escape codes and caps a long cell', async () => {
      const { r, out } = await report(`${HEADER}\n${ROWS[0]}\nrelu3,\u001b[2J\u001b]0;owned\u0007${'x'.repeat(500)},3,1,0.8\n`);
      expectOneLine(r, 1, /line 3, column "activation": "\\x1b\[2J\\x1b\]0;owned\\x07x+\.\.\." holds control characters/);
      // eslint-disable-next-line no-control-regex
      expect(r.stderr).to.not.match(/[\u0000-\u0008\u000b-\u001f]/);
      expect(r.stderr.length).to.be.lessThan(400);
      expect(existsSync(out)).to.equal(false);
    });

    it('refuses a file over 64 MiB before reading it, and a named pipe without waiting', async () => {
      const big = path.join(work, 'big.csv');
      await fs.writeFile(big, `${HEADER}\n`);
      await fs.truncate(big, 64 * 2 ** 20 + 1);
      const out = path.join(work, 'report');
      const r = await runCli(['report', '--runs', big, '--out', out], { cwd: work, timeoutMs: 20_000 });
      expectOneLine(r, 1, /big\.csv: the runs table is 64\.0 MiB, more than the limit of 64\.0 MiB/);
      const pipe = path.join(work, 'pipe.csv');
      expect(spawnSync('mkfifo', [pipe]).status).to.equal(0);
      const p = await runCli(['report', '--runs', pipe, '--out', out], { cwd: work, timeoutMs: 20_000 });
      expectOneLine(p, 1, /pipe\.csv: the runs table is a named pipe, not a regular file/);
      expect(existsSync(out)).to.equal(false);
    });
  });

  describe('output folders and files', () => {
    it('two reports on one new --out: one writes it, the other fails with one line; the folder holds one input only', async () => {
      const a = path.join(work, 'first.csv');
      const b = path.join(work, 'second.csv');
      await fs.writeFile(a, `${HEADER}\n${ROWS.join('\n')}\n`);
      await fs.writeFile(b, `${HEADER}\n${ROWS.map((r) => r.replace(/0\.(\d+)$/, '0.5$1')).join('\n')}\n`);
      const out = path.join(work, 'shared');
      const [ra, rb] = await Promise.all([a, b].map((f) => runCli(['report', '--runs', f, '--out', out], { cwd: work })));
      const won = [ra, rb].filter((r) => r.code === 0);
      const lost = [ra, rb].filter((r) => r.code !== 0);
      expect(won, `${ra.stderr}\n${rb.stderr}`).to.have.length(1);
      expect(lost).to.have.length(1);
      const loser = lost[0];
      if (loser.code === 1) expectOneLine(loser, 1, /--out .*shared: in use by another process/);
      else expectOneLine(loser, 2, /--out .*shared: the folder already holds files/);
      const md = readFileSync(path.join(out, 'report.md'), 'utf8');
      const winner = won[0] === ra ? 'first.csv' : 'second.csv';
      const other = won[0] === ra ? 'second.csv' : 'first.csv';
      expect(md).to.include(winner);
      expect(md).to.not.include(other);
      expect((await fs.readdir(out)).filter((n) => n.startsWith('.'))).to.deep.equal([]);
    });

    it('report --out may not hold its own input', async () => {
      const dir = path.join(work, 'shard');
      await fs.mkdir(dir);
      const runs = path.join(dir, 'runs.csv');
      await fs.writeFile(runs, `${HEADER}\n${ROWS.join('\n')}\n`);
      const r = await runCli(['report', '--runs', runs, '--out', dir], { cwd: work });
      expectOneLine(r, 2, /--out .*shard: holds the input .*runs\.csv; give a new folder for the output/);
      expect(await fs.readdir(dir)).to.deep.equal(['runs.csv']);
    });

    it('bench --out refuses a file it did not write, leaving it unchanged', async () => {
      const file = path.join(work, 'notes.csv');
      await fs.writeFile(file, 'my,own\n1,2\n');
      const r = await runCli(['bench', '--quick', '--only', 'handwritten', '--out', file], { cwd: work, timeoutMs: 30_000 });
      expectOneLine(r, 2, /--out .*notes\.csv: the file exists and was not written by this command/);
      expect(readFileSync(file, 'utf8')).to.equal('my,own\n1,2\n');
      expect(await fs.readdir(work)).to.deep.equal(['notes.csv']);
    });
  });

  describe('a full disk, and the small ones', () => {
    it('a full disk during report: one line naming the file, no folder left', async () => {
      const runs = path.join(work, 'runs.csv');
      await fs.writeFile(runs, `${HEADER}\n${ROWS.join('\n')}\n`);
      const out = path.join(work, 'report');
      const r = await runCliWithSizeLimit(4, ['report', '--runs', runs, '--out', out], work);
      expectOneLine(r, 1, /report\/.+: cannot write: file too large for the file size limit/);
      expect(existsSync(out)).to.equal(false);
    });

    it('a full disk during train: one line naming the file, no folder left', async () => {
      const config = await writeJson('tiny.json', TINY);
      const out = path.join(work, 'run');
      const r = await runCliWithSizeLimit(
        16,
        ['train', '--config', config, '--data-dir', fixture.dataDir, '--out', out, '--backend', 'cpu', '--progress', 'none'],
        work,
      );
      expectOneLine(r, 1, /run\/.+: cannot write: file too large for the file size limit/);
      expect(existsSync(out)).to.equal(false);
    });

    it('data fetch --data-dir "" is refused as train refuses it; nothing is made in the default cache', async () => {
      const r = await runCli(['data', 'fetch', '--data-dir', ''], { cwd: work, env: { HOME: work, CIFAR10_DATA_DIR: '' } });
      expectOneLine(r, 2, /^error: --data-dir: expected a value after the flag$/);
      expect(await fs.readdir(work)).to.deep.equal([]);
    });

    it('--version prints the version', async () => {
      const r = await runCli(['--version'], { cwd: work });
      const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout.trim()).to.equal(pkg.version);
    });

    it('a study config with duplicate batch sizes or networks, or a firstSeed that overflows, is refused at load', async () => {
      const cfg = path.join(work, 'configs');
      await fs.cp(path.join(ROOT, 'configs'), cfg, { recursive: true });
      const study = JSON.parse(readFileSync(path.join(cfg, 'study.json'), 'utf8')) as {
        networks: string[];
        batchSizes: unknown[];
        seeds: number;
      };
      const cases: [object, RegExp][] = [
        [{ batchSizes: [...study.batchSizes, study.batchSizes[0]] }, /bad\.json.*batchSizes.*is listed twice/],
        [{ networks: [...study.networks, study.networks[0]] }, /bad\.json.*networks.*"[a-z0-9]+" is listed twice/],
        [{ firstSeed: 4294967295 - study.seeds + 2 }, /bad\.json.*firstSeed.*exceeds the largest seed 4294967295/],
      ];
      for (const [change, pattern] of cases) {
        await fs.writeFile(path.join(cfg, 'bad.json'), JSON.stringify({ ...study, ...change }));
        const out = path.join(work, 'study-out');
        const r = await runCli(['study', '--config', path.join(cfg, 'bad.json'), '--out', out, '--dry-run'], { cwd: work });
        expectOneLine(r, 2, pattern);
        expect(existsSync(out)).to.equal(false);
      }
    });

    it('reproduce prints its result paths on stdout, like report', async () => {
      await fs.mkdir(path.join(work, 'sweep'));
      await fs.writeFile(path.join(work, 'sweep', 'tiny.json'), JSON.stringify(TINY));
      const config = path.join(work, 'sweep', 'reproduce.json');
      await fs.writeFile(config, JSON.stringify({ configs: ['tiny'], seeds: 2, jobs: 1 }));
      const out = path.join(work, 'out');
      const r = await runCli(['reproduce', '--config', config, '--out', out, '--data-dir', fixture.dataDir, '--progress', 'none'], {
        cwd: work,
        timeoutMs: 120_000,
      });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.include(`summary: ${path.join(out, 'summary.csv')}`);
      expect(r.stderr).to.not.match(/^summary: /m);
      expect(existsSync(path.join(out, 'summary.csv'))).to.equal(true);
    });
  });
});
