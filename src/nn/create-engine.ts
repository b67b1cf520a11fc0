/**
 * The one place that turns an engine name from a config into an engine, so the training
 * loop, the comparison and the benchmark never care which implementation they drive.
 */
import type { Params } from './params.js';
import { createTfjsEngine } from './tfjs/engine.js';
import { createHandwrittenEngine } from './handwritten/engine.js';
import type { Engine, EngineKind, NetworkSpec, SgdSpec } from './engine.js';
import type { RunConfig } from '../config/schema.js';

/** A run config's training options, as the engines take them. */
export function sgdSpecOf(config: RunConfig): SgdSpec {
  return {
    learningRate: config.learningRate,
    momentum: config.momentum,
    gradientNormalisation: config.gradientNormalisation,
    targets: config.targets,
  };
}

/**
 * An engine of the given kind starting from `params`. The tfjs engine computes on the
 * TensorFlow.js backend selected beforehand (src/nn/tfjs/backend.ts); the hand-written one
 * needs no backend.
 */
export function createEngine(kind: EngineKind, network: NetworkSpec, sgd: SgdSpec, params: Params): Engine {
  switch (kind) {
    case 'tfjs':
      return createTfjsEngine(network, sgd, params);
    case 'handwritten':
      return createHandwrittenEngine(network, sgd, params);
  }
}
