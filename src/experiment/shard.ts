/**
 * Which share of a plan this process runs (`--shard k/n`), and how a plan is split into shards.
 *
 * One rule for every experiment: a plan is cut into units that must stay together (a training
 * run with the probes of its network; a study group, whose judged runs need its tuning), each
 * with an estimated cost (cost.ts); units go longest first to the shard with the least work so
 * far (ties to the lowest shard). Every shard and machine derives the same split, since the
 * plan and the estimate are pure functions of the config. A shard runs its jobs in plan order.
 *
 * The shard comes from `--shard k/n`, or from the scheduler that started the process, so one job
 * script serves every task of an array:
 * - Slurm job arrays: SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN
 *   (shard = ID - MIN + 1 of COUNT, so `--array=0-3` and `--array=1-4` both work);
 * - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX (0-based); Kubernetes does not tell a pod how
 *   many completions there are, so the count comes from `--shards N` or STUDY_SHARDS.
 * An explicit `--shard` wins over the environment. Every source is checked the same way.
 */
import { UsageError } from '../util/errors.js';
import type { RunConfig } from '../config/schema.js';
import { dependencyOf, type Job, type Plan } from './job.js';
import { jobCost } from './cost.js';

export interface Shard {
  /** 1-based: shard k of n. */
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 1, count: 1 };

/** Parses `k/n` (1 <= k <= n). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard: expected k/n such as 1/4, got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`--shard: the number of shards n must be at least 1, got "${text}"`);
  if (index < 1 || index > count)
    throw new UsageError(`--shard: k must be between 1 and ${count} (shards are numbered from 1), got "${text}"`);
  return { index, count };
}

export function formatShard(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/** A part of a plan that one shard runs whole, and what it is estimated to cost (any unit, only compared). */
export interface ShardUnit {
  id: string;
  cost: number;
}

/**
 * The shard (1-based) of every unit: longest first, each to the shard with the least work so far
 * (ties to the lowest shard; equal costs in unit order).
 */
export function assignShards(units: readonly ShardUnit[], count: number): Map<string, number> {
  const load = new Array<number>(count).fill(0);
  const owner = new Map<string, number>();
  const order = units.map((u, i) => ({ u, i })).sort((a, b) => b.u.cost - a.u.cost || a.i - b.i);
  for (const { u } of order) {
    let best = 0;
    for (let k = 1; k < count; k++) if (load[k] < load[best]) best = k;
    load[best] += u.cost;
    owner.set(u.id, best + 1);
  }
  return owner;
}

export interface ResolvedShard {
  shard: Shard;
  /** Where it came from, for the log line: "--shard", "Slurm array", "Kubernetes index", "whole study". */
  source: string;
}

function wholeNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text === '') return undefined;
  if (!/^\d+$/.test(text.trim())) throw new UsageError(`${name}: expected a whole number, got "${text}"`);
  return Number(text.trim());
}

export function resolveShard(
  flag: string | undefined,
  shardsFlag: number | undefined,
  env: NodeJS.ProcessEnv = process.env,
): ResolvedShard {
  if (flag !== undefined) return { shard: parseShard(flag), source: '--shard' };

  const slurmId = wholeNumber('SLURM_ARRAY_TASK_ID', env.SLURM_ARRAY_TASK_ID);
  if (slurmId !== undefined) {
    const count = wholeNumber('SLURM_ARRAY_TASK_COUNT', env.SLURM_ARRAY_TASK_COUNT);
    if (count === undefined) throw new UsageError('SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_COUNT is not: run as a Slurm job array');
    const min = wholeNumber('SLURM_ARRAY_TASK_MIN', env.SLURM_ARRAY_TASK_MIN) ?? 0;
    return { shard: parseShard(`${slurmId - min + 1}/${count}`), source: 'Slurm array' };
  }

  const k8sIndex = wholeNumber('JOB_COMPLETION_INDEX', env.JOB_COMPLETION_INDEX);
  if (k8sIndex !== undefined) {
    const count = shardsFlag ?? wholeNumber('STUDY_SHARDS', env.STUDY_SHARDS);
    if (count === undefined) {
      throw new UsageError('JOB_COMPLETION_INDEX is set: give the number of completions with --shards N or STUDY_SHARDS=N');
    }
    return { shard: parseShard(`${k8sIndex + 1}/${count}`), source: 'Kubernetes index' };
  }
  if (shardsFlag !== undefined)
    throw new UsageError('--shards: only with a Kubernetes Indexed Job (JOB_COMPLETION_INDEX); otherwise use --shard k/n');
  return { shard: { index: 1, count: 1 }, source: 'whole study' };
}

/**
 * The jobs of `plan` that shard `s` runs, in plan order: every training run with the probes of
 * its network (so a shard never waits for another), split by estimated cost.
 */
export function selectShard(plan: Plan, s: Shard): Job[] {
  const configs = new Map<string, RunConfig>();
  for (const job of plan.jobs) if (job.kind === 'train') configs.set(job.id, job.config);
  const unitOf = (job: Job): string => dependencyOf(job) ?? job.id;
  const cost = new Map<string, number>();
  for (const job of plan.jobs) {
    const unit = unitOf(job);
    if (!configs.has(unit)) throw new Error(`plan: ${job.id} depends on ${unit}, which is not a training run of the plan`);
    cost.set(unit, (cost.get(unit) ?? 0) + jobCost(job, (id) => configs.get(id)));
  }
  const owner = assignShards(
    [...cost.entries()].map(([id, c]) => ({ id, cost: c })),
    s.count,
  );
  return plan.jobs.filter((job) => owner.get(unitOf(job)) === s.index);
}
