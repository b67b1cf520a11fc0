/**
 * The study's networks, and a network's run config under one group's training setting: what
 * the engine's tuned groups (src/experiment/tuned-groups.ts) train, built in memory.
 */
import path from 'node:path';
import { applyOverrides, loadConfigFile, parseConfig } from '../config/load.js';
import type { RunConfig } from '../config/schema.js';
import type { Network, TunedGroup } from '../experiment/tuned-groups.js';
import type { StudyConfig } from './config.js';
import { batchSizeOf, type Group } from './grid.js';

/** Loads the study's networks (run configs beside the study file). */
export function loadNetworks(studyFile: string, config: StudyConfig): Network[] {
  const dir = path.dirname(studyFile);
  return config.networks.map((name) => {
    const loaded = loadConfigFile(path.join(dir, `${name}.json`));
    return { name, config: loaded, family: loaded.activation };
  });
}

/** A network's run config under a group's settings at one learning rate (everything a run needs, spelled out). */
function groupRunConfig(network: Network, group: Group, learningRate: number, study: StudyConfig, name: string): RunConfig {
  const per = study.perBatch[String(group.batchSize)];
  const base = network.config;
  const raw = {
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
  // Checked by the run config's schema (defaults filled in) like a config file.
  return applyOverrides(parseConfig(raw, `study group ${group.id}: ${name}`, name), {});
}

/** A group of the grid as the engine runs it: the study's networks, the group's rates and seeds. */
export function tunedGroupOf(group: Group, networks: readonly Network[], study: StudyConfig, probed: readonly string[] = []): TunedGroup {
  return {
    id: group.id,
    arms: group.arms,
    networks,
    learningRates: study.perBatch[String(group.batchSize)].learningRates,
    tuningSeeds: study.tuningSeeds,
    seeds: study.seeds,
    firstSeed: study.firstSeed,
    runConfig: (network, learningRate, name) => groupRunConfig(network, group, learningRate, study, name),
    probed,
  };
}
