/**
 * Staged plans: a group of networks whose learning rate is chosen on the validation split, then
 * trained with the judged seeds at the chosen rates. `study` (a grid of training settings) and
 * `explain` (activation variants) both build these groups; the engine runs them:
 *   1. tuning: every network at every rate of the group, on the tuning seeds (a plan, run-plan.ts);
 *   2. selection: the validation split picks the rates of both arms (select-lr.ts), from step 1's records;
 *   3. judged runs: every network at its chosen rates with the judged seeds (a plan built from step 2);
 *   4. group.json marks the group complete (with the selection), written last and atomically.
 * Every plan is built in memory: no config file is written to be read back. A killed run resumes
 * where it stopped: complete groups are skipped, a phase resumes its jobs.
 *
 *   OUT/study.json                    which experiment the folder holds (its identity)
 *   OUT/groups/<id>/tune/, judged/    the two phases' folders (store.ts layout)
 *   OUT/groups/<id>/group.json        the selection; its presence marks the group complete
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError, messageOf } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { createFolder } from '../util/folders.js';
import { readJsonFile } from '../util/json.js';
import { childPath } from '../util/paths.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import type { RunConfig } from '../config/schema.js';
import { applyOverrides, parseConfig } from '../config/load.js';
import { DEFAULT_MECHANISM_SETTINGS } from '../probes/mechanism.js';
import { LandscapeProbeSettingsSchema } from '../probes/landscape-settings.js';
import { planRuns, type Plan } from './job.js';
import { runPlan } from './run-plan.js';
import { checkReuseRoot } from './trust.js';
import { jobState, readPlanFile, type LandscapeRecord, type TrainRecord } from './store.js';
import { selectLearningRates, type LearningRateSelection, type TuningRun } from './select-lr.js';
import os from 'node:os';

export const STUDY_FILE = 'study.json';
const GROUP_FILE = 'group.json';

/** Seeds of the tuning runs: far from the judged seeds, so the rate is never chosen on a judged run's start. */
const TUNING_FIRST_SEED = 1_000_001;

/** `tuned`: the validation split picks a rate per family; `one-rate`: one rate for all networks. */
export type Arm = 'tuned' | 'one-rate';

export interface Network {
  name: string;
  config: RunConfig;
  /**
   * The networks whose learning rate the tuned arm chooses together: the activation in the study
   * (one rate for all Sigmoid networks, one for all ReLU ones); `explain` uses its variants.
   */
  family: string;
}

/** The training setting a group shares: everything of a run config that is not the network's own. */
export interface TrainingSetting {
  init: { scheme: 'uniform' | 'xavier' | 'he'; limit?: number };
  /** Examples per step, already bounded by the training set. */
  batchSize: number;
  epochs: number;
  engine: RunConfig['engine'];
  trainPerClass: number;
  validationPerClass: number;
  testPerClass: number;
}

/**
 * A network's run config under a training setting at one learning rate, checked by the run
 * config's schema (defaults filled in) like a config file.
 */
export function runConfigUnder(
  network: Network,
  setting: TrainingSetting,
  learningRate: number,
  name: string,
  description: string,
): RunConfig {
  const base = network.config;
  const raw = {
    description,
    hidden: base.hidden,
    activation: base.activation,
    outputActivation: base.outputActivation,
    targets: base.targets,
    gradientNormalisation: base.gradientNormalisation,
    init: setting.init.limit !== undefined ? { scheme: setting.init.scheme, limit: setting.init.limit } : { scheme: setting.init.scheme },
    learningRate,
    momentum: 0,
    batchSize: setting.batchSize,
    epochs: setting.epochs,
    engine: setting.engine,
    backend: base.backend,
    recordGradients: false,
    data: {
      ...base.data,
      trainPerClass: setting.trainPerClass,
      validationPerClass: setting.validationPerClass,
      testPerClass: setting.testPerClass,
    },
  };
  return applyOverrides(parseConfig(raw, description, name), {});
}

