/**
 * The run configs and sweep configs of one study group, written as ordinary files.
 *
 * A group trains through the reproduction's own sweep (resume, worker pool, progress), so the
 * study needs no runner of its own: it writes, into the group's folder, one run config per
 * (network, learning rate) and a reproduce config per phase (`tune.json`, `judged.json`). A
 * user can open any of them, or rerun one run by hand with `node dist/run.js --config ...`.
 */
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { loadConfigFile } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import type { StudyConfig } from './config.js';
import { batchSizeOf, type Group } from './grid.js';

/** Seeds of the tuning runs: far from the judged seeds, so the rate is never chosen on a judged run's start. */
const TUNING_FIRST_SEED = 1_000_001;

export interface Network {
  name: string;
  config: RunConfig;
  /**
   * The networks whose learning rate the tuned arm chooses together: the activation in the study
   * (one rate for all Sigmoid networks, one for all ReLU ones); `explain` uses its variants.
   */
  family: string;
}

/** Loads the study's networks (run configs beside the study file). */
export function loadNetworks(studyFile: string, config: StudyConfig): Network[] {
  const dir = path.dirname(studyFile);
  return config.networks.map((name) => {
    const loaded = loadConfigFile(path.join(dir, `${name}.json`));
    return { name, config: loaded, family: loaded.activation };
  });
}

/** The config name of a network trained at a rate, e.g. "sigmoid5-lr0.3". */
function runName(network: string, learningRate: number): string {
  return `${network}-lr${learningRate}`;
}

/** A network's run config under a group's settings at one learning rate (everything a run needs, spelled out). */
function groupRunConfig(network: Network, group: Group, learningRate: number, study: StudyConfig): Record<string, unknown> {
  const per = study.perBatch[String(group.batchSize)];
  const base = network.config;
  return {
    description: `study group ${group.id}: ${network.name} at learning rate ${learningRate}`,
    hidden: base.hidden,
    activation: base.activation,
    outputActivation: base.outputActivation,
    targets: base.targets,
    gradientNormalisation: base.gradientNormalisation,
    init: group.init.limit !== undefined ? { scheme: group.init.scheme, limit: group.init.limit } : { scheme: group.init.scheme },
    learningRate,
    momentum: 0,
    batchSize: batchSizeOf(group.batchSize, study.trainPerClass),
    epochs: per.epochs,
    engine: per.engine,
    backend: base.backend,
    recordGradients: false,
    data: {
      ...base.data,
      trainPerClass: study.trainPerClass,
      validationPerClass: study.validationPerClass,
      testPerClass: study.testPerClass,
    },
  };
}

/**
 * A reproduce config that trains `names` with `seeds` seeds from `firstSeed`, and probes the
 * trained networks of `probed` (the landscape and the author's explanation; none by default).
 */
function sweepConfig(
  names: readonly string[],
  seeds: number,
  firstSeed: number,
  jobs: number | 'auto',
  description: string,
  probed: readonly string[] = [],
): Record<string, unknown> {
  return {
    description,
    configs: names,
    seeds,
    firstSeed,
    jobs,
    gradients: { configs: [] },
    landscape: { configs: probed, allSeeds: true },
  };
}

async function writeJsonFile(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** Writes the tuning phase's configs; returns the reproduce config file. */
export async function writeTuningConfigs(
  dir: string,
  group: Group,
  networks: readonly Network[],
  study: StudyConfig,
  jobs: number | 'auto',
): Promise<string> {
  const rates = study.perBatch[String(group.batchSize)].learningRates;
  const names: string[] = [];
  for (const n of networks) {
    for (const lr of rates) {
      const name = runName(n.name, lr);
      names.push(name);
      await writeJsonFile(path.join(dir, `${name}.json`), groupRunConfig(n, group, lr, study));
    }
  }
  const file = path.join(dir, 'tune.json');
  await writeJsonFile(
    file,
    sweepConfig(names, study.tuningSeeds, TUNING_FIRST_SEED, jobs, `study group ${group.id}: learning-rate tuning on the validation split`),
  );
  return file;
}

/** Writes the judged phase's configs for the (network, rate) pairs the arms chose; returns the reproduce config file. */
export async function writeJudgedConfigs(
  dir: string,
  group: Group,
  networks: readonly Network[],
  ratesOf: (network: Network) => number[],
  study: StudyConfig,
  jobs: number | 'auto',
  probedNetworks: readonly string[] = [],
): Promise<string> {
  const names: string[] = [];
  const probed: string[] = [];
  for (const n of networks) {
    for (const lr of ratesOf(n)) {
      const name = runName(n.name, lr);
      if (names.includes(name)) continue;
      names.push(name);
      if (probedNetworks.includes(n.name)) probed.push(name);
      await writeJsonFile(path.join(dir, `${name}.json`), groupRunConfig(n, group, lr, study));
    }
  }
  const file = path.join(dir, 'judged.json');
  await writeJsonFile(file, sweepConfig(names, study.seeds, study.firstSeed, jobs, `study group ${group.id}: the judged runs`, probed));
  return file;
}
