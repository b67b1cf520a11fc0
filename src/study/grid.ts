/**
 * The study's grid: training groups and the cells judged in them.
 *
 * A *group* is one value of every axis (axes.ts: a batch size and an initialisation): its
 * networks share one learning-rate tuning sweep on the validation split and one sweep of judged
 * runs. A *cell* is a group under one arm: `tuned` (the validation split picks a learning rate
 * per activation) or `one-rate` (it picks one rate for both activations, as one hand-written
 * program would use). The two arms of a group share their tuning runs, and share judged runs
 * wherever they pick the same rate.
 *
 * Everything here is a pure function of the study config and the axes, so every shard and every
 * machine derives the same groups, ids and shard assignment.
 */
import { trainCost } from '../experiment/cost.js';
import { assignShards } from '../experiment/shard.js';
import { studyAxes, type GroupSetting, type StudyAxis } from './axes.js';
import { axisValues, type Arm, type StudyConfig } from './config.js';

export interface Group {
  /** Folder-safe id, the axes' parts joined: e.g. "b32-he", "b1-uniform-0.5", "bfull-xavier". */
  id: string;
  /** The group's value of each axis, by the axis's `ref` (e.g. batchSize: 32). */
  values: Readonly<Record<string, unknown>>;
  arms: Arm[];
}

export interface Cell {
  /** e.g. "b1-uniform-fan-in-one-rate". */
  id: string;
  group: Group;
  arm: Arm;
}

function groupOf(values: Record<string, unknown>, arms: readonly Arm[], axes: readonly StudyAxis[]): Group {
  return { id: axes.map((a) => `${a.idPrefix}${a.label(values[a.ref])}`).join('-'), values, arms: [...arms] };
}

/** Every group of the full grid (the product of the axes' values, the first axis varying slowest; all arms), in a fixed order. */
export function fullGrid(config: StudyConfig): Group[] {
  const axes = studyAxes();
  let products: Record<string, unknown>[] = [{}];
  for (const axis of axes) products = products.flatMap((p) => axisValues(config, axis).map((v) => ({ ...p, [axis.ref]: v })));
  return products.map((values) => groupOf(values, config.arms, axes));
}

/** The groups of `study --quick`: the config's `quick` list. */
export function quickGrid(config: StudyConfig): Group[] {
  const axes = studyAxes();
  return config.quick.map((g) => {
    const values: Record<string, unknown> = {};
    for (const axis of axes) {
      const found = axis.resolve(g[axis.ref], axisValues(config, axis), config);
      if ('issue' in found) throw new Error(`study: quick ${axis.ref} ${found.issue} (the schema should have caught this)`);
      values[axis.ref] = found.value;
    }
    return groupOf(values, g.arms, axes);
  });
}

export function cellsOf(groups: readonly Group[]): Cell[] {
  return groups.flatMap((group) => group.arms.map((arm) => ({ id: `${group.id}-${arm}`, group, arm })));
}

/** The group's value of each axis as a table shows it, in the axes' order. */
export function groupLabels(group: Group): { title: string; label: string }[] {
  return studyAxes().map((a) => ({ title: a.title, label: a.label(group.values[a.ref]) }));
}

/** What a group trains with: each axis's value applied in the axes' order to the study's data sizes. */
export function groupSetting(group: Group, config: StudyConfig): GroupSetting {
  let setting: Partial<GroupSetting> = {
    trainPerClass: config.trainPerClass,
    validationPerClass: config.validationPerClass,
    testPerClass: config.testPerClass,
  };
  for (const axis of studyAxes()) setting = { ...setting, ...axis.apply(group.values[axis.ref], config) };
  const { init, batchSize, epochs, engine, learningRates } = setting;
  if (init === undefined || batchSize === undefined || epochs === undefined || engine === undefined || learningRates === undefined) {
    throw new Error(
      `study: group ${group.id}: the axes set no ${Object.entries({ init, batchSize, epochs, engine, learningRates }).find(([, v]) => v === undefined)?.[0]}`,
    );
  }
  return { ...setting, init, batchSize, epochs, engine, learningRates } as GroupSetting;
}

/**
 * A group's estimated cost (src/experiment/cost.ts) for spreading groups over shards: every
 * network's runs, tuning and judged (before tuning, the worst case: no rate shared by the arms).
 */
function groupCost(group: Group, config: StudyConfig): number {
  const s = groupSetting(group, config);
  const runs = s.learningRates.length * config.tuningSeeds + config.seeds * group.arms.length;
  // Every group trains the same networks, so their widths scale every group alike and are left out.
  const perRun = trainCost({
    data: { trainPerClass: config.trainPerClass, color: 'gray' },
    hidden: [],
    epochs: s.epochs,
    batchSize: s.batchSize,
  });
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
