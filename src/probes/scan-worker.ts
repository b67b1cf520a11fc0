/**
 * A worker thread of the landscape probe (src/probes/scan-jobs.ts): selects its own backend,
 * runs its share of the weight sweeps and posts each result back as soon as it is done.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../nn/tfjs/backend.js';
import { runTasksHere, type WorkerData, type WorkerMessage } from './scan-jobs.js';

const port = parentPort;
if (port) {
  const job = workerData as WorkerData;
  await selectBackend(job.backend);
  const setupSeconds = runTasksHere(job.networks, job.data, job.tasks, job.rowsPerChunk, (outcome) => {
    port.postMessage({ kind: 'outcome', outcome } satisfies WorkerMessage);
  });
  port.postMessage({ kind: 'done', setupSeconds } satisfies WorkerMessage);
}
