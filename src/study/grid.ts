/**
 * The study's grid: training groups and the cells judged in them.
 *
 * A *group* is one (batch size, initialisation): its networks share one learning-rate tuning
 * sweep on the validation split and one sweep of judged runs. A *cell* is a group under one
 * arm: `tuned` (the validation split picks a learning rate per activation) or `one-rate` (it
 * picks one rate for both activations, as one hand-written program would use). The two arms
 * of a group share their tuning runs, and share judged runs wherever they pick the same rate.
 *
 * Everything here is a pure function of the study config, so every shard and every machine
 * derives the same groups, ids and shard assignment.
 */
import { trainCost } from '../experiment/cost.js';
import { assignShards } from '../experiment/shard.js';
import type { Arm, BatchSize, InitChoice, StudyConfig } from './config.js';

export interface Group {
  /** Folder-safe id, e.g. "b32-he", "b1-uniform-0.5", "bfull-xavier". */
  id: string;
  batchSize: BatchSize;
  init: InitChoice;
  arms: Arm[];
}

export interface Cell {
  /** e.g. "b1-uniform-fan-in-one-rate". */
  id: string;
  group: Group;
  arm: Arm;
}

function groupId(batchSize: BatchSize, initName: string): string {
  return `b${batchSize}-${initName}`;
}

function initByName(config: StudyConfig, name: string): InitChoice {
  const init = config.inits.find((i) => i.name === name);
  if (!init) throw new Error(`study: init "${name}" is not in the config (the schema should have caught this)`);
  return init;
}

/** Every group of the full grid (batch sizes x inits, all arms), in a fixed order. */
export function fullGrid(config: StudyConfig): Group[] {
  return config.batchSizes.flatMap((batchSize) =>
    config.inits.map((init) => ({ id: groupId(batchSize, init.name), batchSize, init, arms: [...config.arms] })),
  );
}

/** The groups of `study --quick`: the config's `quick` list. */
export function quickGrid(config: StudyConfig): Group[] {
  return config.quick.map((g) => ({
    id: groupId(g.batchSize, g.init),
    batchSize: g.batchSize,
    init: initByName(config, g.init),
    arms: [...g.arms],
  }));
}

export function cellsOf(groups: readonly Group[]): Cell[] {
  return groups.flatMap((group) => group.arms.map((arm) => ({ id: `${group.id}-${arm}`, group, arm })));
}

/** The numeric batch size of a group ("full" = the whole training set of both classes). */
export function batchSizeOf(batchSize: BatchSize, trainPerClass: number): number {
  return batchSize === 'full' ? 2 * trainPerClass : Math.min(batchSize, 2 * trainPerClass);
}

/**
 * A group's estimated cost (src/experiment/cost.ts) for spreading groups over shards: every
 * network's runs, tuning and judged (before tuning, the worst case: no rate shared by the arms).
 */
function groupCost(group: Group, config: StudyConfig): number {
  const per = config.perBatch[String(group.batchSize)];
  const runs = per.learningRates.length * config.tuningSeeds + config.seeds * group.arms.length;
  const batchSize = batchSizeOf(group.batchSize, config.trainPerClass);
  // Every group trains the same networks, so their widths scale every group alike and are left out.
  const perRun = trainCost({ data: { trainPerClass: config.trainPerClass, color: 'gray' }, hidden: [], epochs: per.epochs, batchSize });
  return runs * perRun * config.networks.length;
}

/**
 * Which groups shard k of n runs (the engine's rule, src/experiment/shard.ts), whole groups
 * only, because a group's judged runs need its tuning.
 */
export function groupsOfShard(groups: readonly Group[], config: StudyConfig, index: number, count: number): Group[] {
  const owner = assignShards(
    groups.map((g) => ({ id: g.id, cost: groupCost(g, config) })),
    count,
  );
  return groups.filter((g) => owner.get(g.id) === index);
}
