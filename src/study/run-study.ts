/**
 * `study`: the article's networks under a grid of training settings, every claim judged under each.
 *
 * For each group of this shard, in a fixed order:
 *   1. tuning: every network at every learning rate of the group's grid, on the tuning seeds,
 *      through the reproduction's sweep (resumable, on every core);
 *   2. selection: the validation split picks the rates of both arms (select-lr.ts);
 *   3. judged runs: every network at its chosen rates with the study's seeds;
 *   4. group.json marks the group complete (with the selection), written last and atomically.
 * A killed study resumes where it stopped: complete groups are skipped, a sweep resumes its runs.
 * Judging and the report are the reports layer's (study/report.ts), from the records alone.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError, messageOf } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { createFolder } from '../util/folders.js';
import { readJsonFile } from '../util/json.js';
import { childPath } from '../util/paths.js';
import { runSweep } from '../reproduce/sweep.js';
import { jobState, readPlanFile, type LandscapeRecord, type TrainRecord } from '../experiment/store.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { loadStudyConfig, type StudyConfig, type StudyOverrides } from './config.js';
import { fullGrid, groupsOfShard, quickGrid, type Group } from './grid.js';
import { loadNetworks, writeJudgedConfigs, writeTuningConfigs, type Network } from './group-configs.js';
import { selectLearningRates, type LearningRateSelection, type TuningRun } from '../experiment/select-lr.js';
import { formatShard, type Shard } from '../experiment/shard.js';

export const STUDY_FILE = 'study.json';
export const GROUP_FILE = 'group.json';

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
  /** A plan made by the caller instead of from `configFile` (explain: its variants as the networks). */
  plan?: StudyPlan;
  /** A folder of a study run before: runs there with exactly the same settings are copied, not run again. */
  reuseFrom?: string;
}

export interface StudyPlan {
  config: StudyConfig;
  configFile: string;
  networks: Network[];
  /** Every group of the study (all shards). */
  groups: Group[];
  /** The groups this shard runs. */
  mine: Group[];
  /** Groups already complete in the output folder. */
  done: Set<string>;
  /** Networks whose judged runs are probed (landscape and the author's explanation); none when absent. */
  probed?: string[];
}

const GroupRecordSchema = z.object({
  id: z.string(),
  selection: z.object({
    tuned: z.record(z.string(), z.number()),
    shared: z.number(),
    scores: z.array(
      z.object({ activation: z.string(), learningRate: z.number(), meanBestValLoss: z.number().nullable(), runs: z.number() }),
    ),
    lateBestFraction: z.number(),
  }),
  finishedAt: z.string(),
});
export type GroupRecord = z.output<typeof GroupRecordSchema>;

export function groupDir(outDir: string, groupId: string): string {
  return childPath(path.join(outDir, 'groups'), groupId);
}

/** group.json of a complete group, or null while it is not. */
export function readGroupRecord(outDir: string, groupId: string): GroupRecord | null {
  const file = path.join(groupDir(outDir, groupId), GROUP_FILE);
  if (!existsSync(file)) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`${file}: unreadable: ${messageOf(err)}; delete that group folder to redo it`);
  }
  const parsed = GroupRecordSchema.safeParse(raw);
  if (!parsed.success)
    throw new UserError(`${file}: not a study group record (${parsed.error.issues[0]?.message}); delete that group folder to redo it`);
  return parsed.data;
}

/** The complete training records of a sweep folder, in plan order. */
/** The probe records (landscape and the author's explanation) of a finished sweep, in plan order. */
export function readProbeRecords(sweepDir: string): LandscapeRecord[] {
  const plan = readPlanFile(sweepDir);
  return plan.jobs.flatMap((job) => {
    const state = jobState(sweepDir, job);
    return state.state === 'complete' && state.record.kind === 'landscape' ? [state.record] : [];
  });
}

