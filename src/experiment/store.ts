/**
 * The reproduction's output folder, and what counts as done in it.
 *
 *   OUT/plan.json         the sweep's plan (settings, jobs, fingerprint) and the shard it ran
 *   OUT/sessions.json     one entry per invocation: machine, jobs, wall time (for the report)
 *   OUT/runs/<id>/        one training run: what trainRun writes, plus result.json
 *   OUT/probes/<id>/      one landscape probe: what runLandscape writes, plus result.json
 *   OUT/summary.csv, OUT/charts/, OUT/report.md, OUT/report.html   written when every job is done
 *
 * A job's folder is built under a temporary name and renamed into place only when complete
 * (with its result.json, the last file written), so a killed sweep leaves either a complete
 * folder or a `.tmp-` one that the next start removes. "Complete" therefore means: the folder
 * exists, holds result.json (and, for a training run, trainRun's summary.csv), and result.json
 * was made from the same settings as the job now planned.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError, UserError, messageOf } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { readJsonFile } from '../util/json.js';
import { lockFolder } from '../util/lock.js';
import { childPath } from '../util/paths.js';
import { createFolder } from '../util/folders.js';
import { ConfigNameSchema, RunConfigSchema, type RunConfig } from '../config/schema.js';
import { jobFingerprint, type Job, type Plan } from './job.js';
import type { Shard } from './shard.js';
import type { RunResult } from '../training/train-run.js';
import type { MinimumPlace, Monotone } from '../probes/landscape-shape.js';
import type { MechanismSummary } from '../probes/mechanism.js';

export const RESULT_FILE = 'result.json';
export const PLAN_FILE = 'plan.json';
export const SESSIONS_FILE = 'sessions.json';
const LOCK_FILE = 'sweep.lock';
/** Written by trainRun in every run folder; a training run without it is not complete. */
export const RUN_SUMMARY_FILE = 'summary.csv';

export interface Versions {
  node: string;
  tfjs: string;
  project: string;
}

/** What result.json of a finished training run holds: trainRun's results, and where and when they were made. */
export type TrainRecord = Pick<
  RunResult,
  | 'finalTestAccuracy'
  | 'bestTestAccuracy'
  | 'bestEpoch'
  | 'finalTrainAccuracy'
  | 'finalTrainLoss'
  | 'finalTestLoss'
  | 'seconds'
  | 'backend'
  | 'dataSource'
  | 'history'
  | 'gradients'
> & {
  kind: 'train';
  id: string;
  configName: string;
  /** Where and why the run stopped, and its full-test-split accuracies (null when not scored); absent in older records. */
  stopEpoch?: number;
  stopReason?: RunResult['stopReason'];
  fullTestAccuracy?: number | null;
  fullTestAccuracyFinal?: number | null;
  seed: number;
  fingerprint: string;
  config: RunConfig;
  engine: string;
  host: string;
  finishedAt: string;
  versions: Versions;
};

/** One swept first-layer weight W1[i, j] (input i to neuron j): the loss at each value it was set to. */
interface LandscapeCurve {
  weightI: number;
  weightJ: number;
  /** The weight's value in the probed (trained) network. */
  original: number;
  values: number[];
  losses: number[];
  /** Where the probe found the lowest loss (src/probes/landscape-shape.ts, noise-aware). */
  minimum: MinimumPlace;
  monotone: Monotone;
  /** Per point: fractions of the training images on which the swept unit is active / saturated (older records lack them). */
  unitActive?: number[];
  unitSaturated?: number[];
}

export interface LandscapeRecord {
  kind: 'landscape';
  id: string;
  configName: string;
  seed: number;
  trainId: string;
  fingerprint: string;
  activation: string;
  hidden: number[];
  /** Which examples the loss is computed over, e.g. "training set (4000 examples)". */
  examples: string;
  series: LandscapeCurve[];
  /** The same weights swept in the network's initial state (older records lack them). */
  initSeries?: LandscapeCurve[];
  /** The author's explanation measured on this network at initialisation and after training (src/probes/mechanism.ts). */
  mechanism?: MechanismSummary;
  /** The probe's check of its autodiff derivative against the slope of the loss curve. */
  check: { relative: number; tolerance: number; passed: boolean; where: string };
  seconds: number;
  host: string;
  finishedAt: string;
  versions: Versions;
}

export type JobRecord = TrainRecord | LandscapeRecord;

export interface PlanFile {
  /** File the settings came from. */
  source: string;
  settings: unknown;
  seeds: number[];
  fingerprint: string;
  jobs: Job[];
  /** The shard this folder ran; a merged folder says which folders it merged. */
  shard: Shard;
  /** The command that ran this sweep (without --shard/--out), for the report. */
  command: string;
  mergedFrom?: string[];
}

