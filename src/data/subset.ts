/**
 * The blog's two-class subset, read straight from the cached .bin files.
 *
 * Definition (deterministic, no randomness involved):
 *   - positive class -> target 1, negative class -> target 0 (default airplane vs ship);
 *   - training set: the first `trainPerClass` images of each class in file order, scanning
 *     data_batch_1.bin .. data_batch_5.bin; validation set: the next `validationPerClass` of
 *     each class in the same scan (held out from the training batches, so choosing settings
 *     and epochs never looks at the test set); test set: the first `testPerClass` of each class
 *     in test_batch.bin (so the article-sized 200 + 200 are the first 200 airplanes and the
 *     first 200 ships of the test batch); full test set: every image of the two classes in
 *     test_batch.bin (1,000 + 1,000), of which the test set is the first testPerClass of each;
 *   - the chosen images keep their file order (the two classes interleaved as they appear);
 *     trainers shuffle with their own seeded stream;
 *   - inputs: gray (1,024 per image, BT.601 luma rounded to uint8 like OpenCV, / 255) or rgb
 *     (3,072, plane-major R, G, B, / 255); see pixels.ts.
 * Only the chosen images are converted to floats, and the scan stops once both classes are
 * complete, so the default subset reads about two of the five training files.
 */
import { UserError, UsageError } from '../util/errors.js';
import { TEST_FILES, TRAIN_FILES } from './checksums.js';
import { batchFilePath } from './cache.js';
import { type EnsureDataOptions, ensureData } from './fetch.js';
import { forEachRecord, readLabels } from './records.js';
import { inputsPerImage, recordToInputs } from './pixels.js';
import { CIFAR10_CLASSES, type Cifar10Class, type ColorMode, type Dataset, type IndexedDataset, type Subset } from './types.js';

export interface LoadSubsetOptions {
  dataDir: string;
  positive: string;
  negative: string;
  trainPerClass: number;
  testPerClass: number;
  /** 0 or absent: no validation split. */
  validationPerClass?: number;
  color: ColorMode;
  log?: (line: string) => void;
  /** Passed on to ensureData (tests inject sources and checksum tables). */
  ensure?: Omit<EnsureDataOptions, 'log'>;
}

function classLabel(name: string, role: string): number {
  const label = (CIFAR10_CLASSES as readonly string[]).indexOf(name);
  if (label < 0)
    throw new UsageError(`unknown CIFAR-10 class "${name}" for the ${role} class; expected one of ${CIFAR10_CLASSES.join(', ')}`);
  return label;
}

export async function loadSubset(opts: LoadSubsetOptions): Promise<Subset> {
  const pos = classLabel(opts.positive, 'positive');
  const neg = classLabel(opts.negative, 'negative');
  if (pos === neg) throw new UsageError(`the positive and negative classes are both "${opts.positive}"; choose two different classes`);
  for (const [key, n] of [
    ['trainPerClass', opts.trainPerClass],
    ['testPerClass', opts.testPerClass],
  ] as const) {
    if (!Number.isInteger(n) || n < 1) throw new UsageError(`${key} must be a whole number of at least 1 (got ${n})`);
  }
  const validationPerClass = opts.validationPerClass ?? 0;
  if (!Number.isInteger(validationPerClass) || validationPerClass < 0)
    throw new UsageError(`validationPerClass must be a whole number of at least 0 (got ${validationPerClass})`);
  if (opts.color !== 'gray' && opts.color !== 'rgb') throw new UsageError(`color must be "gray" or "rgb" (got "${String(opts.color)}")`);

  const { source } = await ensureData(opts.dataDir, { ...opts.ensure, log: opts.log });
  const files = (names: readonly string[]) => names.map((n) => batchFilePath(opts.dataDir, n as (typeof TRAIN_FILES)[number]));
  // One scan picks training and validation images together: the first trainPerClass of each
  // class train, the next validationPerClass validate.
  const trainBatches = await pickImages(
    files(TRAIN_FILES),
    'the five training batches',
    pos,
    neg,
    [opts.trainPerClass, validationPerClass],
    opts.color,
  );
  const [test] = await pickImages(files(TEST_FILES), 'the test batch', pos, neg, [opts.testPerClass], opts.color);
  const fullTest = await pickAllImages(files(TEST_FILES)[0], pos, neg, opts.color);
  return {
    train: trainBatches[0],
    test,
    fullTest,
    ...(validationPerClass > 0 ? { validation: trainBatches[1] } : {}),
    positive: CIFAR10_CLASSES[pos] as Cifar10Class,
    negative: CIFAR10_CLASSES[neg] as Cifar10Class,
    color: opts.color,
    source,
    dataDir: opts.dataDir,
  };
}

