/**
 * Folders of a sweep that come from elsewhere, checked before anything in them is believed.
 *
 * Three ways bring in job folders this process did not just write: resuming (`--out` already
 * holds runs), reusing (`--reuse DIR` copies finished runs of another folder) and merging shards.
 * Every one passes here (run-plan.ts for reproduce, study and explain; merge.ts):
 * - the sweep's `runs/` and `probes/` and every job folder must be real folders inside it, never
 *   symbolic links: a link would make the sweep read or write outside its folder;
 * - a folder given to `--reuse` must be a folder of the same command (a sweep's plan.json, whose
 *   jobs must give its fingerprint; a study's study.json; explain's variants/), not a file, not
 *   the output folder itself or a folder inside it;
 * - copying takes regular files only (lstat, then opened without following a link and checked
 *   on the descriptor): a link, device or pipe in a job folder is refused, never copied;
 * - a finished job's result.json is checked against itself and its folder: its config must give
 *   its fingerprint, it must come from this version of the program, and a training run's history
 *   must be the one in its own history.csv (so the primary figure, the test accuracy at the epoch
 *   of lowest validation loss, is the same recomputed from either) and have as many epochs as its
 *   config trains.
 * A failed check is one UserError line naming the file (or a UsageError naming the flag when the
 * command line gave the wrong folder).
 */
import { existsSync, lstatSync, promises as fs, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { UsageError, UserError } from '../util/errors.js';
import { parseCsv } from '../util/csv.js';
import { readRegularFile } from '../util/regular-file.js';
import { projectVersion } from '../util/version.js';
import { runMetrics } from '../training/run-metrics.js';
import type { EpochRecord } from '../training/loop.js';
import { jobFingerprint, planFingerprint, type Job } from './job.js';
import {
  jobDir,
  jobParentDirs,
  jobState,
  readPlanFile,
  RESULT_FILE,
  PLAN_FILE,
  type JobRecord,
  type JobState,
  type PlanFile,
  type TrainRecord,
} from './store.js';

/** Largest file copied out of a job folder (a model of the largest network is a few MiB). */
const MAX_COPIED_FILE = 512 * 2 ** 20;
/** Largest history.csv read to check a result (a row per epoch: a few KiB). */
const MAX_HISTORY = 16 * 2 ** 20;

/** What a path is when it is not a real folder, for messages; null when it is one (or absent). */
function notAFolder(p: string): string | null {
  let stat;
  try {
    stat = lstatSync(p);
  } catch {
    return null;
  }
  if (stat.isDirectory()) return null;
  return stat.isSymbolicLink() ? 'a symbolic link' : 'not a folder';
}

/** Refuses a sweep folder whose runs/ or probes/ is a link or a file (they would lead reads and writes out of it). */
export function refuseLinkedFolders(outDir: string): void {
  for (const dir of jobParentDirs(outDir)) {
    const what = notAFolder(dir);
    if (what)
      throw new UserError(`${dir}: is ${what}; a sweep's runs/ and probes/ must be folders inside it (remove it, or use another folder)`);
  }
}

/** jobState, with the job's folder required to be a real folder and a complete result checked against its folder (see the header). */
export function checkedJobState(outDir: string, job: Job): JobState {
  const dir = jobDir(outDir, job);
  const what = notAFolder(dir);
  if (what) return { state: 'conflict', record: null, why: `${dir} is ${what}, not a job folder` };
  // Before anything in it is read: a named pipe as result.json would hang the read.
  const odd = existsSync(dir) ? firstNonRegular(dir) : null;
  if (odd)
    return { state: 'conflict', record: null, why: `${odd.path} is ${odd.kind}; a finished job's folder must hold regular files only` };
  const state = jobState(outDir, job);
  if (state.state !== 'complete') return state;
  const why = resultMismatch(dir, job, state.record);
  return why ? { state: 'conflict', record: state.record, why } : state;
}

/** The first entry under `dir` (depth first) that is neither a folder nor a regular file, or null. */
function firstNonRegular(dir: string): { path: string; kind: string } | null {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      const inner = firstNonRegular(p);
      if (inner) return inner;
    } else if (!entry.isFile()) return { path: p, kind: kindOf(entry) };
  }
  return null;
}

function kindOf(entry: { isSymbolicLink(): boolean; isFIFO(): boolean; isSocket(): boolean }): string {
  return entry.isSymbolicLink() ? 'a symbolic link' : entry.isFIFO() ? 'a named pipe' : entry.isSocket() ? 'a socket' : 'a device';
}

