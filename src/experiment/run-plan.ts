/**
 * The engine: runs a plan (an in-memory list of jobs) into one folder.
 *
 * Checks that the folder holds this plan or nothing (its identity: plan.json's fingerprint and
 * shard), removes what an interrupted run left half-made, skips the jobs already complete there
 * (so a killed run resumes) or copies them from a folder given to reuse, runs the rest on a pool
 * of worker processes with a progress display, records each invocation in sessions.json, and,
 * when the whole plan (not a shard) is complete, calls `finish` (the experiment's judge and
 * report). With a shard it runs only its share (shard.ts) and leaves the rest to `merge`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { produceAtomically, removeStaleTemps } from '../util/atomic.js';
import { onStopSignal } from '../util/signals.js';
import { ensureData } from '../data/fetch.js';
import { jobFingerprint, type Job, type Plan } from './job.js';
import { selectShard, formatShard, WHOLE, type Shard } from './shard.js';
import { WorkerPool, type PoolEvent } from './pool.js';
import { SweepProgress, resolveProgressStyle, formatDuration } from './progress.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import {
  openSweepFolder,
  jobDir,
  jobParentDirs,
  planFileOf,
  readPlanFile,
  readSessions,
  saveSession,
  writeJson,
  PLAN_FILE,
  type SessionRecord,
} from './store.js';
import { checkReuseFolder, checkedJobState, copyRegularTree, refuseLinkedFolders } from './trust.js';

export interface RunPlanOptions<Final = unknown> {
  plan: Plan;
  /** The file the plan was built from, and its settings (recorded in plan.json for the report). */
  source: string;
  settings: unknown;
  /** Worker processes at most. */
  workers: number;
  /** How messages name the run, e.g. "reproduce". */
  label: string;
  /**
   * Called once, under the folder's lock, when the whole (unsharded) plan is complete: the
   * experiment's judge and report, passed in so the engine never imports reports.
   */
  finish?: (outDir: string) => Promise<Final>;
  shard?: Shard;
  outDir: string;
  dataDir: string;
  progress?: ProgressChoice;
  /** The command line, for the report (without --shard/--out). */
  command: string;
  /** Where progress and messages go (default stderr). */
  stream?: NodeJS.WriteStream;
  /** Draw each training run's curves.svg/.png (about a second a run); default true. Not part of any job's fingerprint. */
  runCharts?: boolean;
  /**
   * Another folder of a sweep (any settings): each job of this plan that is complete there with
   * the same fingerprint (made with exactly the same settings) is copied instead of run again,
   * e.g. to add a new probe to a finished reproduction without retraining its networks.
   */
  reuseFrom?: string;
  /**
   * Entries an earlier stage of the same experiment leaves in the folder before this plan's
   * plan.json exists (reproduce's learning-rate choice: tune/, learning-rates.json), so that the
   * folder still counts as new.
   */
  alsoHolds?: readonly string[];
}

export interface RunPlanOutcome<Final = unknown> {
  total: number;
  skipped: number;
  ran: number;
  failed: { id: string; message: string }[];
  wallSeconds: number;
  /** Written when the sweep is whole (not a shard) and every job is complete. */
  final: Final | null;
  interrupted: boolean;
}

