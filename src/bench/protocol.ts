/**
 * What the benchmark's parent process and its workers (src/bench/worker.ts) say to each other:
 * the job a worker gets as JSON in its first argument, and the messages it prints back.
 */
import { z } from 'zod';
import type { BackendChoice } from '../nn/tfjs/backend.js';
import type { EngineKind } from '../nn/engine.js';
import type { EpochTiming } from './measure.js';
import type { MatMulPeak } from './matmul-peak.js';

export const RESULT_PREFIX = '@bench-result ';

export interface EpochsJob {
  kind: 'epochs';
  engine: EngineKind;
  /** For the tfjs engine. */
  backend?: Exclude<BackendChoice, 'auto'>;
  batchSizes: number[];
  repetitions: number;
  budgetSeconds: number;
  singleStepIfSlow?: boolean;
  samples: number;
  /** tfjs only: repetitions of the plain matMul peak measured first (0 = not measured). */
  peakRepetitions: number;
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

export type BenchWorkerMessage =
  | { type: 'backend'; backend: WorkerBackend }
  | { type: 'epoch'; timing: EpochTiming }
  | { type: 'peak'; peak: MatMulPeak }
  | { type: 'landscape'; seconds: number; sweepSeconds: number; curves: number; points: number; backend: WorkerBackend }
  | { type: 'skipped'; reason: string }
  | { type: 'failed'; reason: string };

const BackendSchema = z.looseObject({ name: z.string(), provider: z.string(), threads: z.number() });
const BenchWorkerMessageSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('backend'), backend: BackendSchema }),
  z.looseObject({ type: z.literal('epoch'), timing: z.looseObject({ batchSize: z.number(), msPerEpoch: z.number() }) }),
  z.looseObject({ type: z.literal('peak'), peak: z.looseObject({ gflops: z.number() }) }),
  z.looseObject({
    type: z.literal('landscape'),
    seconds: z.number(),
    sweepSeconds: z.number(),
    curves: z.number(),
    points: z.number(),
    backend: BackendSchema,
  }),
  z.looseObject({ type: z.literal('skipped'), reason: z.string() }),
  z.looseObject({ type: z.literal('failed'), reason: z.string() }),
]);

/** One `@bench-result` line of a worker, checked; a line that is not a message becomes a "failed" one saying so. */
export function parseBenchWorkerLine(line: string): BenchWorkerMessage {
  let raw: unknown;
  try {
    raw = JSON.parse(line.slice(RESULT_PREFIX.length));
  } catch {
    return { type: 'failed', reason: `unreadable worker line: ${line.slice(0, 80)}` };
  }
  const parsed = BenchWorkerMessageSchema.safeParse(raw);
  // The schema checks the fields the parent reads; the rest of a timing is as the worker measured it.
  return parsed.success
    ? (parsed.data as unknown as BenchWorkerMessage)
    : { type: 'failed', reason: `unexpected worker message: ${line.slice(0, 80)}` };
}
