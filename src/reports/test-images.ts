/**
 * Which test images each run got right: the per-image data behind the crossed bootstrap of the
 * accuracy claims (src/stats/crossed-bootstrap.ts), kept beside runs.csv as test-images.csv so
 * that `report --runs` re-judges a runs table with the same intervals the sweep gave.
 *
 * test-images.csv: one row per run and epoch (the chosen epoch, "chosen", and the last one
 * trained, "stop"): config, seed, epoch, images, correct. `correct` is the run's 0/1 correctness
 * on the full test split's images, in the split's order, as hexadecimal (4 images per digit, the
 * first image in the digit's highest bit): 2,000 images are 500 characters. The file is checked
 * before it is believed: every row must belong to a run of the table, every run of the table
 * that has a full-split accuracy must have both rows, and the accuracy the bits give must equal
 * the table's test_full_acc / test_full_acc_final.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { parseCsv, writeCsv } from '../util/csv.js';
import { readRegularFile } from '../util/regular-file.js';
import { decisionThreshold } from '../nn/targets.js';
import type { RunConfig } from '../config/schema.js';
import type { RunRow } from './runs-table.js';

export const TEST_IMAGES_FILE = 'test-images.csv';
export const TEST_IMAGE_COLUMNS = ['config', 'seed', 'epoch', 'images', 'correct'] as const;
const PREDICTION_HEADER = 'index,label,in_test,output_best,output_final';
/** Far above the 2,000 images of the two classes' full split: a bigger file is not ours. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

type TestEpoch = 'chosen' | 'stop';

/** Correctness by run (config and seed) and epoch, on `images` test images. */
export interface TestImages {
  images: number;
  get(config: string, seed: number, epoch: TestEpoch): Uint8Array | undefined;
}

function key(config: string, seed: number, epoch: TestEpoch): string {
  return `${config}\u0000${seed}\u0000${epoch}`;
}

class TestImageTable implements TestImages {
  readonly rows = new Map<string, { config: string; seed: number; epoch: TestEpoch; bits: Uint8Array }>();
  constructor(readonly images: number) {}
  set(config: string, seed: number, epoch: TestEpoch, bits: Uint8Array): void {
    this.rows.set(key(config, seed, epoch), { config, seed, epoch, bits });
  }
  get(config: string, seed: number, epoch: TestEpoch): Uint8Array | undefined {
    return this.rows.get(key(config, seed, epoch))?.bits;
  }
}

/**
 * The correctness of a run at its chosen and last epochs, from its predictions.csv (written by
 * the training run, src/training/train-run.ts), by the same rule as its accuracy: right when the
 * output and the label fall on the same side of the targets' decision threshold.
 */
function readPredictions(file: string, config: RunConfig): { chosen: Uint8Array; stop: Uint8Array } {
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith(PREDICTION_HEADER))
    throw new UserError(`${file}: not a predictions file (expected the header ${PREDICTION_HEADER})`);
  const rows = parseCsv(text);
  const threshold = decisionThreshold(config.targets);
  const chosen = new Uint8Array(rows.length);
  const stop = new Uint8Array(rows.length);
  rows.forEach((r, k) => {
    const label = Number(r.label);
    const best = Number(r.output_best);
    const final = Number(r.output_final);
    if (!(label === 0 || label === 1) || !Number.isFinite(best) || !Number.isFinite(final))
      throw new UserError(`${file}: row ${k + 2}: expected a 0/1 label and finite outputs`);
    chosen[k] = best > threshold === label > threshold ? 1 : 0;
    stop[k] = final > threshold === label > threshold ? 1 : 0;
  });
  return { chosen, stop };
}

/** The runs' correctness from their folders' predictions.csv; null when some run has none (full test split not scored). */
export function testImagesOfRuns(runs: readonly { config: RunConfig; configName: string; seed: number; dir: string }[]): TestImages | null {
  let table: TestImageTable | null = null;
  for (const run of runs) {
    const file = path.join(run.dir, 'predictions.csv');
    if (!existsSync(file)) return null;
    const { chosen, stop } = readPredictions(file, run.config);
    table ??= new TestImageTable(chosen.length);
    if (chosen.length !== table.images) throw new UserError(`${file}: ${chosen.length} images, other runs have ${table.images}`);
    table.set(run.configName, run.seed, 'chosen', chosen);
    table.set(run.configName, run.seed, 'stop', stop);
  }
  return table;
}

