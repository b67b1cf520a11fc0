/**
 * Output folders of the commands that write results (train, compare): a timestamp for default
 * folder names, and the rule that a folder the user names must be new or empty.
 */
import { promises as fs } from 'node:fs';
import { UsageError } from '../util/errors.js';

/** A UTC date and time for folder names, e.g. 20261127T235850Z. */
export function folderStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Creates `dir` if missing. A folder named by the user (`named`, from --out) must be new or
 * empty: results of another run are never overwritten.
 */
export async function prepareOutDir(dir: string, named: boolean): Promise<void> {
  let entries: string[];
  try {
    entries = await fs.readdir(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') throw new UsageError(`--out ${dir}: is a file, expected a folder`);
    if (code !== 'ENOENT') throw err;
    await fs.mkdir(dir, { recursive: true });
    return;
  }
  if (named && entries.length > 0) throw new UsageError(`--out ${dir}: the folder already holds files; give a new or empty folder`);
}
