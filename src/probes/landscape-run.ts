/**
 * The landscape probe as both its callers run it: the `landscape` command (src/cli/landscape.ts)
 * and the sweep's probe jobs (src/experiment/execute-landscape.ts). Given settings already
 * validated by src/probes/landscape-settings.ts, the networks, the training set and an output
 * folder, it picks the examples, then writes landscape.csv, landscape-summary.csv and the
 * chart through runLandscape (src/probes/landscape.ts).
 */
import type { Dataset } from '../data/types.js';
import { Rng } from '../util/rng.js';
import { runLandscape, type LandscapeResult, type ProbedNetwork, type WeightRef } from './landscape.js';
import type { LandscapeProbeSettings } from './landscape-settings.js';

export interface LandscapeProbeInput {
  networks: ProbedNetwork[];
  /** The training set the networks were trained on; the loss is measured over it (or a seeded subset). */
  train: Dataset;
  settings: LandscapeProbeSettings;
  /** Measure over this many training images (a seeded subset); default all. */
  examples?: number;
  /** Sweep these weights; default: settings.count picked with the seed. */
  weights?: WeightRef[];
  /** Picks the weights and the subset: the run's seed, so both activations are probed at the same positions. */
  seed: number;
  outDir: string;
  /** Worker threads for the sweeps; the numbers do not depend on it. */
  jobs?: number;
  /** Throw when the derivative check fails (the command); the sweep records it instead. */
  failOnCheck?: boolean;
  log?: (line: string) => void;
}

/** A seeded subset of the training set, same for every network (the loss must be over the same examples). */
function subsetOf(train: Dataset, count: number, seed: number): Dataset {
  if (count >= train.count) return train;
  const order = Rng.stream(seed, 'landscape-examples').permutation(train.count).subarray(0, count);
  const idx = Array.from(order).sort((a, b) => a - b);
  const x = new Float32Array(count * train.inputs);
  const y = new Float32Array(count);
  idx.forEach((k, r) => {
    x.set(train.x.subarray(k * train.inputs, (k + 1) * train.inputs), r * train.inputs);
    y[r] = train.y[k];
  });
  return { x, y, count, inputs: train.inputs };
}

export async function runLandscapeProbe(input: LandscapeProbeInput): Promise<LandscapeResult> {
  const data = input.examples !== undefined ? subsetOf(input.train, input.examples, input.seed) : input.train;
  // The whole set keeps runLandscape's own label, "training set (N examples)".
  const examplesLabel = data === input.train ? undefined : `${data.count} training examples (a seeded subset of ${input.train.count})`;
  input.log?.(
    `probing ${input.networks.map((n) => n.name).join(', ')} over ${examplesLabel ?? `the training set (${data.count} examples)`}`,
  );
  const s = input.settings;
  return runLandscape({
    networks: input.networks,
    data,
    examplesLabel,
    weights: input.weights,
    count: input.weights ? undefined : s.count,
    seed: input.seed,
    span: s.span,
    from: s.from,
    to: s.to,
    points: s.points,
    tolerance: s.tolerance,
    failOnCheck: input.failOnCheck,
    outDir: input.outDir,
    jobs: input.jobs,
    log: input.log,
  });
}
