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
import type { ProgressMode } from '../training/train-run.js';
import { UsageError } from '../util/errors.js';
import { singleFlag } from './flags.js';

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
    .option('config', { type: 'string', describe: 'JSON config file (see configs/README.md)', demandOption: true })
    .option('epochs', { type: 'number', describe: 'override the number of epochs' })
    .option('seed', { type: 'number', describe: 'override the seed (initial weights and shuffling)' })
    .option('lr', { type: 'number', describe: 'override the learning rate' })
    .option('batch-size', { type: 'number', describe: 'override the batch size (1 = online learning)' })
    .option('backend', { type: 'string', describe: 'auto | tensorflow | wasm | cpu' })
    .option('engine', { type: 'string', describe: 'tfjs | handwritten' })
    .option('out', { type: 'string', describe: 'run folder (default outputs/<config>-<time>); must be new or empty' })
    .option('data-dir', { type: 'string', describe: 'CIFAR-10 cache (default $CIFAR10_DATA_DIR or ~/.cache/cifar10-mlp)' })
    .option('progress', {
      type: 'string',
      describe: 'auto (bar on a terminal, else lines) | bar | lines | none',
      default: 'auto',
    }) as Argv<TrainArgs>;
}

/** Where `--flag value` or `--flag=value` sits in the raw arguments, and the value as typed. */
function rawValue(flag: string, raw: readonly string[]): { present: boolean; text: string } {
  const i = raw.findIndex((a) => a === `--${flag}` || a.startsWith(`--${flag}=`));
  if (i < 0) return { present: false, text: '' };
  const a = raw[i];
  return { present: true, text: a.includes('=') ? a.slice(a.indexOf('=') + 1) : (raw[i + 1] ?? '') };
}

/** yargs turns `--epochs ten` into NaN and a bare `--epochs` into nothing; say which flag and what it got. */
function numberFlag(flag: string, value: number | undefined, raw: readonly string[]): number | undefined {
  if (Array.isArray(value)) throw new UsageError(`--${flag}: given more than once`);
  if (value === undefined) {
    if (rawValue(flag, raw).present) throw new UsageError(`--${flag}: expected a number after the flag`);
    return undefined;
  }
  if (Number.isNaN(value)) throw new UsageError(`--${flag}: expected a number, got "${rawValue(flag, raw).text}"`);
  return value;
}

/** A string flag, if given, must be given once and with a value. */
export const trainCommand: CommandModule<object, TrainArgs> = {
  command: ['train', '$0'],
  describe: 'train one configuration (default command)',
  builder,
  handler: async (args) => {
    const raw = process.argv.slice(2);
    const progress = singleFlag('progress', args.progress) ?? 'auto';
    if (!(PROGRESS_MODES as readonly string[]).includes(progress)) {
      throw new UsageError(`--progress: expected one of ${PROGRESS_MODES.join(', ')}, got "${progress}"`);
    }
    const configFile = singleFlag('config', args.config);
    if (configFile === undefined) throw new UsageError('--config: give a JSON config file, e.g. --config configs/sigmoid5.json');
    const overrides: ConfigOverrides = {
      epochs: numberFlag('epochs', args.epochs, raw),
      seed: numberFlag('seed', args.seed, raw),
      learningRate: numberFlag('lr', args.lr, raw),
      batchSize: numberFlag('batch-size', args['batch-size'], raw),
      backend: singleFlag('backend', args.backend),
      engine: singleFlag('engine', args.engine),
    };
    const config = applyOverrides(loadConfigFile(configFile), overrides);
    // Imported here, not at the top: a mistake in the flags or the config is then reported
    // without first loading TensorFlow.js and the chart libraries.
    const { trainRun } = await import('../training/train-run.js');
    await trainRun(config, {
      outDir: singleFlag('out', args.out),
      dataDir: singleFlag('data-dir', args['data-dir']),
      progress: progress as ProgressMode,
    });
  },
};