function readTrainRecords(sweepDir: string): TrainRecord[] {
  const plan = readPlanFile(sweepDir);
  const records: TrainRecord[] = [];
  for (const job of plan.jobs) {
    const state = jobState(sweepDir, job);
    if (state.state !== 'complete') throw new UserError(`${sweepDir}: run ${job.id} is not complete; run the study again to finish it`);
    if (state.record.kind === 'train') records.push(state.record);
  }
  return records;
}

/** Lowest validation loss of a run and its epoch (the epoch a judged run reports). */
function bestValidation(record: TrainRecord): { loss: number; epoch: number } {
  let best = { loss: Number.POSITIVE_INFINITY, epoch: 0 };
  for (const e of record.history) {
    const loss = (e as { valLoss?: number }).valLoss;
    if (loss !== undefined && Number.isFinite(loss) && loss < best.loss) best = { loss, epoch: e.epoch };
  }
  return best;
}

function tuningRunsOf(records: readonly TrainRecord[], networks: readonly Network[]): TuningRun[] {
  return records.map((r) => {
    const network = networks.find((n) => r.configName.startsWith(`${n.name}-lr`));
    if (!network) throw new Error(`study: tuning run ${r.configName} matches no network`);
    const best = bestValidation(r);
    return {
      network: network.name,
      activation: network.family,
      learningRate: r.config.learningRate,
      seed: r.seed,
      bestValLoss: best.loss,
      bestEpoch: best.epoch,
      epochs: r.config.epochs,
    };
  });
}

function planStudy(opts: Pick<StudyOptions, 'configFile' | 'quick' | 'overrides' | 'outDir' | 'shard'>): StudyPlan {
  const config = loadStudyConfig(opts.configFile, opts.overrides);
  const networks = loadNetworks(opts.configFile, config);
  const groups = opts.quick ? quickGrid(config) : fullGrid(config);
  const mine = groupsOfShard(groups, config, opts.shard.index, opts.shard.count);
  const done = new Set(groups.filter((g) => readGroupRecord(opts.outDir, g.id) !== null).map((g) => g.id));
  return { config, configFile: opts.configFile, networks, groups, mine, done };
}

/** study.json: which study a folder holds (its parsed config), so a folder never mixes two studies. */
const StudyIdentitySchema = z.object({ configFile: z.string(), quick: z.boolean(), config: z.unknown(), shard: z.string() });
export type StudyIdentity = z.output<typeof StudyIdentitySchema>;

/** The checked study.json of a study folder; a folder without one is not a study. */
export function readStudyIdentity(dir: string): StudyIdentity {
  const file = path.join(dir, STUDY_FILE);
  if (!existsSync(file)) throw new UserError(`${dir}: not a study folder (no ${STUDY_FILE})`);
  return readJsonFile(file, StudyIdentitySchema, 'study identity');
}

/** The study's identity: a folder holds one study; another study's folder is refused, never mixed into. */
async function claimFolder(opts: StudyOptions, plan: StudyPlan): Promise<void> {
  const file = path.join(opts.outDir, STUDY_FILE);
  const identity: StudyIdentity = {
    configFile: path.resolve(opts.configFile),
    quick: opts.quick,
    config: plan.config,
    shard: formatShard(opts.shard),
  };
  if (existsSync(file)) {
    const existing = readStudyIdentity(opts.outDir);
    if (JSON.stringify(existing.config) !== JSON.stringify(plan.config) || existing.quick !== opts.quick) {
      throw new UserError(`${opts.outDir}: holds a study with other settings (${file}); use another --out, or delete that folder`);
    }
    return;
  }
  await createFolder(opts.outDir, '--out');
  if (readdirSync(opts.outDir).length > 0) {
    throw new UserError(`${opts.outDir}: is not empty and holds no study (${STUDY_FILE}); give a new or empty --out`);
  }
  await writeFileAtomic(file, `${JSON.stringify(identity, null, 2)}\n`);
}

export interface StudyOutcome {
  plan: StudyPlan;
  ran: string[];
  interrupted: boolean;
}

