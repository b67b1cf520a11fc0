/**
 * The author's explanation, measured on one network at two states: its initial weights and its
 * trained weights. Each link of the article's argument gets its own number (docs/probes.md,
 * "The rules of claims 6–8, frozen before the runs they judge"):
 *
 * - the vanishing gradient: the per-example back-propagated error ||δ|| per hidden layer
 *   (backprop-deltas.ts), summarised as log10(top hidden layer / first hidden layer) and as the
 *   geometric shrink per layer; also from the same initial weights run through the other
 *   activations, so Sigmoid and ReLU are compared from identical weights;
 * - "the next neuron would need 2": for sampled (hidden unit, example) pairs, whether the
 *   loss-minimising output lies beyond the activation's range and gains there
 *   (target-activations.ts), pooled over the hidden layers;
 * - "the weights chase an asymptote": the share of (hidden unit, image) pairs at a bound of the
 *   activation, the share off and the dead units (nn/activation-stats.ts), pooled over the hidden
 *   layers.
 *
 * Everything is a deterministic function of the parameters, the data and the seed (the samples
 * of target-activations are drawn from it), so a probe resumed or merged from shards gives the
 * same numbers.
 */
import path from 'node:path';
import type { Dataset } from '../data/types.js';
import type { Params } from '../nn/params.js';
import type { Activation } from '../config/schema.js';
import { activationStats } from '../nn/activation-stats.js';
import { deltaProfile, writeDeltaCsv, type DeltaProfile } from './backprop-deltas.js';
import { targetActivations, writeTargetCsv, type TargetResult } from './target-activations.js';
import type { ProbedNetwork } from './weight-scan.js';

export interface MechanismSettings {
  /** Hidden units sampled per layer for the targets. */
  targetUnitsPerLayer: number;
  /** Training examples sampled for the targets. */
  targetExamples: number;
  /** Hidden activations the initial weights are also run through (identical-weights comparison of δ). */
  sameWeightsActivations: Activation[];
}

export const DEFAULT_MECHANISM_SETTINGS: MechanismSettings = {
  targetUnitsPerLayer: 8,
  targetExamples: 200,
  sameWeightsActivations: ['sigmoid', 'relu'],
};

/** The measures of one state of one network. Shares are fractions (0..1), pooled over the hidden layers. */
interface StateMeasures {
  /** Mean per-example ||δ|| of each hidden layer, first hidden layer first. */
  deltaMeanNorm: number[];
  /** log10(mean ||δ|| of the top hidden layer / that of the first hidden layer); NaN with one hidden layer. */
  deltaLog10TopOverFirst: number;
  /** Factor by which mean ||δ|| is divided per layer towards the input (geometric fit; 1 = no decay). */
  deltaShrinkPerLayer: number;
  /** Sampled pairs whose loss-minimising output lies outside the activation's range and gains there. */
  needOutside: number;
  /** The same, above the upper bound only (Sigmoid: the article's "would need 2"; 0 for ReLU). */
  needAbove: number;
  /** (unit, training image) pairs at a bound of the activation (Sigmoid y <= 0.02 or >= 0.98). */
  saturated: number;
  /** (unit, training image) pairs with a rectifier's output 0. */
  off: number;
  /** Hidden units off on every training image. */
  deadUnits: number;
}

export interface MechanismSummary {
  activation: string;
  init: StateMeasures;
  trained: StateMeasures;
  /** The initial weights run through each of settings.sameWeightsActivations: δ only. */
  sameWeightsInit: { activation: string; deltaLog10TopOverFirst: number; deltaShrinkPerLayer: number }[];
  seconds: number;
}

export interface MechanismInput {
  /** The trained network (its activation, output activation and trained parameters). */
  trained: ProbedNetwork;
  /** The same network's parameters before training. */
  initial: Params;
  /** The training set the network was trained on. */
  data: Dataset;
  /** Seeds the target samples: the run's seed. */
  seed: number;
  settings: MechanismSettings;
}

