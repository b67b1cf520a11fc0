/**
 * `compare`: the TensorFlow.js engine and the hand-written engine, from one initial draw and
 * the same batch order, side by side (src/training/compare-engines.ts does the work).
 *
 *   node dist/run.js compare --config configs/relu7.json [--epochs N] [--data-dir D] [--backend B] [--out DIR]
 *
 * Prints the first forward pass, the first step's gradients layer by layer, one row per epoch,
 * and a verdict with the tolerances; writes compare.csv into the output folder. Exit code 1
 * when a first-step difference is beyond tolerance.
 */
import path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { applyOverrides, loadConfigFile } from '../config/load.js';
import { BACKEND_CHOICES } from '../config/schema.js';
import { prepareOutDir } from '../training/out-dir.js';
import { choiceOption, dataDirOption, numberOption, stringOption } from './flags.js';

interface CompareArgs {
  config: string;
  epochs?: number;
  'data-dir'?: string;
  backend?: string;
  out?: string;
}

function builder(y: Argv): Argv<CompareArgs> {
  return y
    .option('config', { ...stringOption('config', 'JSON config file (see configs/README.md)'), demandOption: true })
    .option('epochs', numberOption('epochs', "override the config's number of epochs"))
    .option('data-dir', dataDirOption())
    .option('backend', choiceOption('backend', 'TensorFlow.js backend of the tfjs engine', BACKEND_CHOICES))
    .option('out', stringOption('out', 'folder for compare.csv (default outputs/compare-<config>-<time>); must be new or empty'))
    .example(
      '$0 compare --config configs/relu7.json --epochs 3',
      'both engines from the same weights and batches, 3 epochs',
    ) as unknown as Argv<CompareArgs>;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare',
  describe: 'train the tfjs and hand-written engines from the same start and compare them',
  builder,
  handler: async (args) => {
    const config = applyOverrides(loadConfigFile(args.config), { epochs: args.epochs, backend: args.backend });

    // Imported here so that flag and config mistakes are reported before TensorFlow.js loads.
    const { selectBackend, describeBackend } = await import('../nn/tfjs/backend.js');
    const { resolveDataDir } = await import('../data/cache.js');
    const { loadSubset } = await import('../data/subset.js');
    const { createEngine } = await import('../nn/create-engine.js');
    const { compareEngines, comparisonRows, formatComparison, COMPARE_COLUMNS } = await import('../training/compare-engines.js');
    const { writeCsv } = await import('../util/csv.js');

    const say = (line: string): void => {
      process.stdout.write(`${line}\n`);
    };
    const outDir = await prepareOutDir(args.out, `compare-${config.name}`);
    const backend = await selectBackend(config.backend);
    say(`tfjs engine backend: ${describeBackend(backend)}; hand-written engine: plain TypeScript, float32`);
    const subset = await loadSubset({ dataDir: resolveDataDir(args['data-dir']), ...config.data, log: say });
    say(
      `data: ${subset.train.count} training and ${subset.test.count} test images, ${subset.positive} (1) vs ${subset.negative} (0), from ${subset.source}`,
    );
    say(`training both engines for ${config.epochs} epochs from one initial draw (seed ${config.seed}) and the same batch order`);

    const result = await compareEngines({ config, subset, createEngine, log: say });
    say('');
    for (const line of formatComparison(result)) say(line);
    const csv = path.join(outDir, 'compare.csv');
    await writeCsv(csv, COMPARE_COLUMNS, comparisonRows(result));
    say(`wrote ${csv}`);
    if (!result.firstStepOk) process.exitCode = 1;
  },
};
