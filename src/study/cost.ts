/**
 * What a study costs, measured before it runs: the number of runs, and their time on this
 * machine from a short calibration (a second or two per batch size).
 *
 * Calibration times training steps and a forward evaluation of the study's largest network on
 * random inputs with the engine each batch size uses (the values of the inputs do not change
 * the time of dense arithmetic). A run's time is then
 *   epochs x (training samples x step time per sample + evaluated samples x forward time per sample)
 * scaled by its network's weights against the largest network's (the first layer dominates every
 * network here), and the study's time is the sum over runs divided by the worker processes.
 * It is an estimate for planning, printed as such; it never changes a result.
 */
import os from 'node:os';
import { Rng } from '../util/rng.js';
import { createEngine } from '../nn/create-engine.js';
import { initParams, layerSizes } from '../nn/params.js';
import { selectBackend } from '../nn/tfjs/backend.js';
import type { EngineKind } from '../nn/engine.js';
import type { StudyConfig } from './config.js';
import { batchSizeOf, type Group } from './grid.js';
import type { Network } from '../experiment/tuned-groups.js';

export interface Calibration {
  /** Seconds per training sample, by "batchSize/engine". */
  stepSecondsPerSample: Map<string, number>;
  /** Seconds per evaluated sample (forward only), by engine. */
  evalSecondsPerSample: Map<string, number>;
  /** Weights of the network the calibration ran. */
  referenceWeights: number;
}

export interface CostEstimate {
  runs: number;
  tuningRuns: number;
  judgedRuns: number;
  /** Estimated wall seconds on `workers` worker processes. */
  seconds: number;
  workers: number;
}

function weightsOf(sizes: readonly number[]): number {
  let w = 0;
  for (let l = 0; l + 1 < sizes.length; l++) w += sizes[l] * sizes[l + 1] + sizes[l + 1];
  return w;
}

function widest(networks: readonly Network[]): number[] {
  let best: number[] = [];
  for (const n of networks) {
    const sizes = layerSizes(1024, n.config.hidden);
    if (weightsOf(sizes) > weightsOf(best)) best = sizes;
  }
  return best;
}

/** Times `fn` repeatedly for about `budgetSeconds`; returns seconds per call (after one warm-up call). */
function timePerCall(fn: () => void, budgetSeconds: number): number {
  fn();
  let calls = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetSeconds * 1000 || calls < 2) {
    fn();
    calls++;
    elapsed = performance.now() - start;
  }
  return elapsed / 1000 / calls;
}

export async function calibrate(
  groups: readonly Group[],
  networks: readonly Network[],
  config: StudyConfig,
  budgetSeconds = 0.5,
): Promise<Calibration> {
  const sizes = widest(networks);
  const inputs = sizes[0];
  const params = initParams(sizes, { scheme: 'xavier' }, 1);
  const network = { sizes, hiddenActivation: 'sigmoid' as const, outputActivation: 'sigmoid' as const };
  const sgd = { learningRate: 0.01, momentum: 0 };
  const maxBatch = Math.max(...groups.map((g) => batchSizeOf(g.batchSize, config.trainPerClass)), 256);
  const rng = Rng.stream(1, 'study-calibration');
  const x = new Float32Array(maxBatch * inputs);
  for (let k = 0; k < x.length; k++) x[k] = rng.uniform();
  const y = new Float32Array(maxBatch).map((_, k) => k % 2);

  const engines = new Set<EngineKind>(groups.map((g) => config.perBatch[String(g.batchSize)].engine));
  if (engines.has('tfjs')) await selectBackend('auto');
  const stepSecondsPerSample = new Map<string, number>();
  const evalSecondsPerSample = new Map<string, number>();
  for (const kind of engines) {
    const engine = createEngine(kind, network, sgd, params);
    try {
      const n = 256;
      const evalX = x.subarray(0, n * inputs);
      evalSecondsPerSample.set(kind, timePerCall(() => engine.evaluate(evalX, y.subarray(0, n), n), budgetSeconds / 2) / n);
      for (const g of groups) {
        if (config.perBatch[String(g.batchSize)].engine !== kind) continue;
        const b = batchSizeOf(g.batchSize, config.trainPerClass);
        const key = `${b}/${kind}`;
        if (stepSecondsPerSample.has(key)) continue;
        const batch = { x: x.subarray(0, b * inputs), y: y.subarray(0, b), n: b };
        stepSecondsPerSample.set(key, timePerCall(() => engine.step(batch), budgetSeconds) / b);
      }
    } finally {
      engine.dispose();
    }
  }
  return { stepSecondsPerSample, evalSecondsPerSample, referenceWeights: weightsOf(sizes) };
}

export function estimateCost(
  groups: readonly Group[],
  networks: readonly Network[],
  config: StudyConfig,
  cal: Calibration,
  workers: number,
): CostEstimate {
  let seconds = 0;
  let tuningRuns = 0;
  let judgedRuns = 0;
  const trainSamples = 2 * config.trainPerClass;
  const evalSamples = trainSamples + 2 * config.validationPerClass + 2 * config.testPerClass;
  for (const g of groups) {
    const per = config.perBatch[String(g.batchSize)];
    const b = batchSizeOf(g.batchSize, config.trainPerClass);
    const step = cal.stepSecondsPerSample.get(`${b}/${per.engine}`) ?? 0;
    const evaluate = cal.evalSecondsPerSample.get(per.engine) ?? 0;
    // The arms share judged runs where they choose the same rate; before tuning, count the worst case.
    const judgedPerNetwork = config.seeds * g.arms.length;
    const tuningPerNetwork = per.learningRates.length * config.tuningSeeds;
    for (const n of networks) {
      const scale = weightsOf(layerSizes(1024, n.config.hidden)) / cal.referenceWeights;
      const runSeconds = per.epochs * (trainSamples * step + evalSamples * evaluate) * scale;
      seconds += (judgedPerNetwork + tuningPerNetwork) * runSeconds;
      tuningRuns += tuningPerNetwork;
      judgedRuns += judgedPerNetwork;
    }
  }
  const w = Math.max(1, workers);
  return { runs: tuningRuns + judgedRuns, tuningRuns, judgedRuns, seconds: seconds / w, workers: w };
}

export function defaultWorkers(jobs: number | 'auto'): number {
  return jobs === 'auto' ? os.availableParallelism() : jobs;
}
