/**
 * `search`: the search for the author's setting (configs/search.json, following
 * configs/rules/search.json), stage after stage; `search merge` to combine the shards of a stage
 * run with --shard, a Slurm array or a Kubernetes Indexed Job. Flags become one options object,
 * handed to one call (src/search/).
 */
import type { Argv, CommandModule } from 'yargs';
import { resolveDataDir } from '../data/cache.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { dataDirOption, dryRunOption, progressOption, stringOption, wholeNumberOption } from './flags.js';
import { shellCommand } from '../util/text-out.js';

const DEFAULT_SEARCH_CONFIG = 'configs/search.json';
const DEFAULT_CHECK_RULES = 'configs/rules/search-audit-check.json';

interface SearchArgs {
  config: string;
  quick: boolean;
  out?: string;
  after?: string;
  shard?: string;
  shards?: number;
  jobs?: number;
  'data-dir'?: string;
  progress: ProgressChoice;
  'dry-run': boolean;
}

interface MergeArgs {
  dirs: string[];
  out: string;
  config: string;
  quick: boolean;
}

interface CheckArgs {
  config: string;
  quick: boolean;
  out?: string;
  rules: string;
  jobs?: number;
  'data-dir'?: string;
  progress: ProgressChoice;
  'dry-run': boolean;
}

const say = (line: string): void => void process.stderr.write(`${line}\n`);

function sayFiles(files: { matrix: string; stages: string; verdicts: string; distance: string; report: string; charts: string[] }): void {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out(`report:   ${files.report}`);
  out(`matrix:   ${files.matrix}`);
  out(`stages:   ${files.stages}`);
  out(`verdicts: ${files.verdicts}`);
  out(`distance: ${files.distance}`);
  for (const chart of files.charts) out(`chart:    ${chart}`);
}

const configOption = () => stringOption('config', 'search config (it names the rules file it follows)', { default: DEFAULT_SEARCH_CONFIG });
const jobsOption = () => wholeNumberOption('jobs', 'worker processes (default: the config\'s, "auto" = the number of cores)', 1, 256);
const searchProgressOption = () => progressOption('auto (bar on a terminal, else lines) | bar | lines | none');
/** The search's folder when --out is not given (search and search check agree on it). */
const defaultOut = (quick: boolean): string => (quick ? 'outputs/search-quick' : 'outputs/search');
const quickOption = () => ({
  type: 'boolean' as const,
  default: false,
  describe: 'the quick part of the grid and budget (the config\'s "quick" block): a smoke run',
});

const mergeCommand: CommandModule<object, MergeArgs> = {
  command: 'merge <dirs..>',
  describe:
    "combine the shards of a search's stage into one folder, then go on as far as no run is needed (the next stage's plan, or the matrix)",
  builder: (y) =>
    y
      .positional('dirs', { type: 'string', array: true, demandOption: true, describe: 'folders written by `search --shard k/n`' })
      .option('out', {
        ...stringOption('out', 'the merged search folder (new, empty, or the one the shards read with --after)'),
        demandOption: true,
      })
      .option('config', configOption())
      .option('quick', quickOption())
      .example(
        '$0 search merge outputs/search-shard-* --out outputs/search',
        'a stage run on a cluster, into one search',
      ) as unknown as Argv<MergeArgs>,
  handler: async (argv) => {
    const { loadSearchConfig } = await import('../search/config.js');
    const { mergeSearch } = await import('../search/merge-search.js');
    const progress = await mergeSearch(loadSearchConfig(argv.config, argv.quick), argv.dirs, argv.out, say);
    if (progress.done) sayFiles(progress.files);
  },
};