export interface SessionRecord {
  /** Unique per invocation. */
  id: string;
  host: string;
  cpus: number;
  cpuModel: string;
  jobs: number;
  shard: string;
  startedAt: string;
  /** Last time the session wrote progress (a killed session stops here). */
  updatedAt: string;
  endedAt: string | null;
  wallSeconds: number;
  jobsCompleted: number;
  /** "finished", "failed", "interrupted", or "running" (still running, or killed). */
  status: string;
  /** The folder the session ran in (sessions copied by merge keep their shard's folder). */
  folder: string;
  /** The machine's 5-minute load average when the session last wrote: above `cpus`, other work competed for the cores. */
  load5: number;
}

/** A job's folder; the id (read back from plan.json too) is a label, so the folder cannot leave OUT/runs or OUT/probes. */
export function jobDir(outDir: string, job: Pick<Job, 'kind' | 'id'>): string {
  return childPath(path.join(outDir, job.kind === 'train' ? 'runs' : 'probes'), job.id);
}

/*
 * The shapes of the files the sweep reads back. They check what the program relies on (kinds,
 * ids, fingerprints, numbers) and keep any other field as written, so a record from a newer
 * version with more fields still reads.
 */
const JobIdSchema = ConfigNameSchema.or(
  z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/)
    .max(200),
);
const VersionsSchema = z.looseObject({ node: z.string(), tfjs: z.string(), project: z.string() });
const TrainRecordSchema = z.looseObject({
  kind: z.literal('train'),
  id: JobIdSchema,
  configName: z.string(),
  seed: z.number().int().min(0),
  fingerprint: z.string(),
  config: z.looseObject(RunConfigSchema.shape),
  finalTestAccuracy: z.number(),
  bestTestAccuracy: z.number(),
  bestEpoch: z.number().int(),
  seconds: z.number(),
  history: z.array(z.looseObject({ epoch: z.number().int() })),
  gradients: z.array(z.looseObject({})),
  host: z.string(),
  finishedAt: z.string(),
  versions: VersionsSchema,
});
const CurveSchema = z.looseObject({
  weightI: z.number().int(),
  weightJ: z.number().int(),
  values: z.array(z.number()),
  losses: z.array(z.number()),
  unitActive: z.array(z.number()).optional(),
  unitSaturated: z.array(z.number()).optional(),
});
// NaN is written as null by JSON.stringify; a measure that could not be taken reads back as null.
const measure = z.number().nullable();
const StateMeasuresSchema = z.looseObject({
  deltaMeanNorm: z.array(measure),
  deltaLog10TopOverFirst: measure,
  deltaShrinkPerLayer: measure,
  needOutside: measure,
  needAbove: measure,
  saturated: measure,
  off: measure,
  deadUnits: measure,
});
const MechanismSchema = z.looseObject({
  activation: z.string(),
  init: StateMeasuresSchema,
  trained: StateMeasuresSchema,
  sameWeightsInit: z.array(z.looseObject({ activation: z.string(), deltaLog10TopOverFirst: measure, deltaShrinkPerLayer: measure })),
});
const LandscapeRecordSchema = z.looseObject({
  kind: z.literal('landscape'),
  id: JobIdSchema,
  configName: z.string(),
  seed: z.number().int().min(0),
  trainId: JobIdSchema,
  fingerprint: z.string(),
  series: z.array(CurveSchema),
  initSeries: z.array(CurveSchema).optional(),
  mechanism: MechanismSchema.optional(),
  check: z.looseObject({ passed: z.boolean() }),
  host: z.string(),
  finishedAt: z.string(),
  versions: VersionsSchema,
});
const JobRecordSchema = z.discriminatedUnion('kind', [TrainRecordSchema, LandscapeRecordSchema]);
const ShardSchema = z.strictObject({ index: z.number().int().min(1), count: z.number().int().min(1) });
const JobSchema = z.looseObject({
  kind: z.enum(['train', 'landscape']),
  id: JobIdSchema,
  configName: z.string(),
  seed: z.number().int(),
});
const PlanFileSchema = z.looseObject({
  source: z.string(),
  settings: z.looseObject({}),
  seeds: z.array(z.number().int()),
  fingerprint: z.string(),
  jobs: z.array(JobSchema),
  shard: ShardSchema,
  command: z.string(),
  mergedFrom: z.array(z.string()).optional(),
});
const SessionsSchema = z.array(
  z.looseObject({ id: z.string(), host: z.string(), status: z.string(), wallSeconds: z.number(), jobsCompleted: z.number().int() }),
);

/**
 * Refuses a file of a sweep folder that is not a regular file (a link, a named pipe, a device):
 * a pipe would hang the read, a link would read what it points at. Checked with lstat before
 * the file is read.
 */
