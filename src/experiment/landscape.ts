/**
 * The `landscape` command's experiment: the loss along single first-layer weights (experiment 2
 * of the article) of networks trained here, loaded from saved weights, or untrained. For every
 * config: train it (the run folder goes inside the landscape folder), or load the weights a run
 * saved, or take the untrained network; then sweep first-layer weights (src/probes/landscape.ts)
 * and write landscape.csv, landscape-summary.csv, landscape.svg/.png and landscape.json.
 *
 * The reproduction's probe jobs run the same probe on the networks of its runs
 * (execute-landscape.ts); both take their networks and the loss's targets from probe-networks.ts
 * and sweep them with runLandscapeProbe. This one stands alone, for networks named on the
 * command line.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { BackendChoice } from '../nn/tfjs/backend.js';
import { applyOverrides, loadConfigFile } from '../config/load.js';
import { inputsOf } from '../config/memory.js';
import type { RunConfig } from '../config/schema.js';
import { loadSubset } from '../data/subset.js';
import type { Subset } from '../data/types.js';
import { readModelFile } from '../nn/params-io.js';
import { type Params, layerSizes } from '../nn/params.js';
import { describeRange, type LandscapeProbeSettings } from '../probes/landscape-settings.js';
import type { ProbedNetwork, WeightRef } from '../probes/landscape.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UsageError } from '../util/errors.js';
import { removeIfEmpty } from '../util/folders.js';
import { childPath } from '../util/paths.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { prepareOutDir } from '../training/out-dir.js';
import { initialParams, probeTrainingSet, probedNetwork } from './probe-networks.js';

/** What `landscape` probes and how, checked by the command's flags (each mistake names its flag). */
export interface LandscapeOptions {
  configFiles: string[];
  /** Saved weights, one per config in order; or the networks at initialisation; or (neither) trained here. */
  weightFiles?: string[];
  at: 'trained' | 'init';
  /** Named weights to sweep (i,j); by default the seed picks `settings.count` of them. */
  weights?: WeightRef[];
  settings: LandscapeProbeSettings;
  examples?: number;
  jobs: number;
  overrides: { epochs?: number; seed?: number; backend?: string };
  /** The output folder; undefined: a new one under outputs/. */
  out?: string;
  dataDir: string;
  progress: ProgressChoice;
  say: (line: string) => void;
}

/** Same data settings and targets for every config: the curves are losses over the same examples, against the same targets. */
function dataKey(c: RunConfig): string {
  return JSON.stringify([c.data, c.targets]);
}

/** Trains, loads or initialises the configs' networks, probes them and writes the results; the one call of `landscape`. */
export async function runLandscape(opts: LandscapeOptions): Promise<void> {
  const wall0 = performance.now();
  const configs = opts.configFiles.map((f) => applyOverrides(loadConfigFile(f), opts.overrides));
  const names = new Set<string>();
  for (const c of configs) {
    if (names.has(c.name)) throw new UsageError(`--config: "${c.name}" is given twice`);
    names.add(c.name);
    if (dataKey(c) !== dataKey(configs[0])) {
      throw new UsageError(
        `--config: ${c.name} uses different data settings or targets from ${configs[0].name}; the curves must be losses over the same examples`,
      );
    }
  }
  const existed = opts.out !== undefined && existsSync(opts.out);
  const outDir = await prepareOutDir(opts.out, `landscape-${configs.map((c) => c.name).join('-')}`);
  try {
    await probe(opts, { configs, outDir, wall0 });
  } catch (err) {
    // A failure before anything was written leaves no empty folder behind (one the user made is kept).
    if (!existed) await removeIfEmpty(outDir);
    throw err;
  }
}

interface ProbeContext {
  configs: RunConfig[];
  outDir: string;
  wall0: number;
}

