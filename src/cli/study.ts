/**
 * `study`: the claims x settings study (configs/study.json), and `study merge` to combine the
 * folders of a study spread over machines with --shard, a Slurm job array or a Kubernetes
 * Indexed Job. Both end by writing the study's matrix, charts and report. The flags become one
 * options object for `runStudy` (src/study/run-study.ts), which plans, estimates, runs and reports.
 */
import type { Argv, CommandModule } from 'yargs';
import { resolveDataDir } from '../data/cache.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { dataDirOption, dryRunOption, progressOption, stringOption, wholeNumberOption, reuseOption } from './flags.js';

const DEFAULT_STUDY_CONFIG = 'configs/study.json';

interface StudyArgs {
  config: string;
  quick: boolean;
  seeds?: number;
  epochs?: number;
  'train-per-class'?: number;
  'test-per-class'?: number;
  shard?: string;
  shards?: number;
  jobs?: number;
  out?: string;
  'data-dir'?: string;
  progress: ProgressChoice;
  'dry-run': boolean;
  reuse?: string;
}

interface MergeArgs {
  dirs: string[];
  out: string;
}

const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe: 'combine the folders of a sharded study into one, then write its matrix, charts and report',
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'folders written by `study --shard k/n`' })
      .option('out', { ...stringOption('out', 'folder for the merged study (new, empty, or a study folder)'), demandOption: true })
      .example(
        '$0 study merge outputs/study-shard-* --out outputs/study',
        'the shards of a cluster run into one study',
      ) as unknown as Argv<MergeArgs>,
  handler: async (argv) => {
    const { mergeStudies } = await import('../study/merge-study.js');
    const say = (line: string): void => void process.stderr.write(`${line}\n`);
    const { final: report } = await mergeStudies(argv.dirs, argv.out, say);
    say(`matrix:  ${report.matrix}`);
    say(`report:  ${report.md}`);
  },
};

export const studyCommand: CommandModule<object, StudyArgs> = {
  command: 'study',
  describe: "the claims x settings study: the article's networks under a grid of batch sizes, initialisations and learning-rate rules",
  builder: (y) =>
    y
      .command(mergeCommand as unknown as CommandModule)
      .option('config', stringOption('config', 'study config', { default: DEFAULT_STUDY_CONFIG }))
      .option('quick', {
        type: 'boolean',
        default: false,
        describe: 'only the quick groups: the era cell (batch 1, small uniform init, shared rate) beside the defaults',
      })
      .option('seeds', wholeNumberOption('seeds', "judged seeds per network and setting (default: the config's)", 2, 1000))
      .option('epochs', wholeNumberOption('epochs', 'override the epochs of every batch size (a smoke run)', 1, 100000))
      .option('train-per-class', wholeNumberOption('train-per-class', 'training images per class (default 2000)', 1, 4500))
      .option('test-per-class', wholeNumberOption('test-per-class', 'test images per class (default 200)', 1, 1000))
      .option(
        'shard',
        stringOption('shard', 'run only shard k of n (k/n); default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX when set'),
      )
      .option('shards', wholeNumberOption('shards', 'with a Kubernetes Indexed Job: the number of completions', 1, 10000))
      .option('jobs', wholeNumberOption('jobs', 'worker processes (default: the number of cores)', 1, 256))
      .option('out', stringOption('out', 'output folder (default outputs/study or outputs/study-quick); running again resumes there'))
      .option('data-dir', dataDirOption())
      .option('progress', progressOption('auto (bar on a terminal, else lines) | bar | lines | none'))
      .option('dry-run', dryRunOption())
      .option('reuse', reuseOption())
      .example(
        '$0 study --quick --dry-run',
        'the runs of the quick grid and a calibrated time estimate; nothing is run',
      ) as unknown as Argv<StudyArgs>,
  handler: async (argv) => {
    const { resolveShard } = await import('../experiment/shard.js');
    const { shard, source } = resolveShard(argv.shard, argv.shards);
    const { runStudy } = await import('../study/run-study.js');
    const outcome = await runStudy({
      configFile: argv.config,
      quick: argv.quick,
      overrides: { seeds: argv.seeds, epochs: argv.epochs, trainPerClass: argv['train-per-class'], testPerClass: argv['test-per-class'] },
      outDir: argv.out ?? (argv.quick ? 'outputs/study-quick' : 'outputs/study'),
      dataDir: resolveDataDir(argv['data-dir']),
      shard,
      shardSource: source,
      jobs: argv.jobs ?? 'auto',
      progress: argv.progress,
      dryRun: argv['dry-run'],
      reuseFrom: argv.reuse,
      estimate: true,
      report: true,
    });
    if (outcome.interrupted) process.exitCode = 130;
    if (outcome.report) process.stderr.write(`matrix:  ${outcome.report.matrix}\nreport:  ${outcome.report.md}\n`);
  },
};
