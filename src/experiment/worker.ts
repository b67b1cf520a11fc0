/**
 * Entry of a sweep worker process (started by pool.ts through src/util/workers.ts): runs the
 * jobs the parent sends, one at a time, each with this process's own TensorFlow.js backend,
 * and reports every epoch back.
 *
 * When the parent goes away (killed, Ctrl-C), the worker exits; the job it was running leaves
 * only a temporary folder, which the next sweep removes.
 */
import { emitToParent, serveWorker } from '../util/workers.js';
import { executeJob } from './execute.js';
import type { ExecuteResult, RunJobRequest } from './messages.js';

serveWorker('src/experiment/worker', {
  runJob: (request: RunJobRequest): Promise<ExecuteResult> =>
    executeJob(request.job, {
      outDir: request.outDir,
      dataDir: request.dataDir,
      cores: request.cores,
      charts: request.charts,
      onEpoch: (epoch, epochs) => emitToParent({ epoch, epochs }),
    }),
});
