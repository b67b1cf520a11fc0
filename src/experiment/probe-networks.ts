/**
 * The networks of run configs as the landscape probe takes them, shared by both callers of the
 * probe in this folder: a plan's probe job (execute-landscape.ts: a run's trained network, then
 * the same network untrained) and the `landscape` command (landscape.ts: networks trained here,
 * loaded from saved weights, or untrained). Both then sweep them with runLandscapeProbe
 * (src/probes/landscape-run.ts), so a network probed by either is the same network over the same
 * loss: its config's activations and rate, its config's initial weights when untrained, and the
 * loss against its config's targets.
 */
import type { RunConfig } from '../config/schema.js';
import type { Dataset } from '../data/types.js';
import { initParams, type Params } from '../nn/params.js';
import { withTargets } from '../nn/targets.js';
import type { ProbedNetwork } from '../probes/weight-scan.js';

/** A network of `config` with weights `params`, as the probe takes it (named `name`, by default the config's). */
export function probedNetwork(config: RunConfig, params: Params, name: string = config.name): ProbedNetwork {
  return { name, activation: config.activation, outputActivation: config.outputActivation, params, learningRate: config.learningRate };
}

/** The weights a run of `config` starts from: its init scheme and seed, drawn again (the same weights the run drew). */
export function initialParams(config: RunConfig, sizes: readonly number[]): Params {
  return initParams(sizes, config.init, config.seed);
}

/** The training set as the probe measures the loss over it: against the config's targets (e.g. 0.9 / 0.1), the loss it trained on. */
export function probeTrainingSet(train: Dataset, config: RunConfig): Dataset {
  return withTargets(train, config.targets);
}