export async function runPlan<Final>(opts: RunPlanOptions<Final>): Promise<RunPlanOutcome<Final>> {
  const started = performance.now();
  const stream = opts.stream ?? process.stderr;
  const say = (line: string): void => {
    stream.write(`${line}\n`);
  };
  const { plan, workers } = opts;
  const shard = opts.shard ?? WHOLE;
  const mine = selectShard(plan, shard);

  // Checked before the output folder is made: a refused --reuse leaves nothing behind.
  const reusable = opts.reuseFrom === undefined ? null : reusableJobs(opts.reuseFrom, opts.outDir, mine, opts.label);
  const release = await openSweepFolder(opts.outDir, opts.alsoHolds);
  try {
    // Before anything is removed or read in it: a linked runs/ would lead both out of the folder.
    refuseLinkedFolders(opts.outDir);
    // Read now, though written only later: a broken sessions.json stops the sweep before any message or work.
    readSessions(opts.outDir);
    for (const dir of jobParentDirs(opts.outDir)) {
      const stale = await removeStaleTemps(dir);
      if (stale.length > 0)
        say(`removed ${stale.length} unfinished job folder${stale.length === 1 ? '' : 's'} left by an interrupted sweep in ${dir}`);
    }
    checkSamePlanOrNew(opts.outDir, plan.fingerprint, shard, opts.label);

    const states = mine.map((job) => ({ job, state: checkedJobState(opts.outDir, job) }));
    const conflicts = states.filter((s) => s.state.state === 'conflict');
    if (conflicts.length > 0) {
      const first = conflicts[0].state as { why: string };
      throw new UserError(
        `${opts.outDir}: ${conflicts.length} job folder${conflicts.length === 1 ? '' : 's'} cannot be reused (${first.why}); ` +
          'use another --out, or delete those folders to redo them',
      );
    }
    const missing = states.filter((s) => s.state.state === 'missing').map((s) => s.job);
    const alreadyComplete = new Set(states.filter((s) => s.state.state === 'complete').map((s) => s.job.id));
    const adopted =
      opts.reuseFrom && reusable
        ? await adoptFinishedJobs(opts.reuseFrom, opts.outDir, missing, alreadyComplete, reusable)
        : new Set<string>();
    if (adopted.size > 0)
      say(
        `${opts.label}: copied ${adopted.size} finished job${adopted.size === 1 ? '' : 's'} with the same settings from ${opts.reuseFrom}`,
      );
    const complete = new Set([...states.filter((s) => s.state.state === 'complete').map((s) => s.job.id), ...adopted]);
    const pending = missing.filter((job) => !adopted.has(job.id));
    await writeJson(path.join(opts.outDir, PLAN_FILE), planFileOf(plan, opts.source, opts.settings, shard, opts.command));

    const shardText = shard.count > 1 ? ` (shard ${formatShard(shard)} of ${plan.jobs.length} jobs in all)` : '';
    say(
      `${opts.label}: ${mine.length} jobs${shardText}: ${complete.size} already complete in ${opts.outDir}, ${pending.length} to run on ` +
        `${Math.min(workers, Math.max(1, pending.length))} worker process${workers === 1 ? '' : 'es'}`,
    );

    const session: SessionRecord = {
      id: `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`,
      host: os.hostname(),
      cpus: os.availableParallelism(),
      cpuModel: os.cpus()[0]?.model?.trim() ?? 'unknown CPU',
      jobs: workers,
      shard: formatShard(shard),
      startedAt: new Date().toISOString(),
      updatedAt: new Date().toISOString(),
      endedAt: null,
      wallSeconds: 0,
      jobsCompleted: 0,
      status: 'running',
      folder: path.resolve(opts.outDir),
      load5: os.loadavg()[1],
    };
    const saveProgress = async (status: string, ended = false): Promise<void> => {
      session.updatedAt = new Date().toISOString();
      session.wallSeconds = (performance.now() - started) / 1000;
      session.status = status;
      session.load5 = Math.max(session.load5, os.loadavg()[1]);
      if (ended) session.endedAt = session.updatedAt;
      await saveSession(opts.outDir, session);
    };

    let failed: { id: string; message: string }[] = [];
    let interrupted = false;
    if (pending.length > 0) {
      // Fetch the data once here, so the workers do not all start a download at the same time.
      await ensureData(opts.dataDir, { log: say });
      await saveProgress('running');
      const outcome = await runPending(pending, {
        opts,
        stream,
        workers,
        complete,
        total: mine.length,
        onDone: () => {
          session.jobsCompleted++;
          // Best effort: the record is rewritten whole at the end anyway.
          saveProgress('running').catch(() => {});
        },
      });
      failed = outcome.failed;
      interrupted = outcome.interrupted;
    }

    if (interrupted) {
      await saveProgress('interrupted', true);
      say(`interrupted: ${complete.size + session.jobsCompleted} of ${mine.length} jobs complete; run the same command again to resume`);
      return {
        total: mine.length,
        skipped: complete.size,
        ran: session.jobsCompleted,
        failed,
        wallSeconds: session.wallSeconds,
        final: null,
        interrupted,
      };
    }
    if (failed.length > 0) {
      await saveProgress('failed', true);
      for (const f of failed) say(`failed: ${f.id}: ${f.message.split('\n')[0]}`);
      throw new UserError(
        `${failed.length} of ${mine.length} jobs failed (first: ${failed[0].id}: ${failed[0].message.split('\n')[0]}); ` +
          'the complete ones are kept; fix the cause and run the same command again to redo only the failed ones',
      );
    }

    let final: Final | null = null;
    if (shard.count === 1) {
      // Recorded before finish too: the report's wall time and notes are read from sessions.json.
      await saveProgress('finished', true);
      if (opts.finish) final = await opts.finish(opts.outDir);
      await saveProgress('finished', true);
    } else {
      await saveProgress('finished', true);
      say(`shard ${formatShard(shard)} complete; when every shard is, combine them: node dist/run.js ${opts.label} merge DIR... --out DIR`);
    }
    say(`wall time ${formatDuration(session.wallSeconds)} (${session.wallSeconds.toFixed(1)} s)`);
    return {
      total: mine.length,
      skipped: complete.size,
      ran: session.jobsCompleted,
      failed,
      wallSeconds: session.wallSeconds,
      final,
      interrupted: false,
    };
  } finally {
    await release();
  }
}

