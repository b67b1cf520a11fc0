/**
 * `study`: the article's networks under a grid of training settings, every claim judged under each.
 *
 * The study is a plan builder: its config becomes groups (grid.ts: one batch size and
 * initialisation each), and each group a tuned group of the engine (src/experiment/tuned-groups.ts:
 * tuning on the validation split, the choice of the rates, the judged runs, group.json). This
 * shard's groups (the engine's cost-balanced rule) run in a fixed order; a killed study resumes
 * where it stopped. Judging and the report are study/report.ts's, from the records alone.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { formatShard, type Shard } from '../experiment/shard.js';
import { readGroupRecord, runGroups, type Network } from '../experiment/tuned-groups.js';
import { loadStudyConfig, type StudyConfig, type StudyOverrides } from './config.js';
import { fullGrid, groupsOfShard, quickGrid, type Group } from './grid.js';
import { loadNetworks, tunedGroupOf } from './group-configs.js';

export interface StudyOptions {
  configFile: string;
  quick: boolean;
  overrides: StudyOverrides;
  outDir: string;
  dataDir: string;
  shard: Shard;
  jobs: number | 'auto';
  progress: ProgressChoice;
  /** Where messages go (default stderr). */
  stream?: NodeJS.WriteStream;
  /** Only plan and estimate; run nothing. */
  dryRun?: boolean;
  /** Called with the plan before anything runs (the command line prints the cost estimate here). */
  onPlan?: (plan: StudyPlan) => Promise<void> | void;
  /** A folder of a study run before: runs there with exactly the same settings are copied, not run again. */
  reuseFrom?: string;
}

interface StudyPlan {
  config: StudyConfig;
  configFile: string;
  networks: Network[];
  /** Every group of the study (all shards). */
  groups: Group[];
  /** The groups this shard runs. */
  mine: Group[];
  /** Groups already complete in the output folder. */
  done: Set<string>;
}

function planStudy(opts: Pick<StudyOptions, 'configFile' | 'quick' | 'overrides' | 'outDir' | 'shard'>): StudyPlan {
  const config = loadStudyConfig(opts.configFile, opts.overrides);
  const networks = loadNetworks(opts.configFile, config);
  const groups = opts.quick ? quickGrid(config) : fullGrid(config);
  const mine = groupsOfShard(groups, config, opts.shard.index, opts.shard.count);
  const done = new Set(groups.filter((g) => readGroupRecord(opts.outDir, g.id) !== null).map((g) => g.id));
  return { config, configFile: opts.configFile, networks, groups, mine, done };
}

export interface StudyOutcome {
  plan: StudyPlan;
  ran: string[];
  interrupted: boolean;
}

export async function runStudy(opts: StudyOptions): Promise<StudyOutcome> {
  const stream = opts.stream ?? process.stderr;
  const plan = planStudy(opts);
  await opts.onPlan?.(plan);
  if (opts.dryRun) return { plan, ran: [], interrupted: false };
  if (opts.reuseFrom !== undefined && !existsSync(opts.reuseFrom)) throw new UserError(`--reuse ${opts.reuseFrom}: no such folder`);
  const { ran, interrupted } = await runGroups({
    outDir: opts.outDir,
    dataDir: opts.dataDir,
    identity: { configFile: path.resolve(opts.configFile), quick: opts.quick, config: plan.config, shard: formatShard(opts.shard) },
    groups: plan.mine.map((g) => tunedGroupOf(g, plan.networks, plan.config)),
    jobs: opts.jobs,
    progress: opts.progress,
    stream,
    label: 'study',
    command: `node dist/run.js study --config ${opts.configFile}${opts.quick ? ' --quick' : ''}`,
    reuseFrom: opts.reuseFrom,
  });
  return { plan, ran, interrupted };
}
