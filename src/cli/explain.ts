/**
 * `explain`: the experiment that tests the article's explanation of the deep Sigmoid networks'
 * failure (configs/explain.json, docs/probes.md "The explain experiment"). Prints the runs and a
 * calibrated time estimate first; ends by writing explain.csv, the chart and explain.md once every
 * variant is complete. The flags become one options object for `runExplain` (src/explain/run-explain.ts).
 */
import type { Argv, CommandModule } from 'yargs';
import { resolveDataDir } from '../data/cache.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { dataDirOption, dryRunOption, progressOption, stringOption, wholeNumberOption, reuseOption } from './flags.js';

const DEFAULT_EXPLAIN_CONFIG = 'configs/explain.json';

interface ExplainArgs {
  config: string;
  seeds?: number;
  epochs?: number;
  'train-per-class'?: number;
  'test-per-class'?: number;
  shard?: string;
  jobs?: number;
  out: string;
  'data-dir'?: string;
  progress: ProgressChoice;
  'dry-run': boolean;
  reuse?: string;
}

interface MergeArgs {
  dirs: string[];
  out: string;
  config: string;
  seeds?: number;
  epochs?: number;
  'train-per-class'?: number;
  'test-per-class'?: number;
}

const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'combine the folders of explain run with --shard k/n (each its own --out) into one, then write its table, chart and report',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'folders written by `explain --shard k/n`' })
      .option('out', { ...stringOption('out', 'folder for the merged experiment (new, empty, or an explain folder)'), demandOption: true })
      .option('config', stringOption('config', 'the explain config the shards ran', { default: DEFAULT_EXPLAIN_CONFIG }))
      .option('seeds', wholeNumberOption('seeds', 'as the shards ran', 2, 1000))
      .option('epochs', wholeNumberOption('epochs', 'as the shards ran', 1, 100000))
      .option('train-per-class', wholeNumberOption('train-per-class', 'as the shards ran', 1, 4500))
      .option('test-per-class', wholeNumberOption('test-per-class', 'as the shards ran', 1, 1000))
      .example(
        '$0 explain merge outputs/explain-1 outputs/explain-2 --out outputs/explain',
        'two shards into one report',
      ) as unknown as Argv<MergeArgs>,
  handler: async (argv) => {
    const { mergeExplain } = await import('../explain/merge-explain.js');
    const say = (line: string): void => void process.stderr.write(`${line}\n`);
    const { final: files } = await mergeExplain({
      dirs: argv.dirs,
      outDir: argv.out,
      configFile: argv.config,
      overrides: { seeds: argv.seeds, epochs: argv.epochs, trainPerClass: argv['train-per-class'], testPerClass: argv['test-per-class'] },
      log: say,
    });
    say(`table:   ${files.csv}`);
    say(`chart:   ${files.chart}`);
    say(`report:  ${files.md}`);
  },
};

export const explainCommand: CommandModule<object, ExplainArgs> = {
  command: 'explain',
  describe:
    "test the article's explanation: Sigmoid, ReLU and variants that separate a bounded output from a shrinking derivative, 3 to 7 layers",
  builder: (y) =>
    y
      .command(mergeCommand as unknown as CommandModule)
      .option('config', stringOption('config', 'explain config', { default: DEFAULT_EXPLAIN_CONFIG }))
      .option('seeds', wholeNumberOption('seeds', "judged seeds per variant and depth (default: the config's)", 2, 1000))
      .option('epochs', wholeNumberOption('epochs', "epochs of every run (default: the config's)", 1, 100000))
      .option('train-per-class', wholeNumberOption('train-per-class', 'training images per class (default 2000)', 1, 4500))
      .option('test-per-class', wholeNumberOption('test-per-class', 'test images per class (default 200)', 1, 1000))
      .option(
        'shard',
        stringOption(
          'shard',
          'run only the variants of shard k of n (k/n); combine with `explain merge`, or run every shard into one --out',
        ),
      )
      .option('jobs', wholeNumberOption('jobs', 'worker processes (default: the number of cores)', 1, 256))
      .option('out', stringOption('out', 'output folder; running again resumes there', { default: 'outputs/explain' }))
      .option('data-dir', dataDirOption())
      .option('progress', progressOption('auto (bar on a terminal, else lines) | bar | lines | none'))
      .option('dry-run', dryRunOption())
      .option('reuse', reuseOption())
      .example('$0 explain --dry-run', 'the runs and a calibrated time estimate; nothing is run') as unknown as Argv<ExplainArgs>,
  handler: async (argv) => {
    const { parseShard, WHOLE } = await import('../experiment/shard.js');
    const { runExplain } = await import('../explain/run-explain.js');
    const outcome = await runExplain({
      configFile: argv.config,
      overrides: { seeds: argv.seeds, epochs: argv.epochs, trainPerClass: argv['train-per-class'], testPerClass: argv['test-per-class'] },
      outDir: argv.out,
      dataDir: resolveDataDir(argv['data-dir']),
      shard: argv.shard !== undefined ? parseShard(argv.shard) : WHOLE,
      jobs: argv.jobs ?? 'auto',
      progress: argv.progress,
      dryRun: argv['dry-run'],
      reuseFrom: argv.reuse,
      estimate: true,
      report: true,
    });
    if (outcome.interrupted) process.exitCode = 130;
    const files = outcome.report;
    if (files) process.stderr.write(`table:   ${files.csv}\nchart:   ${files.chart}\nreport:  ${files.md}\n`);
  },
};