/**
 * Consecutive parts of each class across `files`, in file order: part 0 holds the first
 * perClassOfPart[0] images of each class, part 1 the next perClassOfPart[1], ...; target 1 for
 * `pos`, 0 for `neg`. Within a part the two classes stay interleaved as in the files.
 */
async function pickImages(
  files: readonly string[],
  where: string,
  pos: number,
  neg: number,
  perClassOfPart: readonly number[],
  color: ColorMode,
): Promise<Dataset[]> {
  const inputs = inputsPerImage(color);
  const perClass = perClassOfPart.reduce((a, b) => a + b, 0);
  const parts = perClassOfPart.map((n) => ({ x: new Float32Array(2 * n * inputs), y: new Float32Array(2 * n), rows: 0, n }));
  // The part an image of a class goes to, from how many of that class came before it.
  const partOf = (seen: number): (typeof parts)[number] => {
    let k = 0;
    let end = perClassOfPart[0];
    while (seen >= end) end += perClassOfPart[++k];
    return parts[k];
  };
  let havePos = 0;
  let haveNeg = 0;
  for (const file of files) {
    if (havePos === perClass && haveNeg === perClass) break;
    await forEachRecord(file, (label, _i, record) => {
      let part;
      if (label === pos && havePos < perClass) {
        part = partOf(havePos++);
        part.y[part.rows] = 1;
      } else if (label === neg && haveNeg < perClass) {
        part = partOf(haveNeg++);
        part.y[part.rows] = 0;
      } else {
        return true;
      }
      recordToInputs(record, color, part.x, part.rows * inputs);
      part.rows++;
      return !(havePos === perClass && haveNeg === perClass);
    });
  }
  for (const [label, have] of [
    [pos, havePos],
    [neg, haveNeg],
  ] as const) {
    if (have < perClass) {
      throw new UserError(
        `asked for ${perClass} ${CIFAR10_CLASSES[label]} images${perClassOfPart.filter((n) => n > 0).length > 1 ? ` (${perClassOfPart.join(' training + ')} validation)` : ''}, but ${where} (${files.join(', ')}) ${files.length === 1 ? 'holds' : 'hold'} only ${have}`,
      );
    }
  }
  return parts.map((p) => ({ x: p.x, y: p.y, count: 2 * p.n, inputs }));
}

/** Every image of the classes `pos` (target 1) and `neg` (target 0) in `file`, in file order, with its record number. */
async function pickAllImages(file: string, pos: number, neg: number, color: ColorMode): Promise<IndexedDataset> {
  const labels = await readLabels(file);
  const count = labels.reduce((n, label) => (label === pos || label === neg ? n + 1 : n), 0);
  const inputs = inputsPerImage(color);
  const x = new Float32Array(count * inputs);
  const y = new Float32Array(count);
  const index = new Uint32Array(count);
  let row = 0;
  await forEachRecord(file, (label, i, record) => {
    if (label !== pos && label !== neg) return true;
    // A file changed between the two reads would not fit the arrays: stop rather than overrun.
    if (row === count) throw new UserError(`${file}: changed while it was being read`);
    y[row] = label === pos ? 1 : 0;
    index[row] = i;
    recordToInputs(record, color, x, row * inputs);
    row++;
    return true;
  });
  if (row !== count) throw new UserError(`${file}: changed while it was being read`);
  return { x, y, count, inputs, index };
}
