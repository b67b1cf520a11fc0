/**
 * `study`: the article's networks under a grid of training settings, every claim judged under each.
 *
 * The study is a plan builder: its config becomes groups (grid.ts: one value of every axis each),
 * and each group a tuned group of the engine (src/experiment/tuned-groups.ts: tuning on the
 * validation split, the choice of the rates, the judged runs, group.json). This shard's groups
 * (the engine's cost-balanced rule) run in a fixed order through the engine's runner of tuned
 * experiments (src/experiment/tuned-experiment.ts); a killed study resumes where it stopped.
 * Judging and the report are study/report.ts's, from the records alone.
 */
import path from 'node:path';
import { formatShard } from '../experiment/shard.js';
import { readGroupRecord, type Network } from '../experiment/tuned-groups.js';
import { runTunedExperiment, type TunedRunSettings } from '../experiment/tuned-experiment.js';
import { loadStudyConfig, type StudyConfig, type StudyOverrides } from './config.js';
import { fullGrid, groupsOfShard, quickGrid, type Group } from './grid.js';
import { loadNetworks, tunedGroupOf } from './group-configs.js';
import { writeStudyReport, type StudyReportFiles } from './report.js';

export interface StudyOptions extends TunedRunSettings {
  configFile: string;
  quick: boolean;
  overrides: StudyOverrides;
  /** Where the shard came from (--shard, a Slurm array, ...), for the plan's line. */
  shardSource?: string;
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
  /** The matrix and report, when `report` was asked for and the whole study ran here. */
  report?: StudyReportFiles;
}

export async function runStudy(opts: StudyOptions): Promise<StudyOutcome> {
  const stream = opts.stream ?? process.stderr;
  const say = (line: string): void => void stream.write(`${line}\n`);
  const plan = planStudy(opts);
  const { shard } = opts;
  say(
    `study: ${plan.groups.length} groups (${opts.quick ? 'quick' : 'full grid'}); shard ${formatShard(shard)}` +
      `${opts.shardSource !== undefined ? ` (${opts.shardSource})` : ''} runs ${plan.mine.length}: ${plan.mine.map((g) => g.id).join(', ') || 'none'}`,
  );
  const { ran, interrupted } = await runTunedExperiment(
    {
      label: 'study',
      command: `node dist/run.js study --config ${opts.configFile}${opts.quick ? ' --quick' : ''}`,
      folders: [
        {
          name: 'study',
          outDir: opts.outDir,
          identity: { configFile: path.resolve(opts.configFile), quick: opts.quick, config: plan.config, shard: formatShard(shard) },
          groups: plan.mine.map((g) => tunedGroupOf(g, plan.networks, plan.config)),
        },
      ],
    },
    { ...opts, stream },
  );
  const outcome: StudyOutcome = { plan, ran, interrupted };
  if (!opts.report || opts.dryRun || interrupted) return outcome;
  if (shard.count > 1) {
    say(`study: shard ${formatShard(shard)} complete; when every shard is, combine them: node dist/run.js study merge DIR... --out DIR`);
    return outcome;
  }
  return { ...outcome, report: await writeStudyReport(opts.outDir) };
}
