/**
 * configs/study.json: the claims x settings study, validated with zod like every other file.
 *
 * The article names no learning rate, batch size, initialisation or epoch count, so the study
 * trains the article's ten networks under a grid of those settings and judges every claim under
 * each. The file names:
 * - `networks`: the run configs (JSON files beside this one) that give each network's shape,
 *   activation and data; the study overrides their training settings;
 * - the grid: batch sizes, initialisations, and per batch size the epochs and the learning-rate
 *   grid that the validation split chooses from (one grid shared by both activations);
 * - the arms: `tuned` (a learning rate per activation) and `one-rate` (one rate for both, as one
 *   hand-written program would use);
 * - `quick`: the few groups `study --quick` runs (the era cell beside the current defaults).
 */
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { parseJsonText, readTextFile } from '../util/json.js';
import { describeIssue } from '../config/load.js';
import { ENGINE_CHOICES, MAX_SEED } from '../config/schema.js';
import { NAME_MAX_LENGTH, NAME_PATTERN, NAME_RULE } from '../util/paths.js';

/** A name that becomes part of a folder name: the project's one naming rule (src/util/paths.ts). */
const SafeName = z.string().max(NAME_MAX_LENGTH).regex(NAME_PATTERN, `expected ${NAME_RULE}`);

/** How initial weights are drawn: a scheme of the run config, and for `uniform` an optional fixed limit. */
const InitChoiceSchema = z.strictObject({
  /** The label used in folder names, tables and charts, e.g. "uniform-0.5". */
  name: SafeName,
  scheme: z.enum(['uniform', 'xavier', 'he']),
  /** For `uniform`: draw from U(-limit, +limit) instead of U(-1/sqrt(fan_in), +1/sqrt(fan_in)). */
  limit: z.number().positive().max(10).optional(),
});

/** A batch size, or "full" for the whole training set (full-batch gradient descent). */
const BatchSizeSchema = z.union([z.number().int().min(1).max(100000), z.literal('full')]);

/** Settings that depend on the batch size (keys: "1", "32", "full", ...). */
const PerBatchSchema = z.strictObject({
  epochs: z.number().int().min(1).max(100000),
  /** Learning rates the validation split chooses from, for both activations alike. */
  learningRates: z.array(z.number().positive().max(1000)).min(1).max(20),
  /** Which engine trains at this batch size (same numbers either way, within float32 rounding). */
  engine: z.enum(ENGINE_CHOICES).default('tfjs'),
});

const ArmSchema = z.enum(['tuned', 'one-rate']);

const GroupRefSchema = z.strictObject({
  batchSize: BatchSizeSchema,
  init: SafeName,
  arms: z.array(ArmSchema).min(1),
});

const StudyConfigSchema = z
  .strictObject({
    description: z.string().optional(),
    /** Run configs by name (JSON files beside this file): the networks every setting trains. */
    networks: z.array(SafeName).min(2),
    /** Seeds of the judged runs: firstSeed, firstSeed + 1, ... */
    seeds: z.number().int().min(2).max(1000),
    firstSeed: z.number().int().min(0).max(MAX_SEED).default(1),
    /** Seeds of each learning-rate tuning run (its own seeds, after the judged ones, so choosing never sees them). */
    tuningSeeds: z.number().int().min(1).max(20).default(1),
    batchSizes: z.array(BatchSizeSchema).min(1),
    inits: z.array(InitChoiceSchema).min(1),
    perBatch: z.record(z.string(), PerBatchSchema),
    arms: z.array(ArmSchema).min(1).default(['tuned', 'one-rate']),
    quick: z.array(GroupRefSchema).min(1),
    /** Images per class; defaults are the article's. Validation images come after the training ones. */
    trainPerClass: z.number().int().min(1).max(4500).default(2000),
    validationPerClass: z.number().int().min(1).max(3000).default(500),
    testPerClass: z.number().int().min(1).max(1000).default(200),
  })
  .superRefine((c, ctx) => {
    const inits = new Set(c.inits.map((i) => i.name));
    if (inits.size !== c.inits.length) ctx.addIssue({ code: 'custom', path: ['inits'], message: 'init names must be unique' });
    const twice = <T>(list: readonly T[]): T | undefined => list.find((x, i) => list.indexOf(x) !== i);
    const network = twice(c.networks);
    if (network !== undefined) ctx.addIssue({ code: 'custom', path: ['networks'], message: `"${network}" is listed twice` });
    const batch = twice(c.batchSizes.map(String));
    if (batch !== undefined) ctx.addIssue({ code: 'custom', path: ['batchSizes'], message: `${batch} is listed twice` });
    if (c.firstSeed + c.seeds - 1 > MAX_SEED) {
      ctx.addIssue({
        code: 'custom',
        path: ['firstSeed'],
        message: `the last judged seed, firstSeed + seeds - 1 = ${c.firstSeed + c.seeds - 1}, exceeds the largest seed ${MAX_SEED}`,
      });
    }
    const keys = new Set(Object.keys(c.perBatch));
    c.batchSizes.forEach((b, i) => {
      if (!keys.has(String(b))) ctx.addIssue({ code: 'custom', path: ['batchSizes', i], message: `has no entry "${b}" in "perBatch"` });
    });
    c.quick.forEach((g, i) => {
      if (!keys.has(String(g.batchSize)))
        ctx.addIssue({ code: 'custom', path: ['quick', i, 'batchSize'], message: `has no entry "${g.batchSize}" in "perBatch"` });
      if (!inits.has(g.init)) ctx.addIssue({ code: 'custom', path: ['quick', i, 'init'], message: `"${g.init}" is not one of "inits"` });
    });
    c.inits.forEach((init, i) => {
      if (init.limit !== undefined && init.scheme !== 'uniform')
        ctx.addIssue({ code: 'custom', path: ['inits', i, 'limit'], message: 'only the "uniform" scheme takes a limit' });
    });
    if (c.trainPerClass + c.validationPerClass > 5000)
      ctx.addIssue({ code: 'custom', path: ['validationPerClass'], message: 'training plus validation images exceed the 5,000 per class' });
  });

export type StudyConfig = z.output<typeof StudyConfigSchema>;
export type InitChoice = z.output<typeof InitChoiceSchema>;
export type BatchSize = z.output<typeof BatchSizeSchema>;
export type Arm = z.output<typeof ArmSchema>;

/** Command-line flags that shrink or reshape a study (a smoke run of minutes). */
export interface StudyOverrides {
  seeds?: number;
  epochs?: number;
  trainPerClass?: number;
  testPerClass?: number;
  validationPerClass?: number;
}

export function parseStudyConfig(raw: unknown, source: string, overrides: StudyOverrides = {}): StudyConfig {
  const merged = typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...raw, ...definedOnly(overrides) } : raw;
  const result = StudyConfigSchema.safeParse(merged);
  if (!result.success) throw new UsageError(describeIssue(source, result.error));
  const config = result.data;
  if (overrides.epochs !== undefined) {
    for (const key of Object.keys(config.perBatch)) config.perBatch[key] = { ...config.perBatch[key], epochs: overrides.epochs };
  }
  return config;
}

/** The overrides that are set, without `epochs` (which applies inside perBatch). */
function definedOnly(o: StudyOverrides): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && k !== 'epochs') out[k] = v;
  return out;
}

export function loadStudyConfig(file: string, overrides: StudyOverrides = {}): StudyConfig {
  return parseStudyConfig(parseJsonText(readTextFile(file, 'study config'), file), file, overrides);
}
