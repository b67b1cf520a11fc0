/**
 * `bench`: times one training epoch of the article's network on every TensorFlow.js backend
 * that loads, on the hand-written engine and on the PyTorch peer, in one invocation; times the
 * landscape probe; measures the peak memory of a full training run. Prints a table, writes
 * bench.csv. See src/bench/bench-run.ts.
 *
 *   npm run bench                 # = node dist/run.js bench
 *   node dist/run.js bench --quick
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Argv, CommandModule } from 'yargs';
import { ALL_BACKENDS, ALL_PARTS, DEFAULT_PARTS, formatReport, runBench, type BenchBackend, type BenchPart } from '../bench/bench-run.js';
import { BENCH_SAMPLES } from '../bench/workload.js';
import { BENCH_COLUMNS } from '../bench/report.js';
import { claimOutputFile, writeClaimed } from '../util/output-claim.js';
import { UsageError } from '../util/errors.js';
import { MAX_WASM_THREADS } from '../nn/tfjs/threads.js';
import { numberOption, stringOption } from './flags.js';

interface BenchArgs {
  quick?: boolean;
  'batch-sizes'?: string;
  backends?: string;
  'wasm-threads'?: string;
  only?: string;
  skip?: string;
  repetitions?: number;
  budget?: number;
  samples?: number;
  'torch-script'?: string;
  python?: string;
  'memory-config'?: string;
  out?: string;
}

/** The wasm rows' default thread counts: 1 and every core, up to what the threaded build can use. */
const defaultWasmThreads = Math.min(MAX_WASM_THREADS, os.availableParallelism());

/** The project root: this file is dist/cli/bench.js (or src/cli/bench.ts under tsx). */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function builder(y: Argv): Argv<BenchArgs> {
  return y
    .option('quick', {
      type: 'boolean',
      describe: 'short run (under a minute): fewer repetitions, slow cells extrapolated from a few steps, 1-epoch memory run',
    })
    .option('batch-sizes', stringOption('batch-sizes', 'comma-separated batch sizes (default 1,32,4000)'))
    .option(
      'backends',
      stringOption(
        'backends',
        `TensorFlow.js backends to try (default ${ALL_BACKENDS.join(',')}; those that do not load are reported as skipped)`,
      ),
    )
    .option(
      'wasm-threads',
      stringOption(
        'wasm-threads',
        `thread counts the wasm backend is timed with, one row each (default 1 and every core, at most ${MAX_WASM_THREADS}: 1,${defaultWasmThreads})`,
      ),
    )
    .option(
      'only',
      stringOption(
        'only',
        `measure only these parts: ${ALL_PARTS.join(',')} (default all but sweeps, which times npm start and study --quick end to end: about an hour)`,
      ),
    )
    .option('skip', stringOption('skip', `leave out these parts: ${ALL_PARTS.join(',')}`))
    .option('repetitions', numberOption('repetitions', 'timed repetitions per cell, after a warm-up (default 5; --quick 3)'))
    .option(
      'budget',
      numberOption('budget', 'seconds per cell before slow cells are extrapolated from part of an epoch (default 30; --quick 2)'),
    )
    .option('samples', numberOption('samples', `samples per epoch (default ${BENCH_SAMPLES})`))
    .option('torch-script', stringOption('torch-script', 'the PyTorch peer (default tools/torch_mlp.py in the project)'))
    .option('python', stringOption('python', 'Python with torch (default /usr/bin/python3)'))
    .option(
      'memory-config',
      stringOption('memory-config', 'config whose full training run is measured for peak memory (default configs/sigmoid7.json)'),
    )
    .option('out', stringOption('out', 'CSV file to write (default outputs/bench.csv)'))
    .example(
      '$0 bench --only tfjs,pytorch --backends wasm --batch-sizes 32',
      'the wasm engine against PyTorch at batch 32 only',
    ) as Argv<BenchArgs>;
}

