/**
 * The study's networks, and a network's run config under one group's training setting: what
 * the engine's tuned groups (src/experiment/tuned-groups.ts) train, built in memory.
 */
import path from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { runConfigUnder, type Network, type TrainingSetting, type TunedGroup } from '../experiment/tuned-groups.js';
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

/** A group's training setting: its initialisation and batch size, the batch size's epochs and engine, the study's data sizes. */
function settingOf(group: Group, study: StudyConfig): TrainingSetting {
  const per = study.perBatch[String(group.batchSize)];
  return {
    init: group.init,
    batchSize: batchSizeOf(group.batchSize, study.trainPerClass),
    epochs: per.epochs,
    engine: per.engine,
    trainPerClass: study.trainPerClass,
    validationPerClass: study.validationPerClass,
    testPerClass: study.testPerClass,
  };
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
    runConfig: (network, learningRate, name) =>
      runConfigUnder(
        network,
        settingOf(group, study),
        learningRate,
        name,
        `study group ${group.id}: ${network.name} at learning rate ${learningRate}`,
      ),
    probed,
  };
}
