/**
 * What the benchmark's parent process and its workers (src/bench/worker.ts) say to each other
 * (through src/util/workers.ts): the job, the events a worker sends while it runs, its result.
 * A worker's UserError (a backend that cannot load) means the cell is skipped.
 */
import { z } from 'zod';
import type { BackendChoice } from '../nn/tfjs/backend.js';
import type { EngineKind } from '../nn/engine.js';
import type { EpochTiming } from './measure.js';
import type { MatMulPeak } from './matmul-peak.js';
import type { OnlineFloorTiming } from './online-floor.js';

export interface EpochsJob {
  kind: 'epochs';
  engine: EngineKind;
  /** For the tfjs engine. */
  backend?: Exclude<BackendChoice, 'auto'>;
  /** For the wasm backend: its threaded build above 1. */
  threads: number;
  batchSizes: number[];
  repetitions: number;
  budgetSeconds: number;
  singleStepIfSlow?: boolean;
  samples: number;
  /** tfjs only: repetitions of the plain matMul peak measured first (0 = not measured). */
  peakRepetitions: number;
  /** handwritten only: repetitions of the online step against its floor (src/bench/online-floor.ts; 0 = not measured). */
  onlineFloorRepetitions?: number;
  onlineFloorSteps?: number;
}

export interface LandscapeJob {
  kind: 'landscape';
  backend: BackendChoice;
  samples: number;
  points?: number;
  count?: number;
}

export type WorkerJob = EpochsJob | LandscapeJob;

export interface WorkerBackend {
  name: string;
  provider: string;
  threads: number;
}

const BackendSchema = z.object({ name: z.string(), provider: z.string(), threads: z.number() }) satisfies z.ZodType<WorkerBackend>;

/** Worker -> parent while an epochs job runs: each is kept even if the worker is stopped later (--quick). */
export const BenchEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('backend'), backend: BackendSchema }),
  z.object({
    type: z.literal('epoch'),
    timing: z.object({
      batchSize: z.number(),
      msPerEpoch: z.number(),
      cpuMsPerEpoch: z.number(),
      samplesMs: z.array(z.number()),
      repetitions: z.number(),
      stepsPerRep: z.number(),
      stepsPerEpoch: z.number(),
      extrapolated: z.boolean(),
      note: z.string().optional(),
    }) satisfies z.ZodType<EpochTiming>,
  }),
  z.object({
    type: z.literal('peak'),
    peak: z.object({
      shape: z.string(),
      gflops: z.number(),
      medianGflops: z.number(),
      repetitions: z.number(),
    }) satisfies z.ZodType<MatMulPeak>,
  }),
  z.object({
    type: z.literal('online'),
    /** null: no WebAssembly SIMD kernel here. */
    online: z
      .object({
        stepUs: z.number(),
        stepCpuUs: z.number(),
        floorUs: z.number(),
        floorCpuUs: z.number(),
        repetitions: z.number(),
        stepsPerRep: z.number(),
      })
      .nullable() satisfies z.ZodType<OnlineFloorTiming | null>,
  }),
]);
export type BenchEvent = z.infer<typeof BenchEventSchema>;

/** Worker -> parent: the result of a landscape job. */
export const LandscapeResultSchema = z.object({
  seconds: z.number(),
  sweepSeconds: z.number(),
  curves: z.number(),
  points: z.number(),
  backend: BackendSchema,
});
export type LandscapeResult = z.infer<typeof LandscapeResultSchema>;
