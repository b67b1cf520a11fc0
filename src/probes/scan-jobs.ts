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
import { z } from 'zod';
import { Workers, workerEntry } from '../util/workers.js';
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

export interface ScanShare {
  networks: ProbedNetwork[];
  data: Dataset;
  tasks: { index: number; task: SweepTask }[];
  backend: BackendChoice;
  rowsPerChunk?: number;
}

/** Any number: a diverged loss (NaN, Infinity) is a result too, and threads pass numbers as they are. */
const measured = z.custom<number>((v) => typeof v === 'number');
const SweepOutcomeSchema = z.object({
  task: z.number().int().nonnegative(),
  values: z.array(measured),
  losses: z.array(measured),
  gradients: z.array(measured),
  unitActive: z.array(measured),
  unitSaturated: z.array(measured),
  lossAtOriginal: measured,
  seconds: z.number(),
}) satisfies z.ZodType<SweepOutcome>;
const ShareResultSchema = z.object({ setupSeconds: z.number() });
export type ShareResult = z.infer<typeof ShareResultSchema>;

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
  const workers = new Workers({ entry: workerEntry(import.meta.url, './scan-worker'), kind: 'thread', size: jobs });
  try {
    const results = await Promise.all(
      shares.map((tasks) => {
        const share: ScanShare = {
          networks: opts.networks,
          data: opts.data,
          tasks,
          backend: opts.backend,
          rowsPerChunk: opts.rowsPerChunk,
        };
        return workers.run('scanShare', [share], { result: ShareResultSchema, event: SweepOutcomeSchema, onEvent: keep });
      }),
    );
    return { outcomes, setupSeconds: results.reduce((a, r) => a + r.setupSeconds, 0) };
  } finally {
    await workers.stop();
  }
}
