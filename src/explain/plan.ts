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
import { parseStudyConfig } from '../study/config.js';
import { quickGrid } from '../study/grid.js';
import { tunedGroupOf } from '../study/group-configs.js';
import type { Group } from '../study/grid.js';
import type { StudyConfig } from '../study/config.js';
import { readGroupRecord, type Network, type TunedGroup } from '../experiment/tuned-groups.js';
import { assignShards, type Shard } from '../experiment/shard.js';
import { trainCost } from '../experiment/cost.js';
import { VARIANTS, type ExplainConfig, type VariantName } from './config.js';

export interface VariantPlan {
  variant: VariantName;
  /** The variant's folder (`variants/<variant>` under --out). */
  outDir: string;
  /** The variant's one training setting, validated by the study's schema (and the folder's identity). */
  config: StudyConfig;
  networks: Network[];
  /** The variant's one group, as settings and as the engine runs it. */
  groups: Group[];
  tuned: TunedGroup[];
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

/** The study of one variant: its networks and the config's one training setting, validated by the study's own schema. */
export function variantStudyPlan(config: ExplainConfig, configFile: string, variant: VariantName, outDir: string): VariantPlan {
  const networks = variantNetworks(config, variant);
  const batch = String(config.batchSize);
  const studyConfig = parseStudyConfig(
    {
      // Part of the study folder's identity: a folder trained with another definition or other widths is refused.
      description: `explain variant ${variant}: ${JSON.stringify(VARIANTS[variant])}; hidden ${config.hidden.join(',')}; backend ${config.backend}`,
      networks: networks.map((n) => n.name),
      seeds: config.seeds,
      firstSeed: config.firstSeed,
      tuningSeeds: config.tuningSeeds,
      batchSizes: [config.batchSize],
      inits: [{ name: config.init.name, scheme: config.init.scheme }],
      perBatch: { [batch]: { epochs: config.epochs, learningRates: config.learningRates, engine: config.engine } },
      arms: ['tuned'],
      quick: [{ batchSize: config.batchSize, init: config.init.name, arms: ['tuned'] }],
      trainPerClass: config.trainPerClass,
      validationPerClass: config.validationPerClass,
      testPerClass: config.testPerClass,
    },
    configFile,
  );
  const groups = quickGrid(studyConfig);
  const dir = variantDir(outDir, variant);
  const done = new Set(groups.filter((g) => readGroupRecord(dir, g.id) !== null).map((g) => g.id));
  // The deepest network's judged runs are probed: its landscape and the author's explanation measured on it.
  const probed = [networkName(variant, Math.max(...config.layers))];
  const tuned = groups.map((g) => tunedGroupOf(g, networks, studyConfig, probed));
  return { variant, outDir: dir, config: studyConfig, networks, groups, tuned, done };
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
