/**
 * One benchmark measurement in its own process: `node dist/bench/worker.js '<job as JSON>'`.
 *
 * TensorFlow.js backends are process-global (kernels, memory, compiled code), so each backend
 * is timed in a fresh process rather than by switching backends in one: switching leaves the
 * previous backend's state behind and distorts what is measured next. The hand-written engine
 * and the landscape probe get their own processes for the same reason.
 *
 * Results go to stdout as lines starting with RESULT_PREFIX followed by JSON, so that anything
 * a library prints (TensorFlow.js greets Node users on stdout) cannot be mistaken for them.
 */
import { selectBackend, type BackendInfo } from '../nn/tfjs/backend.js';
import { createEngine } from '../nn/create-engine.js';
import { UserError, messageOf } from '../util/errors.js';
import { timeEpochs } from './measure.js';
import { measureMatMulPeak } from './matmul-peak.js';
import {
  RESULT_PREFIX,
  type EpochsJob,
  type LandscapeJob,
  type WorkerBackend,
  type WorkerJob,
  type BenchWorkerMessage,
} from './protocol.js';
import { makeWorkload } from './workload.js';

function emit(m: BenchWorkerMessage): void {
  process.stdout.write(RESULT_PREFIX + JSON.stringify(m) + '\n');
}

function describe(info: BackendInfo): WorkerBackend {
  return { name: info.name, provider: info.provider, threads: info.threads };
}

async function runEpochs(job: EpochsJob): Promise<void> {
  const w = makeWorkload(job.samples);
  if (job.engine === 'tfjs') {
    const info = await selectBackend(job.backend ?? 'wasm');
    emit({ type: 'backend', backend: describe(info) });
    if (job.peakRepetitions > 0) emit({ type: 'peak', peak: measureMatMulPeak(job.peakRepetitions) });
  } else {
    emit({ type: 'backend', backend: { name: 'none', provider: 'TypeScript over Float32Array', threads: 1 } });
  }
  for (const batchSize of job.batchSizes) {
    // A fresh engine per batch size: every column starts from the same weights.
    const engine = await createEngine(job.engine, w.network, w.sgd, w.params);
    try {
      emit({ type: 'epoch', timing: timeEpochs(engine, w.x, w.y, w.samples, batchSize, job) });
    } finally {
      engine.dispose();
    }
  }
  // Again after the cells: on a shared machine the load moves, and the peak is the better of the two.
  if (job.engine === 'tfjs' && job.peakRepetitions > 0) emit({ type: 'peak', peak: measureMatMulPeak(job.peakRepetitions) });
}

async function runLandscapeJob(job: LandscapeJob): Promise<void> {
  const info = await selectBackend(job.backend);
  // Imported here so that an epochs job does not load the probes (and their chart libraries).
  const { runLandscape } = await import('../probes/landscape.js');
  const w = makeWorkload(job.samples);
  const networks = (['sigmoid', 'relu'] as const).map((activation) => ({
    name: `${activation}7`,
    activation,
    outputActivation: 'sigmoid' as const,
    params: w.params,
  }));
  const t0 = performance.now();
  const r = await runLandscape({
    networks,
    data: { x: w.x, y: w.y, count: w.samples, inputs: w.network.sizes[0] },
    points: job.points,
    count: job.count,
    failOnCheck: false,
  });
  const seconds = (performance.now() - t0) / 1000;
  emit({ type: 'landscape', seconds, sweepSeconds: r.seconds.sweep, curves: r.curves.length, points: r.points, backend: describe(info) });
}

async function main(): Promise<void> {
  let job: WorkerJob;
  try {
    job = JSON.parse(process.argv[2] ?? '') as WorkerJob;
  } catch {
    emit({ type: 'failed', reason: 'worker: expected a job as JSON in the first argument' });
    process.exitCode = 2;
    return;
  }
  try {
    if (job.kind === 'epochs') await runEpochs(job);
    else await runLandscapeJob(job);
  } catch (err) {
    // A backend that cannot load is a cell to skip, not a failure of the benchmark.
    if (err instanceof UserError) emit({ type: 'skipped', reason: messageOf(err) });
    else emit({ type: 'failed', reason: err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err) });
  }
}

await main();
