/**
 * Entry of a sweep worker process (forked by pool.ts): runs the jobs the parent sends, one at
 * a time, each with this process's own TensorFlow.js backend, and reports progress over IPC.
 *
 * When the parent goes away (killed, Ctrl-C), the IPC channel closes and the worker exits;
 * the job it was running leaves only a temporary folder, which the next sweep removes.
 */
import { UserError, messageOf } from '../util/errors.js';
import { executeJob } from './execute.js';
import type { RunJobMessage, SweepWorkerMessage } from './messages.js';

function send(message: SweepWorkerMessage): void {
  if (process.connected) process.send?.(message);
}

if (!process.send) {
  process.stderr.write('error: src/reproduce/worker is started by `reproduce`, not directly\n');
  process.exit(2);
}

process.on('disconnect', () => process.exit(1));
// Ctrl-C reaches the whole process group; the parent decides what happens, the worker just stops.
process.on('SIGINT', () => process.exit(130));

let busy = false;
process.on('message', (message: RunJobMessage) => {
  if (message?.type !== 'run' || busy) return;
  busy = true;
  const { job } = message;
  executeJob(job, {
    outDir: message.outDir,
    dataDir: message.dataDir,
    onEpoch: (epoch, epochs) => send({ type: 'epoch', id: job.id, epoch, epochs }),
  }).then(
    (r) => {
      busy = false;
      send({ type: 'done', id: job.id, seconds: r.seconds, headline: r.headline });
    },
    (err: unknown) => {
      busy = false;
      const userError = err instanceof UserError;
      const text = userError ? messageOf(err) : (err instanceof Error && err.stack) || messageOf(err);
      send({ type: 'failed', id: job.id, message: text, userError });
    },
  );
});

send({ type: 'ready', pid: process.pid });
