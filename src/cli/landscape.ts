/**
 * `landscape`: experiment 2 of the article, the loss along single first-layer weights.
 *
 *   node dist/run.js landscape --config configs/relu7.json --config configs/sigmoid7.json
 *
 * For every config: train it (default; the run folder goes inside the landscape folder), or
 * load the weights a run saved (--weights DIR/weights.json or DIR/model.json, one per config, in order), or take
 * the untrained network (--at init). Then sweep K first-layer weights (src/probes/landscape.ts)
 * and write landscape.csv, landscape-summary.csv, landscape.svg/.png and landscape.json.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { BackendChoice } from '../nn/tfjs/backend.js';
import { applyOverrides, loadConfigFile } from '../config/load.js';
import { BACKEND_CHOICES, MAX_SEED, type RunConfig } from '../config/schema.js';
import { resolveDataDir } from '../data/cache.js';
import { loadSubset } from '../data/subset.js';
import type { Subset } from '../data/types.js';
import { readModelFile } from '../nn/params-io.js';
import { initParams, type Params, layerSizes } from '../nn/params.js';
import {
  LANDSCAPE_DEFAULTS,
  LandscapeProbeSettingsSchema,
  checkLandscapeRange,
  describeRange,
  type LandscapeProbeSettings,
} from '../probes/landscape-settings.js';
import type { ProbedNetwork, WeightRef } from '../probes/landscape.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UsageError } from '../util/errors.js';
import { removeIfEmpty } from '../util/folders.js';
import { childPath } from '../util/paths.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { choiceOption, dataDirOption, numberOption, progressOption, stringOption, wholeNumberOption } from './flags.js';
import { prepareOutDir } from '../training/out-dir.js';

interface LandscapeArgs {
  config: string[];
  weights?: string[];
  at: 'trained' | 'init';
  weight?: WeightRef[];
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
  progress: ProgressChoice;
}

/** Most worker threads per core for the sweeps: more only adds memory. */
const JOBS_PER_CORE = 4;