function positiveNumber(flag: string, x: number | undefined, integer: boolean): number | undefined {
  if (x === undefined) return undefined;
  if (!Number.isFinite(x) || x <= 0 || (integer && !Number.isInteger(x))) {
    throw new UsageError(`--${flag}: expected a positive ${integer ? 'whole number' : 'number'}, got ${String(x)}`);
  }
  return x;
}

function list(flag: string, s: string | undefined): string[] | undefined {
  if (s === undefined) return undefined;
  const items = s
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (items.length === 0) throw new UsageError(`--${flag}: expected a comma-separated list`);
  return items;
}

function parts(flag: string, v: string | undefined): BenchPart[] | undefined {
  const items = list(flag, v);
  if (!items) return undefined;
  for (const p of items)
    if (!(ALL_PARTS as readonly string[]).includes(p))
      throw new UsageError(`--${flag}: unknown part "${p}"; expected some of ${ALL_PARTS.join(', ')}`);
  return items as BenchPart[];
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'time training epochs on every backend, the hand-written engine and PyTorch; write bench.csv',
  builder,
  handler: async (args) => {
    const quick = args.quick ?? false;
    const batchSizes = (list('batch-sizes', args['batch-sizes']) ?? ['1', '32', '4000']).map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1) throw new UsageError(`--batch-sizes: expected positive whole numbers, got "${s}"`);
      return n;
    });
    const backends = (list('backends', args.backends) ?? [...ALL_BACKENDS]).map((b) => {
      if (!(ALL_BACKENDS as readonly string[]).includes(b))
        throw new UsageError(`--backends: unknown backend "${b}"; expected some of ${ALL_BACKENDS.join(', ')}`);
      return b as BenchBackend;
    });
    const wasmThreads = (list('wasm-threads', args['wasm-threads']) ?? [...new Set(['1', String(defaultWasmThreads)])]).map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS)
        throw new UsageError(`--wasm-threads: expected whole numbers from 1 to ${MAX_WASM_THREADS}, got "${s}"`);
      return n;
    });
    const only = parts('only', args.only);
    const skip = parts('skip', args.skip) ?? [];
    const samples = positiveNumber('samples', args.samples, true) ?? BENCH_SAMPLES;
    for (const b of batchSizes) if (b > samples) throw new UsageError(`--batch-sizes: ${b} is larger than --samples ${samples}`);
    const torchScript = args['torch-script'];
    const memoryConfig = args['memory-config'];
    const out = path.resolve(args.out ?? path.join('outputs', 'bench.csv'));
    // Claimed before the hour of measuring: a file of another program, or another bench writing it, stops it at once.
    const header = BENCH_COLUMNS.join(',');
    const claim = await claimOutputFile(out, { flag: '--out', isOwn: (head) => head.startsWith(`${header}\n`) });
    const report = await writeClaimed(claim, () =>
      runBench({
        root: projectRoot,
        batchSizes,
        backends,
        wasmThreads,
        parts: (only ?? [...DEFAULT_PARTS]).filter((p) => !skip.includes(p)),
        repetitions: positiveNumber('repetitions', args.repetitions, true) ?? (quick ? 3 : 5),
        budgetSeconds: positiveNumber('budget', args.budget, false) ?? (quick ? 2 : 30),
        samples,
        quick,
        python: args.python ?? '/usr/bin/python3',
        torchScript: torchScript !== undefined ? path.resolve(torchScript) : path.join(projectRoot, 'tools', 'torch_mlp.py'),
        memoryConfig: memoryConfig !== undefined ? path.resolve(memoryConfig) : path.join(projectRoot, 'configs', 'sigmoid7.json'),
        out,
        log: (line) => process.stderr.write(`${line}\n`),
      }),
    );
    process.stdout.write(`${formatReport(report)}\n`);
    process.stdout.write(`wrote ${path.relative(process.cwd(), out)}\n`);
  },
};
