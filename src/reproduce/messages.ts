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
export type WorkerMessage =
  | { type: 'ready'; pid: number }
  | { type: 'epoch'; id: string; epoch: EpochRecord; epochs: number }
  | { type: 'done'; id: string; seconds: number; headline: string }
  | { type: 'failed'; id: string; message: string; userError: boolean };