/** Why the complete result in `dir` cannot be believed, or null. */
function resultMismatch(dir: string, job: Job, record: JobRecord): string | null {
  const file = path.join(dir, RESULT_FILE);
  if (record.versions.project !== projectVersion()) {
    return `${file}: made by version ${record.versions.project} of this program, this is ${projectVersion()}; run it again with this version`;
  }
  if (record.kind !== job.kind || record.id !== job.id || record.configName !== job.configName || record.seed !== job.seed) {
    return `${file}: names job ${record.id} (${record.configName}, seed ${record.seed}), the folder is job ${job.id}`;
  }
  if (record.kind !== 'train' || job.kind !== 'train') return null;
  const own = jobFingerprint({ kind: 'train', id: record.id, configName: record.configName, seed: record.seed, config: record.config });
  if (own !== record.fingerprint) return `${file}: its config does not give its fingerprint (the file was edited)`;
  return historyMismatch(dir, file, record);
}

const HISTORY_CELLS: readonly [keyof EpochRecord, string][] = [
  ['trainLoss', 'train_loss'],
  ['trainAccuracy', 'train_acc'],
  ['testLoss', 'test_loss'],
  ['testAccuracy', 'test_acc'],
  ['valLoss', 'val_loss'],
  ['valAccuracy', 'val_acc'],
];

/** A history.csv cell as written by trainRun: empty (not scored), NaN, or a number. */
function cellValue(text: string | undefined): number {
  if (text === undefined || text === '' || text === 'NaN') return Number.NaN;
  return /^-?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text) ? Number(text) : Number.NaN;
}

function sameNumber(a: number | null, b: number): boolean {
  const x = typeof a === 'number' ? a : Number.NaN;
  return Number.isNaN(x) ? Number.isNaN(b) : x === b;
}

/** Why a training run's result.json disagrees with its history.csv or its config's epochs, or null. */
function historyMismatch(dir: string, file: string, record: TrainRecord): string | null {
  const historyFile = path.join(dir, 'history.csv');
  let rows: Record<string, string>[];
  try {
    rows = parseCsv(readRegularFile(historyFile, { what: 'history', maxBytes: MAX_HISTORY, noSymlink: true }).toString('utf8'));
  } catch (err) {
    return err instanceof UserError ? err.message : `${historyFile}: cannot be read`;
  }
  const fromCsv: EpochRecord[] = rows.map((row) => {
    const e = { epoch: cellValue(row.epoch), seconds: 0, elapsedSeconds: 0 } as EpochRecord;
    for (const [key, column] of HISTORY_CELLS) (e as unknown as Record<string, number>)[key] = cellValue(row[column]);
    return e;
  });
  const history = record.history as (EpochRecord & Record<string, number | null>)[];
  if (fromCsv.length !== history.length) {
    return `${file}: records ${history.length} epochs (0 included), its ${historyFile} ${fromCsv.length}`;
  }
  for (let k = 0; k < history.length; k++) {
    if (history[k].epoch !== k || fromCsv[k].epoch !== k)
      return `${file}: its epochs are not 0, 1, 2... in order (or differ from ${historyFile})`;
    for (const [key, column] of HISTORY_CELLS) {
      if (!sameNumber(history[k][key], fromCsv[k][key] as number)) {
        return `${file}: says ${column} ${String(history[k][key])} at epoch ${k}, its ${historyFile} ${String(fromCsv[k][key])}`;
      }
    }
  }
  if (history.length === 0) return `${file}: records no epoch`;
  const primary = runMetrics(history);
  const recomputed = runMetrics(fromCsv);
  if (!sameNumber(primary.testAccuracy, recomputed.testAccuracy)) {
    return `${file}: its primary figure ${primary.testAccuracy} differs from ${recomputed.testAccuracy} recomputed from ${historyFile}`;
  }
  const last = history[history.length - 1];
  if (!sameNumber(record.finalTestAccuracy, typeof last.testAccuracy === 'number' ? last.testAccuracy : Number.NaN)) {
    return `${file}: says final test accuracy ${record.finalTestAccuracy}, its history's last epoch ${String(last.testAccuracy)}`;
  }
  const epochs = last.epoch;
  const planned = record.config.epochs;
  if (epochs > planned || (!record.config.stopping && epochs !== planned)) {
    return `${file}: records ${epochs} epochs, its config trains ${record.config.stopping ? 'at most ' : ''}${planned}`;
  }
  return null;
}

