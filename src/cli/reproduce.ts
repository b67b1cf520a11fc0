/**
 * `reproduce`: the whole article in one command (also `npm start`), and `reproduce merge` to
 * combine the folders of a sweep spread over machines with --shard.
 */
import type { Argv, CommandModule } from 'yargs';
import { resolveDataDir } from '../data/cache.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { choiceOption, dataDirOption, numberOption, progressOption, stringOption, wholeNumberOption, reuseOption } from './flags.js';
import { BACKEND_CHOICES, ENGINE_CHOICES } from '../config/schema.js';
import { parseShard } from '../experiment/shard.js';
import type { FinalizeResult } from '../reports/finalize.js';
import { LANGS, type Lang } from '../reports/i18n.js';
import { shellCommand } from '../util/text-out.js';
import type { SweepOptions } from '../reproduce/article.js';

const DEFAULT_REPRODUCE_CONFIG = 'configs/reproduce.json';
const DEFAULT_REPRODUCE_OUT = 'outputs/reproduce';

export interface ReproduceArgs {
  config: string;
  seeds?: number;
  jobs?: number;
  shard?: string;
  out: string;
  'data-dir'?: string;
  epochs?: number;
  'train-per-class'?: number;
  'test-per-class'?: number;
  backend?: string;
  engine?: string;
  progress: ProgressChoice;
  reuse?: string;
  lang: Lang;
}

interface MergeArgs {
  dirs: string[];
  out: string;
}

/** The closing lines of a finished sweep or merge: where the summary and report are, and each claim's verdict. */
/** The result paths on stdout, like `report`'s (progress goes to stderr). */
function sayFinal(final: FinalizeResult): void {
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  say(`runs:    ${final.runs}`);
  say(`summary: ${final.summary}`);
  say(`claims:  ${final.claims}`);
  say(`report:  ${final.report.md}`);
  say(`         ${final.report.html}`);
  say(`claims:  ${final.data.claims.map((c) => `${c.number} ${c.verdict}`).join(', ')}`);
}

/** The flags that decide the numbers, in the order the report's "reproduce with" line gives them (not where or how fast it ran). */
const RESULT_FLAGS = ['seeds', 'epochs', 'train-per-class', 'test-per-class', 'backend', 'engine'] as const;

/** The command the report shows, quoted for a POSIX shell so that pasting it runs exactly that. */
export function resultCommand(argv: ReproduceArgs): string {
  const args = ['node', 'dist/run.js', 'reproduce', '--config', argv.config];
  for (const flag of RESULT_FLAGS) {
    const value = argv[flag];
    if (value !== undefined && value !== '') args.push(`--${flag}`, String(value));
  }
  return shellCommand(args);
}

/** The flags as one options object for the domain (checked by yargs' options and, for numbers, the config's schema). */
function sweepOptionsOf(argv: ReproduceArgs): Omit<SweepOptions, 'finish'> {
  return {
    configFile: argv.config,
    overrides: {
      seeds: argv.seeds,
      jobs: argv.jobs,
      epochs: argv.epochs,
      trainPerClass: argv['train-per-class'],
      testPerClass: argv['test-per-class'],
      backend: argv.backend,
      engine: argv.engine,
    },
    shard: argv.shard !== undefined ? parseShard(argv.shard) : undefined,
    outDir: argv.out,
    dataDir: resolveDataDir(argv['data-dir']),
    progress: argv.progress,
    command: resultCommand(argv),
    reuseFrom: argv.reuse,
  };
}

const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'combine shard folders into one summary, charts and report',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'folders written by `reproduce --shard k/n`' })
      .option('out', {
        ...stringOption('out', 'folder for the merged runs, summary and report (new, empty, or a reproduce folder)'),
        default: DEFAULT_REPRODUCE_OUT,
      })
      .example(
        '$0 reproduce merge outputs/shard-1 outputs/shard-2 --out outputs/reproduce',
        'two shards into one report',
      ) as unknown as Argv<MergeArgs>,
  handler: async (argv) => {
    // Loaded on use: the sweep and the report pull in TensorFlow.js and the chart renderer.
    const { mergeShards } = await import('../experiment/merge.js');
    const { finishArticle } = await import('../reproduce/article.js');
    const say = (line: string): void => void process.stderr.write(`${line}\n`);
    const outcome = await mergeShards({ dirs: argv.dirs, outDir: argv.out, plan: { kind: 'sweep' }, log: say, finish: finishArticle });
    sayFinal(outcome.final);
  },
};

export const reproduceCommand: CommandModule<object, ReproduceArgs> = {
  command: 'reproduce',
  describe: 'reproduce the whole article: the depth x activation sweep over seeds, the probes, summary, charts and report',
  builder: (y) =>
    y
      .command(mergeCommand as unknown as CommandModule)
      .option('config', { ...stringOption('config', 'reproduce config (configs, seeds, probes, jobs)'), default: DEFAULT_REPRODUCE_CONFIG })
      // Numbers are checked by the reproduce config's schema (src/reproduce/config.ts), like the file's.
      .option('seeds', numberOption('seeds', "seeds per config (default: the config's, 10 in configs/reproduce.json)"))
      .option('jobs', numberOption('jobs', 'worker processes (default: the number of cores; at most 4 per core)'))
      .option('shard', stringOption('shard', 'run only shard k of n (k/n, 1-based); combine with `reproduce merge`'))
      .option('out', {
        ...stringOption('out', 'output folder (new, empty, or a reproduce folder: running again resumes there)'),
        default: DEFAULT_REPRODUCE_OUT,
      })
      .option('data-dir', dataDirOption())
      .option('epochs', numberOption('epochs', 'override the epochs of every run (a quick sweep)'))
      .option('train-per-class', wholeNumberOption('train-per-class', "training images per class (default: the configs', 2000)", 1, 4500))
      .option('test-per-class', wholeNumberOption('test-per-class', "test images per class (default: the configs', 200)", 1, 1000))
      .option('backend', choiceOption('backend', 'override the backend of every run', BACKEND_CHOICES))
      .option('engine', choiceOption('engine', 'override the engine of every run', ENGINE_CHOICES))
      .option('progress', progressOption('progress display'))
      .option('reuse', reuseOption())
      .option(
        'lang',
        choiceOption('lang', "language of report.md, report.html and the charts' titles (the CSVs are the same)", LANGS, 'en'),
      )
      .example(
        '$0 reproduce --seeds 2 --epochs 2 --train-per-class 100 --test-per-class 20 --out outputs/smoke',
        'a smoke run of a few minutes',
      ) as unknown as Argv<ReproduceArgs>,
  handler: async (argv) => {
    const { runSweep, finishArticle } = await import('../reproduce/article.js');
    const outcome = await runSweep({
      ...sweepOptionsOf(argv),
      finish: async (dir) => {
        const final = await finishArticle(dir, argv.lang);
        sayFinal(final);
        return final;
      },
    });
    if (outcome.interrupted) process.exitCode = 130;
  },
};
