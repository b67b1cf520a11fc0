/**
 * A pool of worker PROCESSES that run the sweep's jobs in parallel (through src/util/workers.ts).
 *
 * Processes rather than threads because each worker needs its own TensorFlow.js backend: the
 * backend registry, the wasm module and the tensor memory are per process, and the wasm
 * backend computes on one thread, so N processes use N cores. Each worker runs one job at a
 * time; a probe is started only when the run it probes is done. A worker that dies takes only
 * its current job with it (reported as failed); a replacement takes over the rest.
 */
import os from 'node:os';
import { Workers, workerEntry } from '../util/workers.js';
import { coresPerRun } from '../nn/tfjs/threads.js';
import { messageOf, UserError } from '../util/errors.js';
import { dependencyOf, type Job } from './job.js';
import type { EpochRecord } from '../training/loop.js';
import { JobEventSchema, JobResultSchema, type RunJobRequest } from './messages.js';

export type PoolEvent =
  | { type: 'start'; worker: number; job: Job }
  | { type: 'epoch'; worker: number; job: Job; epoch: EpochRecord; epochs: number }
  | { type: 'done'; worker: number; job: Job; seconds: number; headline: string }
  | { type: 'failed'; worker: number; job: Job; message: string; userError: boolean }
  | { type: 'output'; worker: number; line: string };

export interface PoolOptions {
  /** Worker processes at most (fewer when there are fewer jobs). */
  workers: number;
  outDir: string;
  dataDir: string;
  /** Draw each training run's curves (default true). */
  runCharts?: boolean;
  /** Ids of jobs complete before the pool starts (probes of these runs may start at once). */
  complete: ReadonlySet<string>;
  onEvent?: (e: PoolEvent) => void;
}

export interface PoolOutcome {
  done: string[];
  failed: { id: string; message: string; userError: boolean }[];
  /** stop() was called before every job ran. */
  stopped: boolean;
}

export class WorkerPool {
  private stopping = false;
  private workers: Workers | null = null;
  private finish: (() => void) | null = null;

  constructor(private readonly opts: PoolOptions) {}

  /** Runs the jobs; resolves when all are done or failed, or after stop(). Never rejects for a job's failure. */
  run(jobs: readonly Job[]): Promise<PoolOutcome> {
    const queue = [...jobs];
    const done = new Set<string>();
    const failed: PoolOutcome['failed'] = [];
    const failedIds = new Set<string>();
    /** Running jobs by lane: the lane numbers the progress display shows as "worker N". */
    const lanes = new Map<number, Job>();
    const size = Math.max(1, Math.min(this.opts.workers, jobs.length));
    // Each run's share of the cores: a run whose batch pays for threads uses its share, no more.
    const cores = coresPerRun(os.availableParallelism(), size);
    const emit = (e: PoolEvent): void => this.opts.onEvent?.(e);
    const inQueueOrRunning = (id: string): boolean => queue.some((j) => j.id === id) || [...lanes.values()].some((j) => j.id === id);
    if (jobs.length === 0) return Promise.resolve({ done: [], failed: [], stopped: false });
    const workers = new Workers({ entry: workerEntry(import.meta.url, './worker'), kind: 'process', size, captureOutput: true });
    this.workers = workers;

    return new Promise<PoolOutcome>((resolve) => {
      let settled = false;
      const settleIfFinished = (): void => {
        if (settled || (!this.stopping && (queue.length > 0 || lanes.size > 0))) return;
        settled = true;
        const stopped = this.stopping && (queue.length > 0 || lanes.size > 0);
        void workers.stop().then(() => resolve({ done: [...done], failed, stopped }));
      };
      this.finish = settleIfFinished;

      const fail = (job: Job, worker: number, message: string, userError: boolean): void => {
        failed.push({ id: job.id, message, userError });
        failedIds.add(job.id);
        emit({ type: 'failed', worker, job, message, userError });
      };

      /** Removes from the queue the jobs that can never run: their dependency failed or is nowhere. */
      const dropImpossible = (): void => {
        for (let i = queue.length - 1; i >= 0; i--) {
          const dep = dependencyOf(queue[i]);
          if (dep === null || done.has(dep) || this.opts.complete.has(dep)) continue;
          if (failedIds.has(dep)) fail(queue.splice(i, 1)[0], 0, `not run: ${dep}, the run it probes, failed`, true);
          else if (!inQueueOrRunning(dep)) fail(queue.splice(i, 1)[0], 0, `not run: ${dep}, the run it probes, is not complete`, true);
        }
      };

      const start = (lane: number, job: Job): void => {
        lanes.set(lane, job);
        emit({ type: 'start', worker: lane, job });
        const request: RunJobRequest = { job, outDir: this.opts.outDir, dataDir: this.opts.dataDir, cores, charts: this.opts.runCharts };
        workers
          .run('runJob', [request], {
            result: JobResultSchema,
            event: JobEventSchema,
            onEvent: (e) => emit({ type: 'epoch', worker: lane, job, epoch: e.epoch, epochs: e.epochs }),
            onOutput: (line) => emit({ type: 'output', worker: lane, line }),
          })
          .then(
            (r) => {
              done.add(job.id);
              emit({ type: 'done', worker: lane, job, seconds: r.seconds, headline: r.headline });
            },
            (err: unknown) => {
              // After stop() the job was cut off on purpose: it is neither done nor failed.
              if (this.stopping) return;
              const userError = err instanceof UserError;
              fail(job, lane, userError ? messageOf(err) : (err instanceof Error && err.stack) || messageOf(err), userError);
            },
          )
          .finally(() => {
            lanes.delete(lane);
            dispatch();
          });
      };

      const dispatch = (): void => {
        if (this.stopping) return;
        dropImpossible();
        for (let lane = 1; lane <= size; lane++) {
          if (lanes.has(lane)) continue;
          const index = queue.findIndex((j) => {
            const dep = dependencyOf(j);
            return dep === null || done.has(dep) || this.opts.complete.has(dep);
          });
          if (index < 0) break;
          start(lane, queue.splice(index, 1)[0]);
        }
        settleIfFinished();
      };

      dispatch();
    });
  }

  /** Stops every worker (their unfinished jobs leave only temporary folders) and ends run(). */
  stop(): void {
    this.stopping = true;
    void this.workers?.stop();
    this.finish?.();
  }
}
