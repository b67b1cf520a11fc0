/** What the sweep's parent process and its worker processes (worker.ts) say to each other. */
import { z } from 'zod';
import type { Job } from './job.js';
import type { EpochRecord } from '../training/loop.js';

/** Parent -> worker: run this job, writing into outDir. */
export interface RunJobRequest {
  job: Job;
  outDir: string;
  dataDir: string;
  /** Cores this job may use (the sweep's parallel jobs share the machine's; src/nn/tfjs/threads.ts). */
  cores: number;
  /** Draw a training run's curves.svg/.png (default true). */
  charts?: boolean;
}

/** A measured number; NaN and infinities cross the process boundary as JSON null and come back as NaN. */
const measured = z
  .number()
  .nullable()
  .transform((v) => v ?? NaN);

const EpochRecordSchema = z.object({
  epoch: z.number().int().nonnegative(),
  trainLoss: measured,
  trainAccuracy: measured,
  testLoss: measured,
  testAccuracy: measured,
  valLoss: measured,
  valAccuracy: measured,
  seconds: z.number(),
  elapsedSeconds: z.number(),
}) satisfies z.ZodType<EpochRecord, unknown>;

/** Worker -> parent after every epoch of a training run. */
export const JobEventSchema = z.object({ epoch: EpochRecordSchema, epochs: z.number().int().positive() });

/** Worker -> parent when the job is done. */
export const JobResultSchema = z.object({ seconds: z.number(), headline: z.string() });

/** Where a job runs and what it reports back; shared by the training and the landscape jobs. */
export interface ExecuteOptions {
  outDir: string;
  dataDir: string;
  /** Cores this job may use; a worker process keeps the threads of the first job it ran (the backend is set up once). */
  cores: number;
  /** Draw a training run's curves.svg/.png (default true). */
  charts?: boolean;
  /** Called after every epoch of a training run. */
  onEpoch?: (epoch: EpochRecord, epochs: number) => void;
}

export type ExecuteResult = z.infer<typeof JobResultSchema>;
