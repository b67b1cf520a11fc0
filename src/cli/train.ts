/**
 * `train` (also the default command): train one configuration and write its run folder.
 *
 *   node dist/run.js --config configs/sigmoid5.json [--epochs N] [--seed N] [--lr X] ...
 *
 * Flags override the config's fields and are validated with it (src/config/load.ts), so a
 * bad value gets the same one-line message whether it came from the file or the flag.
 */
import type { Argv, CommandModule } from 'yargs';
import { applyOverrides, loadConfigFile, type ConfigOverrides } from '../config/load.js';
import { trainRun, type ProgressMode } from '../training/run.js';
import { UsageError } from '../util/errors.js';

const PROGRESS_MODES = ['auto', 'bar', 'lines', 'none'] as const;

interface TrainArgs {
  config?: string;
  epochs?: number;
  seed?: number;
  lr?: number;
  'batch-size'?: number;
  backend?: string;
  engine?: string;
  out?: string;
  'data-dir'?: string;
  progress?: string;
}

function builder(y: Argv): Argv<TrainArgs> {
  return y
    .option('config', { type: 'string', describe: 'JSON config file (see configs/README.md)', demandOption: true, requiresArg: true })
    .option('epochs', { type: 'number', describe: 'override the number of epochs', requiresArg: true })
    .option('seed', { type: 'number', describe: 'override the seed (initial weights and shuffling)', requiresArg: true })
    .option('lr', { type: 'number', describe: 'override the learning rate', requiresArg: true })
    .option('batch-size', { type: 'number', describe: 'override the batch size (1 = online learning)', requiresArg: true })
    .option('backend', { type: 'string', describe: 'auto | tensorflow | wasm | cpu', requiresArg: true })
    .option('engine', { type: 'string', describe: 'tfjs | handwritten', requiresArg: true })
    .option('out', { type: 'string', describe: 'run folder (default outputs/<config>-<time>); must be new or empty', requiresArg: true })
    .option('data-dir', { type: 'string', describe: 'CIFAR-10 cache (default $CIFAR10_DATA_DIR or ~/.cache/cifar10-mlp)', requiresArg: true })
    .option('progress', { type: 'string', describe: 'auto (bar on a terminal, else lines) | bar | lines | none', default: 'auto', requiresArg: true }) as Argv<TrainArgs>;
}

/** yargs turns `--epochs ten` into NaN; say which flag and what it got instead. */
function numberFlag(flag: string, value: number | undefined, raw: string[]): number | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) throw new UsageError(`--${flag}: given more than once`);
  if (Number.isNaN(value)) {
    const i = raw.findIndex((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
    const given = i < 0 ? '' : raw[i].includes('=') ? raw[i].slice(raw[i].indexOf('=') + 1) : raw[i + 1] ?? '';
    throw new UsageError(`--${flag}: expected a number, got "${given}"`);
  }
  return value;
}

function stringFlag(flag: string, value: string | undefined): string | undefined {
  if (Array.isArray(value)) throw new UsageError(`--${flag}: given more than once`);
  return value;
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: ['train', '$0'],
  describe: 'train one configuration (default command)',
  builder,
  handler: async (args) => {
    const raw = process.argv.slice(2);
    const progress = stringFlag('progress', args.progress) ?? 'auto';
    if (!(PROGRESS_MODES as readonly string[]).includes(progress)) {
      throw new UsageError(`--progress: expected one of ${PROGRESS_MODES.join(', ')}, got "${progress}"`);
    }
    const configFile = stringFlag('config', args.config);
    if (!configFile) throw new UsageError('--config: give a JSON config file, e.g. --config configs/sigmoid5.json');
    const overrides: ConfigOverrides = {
      epochs: numberFlag('epochs', args.epochs, raw),
      seed: numberFlag('seed', args.seed, raw),
      learningRate: numberFlag('lr', args.lr, raw),
      batchSize: numberFlag('batch-size', args['batch-size'], raw),
      backend: stringFlag('backend', args.backend),
      engine: stringFlag('engine', args.engine),
    };
    const config = applyOverrides(loadConfigFile(configFile), overrides);
    await trainRun(config, {
      outDir: stringFlag('out', args.out),
      dataDir: stringFlag('data-dir', args['data-dir']),
      progress: progress as ProgressMode,
    });
  },
};
