/**
 * The study's axes: the settings the article leaves open that the study varies. Each axis is one
 * entry of `STUDY_AXES`, holding everything about it: the config's list of its values (and the
 * schema of one value), how a group of `quick` names a value, the checks of its values against
 * the rest of the config, its part of a group's id, and what a value sets in the group's training.
 * The config's schema (config.ts), the grid (grid.ts: the product of the axes, in this order),
 * the run configs (group-configs.ts) and the report's table of cells read this list; none names
 * an axis. docs/architecture.md, "Add a study axis", says how to add one.
 */
import { z } from 'zod';
import type { TrainingSetting } from '../experiment/tuned-groups.js';
import { NAME_MAX_LENGTH, NAME_PATTERN, NAME_RULE } from '../util/paths.js';

/** A name that becomes part of a folder name: the project's one naming rule (src/util/paths.ts). */
export const SafeName = z.string().max(NAME_MAX_LENGTH).regex(NAME_PATTERN, `expected ${NAME_RULE}`);

/** The study config's fields an axis may read beside its own list (config.ts checks them first). */
interface StudyBase {
  /** Settings that depend on the batch size (keys: "1", "32", "full", ...). */
  perBatch: Record<string, { epochs: number; learningRates: number[]; engine: TrainingSetting['engine'] }>;
  trainPerClass: number;
  validationPerClass: number;
  testPerClass: number;
}

/** What a group trains with: the engine's training setting, and the rates the validation split chooses from. */
export interface GroupSetting extends TrainingSetting {
  learningRates: readonly number[];
}

/** A problem with a config's values of one axis: where (below the config) and what. */
interface AxisIssue {
  path: (string | number)[];
  message: string;
}

/** One axis, with values of type V as the config lists them and references R as `quick` writes them. */
export interface StudyAxisOf<V, R> {
  /** The config's list of the values, e.g. "batchSizes". */
  list: string;
  /** The key by which a group of `quick` names its value, e.g. "batchSize". */
  ref: string;
  /** The heading of the axis's column in study.md's table of cells. */
  title: string;
  /** One value of the list. */
  value: z.ZodType<V>;
  /** A group of `quick`'s reference to a value (the value itself, or its name). */
  refValue: z.ZodType<R>;
  /** The value a reference of `quick` names, or why it names none. */
  resolve(ref: R, values: readonly V[], config: StudyBase): { value: V } | { issue: string };
  /** Issues with the list itself or against the rest of the config, paths below the list. */
  check(values: readonly V[], config: StudyBase): AxisIssue[];
  /** The value as a table shows it, and (prefixed by `idPrefix`) its part of the group's id. */
  label(value: V): string;
  /** Put before the label in the group id, e.g. "b" for "b32"; the id joins the parts with "-". */
  idPrefix: string;
  /** What the value sets in its group's training (applied in the axes' order). */
  apply(value: V, config: StudyBase): Partial<GroupSetting>;
}

/** Any axis (the list holds axes of different value types; methods take their own values back). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type StudyAxis = StudyAxisOf<any, any>;

const twice = <T>(list: readonly T[]): T | undefined => list.find((x, i) => list.indexOf(x) !== i);

/** A batch size, or "full" for the whole training set (full-batch gradient descent). */
const BatchSizeSchema = z.union([z.number().int().min(1).max(100000), z.literal('full')]);
type BatchSize = z.output<typeof BatchSizeSchema>;

/** The numeric batch size of a group ("full" = the whole training set of both classes). */
function batchSizeOf(batchSize: BatchSize, trainPerClass: number): number {
  return batchSize === 'full' ? 2 * trainPerClass : Math.min(batchSize, 2 * trainPerClass);
}

/** Batch size: sets the batch, and through `perBatch` the epochs, the engine and the learning-rate grid. */
const BATCH_SIZE: StudyAxisOf<BatchSize, BatchSize> = {
  list: 'batchSizes',
  ref: 'batchSize',
  title: 'batch',
  value: BatchSizeSchema,
  refValue: BatchSizeSchema,
  resolve: (ref, _values, config) =>
    Object.hasOwn(config.perBatch, String(ref)) ? { value: ref } : { issue: `has no entry "${ref}" in "perBatch"` },
  check: (values, config) => {
    const issues: AxisIssue[] = [];
    const again = twice(values.map(String));
    if (again !== undefined) issues.push({ path: [], message: `${again} is listed twice` });
    values.forEach((b, i) => {
      if (!Object.hasOwn(config.perBatch, String(b))) issues.push({ path: [i], message: `has no entry "${b}" in "perBatch"` });
    });
    return issues;
  },
  label: (b) => String(b),
  idPrefix: 'b',
  apply: (b, config) => {
    const per = config.perBatch[String(b)];
    return { batchSize: batchSizeOf(b, config.trainPerClass), epochs: per.epochs, engine: per.engine, learningRates: per.learningRates };
  },
};

/** How initial weights are drawn: a scheme of the run config, and for `uniform` an optional fixed limit. */
const InitChoiceSchema = z.strictObject({
  /** The label used in folder names, tables and charts, e.g. "uniform-0.5". */
  name: SafeName,
  scheme: z.enum(['uniform', 'xavier', 'he']),
  /** For `uniform`: draw from U(-limit, +limit) instead of U(-1/sqrt(fan_in), +1/sqrt(fan_in)). */
  limit: z.number().positive().max(10).optional(),
});
type InitChoice = z.output<typeof InitChoiceSchema>;

/** Initialisation: a named scheme (and limit) for every layer. */
const INIT: StudyAxisOf<InitChoice, string> = {
  list: 'inits',
  ref: 'init',
  title: 'init',
  value: InitChoiceSchema,
  refValue: SafeName,
  resolve: (ref, values) => {
    const init = values.find((i) => i.name === ref);
    return init ? { value: init } : { issue: `"${ref}" is not one of "inits"` };
  },
  check: (values) => {
    const issues: AxisIssue[] = [];
    if (new Set(values.map((i) => i.name)).size !== values.length) issues.push({ path: [], message: 'init names must be unique' });
    values.forEach((init, i) => {
      if (init.limit !== undefined && init.scheme !== 'uniform')
        issues.push({ path: [i, 'limit'], message: 'only the "uniform" scheme takes a limit' });
    });
    return issues;
  },
  label: (init) => init.name,
  idPrefix: '',
  apply: (init) => ({ init }),
};

/** The axes, in the order of a group's id and of the grid's nesting (the first varies slowest). */
const STUDY_AXES: StudyAxis[] = [BATCH_SIZE, INIT];

export function studyAxes(): readonly StudyAxis[] {
  return STUDY_AXES;
}

/**
 * Adds an axis after the others (a test follows the recipe with it); returns what removes it
 * again. A real axis is an entry of STUDY_AXES above.
 */
export function addStudyAxis(axis: StudyAxis): () => void {
  if (STUDY_AXES.some((a) => a.list === axis.list || a.ref === axis.ref)) throw new Error(`study axis "${axis.list}" exists already`);
  STUDY_AXES.push(axis);
  return () => void STUDY_AXES.splice(STUDY_AXES.indexOf(axis), 1);
}
