/**
 * What a plan of tuned groups (tuned-groups.ts) costs, measured before it runs: the number of
 * runs, and their time on this machine from a short calibration (a second or two per batch size).
 * `study` and `explain` print it before they run, and with --dry-run instead of running.
 *
 * Calibration times training steps and a forward evaluation of the plan's largest network on
 * random inputs with the engine each group's runs use (the values of the inputs do not change the
 * time of dense arithmetic). A run's time is then
 *   epochs x (training samples x step time per sample + evaluated samples x forward time per sample)
 * scaled by its network's weights against the largest network's (the first layer dominates every
 * network here), and the plan's time is the sum over runs divided by the worker processes.
 * Everything a group's runs train with is read from its own run configs (`runConfig`), so this
 * module knows no experiment's config. It is an estimate for planning, printed as such; it never
 * changes a result.
 */
import os from 'node:os';
import { Rng } from '../util/rng.js';
import { createEngine } from '../nn/create-engine.js';
import { initParams, layerSizes } from '../nn/params.js';
import { selectBackend } from '../nn/tfjs/backend.js';
import type { EngineKind } from '../nn/engine.js';
import type { RunConfig } from '../config/schema.js';
import type { Network, TunedGroup } from './tuned-groups.js';

interface Calibration {
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

/**
 * What a group trains with (batch size, engine, epochs, data sizes): its first network's run
 * config at its first rate. A group shares its training setting (TrainingSetting), so any of its
 * run configs gives the same.
 */
function settingOf(group: TunedGroup): RunConfig {
  return group.runConfig(group.networks[0], group.learningRates[0], `${group.networks[0].name}-estimate`);
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

async function calibrate(groups: readonly TunedGroup[], budgetSeconds: number): Promise<Calibration> {
  const settings = groups.map(settingOf);
  const sizes = widest(groups.flatMap((g) => g.networks));
  const inputs = sizes[0];
  const params = initParams(sizes, { scheme: 'xavier' }, 1);
  const network = { sizes, hiddenActivation: 'sigmoid' as const, outputActivation: 'sigmoid' as const };
  const sgd = { learningRate: 0.01, momentum: 0 };
  const maxBatch = Math.max(...settings.map((s) => s.batchSize), 256);
  const rng = Rng.stream(1, 'study-calibration');
  const x = new Float32Array(maxBatch * inputs);
  for (let k = 0; k < x.length; k++) x[k] = rng.uniform();
  const y = new Float32Array(maxBatch).map((_, k) => k % 2);

  const engines = new Set<EngineKind>(settings.map((s) => s.engine));
  if (engines.has('tfjs')) await selectBackend('auto');
  const stepSecondsPerSample = new Map<string, number>();
  const evalSecondsPerSample = new Map<string, number>();
  for (const kind of engines) {
    const engine = createEngine(kind, network, sgd, params);
    try {
      const n = 256;
      const evalX = x.subarray(0, n * inputs);
      evalSecondsPerSample.set(kind, timePerCall(() => engine.evaluate(evalX, y.subarray(0, n), n), budgetSeconds / 2) / n);
      for (const s of settings) {
        if (s.engine !== kind) continue;
        const b = s.batchSize;
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

function estimateWith(groups: readonly TunedGroup[], cal: Calibration, workers: number): CostEstimate {
  let seconds = 0;
  let tuningRuns = 0;
  let judgedRuns = 0;
  for (const g of groups) {
    const s = settingOf(g);
    const trainSamples = 2 * s.data.trainPerClass;
    const evalSamples = trainSamples + 2 * s.data.validationPerClass + 2 * s.data.testPerClass;
    const step = cal.stepSecondsPerSample.get(`${s.batchSize}/${s.engine}`) ?? 0;
    const evaluate = cal.evalSecondsPerSample.get(s.engine) ?? 0;
    // The arms share judged runs where they choose the same rate; before tuning, count the worst case.
    const judgedPerNetwork = g.seeds * g.arms.length;
    const tuningPerNetwork = g.learningRates.length * g.tuningSeeds;
    for (const n of g.networks) {
      const scale = weightsOf(layerSizes(1024, n.config.hidden)) / cal.referenceWeights;
      const runSeconds = s.epochs * (trainSamples * step + evalSamples * evaluate) * scale;
      seconds += (judgedPerNetwork + tuningPerNetwork) * runSeconds;
      tuningRuns += tuningPerNetwork;
      judgedRuns += judgedPerNetwork;
    }
  }
  const w = Math.max(1, workers);
  return { runs: tuningRuns + judgedRuns, tuningRuns, judgedRuns, seconds: seconds / w, workers: w };
}

/** The runs of `groups` and their estimated time on `jobs` workers, calibrated just now on this machine. */
export async function estimateGroups(groups: readonly TunedGroup[], jobs: number | 'auto', budgetSeconds = 0.5): Promise<CostEstimate> {
  const workers = jobs === 'auto' ? os.availableParallelism() : jobs;
  return estimateWith(groups, await calibrate(groups, budgetSeconds), workers);
}

export function formatMinutes(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  const minutes = Math.round(seconds / 60);
  return minutes < 90 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}
