/**
 * A pool of worker PROCESSES that run the sweep's jobs in parallel.
 *
 * Processes rather than threads because each worker needs its own TensorFlow.js backend: the
 * backend registry, the wasm module and the tensor memory are per process, and the wasm
 * backend computes on one thread, so N processes use N cores. Each worker runs one job at a
 * time and asks for the next when it is done; a probe waits until the run it probes is done.
 * A worker that dies takes only its current job with it (reported as failed); a replacement
 * takes over the rest.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import type { PlannedJob } from './plan.js';
import type { EpochRecord } from '../training/loop.js';
import type { RunJobMessage, SweepWorkerMessage } from './messages.js';

export type PoolEvent =
  | { type: 'start'; worker: number; job: PlannedJob }
  | { type: 'epoch'; worker: number; job: PlannedJob; epoch: EpochRecord; epochs: number }
  | { type: 'done'; worker: number; job: PlannedJob; seconds: number; headline: string }
  | { type: 'failed'; worker: number; job: PlannedJob; message: string; userError: boolean }
  | { type: 'output'; worker: number; line: string };

export interface PoolOptions {
  /** Worker processes at most (fewer when there are fewer jobs). */
  workers: number;
  outDir: string;
  dataDir: string;
  /** Ids of jobs complete before the pool starts (probes of these runs may start at once). */
  complete: ReadonlySet<string>;
  onEvent?: (e: PoolEvent) => void;
  /** The worker's entry module; default worker.js (worker.ts when running from source under tsx). */
  workerEntry?: string;
}

export interface PoolOutcome {
  done: string[];
  failed: { id: string; message: string; userError: boolean }[];
  /** stop() was called before every job ran. */
  stopped: boolean;
}

interface Slot {
  number: number;
  child: ChildProcess;
  ready: boolean;
  job: PlannedJob | null;
}

function defaultWorkerEntry(): string {
  // Under tsx (tests, development) this module is a .ts file and so is its sibling.
  const ext = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./worker${ext}`, import.meta.url));
}

/** What a job must wait for: a probe needs the run it probes. */
function dependencyOf(job: PlannedJob): string | null {
  return job.kind === 'landscape' ? job.trainId : null;
}

export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private stopping = false;
  private finish: (() => void) | null = null;

  constructor(private readonly opts: PoolOptions) {}

  /** Runs the jobs; resolves when all are done or failed, or after stop(). Never rejects for a job's failure. */
  run(jobs: readonly PlannedJob[]): Promise<PoolOutcome> {
    const queue = [...jobs];
    const done = new Set<string>();
    const failed: PoolOutcome['failed'] = [];
    const failedIds = new Set<string>();
    const emit = (e: PoolEvent): void => this.opts.onEvent?.(e);
    const inQueueOrRunning = (id: string): boolean => queue.some((j) => j.id === id) || [...this.slots].some((s) => s.job?.id === id);
    let spawned = 0;
    // A worker that keeps dying must not be replaced forever.
    const maxSpawns = Math.max(1, this.opts.workers) + jobs.length;

    return new Promise<PoolOutcome>((resolve) => {
      const settleIfFinished = (): void => {
        const running = [...this.slots].some((s) => s.job !== null);
        if (!this.stopping && (queue.length > 0 || running)) return;
        for (const s of this.slots) s.child.kill('SIGTERM');
        this.slots.clear();
        resolve({ done: [...done], failed, stopped: this.stopping && (queue.length > 0 || running) });
      };
      this.finish = settleIfFinished;

      const fail = (job: PlannedJob, worker: number, message: string, userError: boolean): void => {
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

      const dispatch = (): void => {
        if (this.stopping) return;
        dropImpossible();
        for (const slot of this.slots) {
          if (!slot.ready || slot.job) continue;
          const index = queue.findIndex((j) => {
            const dep = dependencyOf(j);
            return dep === null || done.has(dep) || this.opts.complete.has(dep);
          });
          if (index < 0) break;
          const job = queue.splice(index, 1)[0];
          slot.job = job;
          const message: RunJobMessage = { type: 'run', job, outDir: this.opts.outDir, dataDir: this.opts.dataDir };
          slot.child.send(message);
          emit({ type: 'start', worker: slot.number, job });
        }
        // Idle workers with nothing left to start would only hold memory.
        const startable = queue.length;
        for (const slot of [...this.slots]) {
          if (slot.ready && !slot.job && startable === 0) {
            this.slots.delete(slot);
            slot.child.kill('SIGTERM');
          }
        }
        settleIfFinished();
      };

      const spawn = (number: number): void => {
        spawned++;
        const child = fork(this.opts.workerEntry ?? defaultWorkerEntry(), [], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
        const slot: Slot = { number, child, ready: false, job: null };
        this.slots.add(slot);
        for (const stream of [child.stdout, child.stderr]) {
          if (stream) createInterface({ input: stream }).on('line', (line) => emit({ type: 'output', worker: number, line }));
        }
        child.on('message', (m: SweepWorkerMessage) => {
          if (m.type === 'ready') {
            slot.ready = true;
            dispatch();
            return;
          }
          const job = slot.job;
          if (!job || m.id !== job.id) return;
          if (m.type === 'epoch') emit({ type: 'epoch', worker: number, job, epoch: m.epoch, epochs: m.epochs });
          else if (m.type === 'done') {
            slot.job = null;
            done.add(job.id);
            emit({ type: 'done', worker: number, job, seconds: m.seconds, headline: m.headline });
            dispatch();
          } else if (m.type === 'failed') {
            slot.job = null;
            fail(job, number, m.message, m.userError);
            dispatch();
          }
        });
        child.on('exit', (code, signal) => {
          if (!this.slots.has(slot)) return;
          this.slots.delete(slot);
          if (slot.job && !this.stopping) {
            fail(slot.job, number, `worker process ${child.pid} exited (${signal ?? `code ${code}`}) while running it`, false);
            slot.job = null;
          }
          if (!this.stopping && queue.length > 0 && spawned < maxSpawns && this.slots.size < this.opts.workers) spawn(number);
          dispatch();
        });
      };

      const count = Math.max(1, Math.min(this.opts.workers, jobs.length));
      if (jobs.length === 0) {
        resolve({ done: [], failed: [], stopped: false });
        return;
      }
      for (let w = 1; w <= count; w++) spawn(w);
    });
  }

  /** Stops every worker (their unfinished jobs leave only temporary folders) and ends run(). */
  stop(): void {
    this.stopping = true;
    for (const s of this.slots) s.child.kill('SIGTERM');
    this.finish?.();
  }

  /** Worker process ids, for a parent that must kill them on its way out. */
  pids(): number[] {
    return [...this.slots].map((s) => s.child.pid).filter((p): p is number => p !== undefined);
  }
}
