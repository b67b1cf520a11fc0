/**
 * Running many weight sweeps, in this thread or spread over worker threads.
 *
 * The wasm backend computes on one thread, so on a machine with two cores one process leaves
 * half of it idle. Sweeps are independent, so `jobs` worker threads each take a contiguous
 * share of the (network, weight) tasks, load their own backend, build the per-network setup
 * once for the networks in their share, and send every finished sweep back. Each sweep is
 * computed by exactly the same code on the same backend whichever thread runs it, so the
 * numbers do not depend on `jobs`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { BackendChoice } from '../nn/tfjs/backend.js';
import type { Dataset } from '../data/types.js';
import { FirstLayerSweeper, type ProbedNetwork, type WeightRef } from './weight-scan.js';

export interface SweepTask {
  /** Index into the networks list. */
  net: number;
  weight: WeightRef;
  values: number[];
}

export interface SweepOutcome {
  task: number;
  values: number[];
  losses: number[];
  gradients: number[];
  /** Fractions of the examples on which the swept neuron is active / saturated, per point. */
  unitActive: number[];
  unitSaturated: number[];
  /** Loss with the weight at its own value. */
  lossAtOriginal: number;
  /** Wall time of this sweep. */
  seconds: number;
}

export interface SweepJobsOptions {
  networks: ProbedNetwork[];
  data: Dataset;
  tasks: SweepTask[];
  /** Threads; 1 = in this thread. */
  jobs: number;
  /** Backend for worker threads (this thread's must already be selected). */
  backend: BackendChoice;
  rowsPerChunk?: number;
  onOutcome?: (o: SweepOutcome) => void;
}

export interface SweepJobsResult {
  outcomes: SweepOutcome[];
  /** Seconds spent on the per-network setup (first two layers), summed over threads. */
  setupSeconds: number;
}

/** Runs the given tasks here, one setup per network. Used by this thread and by each worker. */
export function runTasksHere(
  networks: ProbedNetwork[],
  data: Dataset,
  tasks: { index: number; task: SweepTask }[],
  rowsPerChunk: number | undefined,
  onOutcome: (o: SweepOutcome) => void,
): number {
  let setup = 0;
  for (let k = 0; k < networks.length; k++) {
    const mine = tasks.filter((t) => t.task.net === k);
    if (mine.length === 0) continue;
    const t0 = performance.now();
    const sweeper = new FirstLayerSweeper(networks[k], data, { rowsPerChunk });
    setup += (performance.now() - t0) / 1000;
    try {
      for (const { index, task } of mine) {
        const t1 = performance.now();
        const r = sweeper.sweep(task.weight, task.values);
        const lossAtOriginal = sweeper.sweep(task.weight, [sweeper.original(task.weight)]).losses[0];
        onOutcome({
          task: index,
          values: Array.from(r.values),
          losses: Array.from(r.losses),
          gradients: Array.from(r.gradients),
          unitActive: Array.from(r.unitActive),
          unitSaturated: Array.from(r.unitSaturated),
          lossAtOriginal,
          seconds: (performance.now() - t1) / 1000,
        });
      }
    } finally {
      sweeper.dispose();
    }
  }
  return setup;
}

/** The worker's script beside this module: .js when built, .ts when run through tsx (tests). */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  const file = path.join(path.dirname(here), `scan-worker${path.extname(here)}`);
  if (!existsSync(file)) throw new Error(`the sweep worker script is missing: ${file}`);
  return file;
}

export interface WorkerData {
  networks: ProbedNetwork[];
  data: Dataset;
  tasks: { index: number; task: SweepTask }[];
  backend: BackendChoice;
  rowsPerChunk?: number;
}

export type WorkerMessage = { kind: 'outcome'; outcome: SweepOutcome } | { kind: 'done'; setupSeconds: number };

export async function runSweepJobs(opts: SweepJobsOptions): Promise<SweepJobsResult> {
  const indexed = opts.tasks.map((task, index) => ({ index, task }));
  const outcomes: SweepOutcome[] = new Array(opts.tasks.length);
  const keep = (o: SweepOutcome): void => {
    outcomes[o.task] = o;
    opts.onOutcome?.(o);
  };
  const jobs = Math.max(1, Math.min(opts.jobs, opts.tasks.length));
  if (jobs === 1) {
    const setupSeconds = runTasksHere(opts.networks, opts.data, indexed, opts.rowsPerChunk, keep);
    return { outcomes, setupSeconds };
  }
  // Contiguous shares: tasks come grouped by network, so a share touches as few networks as possible.
  const shares = Array.from({ length: jobs }, (_, k) =>
    indexed.slice(Math.floor((k * indexed.length) / jobs), Math.floor(((k + 1) * indexed.length) / jobs)),
  );
  const script = workerScript();
  const setups = await Promise.all(
    shares.map(
      (share) =>
        new Promise<number>((resolve, reject) => {
          const workerData: WorkerData = {
            networks: opts.networks,
            data: opts.data,
            tasks: share,
            backend: opts.backend,
            rowsPerChunk: opts.rowsPerChunk,
          };
          const worker = script.endsWith('.ts')
            ? // From TypeScript sources (tests run through tsx): register tsx's loader in the worker first.
              new Worker(
                `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(script).href)}); });`,
                { eval: true, workerData },
              )
            : new Worker(script, { workerData });
          let setupSeconds = NaN;
          worker.on('message', (m: WorkerMessage) => {
            if (m.kind === 'outcome') keep(m.outcome);
            else setupSeconds = m.setupSeconds;
          });
          worker.on('error', reject);
          worker.on('exit', (code) => {
            if (code === 0 && !Number.isNaN(setupSeconds)) resolve(setupSeconds);
            else reject(new Error(`a landscape worker thread stopped with exit code ${code} before finishing its sweeps`));
          });
        }),
    ),
  );
  return { outcomes, setupSeconds: setups.reduce((a, b) => a + b, 0) };
}
