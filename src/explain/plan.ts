/**
 * The explain experiment as a plan: each variant is one tuned group of the engine
 * (src/experiment/tuned-groups.ts: the config's batch size and initialisation, the `tuned` arm),
 * whose networks are the variant at every depth, in a folder of its own (variants/<variant>).
 * The engine does everything (tuning on the validation split, judged seeds, resume, the worker
 * pool), and the learning rate is chosen per variant (the network's `family` is the variant)
 * from the one grid every variant shares.
 *
 * A variant is also the unit of `--shard`, split by the engine's cost-balanced rule.
 */
import path from 'node:path';
import { childPath } from '../util/paths.js';
import { RunConfigSchema, type RunConfig } from '../config/schema.js';
import { parseConfig } from '../config/load.js';
import { readGroupRecord, runConfigUnder, type FolderIdentity, type Network, type TunedGroup } from '../experiment/tuned-groups.js';
import { assignShards, type Shard } from '../experiment/shard.js';
import { trainCost } from '../experiment/cost.js';
import { VARIANTS, type ExplainConfig, type VariantDefinition, type VariantName } from './config.js';

export interface VariantPlan {
  variant: VariantName;
  /** The variant's folder (`variants/<variant>` under --out). */
  outDir: string;
  /**
   * The variant's folder identity: its definition and one training setting, in the shape of a
   * study config of one group (the `study` command can read the folder, and folders written
   * before keep resuming).
   */
  config: VariantIdentity;
  networks: Network[];
  /** The variant's one group, as the engine runs it. */
  groups: TunedGroup[];
  /** The groups complete in the variant's folder. */
  done: Set<string>;
}

/** A network's name: the variant and its depth, e.g. "relu-scaled7" (beside the reproduction's "sigmoid7"). */
function networkName(variant: VariantName, layers: number): string {
  return `${variant}${layers}`;
}

function variantDir(outDir: string, variant: VariantName): string {
  return childPath(path.join(outDir, 'variants'), variant);
}

/** The variant at every depth of the config: the first `layers - 2` hidden widths, the variant's activation and training changes. */
function variantNetworks(config: ExplainConfig, variant: VariantName): Network[] {
  const v = VARIANTS[variant];
  return config.layers.map((layers) => {
    const name = networkName(variant, layers);
    const runConfig: RunConfig = {
      ...RunConfigSchema.parse({
        hidden: config.hidden.slice(0, layers - 2),
        activation: v.activation,
        targets: 'targets' in v ? v.targets : undefined,
        gradientNormalisation: 'gradientNormalisation' in v ? v.gradientNormalisation : undefined,
        backend: config.backend,
        batchSize: Math.min(config.batchSize, 2 * config.trainPerClass),
        data: { trainPerClass: config.trainPerClass, validationPerClass: config.validationPerClass, testPerClass: config.testPerClass },
      }),
      name,
    };
    return { name, config: runConfig, family: variant };
  });
}

/** A variant's folder identity (see VariantPlan.config). */
type VariantIdentity = ReturnType<typeof variantIdentity>;

function variantIdentity(config: ExplainConfig, variant: VariantName, networks: readonly Network[]) {
  return {
    // A folder trained with another definition or other widths is refused.
    description: `explain variant ${variant}: ${JSON.stringify(VARIANTS[variant])}; hidden ${config.hidden.join(',')}; backend ${config.backend}`,
    networks: networks.map((n) => n.name),
    seeds: config.seeds,
    firstSeed: config.firstSeed,
    tuningSeeds: config.tuningSeeds,
    batchSizes: [config.batchSize],
    inits: [{ name: config.init.name, scheme: config.init.scheme }],
    perBatch: { [String(config.batchSize)]: { epochs: config.epochs, learningRates: config.learningRates, engine: config.engine } },
    arms: ['tuned' as const],
    quick: [{ batchSize: config.batchSize, init: config.init.name, arms: ['tuned' as const] }],
    trainPerClass: config.trainPerClass,
    validationPerClass: config.validationPerClass,
    testPerClass: config.testPerClass,
    // Present only when set, so a folder of a config without them keeps its identity.
    ...(config.stopping !== undefined ? { stopping: config.stopping } : {}),
    ...('weightScale' in VARIANTS[variant] ? { weightScale: VARIANTS[variant].weightScale } : {}),
    ...(config.probe === false ? { probe: false } : {}),
  };
}

