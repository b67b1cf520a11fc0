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
import { DEFAULT_PARTS, formatReport, runBench, type BenchOptions } from '../src/bench/bench-run.js';
import { OUT } from '../src/bench/command-measure.js';
import { makeFixtureDataDir } from './helpers/cifar-fixture.js';
import { parseTorchLines, runTorch } from '../src/bench/torch.js';
import { onlineStepMeasure } from '../src/bench/report.js';
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
      wasmThreads: [1],
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
    // Prints what tools/torch_mlp.py prints, at 10 ms per step with one thread and 5 ms with more:
    // with one thread, 40 ms per 32-sample epoch at batch 8, 20 at 16.
    await fs.writeFile(
      path.join(dir, 'fake_torch.mjs'),
      'const arg = (f) => process.argv[process.argv.indexOf(f) + 1];\n' +
        "const threads = Number(arg('--threads'));\n" +
        "console.log(JSON.stringify({ type: 'info', engine: 'pytorch-fake', threads }));\n" +
        "for (const b of arg('--batch-sizes').split(',')) console.log(JSON.stringify({ type: 'epoch', engine: 'pytorch-fake', threads, batch_size: Number(b), samples: Number(arg('--samples')), ms_per_epoch: ((threads === 1 ? 10 : 5) * Number(arg('--samples'))) / Number(b), gflops: 1 }));\n",
    );
    const report = await runBench(options({ parts: ['tfjs', 'pytorch'] }));
    const text = formatReport(report);
    expect(text).to.match(/engine \/ backend\s+\| batch 8\s+\| batch 16/);
    // ms, GFLOP/s, share of the wasm matMul peak, ratio to the one-thread PyTorch.
    expect(text).to.match(/tfjs wasm \(1 thr\)\s+\|.*ms .* GF\/s \d+% \d+\.\d\dx/);
    expect(text).to.match(/pytorch-fake \(1 thr\)\s+\|\s+40\.0 ms/);
    expect(text).to.match(/plain tf\.matMul peak, wasm \(1 thr\): \d+\.\d\d GFLOP\/s/);
    expect(text).to.match(/CPU flags /);

    const rows = parseCsv(await fs.readFile(path.join(dir, 'bench.csv'), 'utf8'));
    const epochs = rows.filter((r) => r.measure === 'epoch');
    // PyTorch runs at the rows' thread count (1) and at one thread per core.
    const torchThreads = [...new Set([1, os.availableParallelism()])];
    expect(epochs).to.have.length(2 + 2 * torchThreads.length);
    for (const r of epochs) {
      expect(r.status, `${r.engine} ${r.batch_size}: ${r.note}`).to.equal('ok');
      expect(Number(r.ms_per_epoch)).to.be.above(0);
    }
    const torch16 = epochs.find((r) => r.engine === 'pytorch-fake' && r.batch_size === '16' && r.threads === '1')!;
    expect(Number(torch16.ms_per_epoch)).to.equal(20);
    const wasm16 = epochs.find((r) => r.engine === 'tfjs' && r.batch_size === '16')!;
    expect(wasm16.backend).to.equal('wasm');
    // Compared with PyTorch at the same thread count (1 thread: 20 ms), not with the faster multi-thread run.
    expect(Number(wasm16.ratio_to_pytorch)).to.be.closeTo(Number(wasm16.ms_per_epoch) / 20, 0.004);
    // GFLOP/s from the nominal count of the peer: 3 x 2 x samples x sum of fanIn x fanOut.
    const flops = 6 * 32 * (1024 * 150 + 150 * 100 + 100 * 50 + 50 * 30 + 30 * 15 + 15);
    // ms is rounded to 0.1 in the file: allow for that rounding (relative 0.05 / ms) and gflops' own (0.0005).
    const ms = Number(wasm16.ms_per_epoch);
    expect(Number(wasm16.gflops)).to.be.closeTo(flops / (ms * 1e6), 1e-3 + (0.06 / ms) * Number(wasm16.gflops));
    const peaks = rows.filter((r) => r.measure === 'matmul_peak');
    expect(peaks).to.have.length(1);
    expect(peaks[0].backend).to.equal('wasm');
    expect(Number(peaks[0].gflops)).to.be.above(0);
    expect(Number(wasm16.share_of_peak)).to.be.closeTo(
      Number(wasm16.gflops) / Number(peaks[0].gflops),
      2e-3 + 0.01 * Number(wasm16.share_of_peak),
    );
  });

  it('times wasm on its threaded build too, a row per thread count, each against PyTorch with as many threads', async () => {
    // The fake peer of the test above: 5 ms per step with more than one thread (10 ms per 32-sample epoch at batch 16).
    const report = await runBench(options({ parts: ['tfjs', 'pytorch'], wasmThreads: [1, 2], batchSizes: [16] }));
    const text = formatReport(report);
    expect(text).to.match(/tfjs wasm \(1 thr\)\s+\|/);
    expect(text).to.match(/tfjs wasm \(2 thr\)\s+\|/);
    expect(text).to.match(/plain tf\.matMul peak, wasm \(2 thr\): \d+\.\d\d GFLOP\/s/);
    const rows = parseCsv(await fs.readFile(path.join(dir, 'bench.csv'), 'utf8'));
    const two = rows.find((r) => r.measure === 'epoch' && r.engine === 'tfjs' && r.threads === '2')!;
    expect(two.status, two.note).to.equal('ok');
    // ms_per_epoch is written to 0.1 ms and the ratio to 0.001: against the 10 ms peer the two roundings together allow
    // 0.05 / 10 + 0.0005 = 0.0055.
    expect(Number(two.ratio_to_pytorch)).to.be.closeTo(Number(two.ms_per_epoch) / 10, 0.0055);
    expect(rows.filter((r) => r.measure === 'matmul_peak').map((r) => r.threads)).to.have.members(['1', '2']);
  });

  it('measures the online step against its floor, with the PyTorch batch-1 step (1 thread) beside it, in the table and in bench.csv', async () => {
    // The fake peer of the first test: 10 ms per step with one thread, so 10,000 µs at batch 1.
    const report = await runBench(options({ parts: ['handwritten', 'pytorch'], batchSizes: [1, 16] }));
    const online = report.online!;
    expect(online.status, online.note).to.equal('ok');
    const t = online.timing!;
    for (const v of [t.stepUs, t.stepCpuUs, t.floorUs, t.floorCpuUs]) expect(v).to.be.above(0);
    expect(online.torchStepUs).to.equal(10_000);
    const text = formatReport(report);
    expect(text).to.match(
      /online step, hand-written .*: \d+\.\d µs per step .*its floor.*: \d+\.\d µs .*the step runs at \d+\.\d\dx the floor's speed/,
    );
    expect(text).to.match(/PyTorch \(1 thr\) batch 1: 10000\.0 µs per step, the step \d\.\d{3}x of it/);
    const rows = parseCsv(await fs.readFile(path.join(dir, 'bench.csv'), 'utf8'));
    const row = rows.find((r) => r.measure === 'online_step')!;
    expect(row.status).to.equal('ok');
    expect(Number(row.share_of_peak)).to.be.closeTo(t.floorUs / t.stepUs, 1e-3);
    expect(Number(row.ratio_to_pytorch)).to.be.closeTo(t.stepUs / 10_000, 1e-3);
    expect(Number(row.ms_per_epoch)).to.be.closeTo((t.stepUs * 32) / 1000, 0.06);
  });

  it('says so when PyTorch was not timed at batch 1, and when the hand-written worker gave no online timing', () => {
    const timing = { stepUs: 30, stepCpuUs: 29, floorUs: 15, floorCpuUs: 14, repetitions: 3, stepsPerRep: 100 };
    const torch16 = { engine: 'pytorch-x', backend: '', provider: '', threads: 1, batchSize: 16, status: 'ok' as const, msPerEpoch: 5 };
    const isTorch = (c: { engine: string }) => c.engine.startsWith('pytorch');
    const m = onlineStepMeasure(timing, [torch16], isTorch, 32);
    expect(m.status).to.equal('ok');
    expect(m.torchStepUs).to.equal(undefined);
    expect(m.note).to.match(/not timed at batch 1/);
    const withTorch = onlineStepMeasure(timing, [{ ...torch16, batchSize: 1, msPerEpoch: 64 }], isTorch, 32);
    expect(withTorch.torchStepUs).to.equal(2000);
    expect(onlineStepMeasure(undefined, [], isTorch, 32).status).to.equal('failed');
    expect(onlineStepMeasure(null, [], isTorch, 32)).to.deep.include({ status: 'skipped' });
  });

  it('runs the real PyTorch peer (tools/torch_mlp.py) on a tiny epoch when torch is installed', async function () {
    const r = await runTorch({
      python: '/usr/bin/python3',
      script: path.join(root, 'tools', 'torch_mlp.py'),
      batchSizes: [16, 32],
      threads: [1],
      samples: 64,
      epochs: 1,
      maxSeconds: 5,
    });
    if (r.status === 'skipped' && /not importable|not found/.test(r.reason)) this.skip(); // no python3-torch here
    expect(r.status, r.status === 'skipped' ? r.reason : '').to.equal('ok');
    if (r.status !== 'ok') return;
    expect(r.timings.map((t) => [t.batchSize, t.threads, t.samples])).to.deep.equal([
      [16, 1, 64],
      [32, 1, 64],
    ]);
    for (const t of r.timings) {
      expect(t.engine).to.match(/^pytorch-\d/);
      expect(t.msPerEpoch).to.be.above(0);
      // Its GFLOP/s use the same nominal count as ours.
      expect(t.gflops).to.be.closeTo(
        (6 * 64 * (1024 * 150 + 150 * 100 + 100 * 50 + 50 * 30 + 30 * 15 + 15)) / (t.msPerEpoch * 1e6),
        1e-6 * t.gflops,
      );
    }
  });

  it('reports PyTorch as skipped, with the reason, when its script is missing; the other cells still run', async () => {
    const report = await runBench(
      options({ parts: ['pytorch', 'handwritten'], torchScript: path.join(dir, 'nowhere.py'), out: path.join(dir, 'b2.csv') }),
    );
    expect(report.torchNote).to.match(/skipped: PyTorch peer script not found at .*nowhere\.py/);
    expect(formatReport(report)).to.match(/handwritten.*ms .* GF\/s -/);
    const rows = parseCsv(await fs.readFile(path.join(dir, 'b2.csv'), 'utf8'));
    expect(rows.map((r) => [r.measure, r.engine])).to.deep.equal([
      ['epoch', 'handwritten'],
      ['epoch', 'handwritten'],
      ['online_step', 'handwritten'],
    ]);
    // The online step is measured, with no PyTorch beside it.
    expect(rows[2].status).to.equal('ok');
    expect(rows[2].ratio_to_pytorch).to.equal('');
    expect(rows[2].note).to.match(/PyTorch was not timed at batch 1/);
  });

  it('times whole commands end to end (the sweeps part), with the peak memory of every process they start', async function () {
    this.timeout(120_000);
    expect(DEFAULT_PARTS).to.not.include('sweeps'); // an hour on the real data: only when asked
    const fixture = await makeFixtureDataDir({ recordsPerBatch: 50 });
    try {
      const configs = path.join(dir, 'sweep-configs');
      await fs.mkdir(configs);
      const run = {
        hidden: [6],
        epochs: 1,
        batchSize: 10,
        backend: 'cpu',
        data: { trainPerClass: 30, testPerClass: 15, validationPerClass: 10 },
      };
      await fs.writeFile(path.join(configs, 'sigmoid3.json'), JSON.stringify({ ...run, activation: 'sigmoid' }));
      await fs.writeFile(path.join(configs, 'reproduce.json'), JSON.stringify({ configs: ['sigmoid3'], seeds: 2, jobs: 2 }));
      const data = ['--data-dir', fixture.dataDir, '--progress', 'none'];
      const report = await runBench(
        options({
          parts: ['sweeps'],
          sweeps: [
            { what: 'a tiny sweep', args: ['reproduce', '--config', path.join(configs, 'reproduce.json'), '--out', OUT, ...data] },
            { what: 'a broken one', args: ['reproduce', '--config', path.join(configs, 'missing.json'), '--out', OUT, ...data] },
          ],
        }),
      );
      const [tiny, broken] = report.sweeps;
      expect(tiny.status, tiny.note).to.equal('ok');
      expect(tiny.seconds).to.be.above(0);
      expect(tiny.peakRssMb).to.be.above(20);
      // The command itself and its two worker processes each reported their peak.
      expect(tiny.note).to.match(/; 3 processes$/);
      expect(broken.status).to.equal('failed');
      expect(broken.note).to.match(/^the command failed: error: .*missing\.json/);
      const text = formatReport(report);
      expect(text).to.match(
        /^time of a tiny sweep: \d+\.\d s, largest process \d+ MB \(node dist\/run\.js reproduce --config .* --out \$OUT /m,
      );
      const rows = parseCsv(await fs.readFile(path.join(dir, 'bench.csv'), 'utf8')).filter((r) => r.measure === 'command');
      expect(rows.map((r) => [r.engine, r.status])).to.deep.equal([
        ['a tiny sweep', 'ok'],
        ['a broken one', 'failed'],
      ]);
    } finally {
      await fixture.cleanup();
    }
  });

  it("reads the peer's JSON lines, scaling a shortened epoch to the benchmark's, and takes medians", () => {
    const t = parseTorchLines(
      '{"type": "info", "threads": 2}\nnoise\n{"type": "epoch", "engine": "pytorch-1.13", "threads": 2, "batch_size": 1, "samples": 500, "ms_per_epoch": 500.0, "gflops": 0.5}\n',
      4000,
    );
    expect(t).to.deep.equal([{ engine: 'pytorch-1.13', threads: 2, batchSize: 1, msPerEpoch: 4000, gflops: 0.5, samples: 500 }]);
    expect(median([5, 1, 3])).to.equal(3);
    expect(median([4, 1, 3, 2])).to.equal(2.5);
  });
});
