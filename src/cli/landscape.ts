/**
 * `landscape`: experiment 2 of the article, the loss along single first-layer weights.
 *
 *   node dist/run.js landscape --config configs/relu7.json --config configs/sigmoid7.json
 *
 * For every config: train it (default; the run folder goes inside the landscape folder), or
 * load the weights a run saved (--weights DIR/weights.json, one per config, in order), or take
 * the untrained network (--at init). Then sweep K first-layer weights (src/probes/landscape.ts)
 * and write landscape.csv, landscape-summary.csv, landscape.svg/.png and landscape.json.
 */
import { promises as fs } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { BackendChoice } from '../nn/tfjs/backend.js';
import { applyOverrides, loadConfigFile } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import { resolveDataDir } from '../data/cache.js';
import { loadSubset } from '../data/subset.js';
import type { Dataset, Subset } from '../data/types.js';
import { loadParamsOrModel } from '../nn/params-io.js';
import { initParams, type Params, layerSizes } from '../nn/params.js';
import { DEFAULT_POINTS, DEFAULT_SPAN, DEFAULT_TOLERANCE, DEFAULT_WEIGHT_COUNT } from '../probes/landscape-defaults.js';
import type { ProbedNetwork, WeightRef } from '../probes/landscape.js';
import type { ProgressMode } from '../training/train-run.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UsageError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { singleFlag } from './flags.js';
import { folderStamp } from '../training/out-dir.js';

interface LandscapeArgs {
  config?: string[];
  weights?: string[];
  at?: string;
  weight?: string[];
  count?: number;
  span?: number;
  from?: number;
  to?: number;
  points?: number;
  examples?: number;
  tolerance?: number;
  jobs?: number;
  epochs?: number;
  seed?: number;
  backend?: string;
  out?: string;
  'data-dir'?: string;
  progress?: string;
}

const PROGRESS_MODES = ['auto', 'bar', 'lines', 'none'] as const;

function builder(y: Argv): Argv<LandscapeArgs> {
  return y
    .option('config', {
      type: 'string',
      array: true,
      describe: 'JSON config file; repeat to put networks side by side',
      demandOption: true,
      requiresArg: true,
    })
    .option('weights', {
      type: 'string',
      array: true,
      describe: 'probe the weights a run saved (DIR/weights.json or DIR/model.json) instead of training; one per --config, same order',
      requiresArg: true,
    })
    .option('at', { type: 'string', describe: 'trained (train first, default) | init (the untrained network)', requiresArg: true })
    .option('weight', {
      type: 'string',
      array: true,
      describe: 'sweep W1[i,j] (input i to first-layer neuron j), e.g. --weight 512,3; repeatable',
      requiresArg: true,
    })
    .option('count', {
      type: 'number',
      describe: `weights picked with the seed when no --weight is given (default ${DEFAULT_WEIGHT_COUNT})`,
      requiresArg: true,
    })
    .option('span', { type: 'number', describe: `sweep original value ± span (default ${DEFAULT_SPAN})`, requiresArg: true })
    .option('from', { type: 'number', describe: 'absolute lower end of the sweep (with --to) for every weight', requiresArg: true })
    .option('to', { type: 'number', describe: 'absolute upper end of the sweep (with --from)', requiresArg: true })
    .option('points', { type: 'number', describe: `values per weight (default ${DEFAULT_POINTS})`, requiresArg: true })
    .option('examples', {
      type: 'number',
      describe: 'measure the loss over this many training images (a seeded subset) instead of all',
      requiresArg: true,
    })
    .option('tolerance', {
      type: 'number',
      describe: `largest accepted derivative-vs-slope disagreement, relative (default ${DEFAULT_TOLERANCE})`,
      requiresArg: true,
    })
    .option('jobs', {
      type: 'number',
      describe: 'worker threads for the sweeps (default: one per core); the numbers do not depend on it',
      requiresArg: true,
    })
    .option('epochs', { type: 'number', describe: "override the configs' epochs (when training)", requiresArg: true })
    .option('seed', {
      type: 'number',
      describe: "override the configs' seed (initial weights, shuffling, picked weights)",
      requiresArg: true,
    })
    .option('backend', { type: 'string', describe: 'auto | tensorflow | wasm | cpu', requiresArg: true })
    .option('out', {
      type: 'string',
      describe: 'folder for the results (default outputs/landscape-<configs>-<time>); must be new or empty',
      requiresArg: true,
    })
    .option('data-dir', {
      type: 'string',
      describe: 'CIFAR-10 cache (default $CIFAR10_DATA_DIR or ~/.cache/cifar10-mlp)',
      requiresArg: true,
    })
    .option('progress', {
      type: 'string',
      describe: 'training progress: auto | bar | lines | none',
      default: 'auto',
      requiresArg: true,
    }) as Argv<LandscapeArgs>;
}

function num(flag: string, v: number | number[] | undefined): number | undefined {
  const x = singleFlag(flag, v);
  if (x !== undefined && !Number.isFinite(x)) throw new UsageError(`--${flag}: expected a number`);
  return x;
}

