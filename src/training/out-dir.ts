/**
 * Output folders of the commands that write results (train, compare, landscape): a timestamp
 * for default folder names, and the rule that a folder the user names must be new or empty.
 * Folder names built from a config's name go through childPath (src/util/paths.ts), so a name
 * can never lead outside outputs/; folders are made by the bounded helpers of
 * src/util/folders.ts, so a bad place fails at once with one line.
 */
import { childPath, labelFrom, NAME_MAX_LENGTH } from '../util/paths.js';
import { newFolder, prepareEmptyFolder } from '../util/folders.js';

/** Where results go when no --out is given. */
const OUTPUTS_DIR = 'outputs';

/** A UTC date and time for folder names, e.g. 20261127T235850Z. */
function folderStamp(at: Date): string {
  return at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/**
 * Makes the run folder: `dir` when the user named one (--out; it must be new or empty, results
 * of another run are never overwritten), else a new outputs/<label>-<time> (with -2, -3... when
 * two runs start in the same second). Returns the folder.
 */
export async function prepareOutDir(dir: string | undefined, label: string, at: Date = new Date()): Promise<string> {
  if (dir !== undefined) {
    await prepareEmptyFolder(dir, '--out');
    return dir;
  }
  const stamp = folderStamp(at);
  // Room for the stamp and the -2, -3... of newFolder within the name length limit.
  const head = labelFrom(label).slice(0, NAME_MAX_LENGTH - stamp.length - 5);
  return newFolder(childPath(OUTPUTS_DIR, `${head}-${stamp}`), 'output folder');
}
