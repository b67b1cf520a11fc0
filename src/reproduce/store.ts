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
import { existsSync, readFileSync, unlinkSync, promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError, messageOf } from '../util/errors.js';
import { processIsAlive, writeFileAtomic } from '../util/atomic.js';
import type { RunConfig } from '../config/schema.js';
import { jobFingerprint, type PlannedJob, type Plan, type Shard } from './plan.js';
import type { ReproduceSettings } from './config.js';
import type { RunResult } from '../training/train-run.js';
import type { MinimumPlace, Monotone } from '../probes/landscape-shape.js';

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
  settings: ReproduceSettings;
  seeds: number[];
  fingerprint: string;
  jobs: PlannedJob[];
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

export function jobDir(outDir: string, job: Pick<PlannedJob, 'kind' | 'id'>): string {
  return path.join(outDir, job.kind === 'train' ? 'runs' : 'probes', job.id);
}

export function jobParentDirs(outDir: string): string[] {
  return [path.join(outDir, 'runs'), path.join(outDir, 'probes')];
}

/** What a folder holds for a job: nothing, a complete result of this job, or a result made with other settings. */
export type JobState =
  { state: 'missing' } | { state: 'complete'; record: JobRecord } | { state: 'conflict'; record: JobRecord | null; why: string };

export function jobState(outDir: string, job: PlannedJob): JobState {
  const dir = jobDir(outDir, job);
  if (!existsSync(dir)) return { state: 'missing' };
  const resultFile = path.join(dir, RESULT_FILE);
  if (!existsSync(resultFile)) return { state: 'conflict', record: null, why: `${resultFile} is missing (not made by reproduce?)` };
  if (job.kind === 'train' && !existsSync(path.join(dir, RUN_SUMMARY_FILE))) {
    return { state: 'conflict', record: null, why: `${path.join(dir, RUN_SUMMARY_FILE)} is missing` };
  }
  let record: JobRecord;
  try {
    record = JSON.parse(readFileSync(resultFile, 'utf8')) as JobRecord;
  } catch (err) {
    return { state: 'conflict', record: null, why: `${resultFile} is unreadable: ${messageOf(err)}` };
  }
  if (record.fingerprint !== jobFingerprint(job)) {
    return { state: 'conflict', record, why: `${dir} was made with other settings than the plan now gives` };
  }
  return { state: 'complete', record };
}

export function planFileOf(plan: Plan, source: string, settings: ReproduceSettings, shard: Shard, command: string): PlanFile {
  return { source, settings, seeds: plan.seeds, fingerprint: plan.fingerprint, jobs: plan.jobs, shard, command };
}

export function readPlanFile(outDir: string): PlanFile {
  const file = path.join(outDir, PLAN_FILE);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new UserError(`${outDir}: not a reproduce folder (no ${PLAN_FILE}); give a folder written by \`reproduce\``);
    }
    throw new UserError(`${file}: cannot read: ${messageOf(err)}`);
  }
  try {
    return JSON.parse(text) as PlanFile;
  } catch (err) {
    throw new UserError(`${file}: not valid JSON: ${messageOf(err)}`);
  }
}

export async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

export function readSessions(outDir: string): SessionRecord[] {
  try {
    return JSON.parse(readFileSync(path.join(outDir, SESSIONS_FILE), 'utf8')) as SessionRecord[];
  } catch {
    return [];
  }
}

/** Records (or updates) one session in OUT/sessions.json. Only this process writes it while it holds the lock. */
export async function saveSession(outDir: string, session: SessionRecord): Promise<void> {
  const sessions = readSessions(outDir).filter((s) => s.id !== session.id);
  sessions.push(session);
  await writeJson(path.join(outDir, SESSIONS_FILE), sessions);
}

/**
 * Takes OUT/sweep.lock so two sweeps never write the same folder. A lock left by a process
 * of this machine that no longer exists is taken over; a live one, or one from another
 * machine (whose processes we cannot see), stops the sweep with a message saying what to do.
 */
export async function acquireLock(outDir: string): Promise<() => void> {
  const file = path.join(outDir, LOCK_FILE);
  const mine = JSON.stringify({ pid: process.pid, host: os.hostname(), startedAt: new Date().toISOString() });
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fs.writeFile(file, mine, { flag: 'wx' });
      const release = (): void => {
        try {
          const held = readFileSync(file, 'utf8');
          if (held === mine) unlinkSync(file); // synchronous: release also runs from exit handlers
        } catch {
          /* already gone */
        }
      };
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw new UserError(`${file}: cannot create lock: ${messageOf(err)}`);
    }
    let holder: { pid?: number; host?: string } = {};
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as typeof holder;
    } catch {
      /* half-written or foreign: treat as stale below if it stays unreadable */
    }
    if (holder.host !== undefined && holder.host !== os.hostname()) {
      throw new UserError(
        `${outDir}: in use by a sweep on ${holder.host} (${file}); give each machine its own --out, or delete the lock if that sweep has stopped`,
      );
    }
    if (holder.pid !== undefined && processIsAlive(holder.pid)) {
      throw new UserError(`${outDir}: in use by another sweep (process ${holder.pid}); wait for it to finish, or use another --out`);
    }
    await fs.rm(file, { force: true });
  }
  throw new UserError(`${file}: cannot take the lock (another sweep keeps taking it)`);
}