/**
 * The ids of the jobs of `jobs` that `from`, a folder given to reuse, holds complete with the
 * same fingerprint. `from` is checked first (trust.ts): a folder of a sweep, not the output.
 * Jobs made there with other settings are left alone (run again here). A job with the same
 * fingerprint whose result does not hold up (edited, another version, a link or a device in its
 * folder) refuses the whole command with one line naming the file, before anything is made or
 * copied: a folder that lies about one run is not trusted for the others.
 */
function reusableJobs(from: string, outDir: string, jobs: readonly Job[], label: string): Set<string> {
  checkReuseFolder(from, outDir, label);
  const ids = new Set<string>();
  for (const job of jobs) {
    const state = checkedJobState(from, job);
    if (state.state === 'complete') ids.add(job.id);
    else if (state.state === 'conflict' && !(state.record && state.record.fingerprint !== jobFingerprint(job))) {
      throw new UserError(`--reuse ${from}: ${state.why}; nothing was copied (remove that job folder there, or leave out --reuse)`);
    }
  }
  return ids;
}

/**
 * Copies into `outDir` every job of `jobs` found reusable in `from` (regular files only, each copy
 * atomic, like a finished job); returns their ids. A probe's fingerprint names its settings, not
 * the network it probed, so a probe is copied only when the training run it probes is the same
 * one here (complete here already, or copied just before it: the plan lists runs before probes).
 */
async function adoptFinishedJobs(
  from: string,
  outDir: string,
  jobs: readonly Job[],
  completeHere: ReadonlySet<string>,
  reusable: ReadonlySet<string>,
): Promise<Set<string>> {
  const adopted = new Set<string>();
  for (const job of jobs) {
    if (job.kind === 'landscape' && !completeHere.has(job.trainId) && !adopted.has(job.trainId)) continue;
    if (!reusable.has(job.id)) continue;
    await produceAtomically(jobDir(outDir, job), (tmp) => copyRegularTree(jobDir(from, job), tmp));
    adopted.add(job.id);
  }
  return adopted;
}

/** A folder holds one sweep: a plan.json of another sweep (other configs or seeds) must not be mixed in. */
function checkSamePlanOrNew(outDir: string, fingerprint: string, shard: Shard, label: string): void {
  if (!existsSync(path.join(outDir, PLAN_FILE))) return; // a new folder
  // A plan.json that does not read is an error naming it, never a reason to start over in that folder.
  const existing = readPlanFile(outDir);
  if (existing.fingerprint !== fingerprint) {
    throw new UserError(
      `${outDir}: holds a sweep with other settings (${path.join(outDir, PLAN_FILE)}: ${existing.jobs.length} jobs from ${existing.source}); ` +
        'use another --out for these settings, or delete that folder',
    );
  }
  if (existing.shard.count !== shard.count || existing.shard.index !== shard.index) {
    throw new UserError(
      `${outDir}: holds shard ${formatShard(existing.shard)} of this sweep, not ${formatShard(shard)}; give each shard its own --out (merge them with \`${label} merge\`)`,
    );
  }
}

interface RunPendingContext {
  opts: RunPlanOptions<unknown>;
  stream: NodeJS.WriteStream;
  workers: number;
  complete: ReadonlySet<string>;
  total: number;
  onDone: () => void;
}

async function runPending(
  pending: readonly Job[],
  ctx: RunPendingContext,
): Promise<{ failed: { id: string; message: string }[]; interrupted: boolean }> {
  const progress = new SweepProgress({
    mode: resolveProgressStyle(ctx.opts.progress ?? 'auto', ctx.stream),
    total: ctx.total,
    alreadyDone: ctx.complete.size,
    pending,
    workers: ctx.workers,
    stream: ctx.stream,
  });
  const pool = new WorkerPool({
    workers: ctx.workers,
    outDir: ctx.opts.outDir,
    dataDir: ctx.opts.dataDir,
    runCharts: ctx.opts.runCharts,
    complete: ctx.complete,
    onEvent: (e: PoolEvent) => {
      progress.handle(e);
      if (e.type === 'done') ctx.onDone();
    },
  });
  let interrupted = false;
  const removeSignalHandler = onStopSignal((signal) => {
    if (interrupted) return;
    interrupted = true;
    progress.log(`stopping (${signal}): finished runs are kept; unfinished ones will be redone on the next start`);
    pool.stop();
  });
  try {
    const outcome = await pool.run(pending);
    return { failed: outcome.failed, interrupted: interrupted || outcome.stopped };
  } finally {
    removeSignalHandler();
    progress.stop();
  }
}
