/**
 * `landscape`: experiment 2 of the article, the loss along single first-layer weights.
 *
 *   node dist/run.js landscape --config configs/relu7.json --config configs/sigmoid7.json
 *
 * Networks trained here (default), loaded (--weights DIR/weights.json or DIR/model.json, one per
 * config, in order) or untrained (--at init). The flags are checked here and become one options
 * object for `runLandscape` (src/experiment/landscape.ts), which trains, probes and writes.
 */
import { availableParallelism } from 'node:os';
import type { Argv, CommandModule } from 'yargs';
import { BACKEND_CHOICES, MAX_SEED } from '../config/schema.js';
import { resolveDataDir } from '../data/cache.js';
import {
  LANDSCAPE_DEFAULTS,
  LandscapeProbeSettingsSchema,
  checkLandscapeRange,
  type LandscapeProbeSettings,
} from '../probes/landscape-settings.js';
import type { WeightRef } from '../probes/landscape.js';
import { UsageError } from '../util/errors.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { choiceOption, dataDirOption, numberOption, progressOption, stringOption, wholeNumberOption } from './flags.js';

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

export const landscapeCommand: CommandModule<object, LandscapeArgs> = {
  command: 'landscape',
  describe: 'sweep single first-layer weights of trained (or untrained) networks: loss and its derivative (experiment 2)',
  builder,
  handler: async (args) => {
    const configFiles = args.config;
    const weightFiles = args.weights;
    if (weightFiles && args.at === 'init') throw new UsageError('--weights and --at init: choose one source of weights');
    if (weightFiles && weightFiles.length !== configFiles.length) {
      throw new UsageError(
        `--weights: give one weights file per --config (${configFiles.length}), in the same order; got ${weightFiles.length}`,
      );
    }
    if (args.weight && args.count !== undefined)
      throw new UsageError('--weight and --count: name the weights or let the seed pick them, not both');
    const { runLandscape } = await import('../experiment/landscape.js');
    await runLandscape({
      configFiles,
      weightFiles,
      at: args.at,
      weights: args.weight,
      settings: probeSettings(args),
      examples: args.examples,
      jobs: args.jobs ?? availableParallelism(),
      overrides: { epochs: args.epochs, seed: args.seed, backend: args.backend },
      out: args.out,
      dataDir: resolveDataDir(args['data-dir']),
      progress: args.progress,
      say: (line) => void process.stdout.write(`${line}\n`),
    });
  },
};
