/**
 * Creating output folders so that a bad place fails at once with one line.
 *
 * Node's `mkdir(..., { recursive: true })` spins at 100 % CPU under /proc (it retries a parent
 * it can never create) and answers a file in the way with ENOTDIR deep inside a stack trace.
 * createFolder walks the path itself, one level at a time (bounded by the number of levels),
 * refuses the kernel's pseudo-filesystems, and turns every failure into a UserError naming the
 * flag and the folder.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError, UserError } from './errors.js';

/** Kernel pseudo-filesystems: nothing this program writes belongs there. */
const PSEUDO_ROOTS = ['/proc', '/sys', '/dev'];

const WHY: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EROFS: 'read-only filesystem',
  ENOSPC: 'no space left on the device',
  ENAMETOOLONG: 'name too long',
  ENOTDIR: 'a file is in the way',
  ELOOP: 'too many symbolic links',
};

function pseudoRoot(abs: string): string | undefined {
  return PSEUDO_ROOTS.find((root) => abs === root || abs.startsWith(`${root}/`));
}

/**
 * Makes `dir` (and missing parents) and returns whether it was created. `what` names the
 * folder in messages, e.g. "--out". Existing folders are fine; a file in the way, a place
 * under /proc, /sys or /dev, or one that cannot be written is a UserError of one line.
 */
export async function createFolder(dir: string, what: string): Promise<boolean> {
  const abs = path.resolve(dir);
  const label = `${what} ${dir}`;
  const pseudo = pseudoRoot(abs);
  if (pseudo) throw new UsageError(`${label}: is under ${pseudo}, a kernel filesystem; give a folder on disk`);
  // The missing levels, deepest last; the loop ends at the root at the latest.
  const missing: string[] = [];
  let at = abs;
  for (;;) {
    let stat;
    try {
      stat = await fs.stat(at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      // ENOTDIR: a file somewhere above; the walk up finds it and names it.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new UserError(`${label}: cannot create the folder: ${WHY[code] ?? code} at ${at}`);
      missing.unshift(at);
      const up = path.dirname(at);
      if (up === at) break;
      at = up;
      continue;
    }
    if (!stat.isDirectory()) {
      throw new UsageError(at === abs ? `${label}: is a file, expected a folder` : `${label}: cannot create the folder: ${at} is a file`);
    }
    // The real place may be a link into /proc or /sys.
    const real = pseudoRoot(await fs.realpath(at));
    if (real) throw new UsageError(`${label}: is under ${real}, a kernel filesystem; give a folder on disk`);
    break;
  }
  for (const level of missing) {
    try {
      await fs.mkdir(level);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code === 'EEXIST') continue; // made meanwhile by another process
      throw new UserError(`${label}: cannot create the folder: ${WHY[code] ?? code} at ${level}`);
    }
  }
  return missing.length > 0;
}

/** How many numbered alternatives newFolder tries before giving up (two runs starting in the same second need 2). */
const MAX_ATTEMPTS = 100;

/**
 * Creates a new folder `base`, or `base-2`, `base-3`... when taken, and returns it: for default
 * output folders named by time. Bounded: after MAX_ATTEMPTS taken names it stops with one line.
 */
export async function newFolder(base: string, what: string): Promise<string> {
  await createFolder(path.dirname(base), what);
  for (let k = 1; k <= MAX_ATTEMPTS; k++) {
    const dir = k === 1 ? base : `${base}-${k}`;
    try {
      await fs.mkdir(dir);
      return dir;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      if (code !== 'EEXIST') throw new UserError(`${what} ${dir}: cannot create the folder: ${WHY[code] ?? code}`);
    }
  }
  throw new UserError(`${what} ${base}: ${MAX_ATTEMPTS} folders of that name already exist; give --out`);
}

/** The lock of a claimed output folder (src/util/output-claim.ts; its owner file is `.output.lock.owner`): never a result. */
export const OUTPUT_LOCK = '.output.lock';

/**
 * Prepares a folder the user named: creates it, or accepts it when it exists and is empty (but
 * for the lock of the process that claimed it). Results of another run are never overwritten.
 */
export async function prepareEmptyFolder(dir: string, what: string): Promise<void> {
  await createFolder(dir, what);
  if ((await fs.readdir(dir)).filter((n) => !n.startsWith(OUTPUT_LOCK)).length > 0)
    throw new UsageError(`${what} ${dir}: the folder already holds files; give a new or empty folder`);
}

/** Removes `dir` if it is empty (a command that failed before writing anything leaves no trace). */
export async function removeIfEmpty(dir: string): Promise<void> {
  try {
    await fs.rmdir(dir);
  } catch {
    /* not empty, or already gone: keep whatever is there */
  }
}