function refuseNonRegular(file: string): void {
  let stat;
  try {
    stat = lstatSync(file);
  } catch {
    return; // missing: the reader names it
  }
  if (stat.isFile()) return;
  const kind = stat.isSymbolicLink()
    ? 'a symbolic link'
    : stat.isDirectory()
      ? 'a folder'
      : stat.isFIFO()
        ? 'a named pipe'
        : 'a device or socket';
  throw new UserError(`${file}: is ${kind}, not a regular file; a sweep's files are never read through links or pipes`);
}

/** A job's result.json, checked (throws a UserError naming the file). */
export function readJobRecord(file: string): JobRecord {
  refuseNonRegular(file);
  // Checked above for what the program uses; the rest of the record is as trainRun / the probe wrote it.
  return readJsonFile(file, JobRecordSchema, 'job result') as unknown as JobRecord;
}

export function jobParentDirs(outDir: string): string[] {
  return [path.join(outDir, 'runs'), path.join(outDir, 'probes')];
}

/** What a folder holds for a job: nothing, a complete result of this job, or a result made with other settings. */
export type JobState =
  { state: 'missing' } | { state: 'complete'; record: JobRecord } | { state: 'conflict'; record: JobRecord | null; why: string };

export function jobState(outDir: string, job: Job): JobState {
  const dir = jobDir(outDir, job);
  if (!existsSync(dir)) return { state: 'missing' };
  const resultFile = path.join(dir, RESULT_FILE);
  if (!existsSync(resultFile)) return { state: 'conflict', record: null, why: `${resultFile} is missing (not made by reproduce?)` };
  if (job.kind === 'train' && !existsSync(path.join(dir, RUN_SUMMARY_FILE))) {
    return { state: 'conflict', record: null, why: `${path.join(dir, RUN_SUMMARY_FILE)} is missing` };
  }
  let record: JobRecord;
  try {
    record = readJobRecord(resultFile);
  } catch (err) {
    return { state: 'conflict', record: null, why: messageOf(err) };
  }
  if (record.fingerprint !== jobFingerprint(job)) {
    return { state: 'conflict', record, why: `${dir} was made with other settings than the plan now gives` };
  }
  return { state: 'complete', record };
}

export function planFileOf(plan: Plan, source: string, settings: unknown, shard: Shard, command: string): PlanFile {
  return { source, settings, seeds: plan.seeds, fingerprint: plan.fingerprint, jobs: plan.jobs, shard, command };
}

export function readPlanFile(outDir: string): PlanFile {
  const file = path.join(outDir, PLAN_FILE);
  if (!existsSync(file)) {
    throw new UserError(`${outDir}: not a reproduce folder (no ${PLAN_FILE}); give a folder written by \`reproduce\``);
  }
  refuseNonRegular(file);
  // Checked for what the program uses; settings and jobs are as the sweep wrote them.
  return readJsonFile(file, PlanFileSchema, 'reproduce plan') as unknown as PlanFile;
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function readSessions(outDir: string): SessionRecord[] {
  const file = path.join(outDir, SESSIONS_FILE);
  if (!existsSync(file)) return [];
  refuseNonRegular(file);
  return readJsonFile(file, SessionsSchema, 'list of sweep sessions') as unknown as SessionRecord[];
}

/** Records (or updates) one session in OUT/sessions.json. Only this process writes it while it holds the lock. */
export async function saveSession(outDir: string, session: SessionRecord): Promise<void> {
  const sessions = readSessions(outDir).filter((s) => s.id !== session.id);
  sessions.push(session);
  await writeJson(path.join(outDir, SESSIONS_FILE), sessions);
}

/**
 * Opens OUT for a sweep or a merge: creates it when missing, refuses a folder this program did
 * not make as a sweep folder (anything in it, but no plan.json), and takes OUT/sweep.lock
 * (src/util/lock.ts: atomic; a lock whose holder was killed goes stale and is taken over) so
 * two sweeps never write the same folder. Returns the release function.
 */
export async function openSweepFolder(outDir: string, alsoHolds: readonly string[] = []): Promise<() => Promise<void>> {
  await createFolder(outDir, '--out');
  const entries = readdirSync(outDir).filter((n) => !n.startsWith(LOCK_FILE) && !alsoHolds.includes(n));
  if (entries.length > 0 && !entries.includes(PLAN_FILE)) {
    throw new UsageError(
      `--out ${outDir}: holds files but no ${PLAN_FILE}, so it is not a folder of \`reproduce\`; give a new or empty folder, or a reproduce folder to resume`,
    );
  }
  return lockFolder(
    outDir,
    path.join(outDir, LOCK_FILE),
    `${outDir}: in use by another sweep (${path.join(outDir, LOCK_FILE)}); wait for it to finish, or use another --out`,
  );
}
