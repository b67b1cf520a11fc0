/**
 * Checking batch files against a table of expected sizes and digests (the official one unless
 * a test substitutes its own). Used by ensureData before anything is trusted or renamed into
 * the cache, and by `data verify`, which always re-hashes.
 */
import { promises as fs } from 'node:fs';
import { messageOf } from '../util/errors.js';
import {
  BATCH_FILES,
  type BatchFileName,
  type ExpectedFile,
  type ExpectedTable,
  type FileDigests,
  OFFICIAL_FILES,
  RECORD_BYTES,
  hashFile,
} from './checksums.js';
import { batchFilePath } from './cache.js';

export interface FileCheck {
  readonly name: BatchFileName;
  readonly file: string;
  readonly ok: boolean;
  readonly missing: boolean;
  /** What is wrong, phrased to follow "<file>: ". */
  readonly problem?: string;
  readonly digests?: FileDigests;
}

/** Checks one file: present, a regular file, a whole number of records, the expected size, MD5 and SHA-256. */
export async function verifyFile(file: string, name: BatchFileName, expected: ExpectedFile): Promise<FileCheck> {
  const bad = (problem: string, missing = false): FileCheck => ({ name, file, ok: false, missing, problem });
  let st;
  try {
    st = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return bad('file is missing', true);
    return bad(`cannot be read: ${messageOf(err)}`);
  }
  if (!st.isFile()) return bad('is not a regular file');
  if (st.size % RECORD_BYTES !== 0) return bad(`size ${st.size} bytes is not a multiple of the ${RECORD_BYTES}-byte CIFAR-10 record`);
  if (st.size !== expected.size) return bad(`size ${st.size} bytes, expected ${expected.size}`);
  let digests: FileDigests;
  try {
    digests = await hashFile(file);
  } catch (err) {
    return bad(`cannot be read: ${messageOf(err)}`);
  }
  if (digests.md5 !== expected.md5) return { ...bad(`MD5 mismatch: got ${digests.md5}, expected ${expected.md5}`), digests };
  if (digests.sha256 !== expected.sha256)
    return { ...bad(`SHA-256 mismatch: got ${digests.sha256}, expected ${expected.sha256}`), digests };
  return { name, file, ok: true, missing: false, digests };
}

/** Checks the six batch files of a data directory, in the official order. */
export async function verifyDataDir(dataDir: string, expected: ExpectedTable = OFFICIAL_FILES): Promise<FileCheck[]> {
  const checks: FileCheck[] = [];
  for (const name of BATCH_FILES) checks.push(await verifyFile(batchFilePath(dataDir, name), name, expected[name]));
  return checks;
}
