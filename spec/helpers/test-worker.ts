/** A worker for spec/workers.spec.ts: each method exercises one thing the parent must handle. */
import { UsageError } from '../../src/util/errors.js';
import { emitToParent, serveWorker } from '../../src/util/workers.js';

serveWorker('spec/helpers/test-worker', {
  /** Sends `count` progress events, prints a line, returns the sum of a typed array (threads keep its type). */
  count: async (count: number, data: Float32Array | Record<string, number>) => {
    for (let k = 1; k <= count; k++) emitToParent({ step: k });
    console.error('a line on stderr');
    // A process's output and its messages travel on different pipes: give the line time to arrive before the result.
    await new Promise((resolve) => setTimeout(resolve, 200));
    return { sum: Object.values(data).reduce((a, b) => a + b, 0), typed: data instanceof Float32Array };
  },
  userError: () => {
    throw new UsageError('--flag: expected a number');
  },
  bug: () => {
    throw new Error('something broke');
  },
  die: () => process.exit(3),
  badEvent: () => {
    emitToParent({ step: 'one' });
    return { sum: 0, typed: false };
  },
  /** Sends one event, then computes until it is stopped. */
  spin: () => {
    emitToParent({ step: 1 });
    for (;;);
  },
});