function wholeNumber(flag: string, v: number | number[] | undefined, min: number): number | undefined {
  const x = num(flag, v);
  if (x !== undefined && !(Number.isInteger(x) && x >= min))
    throw new UsageError(`--${flag}: expected a whole number of at least ${min}, got ${x}`);
  return x;
}

function parseWeightFlag(text: string): WeightRef {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--weight ${text}: expected i,j (input index, first-layer neuron index), e.g. --weight 512,3`);
  return { i: Number(m[1]), j: Number(m[2]) };
}

/** Same data settings for every config: the curves are losses over the same examples. */
function dataKey(c: RunConfig): string {
  return JSON.stringify(c.data);
}

/** A seeded subset of the training set, same for every network (the loss must be over the same examples). */
function subsetOf(train: Dataset, count: number, seed: number): Dataset {
  if (count >= train.count) return train;
  const order = Rng.stream(seed, 'landscape-examples').permutation(train.count).subarray(0, count);
  const idx = Array.from(order).sort((a, b) => a - b);
  const x = new Float32Array(count * train.inputs);
  const y = new Float32Array(count);
  idx.forEach((k, r) => {
    x.set(train.x.subarray(k * train.inputs, (k + 1) * train.inputs), r * train.inputs);
    y[r] = train.y[k];
  });
  return { x, y, count, inputs: train.inputs };
}

async function newOutDir(configs: RunConfig[]): Promise<string> {
  const stamp = folderStamp(new Date());
  const base = path.join('outputs', `landscape-${configs.map((c) => c.name).join('-')}-${stamp}`);
  for (let k = 1; ; k++) {
    const dir = k === 1 ? base : `${base}-${k}`;
    try {
      await fs.mkdir(dir, { recursive: false });
      return dir;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') await fs.mkdir('outputs', { recursive: true });
      else if (code !== 'EEXIST') throw err;
    }
  }
}

async function checkOutDir(dir: string): Promise<void> {
  try {
    if ((await fs.readdir(dir)).length > 0)
      throw new UsageError(`--out ${dir}: the folder already holds files; give a new or empty folder`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new UsageError(`--out ${dir}: is a file, expected a folder`);
    if (code !== 'ENOENT') throw err;
    await fs.mkdir(dir, { recursive: true });
  }
}

function checkSizes(file: string, params: Params, expected: number[], config: RunConfig): void {
  const same = params.sizes.length === expected.length && params.sizes.every((s, k) => s === expected[k]);
  if (!same) {
    throw new UsageError(
      `--weights ${file}: holds a network of sizes [${params.sizes.join(', ')}], but ${config.name} is [${expected.join(', ')}]`,
    );
  }
}

export const landscapeCommand: CommandModule<object, LandscapeArgs> = {
  command: 'landscape',
  describe: 'sweep single first-layer weights of trained (or untrained) networks: loss and its derivative (experiment 2)',
  builder,
  handler: async (args) => {
    const wall0 = performance.now();
    const say = (line: string): void => void process.stdout.write(`${line}\n`);
    const configFiles = args.config ?? [];
    if (configFiles.length === 0) throw new UsageError('--config: give at least one JSON config file, e.g. --config configs/relu7.json');
    const at = singleFlag('at', args.at) ?? 'trained';
    if (at !== 'trained' && at !== 'init') throw new UsageError(`--at: expected trained or init, got "${at}"`);
    const weightFiles = args.weights;
    if (weightFiles && at === 'init') throw new UsageError('--weights and --at init: choose one source of weights');
    if (weightFiles && weightFiles.length !== configFiles.length) {
      throw new UsageError(
        `--weights: give one weights file per --config (${configFiles.length}), in the same order; got ${weightFiles.length}`,
      );
    }
    const progress = singleFlag('progress', args.progress) ?? 'auto';
    if (!(PROGRESS_MODES as readonly string[]).includes(progress))
      throw new UsageError(`--progress: expected one of ${PROGRESS_MODES.join(', ')}, got "${progress}"`);
    const named = args.weight?.map(parseWeightFlag);
    const count = wholeNumber('count', args.count, 1);
    if (named && count !== undefined) throw new UsageError('--weight and --count: name the weights or let the seed pick them, not both');
    const points = wholeNumber('points', args.points, 3);
    const examples = wholeNumber('examples', args.examples, 1);
    const span = num('span', args.span);
    const from = num('from', args.from);
    const to = num('to', args.to);
    if (span !== undefined && (from !== undefined || to !== undefined))
      throw new UsageError('--span and --from/--to: give a span around each weight or an absolute range, not both');
    const jobs = wholeNumber('jobs', args.jobs, 1) ?? availableParallelism();
    const tolerance = num('tolerance', args.tolerance);
    if (tolerance !== undefined && !(tolerance > 0)) throw new UsageError(`--tolerance: expected a positive number, got ${tolerance}`);

    const configs = configFiles.map((f) =>
      applyOverrides(loadConfigFile(f), {
        epochs: wholeNumber('epochs', args.epochs, 1),
        seed: wholeNumber('seed', args.seed, 0),
        backend: singleFlag('backend', args.backend),
      }),
    );
    const names = new Set<string>();
    for (const c of configs) {
      if (names.has(c.name)) throw new UsageError(`--config: "${c.name}" is given twice`);
      names.add(c.name);
      if (dataKey(c) !== dataKey(configs[0])) {
        throw new UsageError(
          `--config: ${c.name} uses different data settings from ${configs[0].name}; the curves must be losses over the same examples`,
        );
      }
    }
    const outFlag = singleFlag('out', args.out);
    if (outFlag) await checkOutDir(outFlag);
    const outDir = outFlag ?? (await newOutDir(configs));

    // TensorFlow.js takes seconds to load: only a command that computes loads it, so --help and
    // flag mistakes (checked above) answer at once.
    const [{ describeBackend, selectBackend }, { runLandscape }, { trainRun }] = await Promise.all([
      import('../nn/tfjs/backend.js'),
      import('../probes/landscape.js'),
      import('../training/train-run.js'),
    ]);
    const backend = await selectBackend(configs[0].backend as BackendChoice);
    say(`backend: ${describeBackend(backend)}`);
    const subset: Subset = await loadSubset({
      dataDir: resolveDataDir(singleFlag('data-dir', args['data-dir'])),
      ...configs[0].data,
      log: say,
    });
    const data = examples !== undefined ? subsetOf(subset.train, examples, configs[0].seed) : subset.train;
    const examplesLabel =
      data === subset.train
        ? `training set (${data.count} images)`
        : `${data.count} training images (a seeded subset of ${subset.train.count})`;

    // The networks: trained here, loaded, or untrained.
    let trainSeconds = 0;
    let trainWallMs = 0;
    const networks: ProbedNetwork[] = [];
    const sources: string[] = [];
    for (let k = 0; k < configs.length; k++) {
      const config = configs[k];
      const sizes = layerSizes(subset.train.inputs, config.hidden);
      let params: Params;
      if (weightFiles) {
        params = await loadParamsOrModel(weightFiles[k]);
        checkSizes(weightFiles[k], params, sizes, config);
        sources.push(`weights from ${weightFiles[k]}`);
      } else if (at === 'init') {
        params = initParams(sizes, config.init, config.seed);
        sources.push(`untrained (${config.init.scheme} initialisation, seed ${config.seed})`);
      } else {
        const t = performance.now();
        const run = await trainRun(config, {
          outDir: path.join(outDir, `train-${config.name}`),
          subset,
          progress: progress as ProgressMode,
        });
        trainWallMs += performance.now() - t;
        trainSeconds += run.seconds;
        params = run.params;
        sources.push(
          `trained for ${config.epochs} epochs (test accuracy ${(100 * run.finalTestAccuracy).toFixed(1)} %), run folder ${run.outDir}`,
        );
      }
      networks.push({ name: config.name, activation: config.activation, outputActivation: config.outputActivation, params });
    }
    // Training may have switched backends (a config may name another); the probe runs on the one chosen here.
    await selectBackend(configs[0].backend as BackendChoice);

    say(`probing ${networks.map((n) => n.name).join(', ')} over the ${examplesLabel}`);
    const result = await runLandscape({
      networks,
      data,
      examplesLabel,
      weights: named,
      count,
      seed: configs[0].seed,
      span,
      from,
      to,
      points,
      tolerance,
      outDir,
      jobs,
      log: say,
    });
    const wallSeconds = (performance.now() - wall0) / 1000;
    const trainWall = trainWallMs / 1000;
    await writeFileAtomic(
      path.join(outDir, 'landscape.json'),
      `${JSON.stringify(
        {
          configs: configs.map((c, k) => ({
            name: c.name,
            activation: c.activation,
            hidden: c.hidden,
            seed: c.seed,
            epochs: c.epochs,
            source: sources[k],
          })),
          examples: result.examples,
          points: result.points,
          range: from !== undefined ? { from, to } : { span: span ?? DEFAULT_SPAN },
          weights: [...new Map(result.curves.map((c) => [`${c.weightI},${c.weightJ}`, { i: c.weightI, j: c.weightJ }])).values()],
          counts: result.counts,
          check: result.check,
          seconds: {
            probe: result.seconds.total,
            jobs: result.seconds.jobs,
            setupSummedOverThreads: result.seconds.setup,
            sweepsSummedOverThreads: result.seconds.sweep,
            training: trainWall,
            trainingEpochs: trainSeconds,
            wall: wallSeconds,
          },
          backend,
          finishedAt: new Date().toISOString(),
        },
        null,
        2,
      )}\n`,
    );
    say(
      `time: probe ${result.seconds.total.toFixed(1)} s on ${result.seconds.jobs} thread${result.seconds.jobs === 1 ? '' : 's'} ` +
        `(summed over threads: first two layers ${result.seconds.setup.toFixed(1)} s, sweeps ${result.seconds.sweep.toFixed(1)} s)` +
        (trainWallMs > 0 ? `, training ${trainWall.toFixed(1)} s (epochs ${trainSeconds.toFixed(1)} s)` : '') +
        `, whole command ${wallSeconds.toFixed(1)} s`,
    );
    say(`results: ${outDir} (landscape.csv, landscape-summary.csv, landscape.svg/.png, landscape.json)`);
  },
};