/** Gets the networks (trained here, loaded, or untrained), probes them, and writes landscape.json. */
async function probe(opts: LandscapeOptions, ctx: ProbeContext): Promise<void> {
  const { configs, outDir } = ctx;
  const { settings, say } = opts;
  // Weight files from elsewhere are read and checked first, so a bad one fails in a second, before TensorFlow.js and
  // the data load.
  const loaded: Params[] = [];
  for (const [k, config] of (opts.weightFiles ? configs : []).entries()) {
    loaded.push(
      await readModelFile(opts.weightFiles![k], {
        flag: '--weights',
        config: config.name,
        sizes: layerSizes(inputsOf(config), config.hidden),
        hiddenActivation: config.activation,
        outputActivation: config.outputActivation,
      }),
    );
  }
  // TensorFlow.js takes seconds to load: only a command that computes loads it, so --help and
  // flag mistakes (checked above) answer at once.
  const [{ describeBackend, selectBackend }, { runLandscapeProbe }, { trainRun }] = await Promise.all([
    import('../nn/tfjs/backend.js'),
    import('../probes/landscape-run.js'),
    import('../training/train-run.js'),
  ]);
  const backend = await selectBackend(configs[0].backend as BackendChoice);
  say(`backend: ${describeBackend(backend)}`);
  const subset: Subset = await loadSubset({ dataDir: opts.dataDir, ...configs[0].data, log: say });

  let trainSeconds = 0;
  let trainWallMs = 0;
  const networks: ProbedNetwork[] = [];
  const sources: string[] = [];
  for (const [k, config] of configs.entries()) {
    const sizes = layerSizes(subset.train.inputs, config.hidden);
    let params: Params;
    if (opts.weightFiles) {
      params = loaded[k];
      sources.push(`weights from ${opts.weightFiles[k]}`);
    } else if (opts.at === 'init') {
      params = initialParams(config, sizes);
      sources.push(`untrained (${config.init.scheme} initialisation, seed ${config.seed})`);
    } else {
      const t = performance.now();
      const run = await trainRun(config, { outDir: childPath(outDir, `train-${config.name}`), subset, progress: opts.progress });
      trainWallMs += performance.now() - t;
      trainSeconds += run.seconds;
      params = run.params;
      sources.push(
        `trained for ${config.epochs} epochs (test accuracy ${(100 * run.finalTestAccuracy).toFixed(1)} %), run folder ${run.outDir}`,
      );
    }
    networks.push(probedNetwork(config, params));
  }
  // Training may have switched backends (a config may name another); the probe runs on the one chosen here.
  await selectBackend(configs[0].backend as BackendChoice);

  const result = await runLandscapeProbe({
    networks,
    train: probeTrainingSet(subset.train, configs[0]),
    settings,
    examples: opts.examples,
    weights: opts.weights,
    seed: configs[0].seed,
    outDir,
    jobs: opts.jobs,
    log: say,
  });
  const wallSeconds = (performance.now() - ctx.wall0) / 1000;
  const trainWall = trainWallMs / 1000;
  await writeFileAtomic(
    path.join(outDir, 'landscape.json'),
    `${JSON.stringify(
      {
        configs: configs.map((c, k) => ({
          name: c.name,
          activation: c.activation,
          hidden: c.hidden,
          seed: c.seed,
          epochs: c.epochs,
          source: sources[k],
        })),
        examples: result.examples,
        points: result.points,
        range: describeRange(settings),
        weights: [...new Map(result.curves.map((c) => [`${c.weightI},${c.weightJ}`, { i: c.weightI, j: c.weightJ }])).values()],
        counts: result.counts,
        check: result.check,
        seconds: {
          probe: result.seconds.total,
          jobs: result.seconds.jobs,
          setupSummedOverThreads: result.seconds.setup,
          sweepsSummedOverThreads: result.seconds.sweep,
          training: trainWall,
          trainingEpochs: trainSeconds,
          wall: wallSeconds,
        },
        backend,
        finishedAt: new Date().toISOString(),
      },
      null,
      2,
    )}\n`,
  );
  say(
    `time: probe ${result.seconds.total.toFixed(1)} s on ${result.seconds.jobs} thread${result.seconds.jobs === 1 ? '' : 's'} ` +
      `(summed over threads: first two layers ${result.seconds.setup.toFixed(1)} s, sweeps ${result.seconds.sweep.toFixed(1)} s)` +
      (trainWallMs > 0 ? `, training ${trainWall.toFixed(1)} s (epochs ${trainSeconds.toFixed(1)} s)` : '') +
      `, whole command ${wallSeconds.toFixed(1)} s`,
  );
  say(`results: ${outDir} (landscape.csv, landscape-summary.csv, landscape.svg/.png, landscape.json)`);
}
