/**
 * How many threads a TensorFlow.js run computes with (issue 15).
 *
 * On wasm a second thread only pays on large products. Measured on a 2-core AMD EPYC, one
 * training step of the article's network, 2 threads against 1 (`node tools/threads-ab.mjs`,
 * docs/benchmark.md): 0.58x the time at batch 4,000, 0.78x at 1,000, a tie at 256 and at 1, but
 * 1.28-1.38x at batch 32 (handing each small product to the pool costs more than half of it
 * saves). So `auto` gives every core to a run whose batch takes the row-major path
 * (ROW_MAJOR_FROM examples or more, where the products are large) and one thread to the rest.
 * The threshold was set before batch 256 was measured; it turned out to be the break-even.
 * The numbers do not depend on the thread count (spec/wasm-threads.spec.ts), so the choice is
 * about speed only.
 */
import { ROW_MAJOR_FROM } from './layout.js';

/** Most threads a wasm run can use: the threaded build pre-starts 8 workers and caps XNNPACK's pool at 8. */
export const MAX_WASM_THREADS = 8;

/** `auto`, or a thread count the user insists on. */
export type ThreadsRequest = 'auto' | number;

export interface ThreadsChoice {
  threads: number;
  /** Why, in a few words, for the run's log. */
  why: string;
}

/**
 * The thread count of one run: `requested` when a number, else by its batch size, at most
 * `cores` and MAX_WASM_THREADS (the cores this run may use: all of them for one run, fewer for each of a sweep's
 * parallel runs).
 */
export function threadsForRun(requested: ThreadsRequest, batchSize: number, cores: number): ThreadsChoice {
  if (requested !== 'auto') return { threads: requested, why: 'as asked (--threads)' };
  const budget = Math.min(MAX_WASM_THREADS, Math.max(1, Math.floor(cores)));
  if (budget === 1) return { threads: 1, why: 'one core for this run' };
  if (batchSize >= ROW_MAJOR_FROM)
    return { threads: budget, why: `batch ${batchSize} ≥ ${ROW_MAJOR_FROM}: large products split over ${budget} cores` };
  return { threads: 1, why: `batch ${batchSize} < ${ROW_MAJOR_FROM}: a second thread slows small-batch steps down` };
}

/** Cores per run when `parallelRuns` runs share `cores` cores: no core runs two threads. */
export function coresPerRun(cores: number, parallelRuns: number): number {
  return Math.max(1, Math.floor(cores / Math.max(1, parallelRuns)));
}