const checkCommand: CommandModule<object, CheckArgs> = {
  command: 'check',
  describe:
    "the check of a complete search's early stops (configs/rules/search-audit-check.json): a sample of the screen's early-stopped failures and the fan-in cells, run to their maximum",
  builder: (y) =>
    y
      .option('config', configOption())
      .option('quick', quickOption())
      .option(
        'out',
        stringOption('out', 'the complete search folder (default outputs/search or outputs/search-quick); the check goes into its check/'),
      )
      .option('rules', stringOption('rules', "the check's rules file", { default: DEFAULT_CHECK_RULES }))
      .option('jobs', jobsOption())
      .option('data-dir', dataDirOption())
      .option('progress', searchProgressOption())
      .option('dry-run', { ...dryRunOption(), describe: 'say how many runs the check has; run nothing' })
      .example('$0 search check --out outputs/search', 'after the search has finished') as unknown as Argv<CheckArgs>,
  handler: async (argv) => {
    const { loadSearchConfig } = await import('../search/config.js');
    const { loadCheckRules } = await import('../search/check.js');
    const { runSearchCheck } = await import('../search/run-check.js');
    const config = loadSearchConfig(argv.config, argv.quick, { jobs: argv.jobs });
    const outcome = await runSearchCheck({
      config,
      rules: loadCheckRules(argv.rules),
      outDir: argv.out ?? defaultOut(argv.quick),
      dataDir: resolveDataDir(argv['data-dir']),
      progress: argv.progress,
      stream: process.stderr,
      dryRun: argv['dry-run'],
      command: shellCommand([
        'node',
        'dist/run.js',
        'search',
        'check',
        '--config',
        argv.config,
        ...(argv.quick ? ['--quick'] : []),
        '--rules',
        argv.rules,
      ]),
      say,
    });
    if (outcome.interrupted) {
      process.exitCode = 130;
      return;
    }
    if (outcome.files) {
      process.stdout.write(`report: ${outcome.files.report}\n`);
      process.stdout.write(`runs:   ${outcome.files.csv}\n`);
    }
  },
};

export const searchCommand: CommandModule<object, SearchArgs> = {
  command: 'search',
  describe: "the search for the author's setting: where every one of the article's networks learns (configs/rules/search.json)",
  builder: (y) =>
    y
      .command(mergeCommand as unknown as CommandModule)
      .command(checkCommand as unknown as CommandModule)
      .option('config', configOption())
      .option('quick', quickOption())
      .option('out', stringOption('out', 'output folder (default outputs/search or outputs/search-quick); running again resumes there'))
      .option('after', stringOption('after', 'with --shard: the merged folder holding the stages before the one this shard runs'))
      .option(
        'shard',
        stringOption(
          'shard',
          'run only shard k of n (k/n) of the next stage; default: from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX when set',
        ),
      )
      .option('shards', wholeNumberOption('shards', 'with a Kubernetes Indexed Job: the number of completions', 1, 10000))
      .option('jobs', jobsOption())
      .option('data-dir', dataDirOption())
      .option('progress', searchProgressOption())
      .option('dry-run', { ...dryRunOption(), describe: 'plan the next stage and say how many runs it and this shard have; run nothing' })
      .example('$0 search --quick --dry-run', 'the first stage of the quick search; nothing is run') as unknown as Argv<SearchArgs>,
  handler: async (argv) => {
    const { resolveShard } = await import('../experiment/shard.js');
    const { loadSearchConfig } = await import('../search/config.js');
    const { runSearch } = await import('../search/run-search.js');
    const { shard, source } = resolveShard(argv.shard, argv.shards);
    const config = loadSearchConfig(argv.config, argv.quick, { jobs: argv.jobs });
    if (shard.count > 1) say(`search: shard ${shard.index}/${shard.count} (${source})`);
    const outcome = await runSearch({
      config,
      outDir: argv.out ?? defaultOut(argv.quick),
      after: argv.after,
      shard,
      dataDir: resolveDataDir(argv['data-dir']),
      progress: argv.progress,
      stream: process.stderr,
      dryRun: argv['dry-run'],
      command: shellCommand(['node', 'dist/run.js', 'search', '--config', argv.config, ...(argv.quick ? ['--quick'] : [])]),
      say,
    });
    if (outcome.interrupted) {
      process.exitCode = 130;
      return;
    }
    if (outcome.done) sayFiles(outcome.files);
  },
};
