/** What the sweep's parent process and its worker processes say to each other over IPC. */
import type { PlannedJob } from './plan.js';
import type { EpochRecord } from '../training/loop.js';

/** Parent -> worker: run this job, writing into outDir. */
export interface RunJobMessage {
  type: 'run';
  job: PlannedJob;
  outDir: string;
  dataDir: string;
}

/** Worker -> parent. */
export type SweepWorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'epoch'; id: string; epoch: EpochRecord; epochs: number }
  | { type: 'done'; id: string; seconds: number; headline: string }
  | { type: 'failed'; id: string; message: string; userError: boolean };

/** Where a job runs and what it reports back; shared by the training and the landscape jobs. */
export interface ExecuteOptions {
  outDir: string;
  dataDir: string;
  /** Called after every epoch of a training run. */
  onEpoch?: (epoch: EpochRecord, epochs: number) => void;
}

export interface ExecuteResult {
  seconds: number;
  /** One line for the progress display, e.g. "test 70.5 % (best 71.8 % at epoch 12)". */
  headline: string;
}
