/**
 * Which shard of a study this process runs: from `--shard k/n`, or from the scheduler that
 * started it, so one job script serves every task of an array:
 * - Slurm job arrays: SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT and SLURM_ARRAY_TASK_MIN
 *   (shard = ID - MIN + 1 of COUNT, so `--array=0-3` and `--array=1-4` both work);
 * - Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX (0-based); Kubernetes does not tell a pod how
 *   many completions there are, so the count comes from `--shards N` or STUDY_SHARDS.
 * An explicit `--shard` wins over the environment. Every source is checked the same way.
 */
import { UsageError } from '../util/errors.js';
import { parseShard, type Shard } from '../reproduce/plan.js';

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