/**
 * Checks the folder given to `--reuse` for a command writing into `outDir`: a folder (not a
 * file), not `outDir` or inside it, holding `marker` (the file or folder every folder of that
 * command holds: plan.json for a sweep, study.json for a study, variants/ for explain).
 * `command` names the command for the message.
 */
export function checkReuseRoot(from: string, outDir: string, marker: string, command: string): void {
  const flag = `--reuse ${from}`;
  let real: string;
  try {
    real = realpathSync(from);
  } catch {
    throw new UserError(`${flag}: no such folder`);
  }
  // The folder named on the command line may itself be a link (the user chose it); what is inside may not.
  if (!lstatSync(real).isDirectory()) throw new UsageError(`${flag}: is a file, expected a folder written by ${command}`);
  let realOut: string | null = null;
  try {
    realOut = realpathSync(outDir);
  } catch {
    /* a new --out: nothing can be inside it */
  }
  if (realOut !== null && (real === realOut || real.startsWith(`${realOut}${path.sep}`))) {
    throw new UsageError(
      `${flag}: is the output folder --out ${outDir}${real === realOut ? '' : ' or inside it'}; give an earlier folder to copy from`,
    );
  }
  if (!existsSync(path.join(from, marker))) {
    throw new UsageError(`${flag}: holds no ${marker}, so it is not a folder written by ${command}; give a folder that ${command} wrote`);
  }
}

/** checkReuseRoot for a sweep's folder (plan.json), whose plan must match its fingerprint; returns the plan. */
export function checkReuseFolder(from: string, outDir: string, command: string): PlanFile {
  checkReuseRoot(from, outDir, PLAN_FILE, command);
  const plan = readPlanFile(from);
  refuseLinkedFolders(from);
  checkPlanFingerprint(from, plan);
  return plan;
}

/** Refuses a plan.json whose jobs do not give its fingerprint (edited by hand: it would pass for another sweep). */
function checkPlanFingerprint(dir: string, plan: PlanFile): void {
  if (planFingerprint(plan.jobs) !== plan.fingerprint) {
    throw new UserError(
      `${path.join(dir, PLAN_FILE)}: its jobs do not give its fingerprint (the file was edited); it cannot be merged or reused`,
    );
  }
}

/**
 * Copies the folder `from` to `to` (which must not exist), regular files and folders only: a
 * symbolic link, device, pipe or socket anywhere in it is refused with one line naming it.
 */
export async function copyRegularTree(from: string, to: string): Promise<void> {
  const stat = await fs.lstat(from);
  if (!stat.isDirectory())
    throw new UserError(`${from}: is ${stat.isSymbolicLink() ? 'a symbolic link' : 'not a folder'}; only real folders are copied`);
  await fs.mkdir(to);
  for (const entry of await fs.readdir(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dest = path.join(to, entry.name);
    if (entry.isDirectory()) await copyRegularTree(src, dest);
    else if (entry.isFile()) {
      // Opened without following a link and checked on the descriptor: a swap after readdir is caught too.
      await fs.writeFile(dest, readRegularFile(src, { what: 'file of a finished job', maxBytes: MAX_COPIED_FILE, noSymlink: true }), {
        flag: 'wx',
      });
    } else {
      throw new UserError(`${src}: is ${kindOf(entry)}; a finished job's folder must hold regular files only, so it is not copied`);
    }
  }
}

/**
 * For merge: the first of `dirs` holding `job` complete and checked (see checkedJobState), or
 * null when none holds it. A shard whose folder for the job does not hold up (edited, another
 * version of the program, a link) refuses the merge with one line: it is never passed over.
 */
export function mergeSourceOf(dirs: readonly string[], job: Job): string | null {
  for (const dir of dirs) {
    const state = checkedJobState(dir, job);
    if (state.state === 'complete') return dir;
    if (state.state === 'conflict') throw new UserError(`${dir}: ${state.why}; merge only shards made by this version from one plan`);
  }
  return null;
}

/** For merge: each input's runs/ and probes/ are real folders, and its plan.json matches its fingerprint. */
export function checkMergeInputs(inputs: readonly { dir: string; plan: PlanFile }[]): void {
  for (const input of inputs) {
    refuseLinkedFolders(input.dir);
    checkPlanFingerprint(input.dir, input.plan);
  }
}