function toHex(bits: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bits.length; i += 4) {
    let digit = 0;
    for (let j = 0; j < 4; j++) digit = (digit << 1) | (i + j < bits.length ? bits[i + j] : 0);
    out += digit.toString(16);
  }
  return out;
}

function fromHex(hex: string, images: number): Uint8Array | null {
  if (hex.length !== Math.ceil(images / 4) || !/^[0-9a-f]*$/.test(hex)) return null;
  const bits = new Uint8Array(images);
  for (let i = 0; i < images; i++) bits[i] = (parseInt(hex[i >> 2], 16) >> (3 - (i & 3))) & 1;
  return bits;
}

function accuracyOf(bits: Uint8Array): number {
  let correct = 0;
  for (const b of bits) correct += b;
  return correct / bits.length;
}

export async function writeTestImagesCsv(outDir: string, runs: readonly RunRow[], images: TestImages): Promise<string> {
  const file = path.join(outDir, TEST_IMAGES_FILE);
  const rows = runs.flatMap((r) =>
    (['chosen', 'stop'] as const).flatMap((epoch) => {
      const bits = images.get(r.config, r.seed, epoch);
      return bits ? [{ config: r.config, seed: r.seed, epoch, images: bits.length, correct: toHex(bits) }] : [];
    }),
  );
  await writeCsv(file, TEST_IMAGE_COLUMNS, rows);
  return file;
}

/** The accuracy column of the runs table that an epoch's bits must reproduce. */
const ACCURACY_OF: Readonly<Record<TestEpoch, 'test_full_acc' | 'test_full_acc_final'>> = {
  chosen: 'test_full_acc',
  stop: 'test_full_acc_final',
};

/**
 * test-images.csv beside a runs table, checked against it; null when there is none. Refused
 * with one line: a file too big, a row of another run or epoch, a malformed or inconsistent
 * `correct`, or a run of the table without its rows.
 */
export function readTestImagesBeside(runsFile: string, runs: readonly RunRow[]): TestImages | null {
  const file = path.join(path.dirname(runsFile), TEST_IMAGES_FILE);
  if (!existsSync(file)) return null;
  const text = readRegularFile(file, { what: 'test-images file', maxBytes: MAX_FILE_BYTES }).toString('utf8');
  if (!text.startsWith(TEST_IMAGE_COLUMNS.join(','))) throw new UserError(`${file}: expected the header ${TEST_IMAGE_COLUMNS.join(',')}`);
  const byRun = new Map(runs.map((r) => [`${r.config}\u0000${r.seed}`, r]));
  let table: TestImageTable | null = null;
  for (const [k, row] of parseCsv(text).entries()) {
    const where = `${file}: row ${k + 2}`;
    const seed = Number(row.seed);
    const images = Number(row.images);
    const epoch = row.epoch as TestEpoch;
    const run = byRun.get(`${row.config}\u0000${seed}`);
    if (!run) throw new UserError(`${where}: no run ${row.config} seed ${row.seed} in ${runsFile}`);
    if (epoch !== 'chosen' && epoch !== 'stop') throw new UserError(`${where}: epoch must be "chosen" or "stop"`);
    if (!Number.isInteger(images) || images < 1 || images > 65535)
      throw new UserError(`${where}: images must be a whole number from 1 to 65535`);
    table ??= new TestImageTable(images);
    if (images !== table.images) throw new UserError(`${where}: ${images} images, the first row has ${table.images}`);
    if (table.get(run.config, seed, epoch)) throw new UserError(`${where}: ${row.config} seed ${seed} ${epoch} is listed twice`);
    const bits = fromHex(row.correct, images);
    if (!bits) throw new UserError(`${where}: "correct" must be ${Math.ceil(images / 4)} lowercase hexadecimal digits`);
    const expected = run[ACCURACY_OF[epoch]];
    if (expected === undefined || Math.abs(accuracyOf(bits) - expected) > 1e-9)
      throw new UserError(
        `${where}: its images give accuracy ${accuracyOf(bits)}, ${runsFile} says ${ACCURACY_OF[epoch]} = ${expected ?? 'nothing'}`,
      );
    table.set(run.config, seed, epoch, bits);
  }
  const found = table as TestImageTable | null;
  if (!found) return null;
  for (const r of runs) {
    if (r.test_full_acc === undefined) continue;
    for (const epoch of ['chosen', 'stop'] as const)
      if (!found.get(r.config, r.seed, epoch))
        throw new UserError(`${file}: no ${epoch} row for ${r.config} seed ${r.seed} of ${runsFile}`);
  }
  return found;
}