function parseWeightFlag(text: string): WeightRef {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--weight ${text}: expected i,j (input index, first-layer neuron index), e.g. --weight 512,3`);
  return { i: Number(m[1]), j: Number(m[2]) };
}

/** A flag that may be repeated, each value a non-empty string. */
function repeatable(describe: string): object {
  return { type: 'string', array: true, requiresArg: true, describe };
}

function builder(y: Argv): Argv<LandscapeArgs> {
  const d = LANDSCAPE_DEFAULTS;
  return y
    .option('config', { ...repeatable('JSON config file; repeat to put networks side by side'), demandOption: true })
    .option(
      'weights',
      repeatable('probe the weights a run saved (DIR/weights.json or DIR/model.json) instead of training; one per --config, same order'),
    )
    .option('at', choiceOption('at', 'trained (train first, default) | init (the untrained network)', ['trained', 'init'], 'trained'))
    .option('weight', {
      ...repeatable('sweep W1[i,j] (input i to first-layer neuron j), e.g. --weight 512,3; repeatable'),
      coerce: (values: string[]) => values.map((v) => parseWeightFlag(String(v))),
    })
    .option('count', numberOption('count', `weights picked with the seed when no --weight is given (default ${d.count})`))
    .option('span', numberOption('span', `sweep original value ± span (default ${d.span})`))
    .option('from', numberOption('from', 'absolute lower end of the sweep (with --to) for every weight'))
    .option('to', numberOption('to', 'absolute upper end of the sweep (with --from)'))
    .option('points', numberOption('points', `values per weight (default ${d.points})`))
    .option(
      'examples',
      wholeNumberOption(
        'examples',
        'measure the loss over this many training images (a seeded subset) instead of all',
        1,
        Number.MAX_SAFE_INTEGER,
      ),
    )
    .option('tolerance', numberOption('tolerance', `largest accepted derivative-vs-slope disagreement, relative (default ${d.tolerance})`))
    .option(
      'jobs',
      wholeNumberOption(
        'jobs',
        'worker threads for the sweeps (default: one per core, at most 4 per core); the numbers do not depend on it',
        1,
        JOBS_PER_CORE * availableParallelism(),
      ),
    )
    .option('epochs', numberOption('epochs', "override the configs' epochs (when training)"))
    .option('seed', wholeNumberOption('seed', "override the configs' seed (initial weights, shuffling, picked weights)", 0, MAX_SEED))
    .option('backend', choiceOption('backend', 'override the TensorFlow.js backend', BACKEND_CHOICES))
    .option('out', stringOption('out', 'folder for the results (default outputs/landscape-<configs>-<time>); must be new or empty'))
    .option('data-dir', dataDirOption())
    .option('progress', progressOption('training progress: auto | bar | lines | none'))
    .example(
      '$0 landscape --config configs/relu7.json --config configs/sigmoid7.json --at init',
      'the two untrained 7-layer networks side by side',
    ) as unknown as Argv<LandscapeArgs>;
}

/** The probe's settings from the flags, through the schema the sweep uses too; a mistake names the flag. */
function probeSettings(args: LandscapeArgs): LandscapeProbeSettings {
  const raw = { count: args.count, span: args.span, from: args.from, to: args.to, points: args.points, tolerance: args.tolerance };
  const result = LandscapeProbeSettingsSchema.superRefine(checkLandscapeRange).safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new UsageError(`--${issue.path.join('.')}: ${issue.message.replace(/^Invalid input: /, '')}`);
  }
  return result.data;
}

/** Same data settings for every config: the curves are losses over the same examples. */
function dataKey(c: RunConfig): string {
  return JSON.stringify(c.data);
}

export const landscapeCommand: CommandModule<object, LandscapeArgs> = {
  command: 'landscape',
  describe: 'sweep single first-layer weights of trained (or untrained) networks: loss and its derivative (experiment 2)',
  builder,
  handler: async (args) => {
    const wall0 = performance.now();
    const say = (line: string): void => void process.stdout.write(`${line}\n`);
    const configFiles = args.config;
    const at = args.at;
    const weightFiles = args.weights;
    if (weightFiles && at === 'init') throw new UsageError('--weights and --at init: choose one source of weights');
    if (weightFiles && weightFiles.length !== configFiles.length) {
      throw new UsageError(
        `--weights: give one weights file per --config (${configFiles.length}), in the same order; got ${weightFiles.length}`,
      );
    }
    const named = args.weight;
    if (named && args.count !== undefined)
      throw new UsageError('--weight and --count: name the weights or let the seed pick them, not both');
    const settings = probeSettings(args);
    const jobs = args.jobs ?? availableParallelism();

    const configs = configFiles.map((f) =>
      applyOverrides(loadConfigFile(f), { epochs: args.epochs, seed: args.seed, backend: args.backend }),
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
    const existed = args.out !== undefined && existsSync(args.out);
    const outDir = await prepareOutDir(args.out, `landscape-${configs.map((c) => c.name).join('-')}`);
    try {
      await probe(args, { configs, settings, jobs, outDir, wall0, say });
    } catch (err) {
      // A failure before anything was written leaves no empty folder behind (one the user made is kept).
      if (!existed) await removeIfEmpty(outDir);
      throw err;
    }
  },
};

interface ProbeContext {
  configs: RunConfig[];
  settings: LandscapeProbeSettings;
  jobs: number;
  outDir: string;
  wall0: number;
  say: (line: string) => void;
}

/** Gets the networks (trained here, loaded, or untrained), probes them, and writes landscape.json. */
async function probe(args: LandscapeArgs, ctx: ProbeContext): Promise<void> {
  const { configs, settings, outDir, say } = ctx;
  // TensorFlow.js takes seconds to load: only a command that computes loads it, so --help and
  // flag mistakes (checked above) answer at once.
  const [{ describeBackend, selectBackend }, { runLandscapeProbe }, { trainRun }] = await Promise.all([
    import('../nn/tfjs/backend.js'),
    import('../probes/landscape-run.js'),
    import('../training/train-run.js'),
  ]);
  const backend = await selectBackend(configs[0].backend as BackendChoice);
  say(`backend: ${describeBackend(backend)}`);
  const subset: Subset = await loadSubset({ dataDir: resolveDataDir(args['data-dir']), ...configs[0].data, log: say });

  let trainSeconds = 0;
  let trainWallMs = 0;
  const networks: ProbedNetwork[] = [];
  const sources: string[] = [];
  for (const [k, config] of configs.entries()) {
    const sizes = layerSizes(subset.train.inputs, config.hidden);
    let params: Params;
    if (args.weights) {
      params = await readModelFile(args.weights[k], {
        flag: '--weights',
        config: config.name,
        sizes,
        hiddenActivation: config.activation,
        outputActivation: config.outputActivation,
      });
      sources.push(`weights from ${args.weights[k]}`);
    } else if (args.at === 'init') {
      params = initParams(sizes, config.init, config.seed);
      sources.push(`untrained (${config.init.scheme} initialisation, seed ${config.seed})`);
    } else {
      const t = performance.now();
      const run = await trainRun(config, { outDir: childPath(outDir, `train-${config.name}`), subset, progress: args.progress });
      trainWallMs += performance.now() - t;
      trainSeconds += run.seconds;
      params = run.params;
      sources.push(
        `trained for ${config.epochs} epochs (test accuracy ${(100 * run.finalTestAccuracy).toFixed(1)} %), run folder ${run.outDir}`,
      );
    }
    networks.push({
      name: config.name,
      activation: config.activation,
      outputActivation: config.outputActivation,
      params,
      learningRate: config.learningRate,
    });
  }
  // Training may have switched backends (a config may name another); the probe runs on the one chosen here.
  await selectBackend(configs[0].backend as BackendChoice);

  const result = await runLandscapeProbe({
    networks,
    train: subset.train,
    settings,
    examples: args.examples,
    weights: args.weight,
    seed: configs[0].seed,
    outDir,
    jobs: ctx.jobs,
    log: say,
  });
  const wallSeconds = (performance.now() - ctx.wall0) / 1000;
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
        range: describeRange(settings),
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
}
