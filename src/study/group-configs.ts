/**
 * The study's networks, and a network's run config under one group's training setting (its
 * axes' values applied, grid.ts groupSetting): what the engine's tuned groups
 * (src/experiment/tuned-groups.ts) train, built in memory.
 */
import path from 'node:path';
import { loadConfigFile } from '../config/load.js';
import { runConfigUnder, type Network, type TunedGroup } from '../experiment/tuned-groups.js';
import type { StudyConfig } from './config.js';
import { groupSetting, type Group } from './grid.js';

/** Loads the study's networks (run configs beside the study file). */
export function loadNetworks(studyFile: string, config: StudyConfig): Network[] {
  const dir = path.dirname(studyFile);
  return config.networks.map((name) => {
    const loaded = loadConfigFile(path.join(dir, `${name}.json`));
    return { name, config: loaded, family: loaded.activation };
  });
}

/** A group of the grid as the engine runs it: the study's networks, the group's rates and seeds. */
export function tunedGroupOf(group: Group, networks: readonly Network[], study: StudyConfig, probed: readonly string[] = []): TunedGroup {
  const { learningRates, ...setting } = groupSetting(group, study);
  return {
    id: group.id,
    arms: group.arms,
    networks,
    learningRates,
    tuningSeeds: study.tuningSeeds,
    seeds: study.seeds,
    firstSeed: study.firstSeed,
    runConfig: (network, learningRate, name) =>
      runConfigUnder(network, setting, learningRate, name, `study group ${group.id}: ${network.name} at learning rate ${learningRate}`),
    probed,
  };
}
