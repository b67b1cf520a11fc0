/**
 * A worker thread of the landscape probe (started by src/probes/scan-jobs.ts through
 * src/util/workers.ts): selects its own backend, runs its share of the weight sweeps and
 * sends every result back as soon as it is done.
 */
import { selectBackend } from '../nn/tfjs/backend.js';
import { emitToParent, serveWorker } from '../util/workers.js';
import { runTasksHere, type ScanShare, type ShareResult } from './scan-jobs.js';

serveWorker('src/probes/scan-worker', {
  scanShare: async (share: ScanShare): Promise<ShareResult> => {
    await selectBackend(share.backend);
    const setupSeconds = runTasksHere(share.networks, share.data, share.tasks, share.rowsPerChunk, emitToParent);
    return { setupSeconds };
  },
});
