/**
 * The benchmark command's outputs on a tiny run (a few steps per cell; a stand-in for the
 * PyTorch script that prints its CSV format): the table has a line per engine with the
 * ratio to PyTorch, bench.csv has a row per cell with consistent numbers, and a missing
 * PyTorch is reported as skipped rather than failing the benchmark. Times are not asserted.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatReport, runBench, type BenchOptions } from '../src/bench/bench-run.js';
import { parseTorchCsv } from '../src/bench/torch.js';
import { median } from '../src/bench/measure.js';
import { parseCsv } from '../src/util/csv.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

describe('bench: table and bench.csv (tiny run)', function () {
  // Spawns worker processes (each loads TensorFlow.js): seconds, not the default 2 s; also without .mocharc.
  this.timeout(60000);
  let dir: string;
  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bench-spec-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  function options(over: Partial<BenchOptions>): BenchOptions {
    return {
      root,
      batchSizes: [8, 16],
      backends: ['wasm'],
      parts: ['tfjs', 'handwritten', 'pytorch'],
      repetitions: 2,
      budgetSeconds: 0.2,
      samples: 32,
      quick: true,
      python: process.execPath, // the stand-in "PyTorch script" is JavaScript
      torchScript: path.join(dir, 'fake_torch.mjs'),
      memoryConfig: path.join(root, 'configs', 'sigmoid7.json'),
      out: path.join(dir, 'bench.csv'),
      log: () => {},
      ...over,
    };
  }

  it('prints one line per engine with ms, GFLOP/s and the ratio to PyTorch, and writes a row per cell', async () => {
    // Prints what torch_mlp.py prints, at 10 ms per step: 40 ms per 32-sample epoch at batch 8, 20 at 16.
    await fs.writeFile(
      path.join(dir, 'fake_torch.mjs'),
      'const arg = (f) => process.argv[process.argv.indexOf(f) + 1];\n' +
        "console.log('engine,activation,batch_size,ms_per_epoch,gflops');\n" +
        "for (const b of arg('--batch-sizes').split(',')) console.log(`pytorch-fake,sigmoid,${b},${(10 * Number(arg('--samples'))) / Number(b)},1.0`);\n",
    );
    const report = await runBench(options({ parts: ['tfjs', 'pytorch'] }));
    const text = formatReport(report);
    expect(text).to.match(/engine \/ backend\s+\| batch 8\s+\| batch 16/);
    expect(text).to.match(/tfjs wasm \(1 thr\)\s+\|.*ms .* GF\/s \d+\.\d\dx/);
    expect(text).to.match(/pytorch-fake.*1\.00x.*1\.00x/);

    const rows = parseCsv(await fs.readFile(path.join(dir, 'bench.csv'), 'utf8'));
    expect(rows).to.have.length(4); // (tfjs wasm, PyTorch) x 2 batch sizes
    for (const r of rows) {
      expect(r.measure).to.equal('epoch');
      expect(r.status, `${r.engine} ${r.batch_size}: ${r.note}`).to.equal('ok');
      expect(Number(r.ms_per_epoch)).to.be.above(0);
    }
    const torch16 = rows.find((r) => r.engine === 'pytorch-fake' && r.batch_size === '16')!;
    expect(Number(torch16.ms_per_epoch)).to.equal(20);
    const wasm16 = rows.find((r) => r.engine === 'tfjs' && r.batch_size === '16')!;
    expect(wasm16.backend).to.equal('wasm');
    expect(Number(wasm16.ratio_to_pytorch)).to.be.closeTo(Number(wasm16.ms_per_epoch) / 20, 0.004);
    // GFLOP/s from the nominal count of the peer: 3 x 2 x samples x sum of fanIn x fanOut.
    const flops = 6 * 32 * (1024 * 150 + 150 * 100 + 100 * 50 + 50 * 30 + 30 * 15 + 15);
    // ms is rounded to 0.1 in the file: allow for that rounding (relative 0.05 / ms) and gflops' own (0.0005).
    const ms = Number(wasm16.ms_per_epoch);
    expect(Number(wasm16.gflops)).to.be.closeTo(flops / (ms * 1e6), 1e-3 + (0.06 / ms) * Number(wasm16.gflops));
  });

  it('reports PyTorch as skipped, with the reason, when its script is missing; the other cells still run', async () => {
    const report = await runBench(
      options({ parts: ['pytorch', 'handwritten'], torchScript: path.join(dir, 'nowhere.py'), out: path.join(dir, 'b2.csv') }),
    );
    expect(report.torchNote).to.match(/skipped: PyTorch peer script not found at .*nowhere\.py/);
    expect(formatReport(report)).to.match(/handwritten.*ms .* GF\/s -/);
    const rows = parseCsv(await fs.readFile(path.join(dir, 'b2.csv'), 'utf8'));
    expect(rows.map((r) => r.engine)).to.deep.equal(['handwritten', 'handwritten']);
  });

  it("reads the peer's CSV lines, scaling a shortened epoch to the benchmark's, and takes medians", () => {
    const t = parseTorchCsv('engine,activation,batch_size,ms_per_epoch,gflops\npytorch-1.13,sigmoid,1,500.0,0.5\nnoise\n', 500, 4000);
    expect(t).to.deep.equal([{ engine: 'pytorch-1.13', batchSize: 1, msPerEpoch: 4000, gflops: 0.5, samples: 500 }]);
    expect(median([5, 1, 3])).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });
});