export async function runStudy(opts: StudyOptions): Promise<StudyOutcome> {
  const stream = opts.stream ?? process.stderr;
  const say = (line: string): void => void stream.write(`${line}\n`);
  const plan = opts.plan ?? planStudy(opts);
  await opts.onPlan?.(plan);
  if (opts.dryRun) return { plan, ran: [], interrupted: false };
  // explain passes each variant's counterpart, which may not exist; a study of its own names a folder that must.
  if (opts.reuseFrom !== undefined && !opts.plan && !existsSync(opts.reuseFrom))
    throw new UserError(`--reuse ${opts.reuseFrom}: no such folder`);
  await claimFolder(opts, plan);

  const ran: string[] = [];
  const todo = plan.mine.filter((g) => !plan.done.has(g.id));
  for (const [k, group] of todo.entries()) {
    const dir = groupDir(opts.outDir, group.id);
    const configsDir = path.join(dir, 'configs');
    // The same sweep in the folder to reuse, when it has one.
    const reuse = (phase: string): string | undefined => {
      const from = opts.reuseFrom && path.join(groupDir(opts.reuseFrom, group.id), phase);
      return from && existsSync(from) ? from : undefined;
    };
    say(`study: group ${group.id} (${k + 1} of ${todo.length} left in this shard): tuning the learning rate on the validation split`);
    const tuneFile = await writeTuningConfigs(configsDir, group, plan.networks, plan.config, opts.jobs);
    const tuning = await runSweep({
      configFile: tuneFile,
      outDir: path.join(dir, 'tune'),
      reuseFrom: reuse('tune'),
      dataDir: opts.dataDir,
      progress: opts.progress,
      stream,
    });
    if (tuning.interrupted) return { plan, ran, interrupted: true };

    const selection = selectLearningRates(tuningRunsOf(readTrainRecords(path.join(dir, 'tune')), plan.networks));
    say(`study: group ${group.id}: chosen on validation: tuned ${describeTuned(selection)}; one rate ${selection.shared}`);
    const ratesOf = (n: Network): number[] => {
      const rates: number[] = [];
      if (group.arms.includes('tuned')) rates.push(selection.tuned[n.family]);
      if (group.arms.includes('one-rate')) rates.push(selection.shared);
      return [...new Set(rates)];
    };
    const judgedFile = await writeJudgedConfigs(configsDir, group, plan.networks, ratesOf, plan.config, opts.jobs, plan.probed);
    const judged = await runSweep({
      configFile: judgedFile,
      outDir: path.join(dir, 'judged'),
      reuseFrom: reuse('judged'),
      dataDir: opts.dataDir,
      progress: opts.progress,
      stream,
    });
    if (judged.interrupted) return { plan, ran, interrupted: true };

    const record: GroupRecord = {
      id: group.id,
      selection: {
        ...selection,
        scores: selection.scores.map((s) => ({ ...s, meanBestValLoss: Number.isFinite(s.meanBestValLoss) ? s.meanBestValLoss : null })),
      },
      finishedAt: new Date().toISOString(),
    };
    await writeFileAtomic(path.join(dir, GROUP_FILE), `${JSON.stringify(record, null, 2)}\n`);
    ran.push(group.id);
  }
  return { plan, ran, interrupted: false };
}

function describeTuned(s: LearningRateSelection): string {
  return Object.entries(s.tuned)
    .map(([a, lr]) => `${a} ${lr}`)
    .join(', ');
}

/** The judged runs of one cell (a group under one arm): each network at the rate the arm chose. */
export function cellRecords(
  outDir: string,
  groupId: string,
  arm: 'tuned' | 'one-rate',
  record: GroupRecord,
  familyOf: (r: TrainRecord) => string = (r) => r.config.activation,
): TrainRecord[] {
  const records = readTrainRecords(path.join(groupDir(outDir, groupId), 'judged'));
  return records.filter((r) => {
    const lr = arm === 'tuned' ? record.selection.tuned[familyOf(r)] : record.selection.shared;
    return r.config.learningRate === lr;
  });
}
