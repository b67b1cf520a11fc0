/**
 * What the benchmark's parent process and its workers (src/bench/worker.ts) say to each other:
 * the job a worker gets as JSON in its first argument, and the messages it prints back.
 */
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

export type WorkerMessage =
  | { type: 'backend'; backend: WorkerBackend }
  | { type: 'epoch'; timing: EpochTiming }
  | { type: 'peak'; peak: MatMulPeak }
  | { type: 'landscape'; seconds: number; sweepSeconds: number; curves: number; points: number; backend: WorkerBackend }
  | { type: 'skipped'; reason: string }
  | { type: 'failed'; reason: string };