/**
 * A run config with what the engine's training setting does not carry: the variant's scale on the
 * drawn weights and the config's stopping rule. Each is added only when set, so the run configs
 * (and the jobs' fingerprints) of a config without them are exactly the engine's.
 */
function withVariantTraining(base: RunConfig, config: ExplainConfig, variant: VariantName): RunConfig {
  const v: VariantDefinition = VARIANTS[variant];
  if (v.weightScale === undefined && config.stopping === undefined) return base;
  return parseConfig(
    {
      ...base,
      init: v.weightScale !== undefined ? { ...base.init, weightScale: v.weightScale } : base.init,
      ...(config.stopping !== undefined ? { stopping: config.stopping } : {}),
    },
    base.description ?? base.name,
    base.name,
  );
}

/** One variant as the engine runs it: a group (the config's batch size and initialisation, the tuned arm) of its networks. */
export function variantStudyPlan(config: ExplainConfig, variant: VariantName, outDir: string): VariantPlan {
  const networks = variantNetworks(config, variant);
  const id = `b${config.batchSize}-${config.init.name}`;
  const setting = {
    init: { scheme: config.init.scheme },
    batchSize: Math.min(config.batchSize, 2 * config.trainPerClass),
    epochs: config.epochs,
    engine: config.engine,
    trainPerClass: config.trainPerClass,
    validationPerClass: config.validationPerClass,
    testPerClass: config.testPerClass,
  };
  const group: TunedGroup = {
    id,
    arms: ['tuned'],
    networks,
    learningRates: config.learningRates,
    tuningSeeds: config.tuningSeeds,
    seeds: config.seeds,
    firstSeed: config.firstSeed,
    runConfig: (network, learningRate, name) =>
      withVariantTraining(
        runConfigUnder(network, setting, learningRate, name, `study group ${id}: ${network.name} at learning rate ${learningRate}`),
        config,
        variant,
      ),
    // The deepest network's judged runs are probed (unless the config says not): its landscape and the author's explanation measured on it.
    probed: config.probe === false ? [] : [networkName(variant, Math.max(...config.layers))],
  };
  const dir = variantDir(outDir, variant);
  const done = new Set(readGroupRecord(dir, id) !== null ? [id] : []);
  return { variant, outDir: dir, config: variantIdentity(config, variant, networks), networks, groups: [group], done };
}

/** A variant folder's identity (its study.json): the variant's setting, so a folder trained with another definition is refused. */
export function variantFolderIdentity(configFile: string, v: VariantPlan): FolderIdentity {
  return { configFile: path.resolve(configFile), quick: true, config: v.config, shard: '1/1' };
}

/** The variants shard k of n runs (the engine's cost-balanced rule; variants of one config cost alike, so every n-th from the k-th). */
export function variantsOfShard(config: ExplainConfig, shard: Shard): VariantName[] {
  const perVariant = config.layers.reduce(
    (sum, layers) =>
      sum +
      trainCost({
        data: { trainPerClass: config.trainPerClass, color: 'gray' },
        hidden: config.hidden.slice(0, layers - 2),
        epochs: config.epochs,
        batchSize: config.batchSize,
      }),
    0,
  );
  const owner = assignShards(
    config.variants.map((v) => ({ id: v, cost: perVariant })),
    shard.count,
  );
  return config.variants.filter((v) => owner.get(v) === shard.index);
}
