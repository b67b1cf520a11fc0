/**
 * `train` (also the default command): train one configuration and write its run folder.
 *
 *   node dist/run.js --config configs/sigmoid5.json [--epochs N] [--seed N] [--lr X] ...
 *
 * Flags override the config's fields and are validated with it (src/config/load.ts), so a
 * bad value gets the same one-line message whether it came from the file or the flag.
 */
import type { Argv, CommandModule } from 'yargs';
import { applyOverrides, loadConfigFile } from '../config/load.js';
import { BACKEND_CHOICES, ENGINE_CHOICES } from '../config/schema.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import type { ThreadsRequest } from '../nn/tfjs/threads.js';
import { choiceOption, dataDirOption, numberOption, progressOption, stringOption, threadsOption } from './flags.js';
import { promises as fs } from 'node:fs';
import { prepareOutDir } from '../training/out-dir.js';
import { WriteFailure } from '../util/atomic.js';
import { OUTPUT_LOCK } from '../util/folders.js';
import { claimOutputFolder } from '../util/output-claim.js';

interface TrainArgs {
  config: string;
  epochs?: number;
  seed?: number;
  lr?: number;
  'batch-size'?: number;
  backend?: string;
  engine?: string;
  out?: string;
  'data-dir'?: string;
  progress: ProgressChoice;
  threads: ThreadsRequest;
}

function builder(y: Argv): Argv<TrainArgs> {
  return y
    .option('config', { ...stringOption('config', 'JSON config file (see configs/README.md)'), demandOption: true })
    .option('epochs', numberOption('epochs', 'override the number of epochs'))
    .option('seed', numberOption('seed', 'override the seed (initial weights and shuffling)'))
    .option('lr', numberOption('lr', 'override the learning rate'))
    .option('batch-size', numberOption('batch-size', 'override the batch size (1 = online learning)'))
    .option('backend', choiceOption('backend', 'override the TensorFlow.js backend', BACKEND_CHOICES))
    .option('engine', choiceOption('engine', 'override the engine', ENGINE_CHOICES))
    .option('out', stringOption('out', 'run folder (default outputs/<config>-<time>); must be new or empty'))
    .option('data-dir', dataDirOption())
    .option('progress', progressOption('auto (bar on a terminal, else lines) | bar | lines | none'))
    .option('threads', threadsOption())
    .example(
      '$0 --config configs/sigmoid5.json --epochs 5 --seed 2',
      'train sigmoid5 for 5 epochs with seed 2 into outputs/sigmoid5-<time>/',
    ) as unknown as Argv<TrainArgs>;
}

export const trainCommand: CommandModule<object, TrainArgs> = {
  command: ['train', '$0'],
  describe: 'train one configuration (default command)',
  builder,
  handler: async (args) => {
    const config = applyOverrides(loadConfigFile(args.config), {
      epochs: args.epochs,
      seed: args.seed,
      learningRate: args.lr,
      batchSize: args['batch-size'],
      backend: args.backend,
      engine: args.engine,
    });
    // Imported here, not at the top: a mistake in the flags or the config is then reported
    // without first loading TensorFlow.js and the chart libraries.
    const { trainRun } = await import('../training/train-run.js');
    const outDir = args.out ?? (await prepareOutDir(undefined, config.name));
    const claim = await claimOutputFolder(outDir, { flag: '--out', madeByCaller: args.out === undefined });
    try {
      await trainRun(config, { outDir, dataDir: args['data-dir'], progress: args.progress, threads: args.threads });
    } catch (err) {
      // A full disk leaves nothing half-written, nor does a failure before the first file; an
      // interrupted run keeps its finished epochs (history.csv).
      if (err instanceof WriteFailure || (await fs.readdir(outDir)).every((n) => n.startsWith(OUTPUT_LOCK))) await claim.abandon();
      else await claim.release();
      throw err;
    }
    await claim.release();
  },
};
