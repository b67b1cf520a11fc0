/**
 * A deterministic estimate of what a job costs, for splitting a plan over shards (shard.ts).
 *
 * A training run costs epochs x training samples x weights, where a step's fixed overhead weighs
 * more at small batches (batch 1 costs about 4x per sample what batch 32 does on these engines);
 * a probe costs its passes over the training set, 2 x weights x points of them (trained and
 * initial network), each about a fifteenth of a training epoch per sample (the weight scan
 * recomputes only the swept unit's column): measured, explain's 30 probes of 10 weights x 101
 * points took about 9 times a 10-epoch training run at batch 32 each. The factors are rough and
 * only decide which shard gets which job; they never change a result. (group-cost.ts measures
 * this machine for the time a study or explain will take.)
 */
import type { RunConfig } from '../config/schema.js';
import { layerSizes } from '../nn/params.js';
import { LANDSCAPE_DEFAULTS } from '../probes/landscape-settings.js';
import type { Job } from './job.js';

/** Probe passes over the training set that cost about one training epoch (see above). */
const PROBE_PASSES_PER_EPOCH = 15;

/** What a run's cost depends on. */
interface CostShape {
  data: Pick<RunConfig['data'], 'trainPerClass' | 'color'>;
  hidden: readonly number[];
  epochs: number;
  batchSize: number;
}

/** Pixels per image: 32 x 32, times 3 in colour. */
function inputsOf(config: Pick<CostShape, 'data'>): number {
  return config.data.color === 'rgb' ? 3 * 1024 : 1024;
}

function weightsOf(sizes: readonly number[]): number {
  let w = 0;
  for (let l = 0; l + 1 < sizes.length; l++) w += sizes[l] * sizes[l + 1] + sizes[l + 1];
  return w;
}

/** The relative cost of training a network with this config once. */
export function trainCost(config: CostShape): number {
  const samples = 2 * config.data.trainPerClass;
  const batch = Math.max(1, Math.min(config.batchSize, samples));
  const overhead = 1 + 3 / Math.sqrt(batch);
  return config.epochs * samples * overhead * weightsOf(layerSizes(inputsOf(config), config.hidden));
}

/** The relative cost of a job; a probe's is computed from the config of the run it probes. */
export function jobCost(job: Job, configOf: (trainId: string) => RunConfig | undefined): number {
  if (job.kind === 'train') return trainCost(job.config);
  const config = configOf(job.trainId);
  if (!config) return 0;
  // Each swept weight: `points` passes over the training set, after training and at initialisation.
  const passes = 2 * (job.settings.count ?? LANDSCAPE_DEFAULTS.count) * (job.settings.points ?? LANDSCAPE_DEFAULTS.points);
  return (passes / PROBE_PASSES_PER_EPOCH) * 2 * config.data.trainPerClass * weightsOf(layerSizes(inputsOf(config), config.hidden));
}
