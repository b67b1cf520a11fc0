/**
 * runs.csv and `report --runs`: the table the sweep writes, read back and validated, gives the
 * same verdicts as the sweep's own report; bad files fail in one line naming file, line and column.
 */
import { expect } from 'chai';
import { promises as fs, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv } from '../src/util/csv.js';
import { finalize } from '../src/reports/finalize.js';
import { RUNS_COLUMNS } from '../src/reports/runs-table.js';
import { readRunsCsv } from '../src/reports/runs-csv.js';
import { CLAIMS_COLUMNS } from '../src/reports/claims-table.js';
import { makeSyntheticReproduceDir, ARTICLE_WORLD } from './helpers/report-fixture.js';
import { runCommandInProcess } from './helpers/run-command.js';
import { reportCommand } from '../src/cli/report.js';
import { UserError } from '../src/util/errors.js';

/** `report ...` in-process: the exit is 0 without an error, the error's message is what the CLI prints on one line. */
async function runCli(args: string[]): Promise<{ code: number; stderr: string }> {
  const r = await runCommandInProcess(reportCommand, args);
  if (!r.error) return { code: 0, stderr: '' };
  if (!(r.error instanceof UserError)) throw r.error;
  return { code: r.error.exitCode, stderr: `error: ${r.error.message}\n` };
}

describe('runs.csv and report --runs', function () {
  this.timeout(60_000);
  let dir = '';
  let tmp = '';
  before(async () => {
    dir = makeSyntheticReproduceDir(ARTICLE_WORLD);
    await finalize(dir, new Date('2026-01-01T00:00:00Z'));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'report-runs-'));
  });
  after(() => {
    for (const d of [dir, tmp]) if (d) rmSync(d, { recursive: true, force: true });
  });

  it('the sweep writes one row per run with the primary figure and the settings', () => {
    const rows = parseCsv(readFileSync(path.join(dir, 'runs.csv'), 'utf8'));
    expect(Object.keys(rows[0])).to.deep.equal([...RUNS_COLUMNS]);
    expect(rows).to.have.length(30);
    const relu5 = rows.find((r) => r.config === 'relu5' && r.seed === '2')!;
    // the fixture's validation loss is lowest at the last epoch, where the test accuracy is the world's
    expect(Number(relu5.test_acc)).to.be.closeTo(0.695, 1e-12);
    expect(relu5).to.include({ activation: 'relu', layers: '5', best_epoch: '3', epochs: '3', batch_size: '32', init: 'he' });
    expect(rows.find((r) => r.config === 'sigmoid7')!.grad_log10_last_over_first).to.not.equal('');
    expect(rows.find((r) => r.config === 'relu7')!.landscape_curves).to.equal('5');
    // the author's explanation, from the probe's record
    const sigmoid7 = rows.find((r) => r.config === 'sigmoid7')!;
    expect(Number(sigmoid7.delta_log10_init)).to.equal(2);
    expect(Number(sigmoid7.saturated_trained)).to.equal(0.3);
    expect(Number(sigmoid7.delta_log10_init_as_relu)).to.equal(0);
    expect(rows.find((r) => r.config === 'sigmoid5')!.delta_log10_init).to.equal('');
  });

  it('report --runs rebuilds the same claims.csv from runs.csv alone', async () => {
    const out = path.join(tmp, 'rebuilt');
    const r = await runCli(['report', '--runs', path.join(dir, 'runs.csv'), '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    const original = readFileSync(path.join(dir, 'claims.csv'), 'utf8');
    expect(readFileSync(path.join(out, 'claims.csv'), 'utf8')).to.equal(original);
    const claims = parseCsv(original);
    expect(Object.keys(claims[0])).to.deep.equal([...CLAIMS_COLUMNS]);
    expect(claims.filter((c) => c.part === 'all').map((c) => c.verdict)).to.deep.equal([
      'agrees',
      'agrees',
      'agrees',
      'agrees',
      'agrees',
      'agrees',
      'agrees',
      'agrees',
    ]);
    expect(claims.filter((c) => c.claim === '2').map((c) => c.part)).to.deep.equal(['all', 'sigmoid', 'relu']);
    for (const f of ['summary.csv', 'report.md', 'report.html', 'charts/accuracy-by-depth.png', 'charts/sigmoid-minus-relu.png'])
      expect(
        await fs.stat(path.join(out, f)).then(
          () => true,
          () => false,
        ),
        f,
      ).to.equal(true);
  });

  it('a table with only the required columns judges claims 1-4 and leaves 5 to 8 not measured', async () => {
    const file = path.join(tmp, 'minimal.csv');
    const rows = parseCsv(readFileSync(path.join(dir, 'runs.csv'), 'utf8'));
    await fs.writeFile(
      file,
      ['config,activation,layers,seed,test_acc', ...rows.map((r) => [r.config, r.activation, r.layers, r.seed, r.test_acc].join(','))].join(
        '\n',
      ) + '\n',
    );
    const out = path.join(tmp, 'minimal');
    const r = await runCli(['report', '--runs', file, '--out', out]);
    expect(r.code, r.stderr).to.equal(0);
    const all = parseCsv(readFileSync(path.join(out, 'claims.csv'), 'utf8')).filter((c) => c.part === 'all');
    expect(all.slice(4).map((c) => c.verdict)).to.deep.equal(['not measured', 'not measured', 'not measured', 'not measured']);
  });

  it('names the file, line and column of a bad value in one line', async () => {
    const cases: [string, RegExp][] = [
      ['config,activation,layers,seed\nsigmoid3,sigmoid,3,1\n', /bad\.csv: missing column "test_acc"/],
      [
        'config,activation,layers,seed,test_acc\nsigmoid3,sigmoid,3,1,0.7\nsigmoid4,sigmoid,4,1,seventy\n',
        /bad\.csv: line 3, column "test_acc": expected a number, got "seventy"/,
      ],
      ['config,activation,layers,seed,test_acc\nsigmoid3,sigmoid,3,1,70\n', /bad\.csv: line 2, column "test_acc": .*1/],
      ['config,activation,layers,seed,test_acc\nsigmoid3,sigmoid,,1,0.7\n', /bad\.csv: line 2, column "layers": is empty \(required\)/],
      [
        'config,activation,layers,seed,test_acc\nsigmoid3,sigmoid,3,1,0.7\nsigmoid3,sigmoid,3,1,0.71\n',
        /bad\.csv: line 3: config "sigmoid3" seed 1 appears twice/,
      ],
    ];
    for (const [text, expected] of cases) {
      const file = path.join(tmp, 'bad.csv');
      await fs.writeFile(file, text);
      let message = '';
      try {
        await readRunsCsv(file);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).to.match(expected);
      expect(message).to.not.include('\n');
    }
    const r = await runCli(['report', '--runs', path.join(tmp, 'missing.csv'), '--out', path.join(tmp, 'x')]);
    expect(r.code).to.not.equal(0);
    expect(r.stderr.trim()).to.match(/^error: .*missing\.csv: cannot read the runs table: no such file$/);
  });
});
