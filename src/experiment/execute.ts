/**
 * Running one job of the plan inside a worker process, into its own folder, atomically.
 *
 * The job's folder is produced under a temporary name and renamed into place only after
 * result.json (the record the summary and the report are built from) has been written last,
 * so the folder's existence is the proof that the job finished.
 */
import os from 'node:os';
import path from 'node:path';
import { produceAtomically } from '../util/atomic.js';
import { trainRun } from '../training/train-run.js';
import type { TrainJob, Job } from './job.js';
import { jobFingerprint } from './job.js';
import { pct } from '../util/format.js';
import type { ExecuteOptions, ExecuteResult } from './messages.js';
import { jobDir, writeJson, RESULT_FILE, type TrainRecord } from './store.js';
import { versionsWith } from './versions.js';
import { executeLandscapeJob } from './execute-landscape.js';
import { subsetFor } from './subset-cache.js';

export async function executeJob(job: Job, opts: ExecuteOptions): Promise<ExecuteResult> {
  return job.kind === 'train' ? executeTrainJob(job, opts) : executeLandscapeJob(job, opts);
}

async function executeTrainJob(job: TrainJob, opts: ExecuteOptions): Promise<ExecuteResult> {
  const subset = await subsetFor(job.config, opts.dataDir);
  return produceAtomically(jobDir(opts.outDir, job), async (tmp) => {
    const result = await trainRun(job.config, {
      outDir: tmp,
      dataDir: opts.dataDir,
      subset,
      progress: 'none',
      cores: opts.cores,
      charts: opts.charts,
      // The worker stops as a whole on Ctrl-C; its unfinished folder is temporary anyway.
      handleInterrupt: false,
      onEpoch: (e) => opts.onEpoch?.(e, job.config.epochs),
    });
    const record: TrainRecord = {
      kind: 'train',
      id: job.id,
      configName: job.configName,
      seed: job.seed,
      fingerprint: jobFingerprint(job),
      config: job.config,
      finalTestAccuracy: result.finalTestAccuracy,
      bestTestAccuracy: result.bestTestAccuracy,
      bestEpoch: result.bestEpoch,
      stopEpoch: result.stopEpoch,
      stopReason: result.stopReason,
      fullTestAccuracy: Number.isFinite(result.fullTestAccuracy) ? result.fullTestAccuracy : null,
      fullTestAccuracyFinal: Number.isFinite(result.fullTestAccuracyFinal) ? result.fullTestAccuracyFinal : null,
      finalTrainAccuracy: result.finalTrainAccuracy,
      finalTrainLoss: result.finalTrainLoss,
      finalTestLoss: result.finalTestLoss,
      seconds: result.seconds,
      backend: result.backend,
      engine: result.engine,
      dataSource: result.dataSource,
      history: result.history,
      gradients: result.gradients,
      host: os.hostname(),
      finishedAt: new Date().toISOString(),
      versions: versionsWith(result.backend?.tfjsVersion),
    };
    // Last: its presence (after the rename) marks the run complete.
    await writeJson(path.join(tmp, RESULT_FILE), record);
    return {
      seconds: result.seconds,
      headline: `test ${pct(result.metrics.testAccuracy)} at epoch ${result.metrics.selectedEpoch} (${result.metrics.selectedBy}), stop ${result.stopReason} at ${result.stopEpoch}, in ${result.seconds.toFixed(1)} s`,
    };
  });
}
