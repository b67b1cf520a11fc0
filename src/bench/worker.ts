/**
 * One benchmark measurement in its own process, started by bench-run.ts through
 * src/util/workers.ts (a fresh worker per engine and backend).
 *
 * TensorFlow.js backends are process-global (kernels, memory, compiled code), so each backend
 * is timed in a fresh process rather than by switching backends in one: switching leaves the
 * previous backend's state behind and distorts what is measured next. The hand-written engine
 * and the landscape probe get their own processes for the same reason.
 *
 * Every timing is sent to the parent as soon as it is measured, so a worker stopped by the
 * --quick time limit still leaves the cells it finished.
 */
import { selectBackend, type BackendInfo } from '../nn/tfjs/backend.js';
import { createEngine } from '../nn/create-engine.js';
import { emitToParent, serveWorker } from '../util/workers.js';
import { timeEpochs } from './measure.js';
import { measureMatMulPeak } from './matmul-peak.js';
import { timeOnlineFloor } from './online-floor.js';
import type { BenchEvent, EpochsJob, LandscapeJob, LandscapeResult, WorkerBackend } from './protocol.js';
import { makeWorkload } from './workload.js';

function emit(e: BenchEvent): void {
  emitToParent(e);
}

function describe(info: BackendInfo): WorkerBackend {
  return { name: info.name, provider: info.provider, threads: info.threads };
}

async function runEpochs(job: EpochsJob): Promise<null> {
  const w = makeWorkload(job.samples);
  if (job.engine === 'tfjs') {
    const info = await selectBackend(job.backend ?? 'wasm', job.threads);
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
  if (job.engine === 'handwritten' && (job.onlineFloorRepetitions ?? 0) > 0)
    emit({ type: 'online', online: timeOnlineFloor(w, job.onlineFloorRepetitions!, job.onlineFloorSteps ?? 1000) });
  // Again after the cells: on a shared machine the load moves, and the peak is the better of the two.
  if (job.engine === 'tfjs' && job.peakRepetitions > 0) emit({ type: 'peak', peak: measureMatMulPeak(job.peakRepetitions) });
  return null;
}

async function runLandscapeJob(job: LandscapeJob): Promise<LandscapeResult> {
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
  return { seconds, sweepSeconds: r.seconds.sweep, curves: r.curves.length, points: r.points, backend: describe(info) };
}

serveWorker('src/bench/worker', { epochs: runEpochs, landscape: runLandscapeJob });