/** Per-state detail kept for the CSV files. */
interface StateDetail {
  measures: StateMeasures;
  delta: DeltaProfile;
  targets: TargetResult;
}

export interface MechanismResult {
  summary: MechanismSummary;
  init: StateDetail;
  trained: StateDetail;
  /** The initial weights' δ through each of settings.sameWeightsActivations. */
  sameWeights: DeltaProfile[];
}

export function measureMechanism(input: MechanismInput): MechanismResult {
  const t0 = performance.now();
  const init = measureState({ ...input.trained, params: input.initial }, input);
  const trained = measureState(input.trained, input);
  const sameWeights = input.settings.sameWeightsActivations.map((activation) =>
    deltaProfile({ ...input.trained, activation, params: input.initial }, input.data),
  );
  return {
    summary: {
      activation: input.trained.activation,
      init: init.measures,
      trained: trained.measures,
      sameWeightsInit: sameWeights.map((d) => ({
        activation: d.activation,
        deltaLog10TopOverFirst: topOverFirst(d),
        deltaShrinkPerLayer: d.shrinkPerLayer,
      })),
      seconds: (performance.now() - t0) / 1000,
    },
    init,
    trained,
    sameWeights,
  };
}

function measureState(network: ProbedNetwork, input: MechanismInput): StateDetail {
  const delta = deltaProfile(network, input.data);
  const targets = targetActivations(network, input.data, {
    unitsPerLayer: input.settings.targetUnitsPerLayer,
    examples: input.settings.targetExamples,
    seed: input.seed,
  });
  const spec = { sizes: network.params.sizes, hiddenActivation: network.activation, outputActivation: network.outputActivation };
  const states = activationStats(network.params, spec, input.data, 0);
  const pairs = targets.layers.reduce((a, l) => a + l.pairs, 0);
  const pooledTargets = (share: (l: TargetResult['layers'][number]) => number) =>
    targets.layers.reduce((a, l) => a + share(l) * l.pairs, 0) / pairs;
  // Every hidden layer sees the same images, so its (unit, image) pairs are proportional to its width.
  const width = states.reduce((a, s) => a + s.width, 0);
  const pooledStates = (share: (s: (typeof states)[number]) => number) => states.reduce((a, s) => a + share(s) * s.width, 0) / width;
  return {
    delta,
    targets,
    measures: {
      deltaMeanNorm: delta.hidden.map((h) => h.meanNorm),
      deltaLog10TopOverFirst: topOverFirst(delta),
      deltaShrinkPerLayer: delta.shrinkPerLayer,
      needOutside: pooledTargets((l) => l.fractionOutsideWithGain),
      needAbove: pooledTargets((l) => l.fractionAboveWithGain),
      saturated: pooledStates((s) => s.saturatedFraction),
      off: pooledStates((s) => s.offFraction),
      deadUnits: pooledStates((s) => s.deadUnitFraction),
    },
  };
}

function topOverFirst(d: DeltaProfile): number {
  const h = d.hidden;
  return h.length < 2 ? NaN : Math.log10(h[h.length - 1].meanNorm / h[0].meanNorm);
}

/** deltas.csv and target-activations.csv of one probed network: rows for `init`, `trained`, and `init as <activation>`. */
export async function writeMechanismCsvs(dir: string, config: string, result: MechanismResult): Promise<void> {
  await writeDeltaCsv(path.join(dir, 'deltas.csv'), [
    { config, at: 'init', profile: result.init.delta },
    { config, at: 'trained', profile: result.trained.delta },
    ...result.sameWeights.map((profile) => ({ config, at: `init as ${profile.activation}`, profile })),
  ]);
  await writeTargetCsv(path.join(dir, 'target-activations.csv'), [
    { config, at: 'init', result: result.init.targets },
    { config, at: 'trained', result: result.trained.targets },
  ]);
}
