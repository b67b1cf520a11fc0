/**
 * Synthetic CIFAR-10 data directories for tests: the official layout (six .bin files of
 * 3,073-byte records under cifar-10-batches-bin/), small, written to a fresh temp dir, and
 * stamped (src/data/cache.ts writeStamp) so that loadSubset accepts them without network and
 * without the official checksums.
 *
 * Content is made to be learnable: airplanes (label 0) are bright in the top half of the image
 * and dark in the bottom half, ships (label 8) the other way round, every other class is mid
 * gray; each byte then gets seeded uniform noise of +-noise. Labels follow a fixed pattern of
 * 10 (3 airplanes, 3 ships, 4 others) shuffled per batch by a seeded stream, so the class counts
 * are exact: with the default 400 records per batch, 600 airplanes and 600 ships for training
 * (120 per training batch) and 120 of each in the test batch.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Rng } from '../../src/util/rng.js';
import { writeStamp, batchDirOf } from '../../src/data/cache.js';
import {
  BATCH_FILES,
  type BatchFileName,
  type ExpectedTable,
  IMAGE_BYTES,
  PLANE_BYTES,
  RECORD_BYTES,
  TRAIN_FILES,
  hashFile,
} from '../../src/data/checksums.js';

export interface FixtureOptions {
  /** Records in each of the six files; a multiple of 10 (default 400). */
  recordsPerBatch?: number;
  seed?: number;
  /** Noise amplitude in gray levels (default 50). */
  noise?: number;
  /** Write the stamp that lets loadSubset accept the files (default true). */
  stamp?: boolean;
}

export interface FixtureDataDir {
  dataDir: string;
  batchDir: string;
  /** Images per class available for training (all five batches) and for testing. */
  trainPerClass: number;
  testPerClass: number;
  recordsPerBatch: number;
  cleanup(): Promise<void>;
}

const LABEL_PATTERN = [0, 8, 0, 8, 0, 8, 1, 3, 5, 9];

export async function makeFixtureDataDir(opts: FixtureOptions = {}): Promise<FixtureDataDir> {
  const perBatch = opts.recordsPerBatch ?? 400;
  if (perBatch % LABEL_PATTERN.length !== 0) throw new Error('recordsPerBatch must be a multiple of 10');
  const seed = opts.seed ?? 1234;
  const noise = opts.noise ?? 50;
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cifar-fixture-'));
  const batchDir = batchDirOf(dataDir);
  await fs.mkdir(batchDir);
  for (const name of BATCH_FILES) {
    const rng = Rng.stream(seed, `fixture:${name}`);
    const labels: number[] = [];
    for (let k = 0; k < perBatch / LABEL_PATTERN.length; k++) labels.push(...LABEL_PATTERN);
    rng.shuffle(labels);
    const buf = Buffer.alloc(perBatch * RECORD_BYTES);
    labels.forEach((label, r) => {
      const rec = r * RECORD_BYTES;
      buf[rec] = label;
      let bits = 0;
      for (let i = 0; i < IMAGE_BYTES; i++) {
        const p = i % PLANE_BYTES;
        const top = p < PLANE_BYTES / 2;
        const base = label === 0 ? (top ? 180 : 70) : label === 8 ? (top ? 70 : 180) : 125;
        // One 32-bit draw gives the noise of four bytes (fixture creation stays well under a second).
        if ((i & 3) === 0) bits = rng.nextUint32();
        const v = base + ((((bits >>> ((i & 3) * 8)) & 0xff) * (2 * noise + 1)) >> 8) - noise;
        buf[rec + 1 + i] = Math.max(0, Math.min(255, v));
      }
    });
    await fs.writeFile(path.join(batchDir, name), buf);
  }
  if (opts.stamp ?? true) await writeStamp(dataDir, { source: 'synthetic fixture', checkedAgainst: 'synthetic fixture' });
  const perClass = (perBatch / LABEL_PATTERN.length) * 3;
  return {
    dataDir,
    batchDir,
    trainPerClass: perClass * TRAIN_FILES.length,
    testPerClass: perClass,
    recordsPerBatch: perBatch,
    cleanup: () => fs.rm(dataDir, { recursive: true, force: true }),
  };
}

/** The size/MD5/SHA-256 table of the batch files in `batchDir`, to stand in for the official one in tests. */
export async function tableOf(batchDir: string): Promise<ExpectedTable> {
  const entries: [BatchFileName, { size: number; md5: string; sha256: string }][] = [];
  for (const name of BATCH_FILES) entries.push([name, await hashFile(path.join(batchDir, name))]);
  return Object.fromEntries(entries) as unknown as ExpectedTable;
}