/** One group: its networks, the rates tried, the seeds, and how a network becomes a run config. */
export interface TunedGroup {
  id: string;
  arms: readonly Arm[];
  networks: readonly Network[];
  learningRates: readonly number[];
  tuningSeeds: number;
  seeds: number;
  firstSeed: number;
  /** A network's complete run config at a learning rate, named `name` (seed and gradients are set per run). */
  runConfig: (network: Network, learningRate: number, name: string) => RunConfig;
  /** Networks whose judged runs are probed (landscape and the author's explanation); none when empty. */
  probed: readonly string[];
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

/** The probe records (landscape and the author's explanation) of a finished phase, in plan order. */
export function readProbeRecords(phaseDir: string): LandscapeRecord[] {
  const plan = readPlanFile(phaseDir);
  return plan.jobs.flatMap((job) => {
    const state = jobState(phaseDir, job);
    return state.state === 'complete' && state.record.kind === 'landscape' ? [state.record] : [];
  });
}

/** The training records of a finished phase, in plan order. */
export function readTrainRecords(phaseDir: string): TrainRecord[] {
  const plan = readPlanFile(phaseDir);
  const records: TrainRecord[] = [];
  for (const job of plan.jobs) {
    const state = jobState(phaseDir, job);
    if (state.state !== 'complete') throw new UserError(`${phaseDir}: run ${job.id} is not complete; run the study again to finish it`);
    if (state.record.kind === 'train') records.push(state.record);
  }
  return records;
}

/** The judged runs of one cell (a group under one arm): each network at the rate the arm chose. */
export function cellRecords(
  outDir: string,
  groupId: string,
  arm: Arm,
  record: GroupRecord,
  familyOf: (r: TrainRecord) => string = (r) => r.config.activation,
): TrainRecord[] {
  const records = readTrainRecords(path.join(groupDir(outDir, groupId), 'judged'));
  return records.filter((r) => {
    const lr = arm === 'tuned' ? record.selection.tuned[familyOf(r)] : record.selection.shared;
    return r.config.learningRate === lr;
  });
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
    if (!network) throw new Error(`tuning run ${r.configName} matches no network`);
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

/** The name of a network's run at a rate, e.g. "sigmoid5-lr0.3". */
function runName(network: string, learningRate: number): string {
  return `${network}-lr${learningRate}`;
}

/** The plan of a phase: the (network, rate) pairs with `seeds` seeds from `firstSeed`, the probed networks' runs probed. */
function phasePlan(group: TunedGroup, pairs: readonly [Network, number][], seeds: number, firstSeed: number, probe: boolean): Plan {
  const configs = new Map<string, RunConfig>();
  const probed: string[] = [];
  for (const [network, lr] of pairs) {
    const name = runName(network.name, lr);
    if (configs.has(name)) continue;
    configs.set(name, group.runConfig(network, lr, name));
    if (probe && group.probed.includes(network.name)) probed.push(name);
  }
  return planRuns({
    configs,
    seeds: Array.from({ length: seeds }, (_, i) => firstSeed + i),
    recordGradients: new Set(),
    probed,
    allSeeds: true,
    probe: LandscapeProbeSettingsSchema.parse({}),
    mechanism: DEFAULT_MECHANISM_SETTINGS,
  });
}

/** The tuning plan of a group: every network at every rate. */
function tuningPlan(group: TunedGroup): Plan {
  const pairs = group.networks.flatMap((n) => group.learningRates.map((lr) => [n, lr] as [Network, number]));
  return phasePlan(group, pairs, group.tuningSeeds, TUNING_FIRST_SEED, false);
}

/** The judged plan of a group, from the selection: each network at the rates its arms chose. */
function judgedPlan(group: TunedGroup, selection: LearningRateSelection): Plan {
  const pairs = group.networks.flatMap((n) => {
    const rates: number[] = [];
    if (group.arms.includes('tuned')) rates.push(selection.tuned[n.family]);
    if (group.arms.includes('one-rate')) rates.push(selection.shared);
    return [...new Set(rates)].map((lr) => [n, lr] as [Network, number]);
  });
  return phasePlan(group, pairs, group.seeds, group.firstSeed, true);
}

/** Which experiment a folder holds (the builder's parsed config), so a folder never mixes two. */
const IdentitySchema = z.object({ configFile: z.string(), quick: z.boolean(), config: z.unknown(), shard: z.string() });
export type FolderIdentity = z.output<typeof IdentitySchema>;

/** The checked study.json of a folder of groups; a folder without one is not one. */
export function readFolderIdentity(dir: string): FolderIdentity {
  const file = path.join(dir, STUDY_FILE);
  if (!existsSync(file)) throw new UserError(`${dir}: not a study folder (no ${STUDY_FILE})`);
  return readJsonFile(file, IdentitySchema, 'study identity');
}

export function sameExperiment(a: FolderIdentity, b: FolderIdentity): boolean {
  return JSON.stringify(a.config) === JSON.stringify(b.config) && a.quick === b.quick;
}

/** Claims `outDir` for `identity`: a new or empty folder, or one that holds the same experiment; another one is refused. */
async function claimFolder(outDir: string, identity: FolderIdentity): Promise<void> {
  const file = path.join(outDir, STUDY_FILE);
  if (existsSync(file)) {
    if (!sameExperiment(readFolderIdentity(outDir), identity)) {
      throw new UserError(`${outDir}: holds a study with other settings (${file}); use another --out, or delete that folder`);
    }
    return;
  }
  await createFolder(outDir, '--out');
  if (readdirSync(outDir).length > 0) {
    throw new UserError(`${outDir}: is not empty and holds no study (${STUDY_FILE}); give a new or empty --out`);
  }
  await writeFileAtomic(file, `${JSON.stringify(identity, null, 2)}\n`);
}

export interface RunGroupsOptions {
  outDir: string;
  dataDir: string;
  identity: FolderIdentity;
  /** The groups to run, in order (those complete already are skipped). */
  groups: readonly TunedGroup[];
  jobs: number | 'auto';
  progress: ProgressChoice;
  stream: NodeJS.WriteStream;
  /** How messages and plan.json name the experiment, e.g. "study". */
  label: string;
  /** The command that ran it, for plan.json. */
  command: string;
  /** A folder of the same groups run before: each phase's jobs made with exactly the same settings are copied. */
  reuseFrom?: string;
}

/** Runs every group not complete yet into `outDir`; returns the ids it completed and whether it was interrupted. */
export async function runGroups(opts: RunGroupsOptions): Promise<{ ran: string[]; interrupted: boolean }> {
  const say = (line: string): void => void opts.stream.write(`${line}\n`);
  // A folder of another kind (a sweep, a training run, a file) would be silently found empty.
  if (opts.reuseFrom !== undefined && existsSync(opts.reuseFrom)) checkReuseRoot(opts.reuseFrom, opts.outDir, STUDY_FILE, opts.label);
  await claimFolder(opts.outDir, opts.identity);
  const todo = opts.groups.filter((g) => readGroupRecord(opts.outDir, g.id) === null);
  const workers = opts.jobs === 'auto' ? os.availableParallelism() : opts.jobs;
  const ran: string[] = [];
  for (const [k, group] of todo.entries()) {
    const dir = groupDir(opts.outDir, group.id);
    const phase = (name: 'tune' | 'judged', plan: Plan) => {
      // The same phase in the folder to reuse, when it has one.
      const from = opts.reuseFrom && path.join(groupDir(opts.reuseFrom, group.id), name);
      return runPlan({
        plan,
        source: opts.identity.configFile,
        settings: { group: group.id, phase: name },
        workers,
        label: opts.label,
        command: opts.command,
        outDir: path.join(dir, name),
        reuseFrom: from && existsSync(from) ? from : undefined,
        dataDir: opts.dataDir,
        progress: opts.progress,
        stream: opts.stream,
      });
    };
    say(
      `${opts.label}: group ${group.id} (${k + 1} of ${todo.length} left in this shard): tuning the learning rate on the validation split`,
    );
    if ((await phase('tune', tuningPlan(group))).interrupted) return { ran, interrupted: true };

    const selection = selectLearningRates(tuningRunsOf(readTrainRecords(path.join(dir, 'tune')), group.networks));
    say(`${opts.label}: group ${group.id}: chosen on validation: tuned ${describeTuned(selection)}; one rate ${selection.shared}`);
    if ((await phase('judged', judgedPlan(group, selection))).interrupted) return { ran, interrupted: true };

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
  return { ran, interrupted: false };
}

function describeTuned(s: LearningRateSelection): string {
  return Object.entries(s.tuned)
    .map(([a, lr]) => `${a} ${lr}`)
    .join(', ');
}
