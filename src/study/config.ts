/**
 * configs/study.json: the claims x settings study, validated with zod like every other file.
 *
 * The article names no learning rate, batch size, initialisation or epoch count, so the study
 * trains the article's ten networks under a grid of those settings and judges every claim under
 * each. The file names:
 * - `networks`: the run configs (JSON files beside this one) that give each network's shape,
 *   activation and data; the study overrides their training settings;
 * - the grid: the values of every axis (axes.ts: batch sizes, initialisations), and per batch
 *   size the epochs and the learning-rate grid that the validation split chooses from (one grid
 *   shared by both activations);
 * - the arms: `tuned` (a learning rate per activation) and `one-rate` (one rate for both, as one
 *   hand-written program would use);
 * - `quick`: the few groups `study --quick` runs (the era cell beside the current defaults), each
 *   naming a value of every axis.
 *
 * The schema is built from the axes' list (axes.ts) when a config is read, so an axis's values
 * and references are checked by its own entry there.
 */
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { parseJsonText, readTextFile } from '../util/json.js';
import { describeIssue } from '../config/load.js';
import { ENGINE_CHOICES, MAX_SEED } from '../config/schema.js';
import { SafeName, studyAxes, type StudyAxis } from './axes.js';

/** Settings that depend on the batch size (keys: "1", "32", "full", ...). */
const PerBatchSchema = z.strictObject({
  epochs: z.number().int().min(1).max(100000),
  /** Learning rates the validation split chooses from, for both activations alike. */
  learningRates: z.array(z.number().positive().max(1000)).min(1).max(20),
  /** Which engine trains at this batch size (same numbers either way, within float32 rounding). */
  engine: z.enum(ENGINE_CHOICES).default('tfjs'),
});

const ArmSchema = z.enum(['tuned', 'one-rate']);

/** The fields before the axes' lists (the order of study.json's keys, which a resumed folder compares). */
const LEADING = {
  description: z.string().optional(),
  /** Run configs by name (JSON files beside this file): the networks every setting trains. */
  networks: z.array(SafeName).min(2),
  /** Seeds of the judged runs: firstSeed, firstSeed + 1, ... */
  seeds: z.number().int().min(2).max(1000),
  firstSeed: z.number().int().min(0).max(MAX_SEED).default(1),
  /** Seeds of each learning-rate tuning run (its own seeds, after the judged ones, so choosing never sees them). */
  tuningSeeds: z.number().int().min(1).max(20).default(1),
};

/** The fields after them; `quick` is built from the axes. */
const TRAILING = {
  perBatch: z.record(z.string(), PerBatchSchema),
  arms: z.array(ArmSchema).min(1).default(['tuned', 'one-rate']),
  /** Images per class; defaults are the article's. Validation images come after the training ones. */
  trainPerClass: z.number().int().min(1).max(4500).default(2000),
  validationPerClass: z.number().int().min(1).max(3000).default(500),
  testPerClass: z.number().int().min(1).max(1000).default(200),
};

/** A group of `quick`: a value of every axis, and the arms judged in it. */
type GroupRef = { arms: Arm[] } & Record<string, unknown>;

type Fixed = z.output<z.ZodObject<typeof LEADING & typeof TRAILING>>;

/** A checked study config; each axis's list is under the axis's `list` key (read it with `axisValues`). */
export type StudyConfig = Fixed & { quick: GroupRef[] };

/** The values of `axis` in a checked config. */
export function axisValues(config: StudyConfig, axis: StudyAxis): readonly unknown[] {
  return (config as unknown as Record<string, unknown[]>)[axis.list];
}

function studySchema(axes: readonly StudyAxis[]) {
  const lists = Object.fromEntries(axes.map((a) => [a.list, z.array(a.value).min(1)]));
  const refs = Object.fromEntries(axes.map((a) => [a.ref, a.refValue]));
  const { perBatch, arms, ...rest } = TRAILING;
  return z
    .strictObject({
      ...LEADING,
      ...lists,
      perBatch,
      arms,
      quick: z.array(z.strictObject({ ...refs, arms: z.array(ArmSchema).min(1) })).min(1),
      ...rest,
    })
    .superRefine((raw, ctx) => {
      const c = raw as unknown as StudyConfig;
      const twice = <T>(list: readonly T[]): T | undefined => list.find((x, i) => list.indexOf(x) !== i);
      const network = twice(c.networks);
      if (network !== undefined) ctx.addIssue({ code: 'custom', path: ['networks'], message: `"${network}" is listed twice` });
      if (c.firstSeed + c.seeds - 1 > MAX_SEED) {
        ctx.addIssue({
          code: 'custom',
          path: ['firstSeed'],
          message: `the last judged seed, firstSeed + seeds - 1 = ${c.firstSeed + c.seeds - 1}, exceeds the largest seed ${MAX_SEED}`,
        });
      }
      for (const axis of axes) {
        for (const issue of axis.check(axisValues(c, axis), c))
          ctx.addIssue({ code: 'custom', path: [axis.list, ...issue.path], message: issue.message });
      }
      c.quick.forEach((g, i) => {
        for (const axis of axes) {
          const found = axis.resolve(g[axis.ref], axisValues(c, axis), c);
          if ('issue' in found) ctx.addIssue({ code: 'custom', path: ['quick', i, axis.ref], message: found.issue });
        }
      });
      if (c.trainPerClass + c.validationPerClass > 5000)
        ctx.addIssue({
          code: 'custom',
          path: ['validationPerClass'],
          message: 'training plus validation images exceed the 5,000 per class',
        });
    });
}

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
  const result = studySchema(studyAxes()).safeParse(merged);
  if (!result.success) throw new UsageError(describeIssue(source, result.error));
  const config = result.data as unknown as StudyConfig;
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
