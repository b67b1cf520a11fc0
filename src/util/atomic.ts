/**
 * Writing files so that nothing half-written is ever seen under the final name.
 *
 * Everything the project leaves behind (results in outputs/, files in the data cache) is
 * written to a temporary name in the same directory and renamed when complete: a rename
 * within one filesystem is atomic, so a reader, or a run that was killed, sees either the
 * old file or the whole new one.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from './errors.js';

/** Failures of writing that the user can fix (room, quota, permissions), worded for one line. */
const WRITE_FAILURES: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large for the file size limit',
  EROFS: 'read-only filesystem',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EIO: 'input/output error',
};

/** A file could not be written (a full disk, a quota, permissions): what the command wrote so far is not a result. */
export class WriteFailure extends UserError {
  constructor(message: string) {
    super(message);
    this.name = 'WriteFailure';
  }
}

/** A write failure the user can fix as one line naming the file; anything else unchanged (a bug keeps its stack). */
function writeFailure(finalPath: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why = code === undefined ? undefined : WRITE_FAILURES[code];
  return why === undefined ? err : new WriteFailure(`${finalPath}: cannot write: ${why}`);
}

/** A temporary name beside `finalPath`; `.tmp-` marks it for cleanup (see removeStaleTemps). */
export function tempPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  const base = path.basename(finalPath);
  return path.join(dir, `.${base}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** Writes `data` to a temporary beside `finalPath` and renames it into place; a full disk is one line naming the file. */
export async function writeFileAtomic(finalPath: string, data: string | Uint8Array): Promise<void> {
  const tmp = tempPathFor(finalPath);
  try {
    await fs.mkdir(path.dirname(finalPath), { recursive: true });
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, finalPath);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw writeFailure(finalPath, err);
  }
}

/**
 * Runs `produce(tmpPath)` to create a file or directory at a temporary path, then renames it
 * to `finalPath`. If `produce` throws, the temporary is removed and `finalPath` is untouched.
 */
export async function produceAtomically<T>(finalPath: string, produce: (tmpPath: string) => Promise<T>): Promise<T> {
  const tmp = tempPathFor(finalPath);
  try {
    await fs.mkdir(path.dirname(finalPath), { recursive: true });
    const result = await produce(tmp);
    await fs.rename(tmp, finalPath);
    return result;
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw writeFailure(finalPath, err);
  }
}

/**
 * Removes temporaries (names containing `.tmp-`, see tempPathFor) left in `dir` by a killed
 * process. With `onlyDeadWriters`, a temporary whose writer (the pid in its name) still runs is
 * kept: for a directory several processes share without a lock, such as the data cache. Without
 * it every temporary goes: right where the caller holds the directory's lock, and immune to a
 * recycled pid or an unreaped zombie keeping a dead writer's temporary alive.
 */
export async function removeStaleTemps(dir: string, opts: { onlyDeadWriters?: boolean } = {}): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return [];
  }
  const stale = names.filter((n) => {
    if (!n.includes('.tmp-')) return false;
    if (!opts.onlyDeadWriters) return true;
    const writer = /\.tmp-(\d+)-/.exec(n);
    return writer !== null && !processIsAlive(Number(writer[1]));
  });
  await Promise.all(stale.map((n) => fs.rm(path.join(dir, n), { recursive: true, force: true })));
  return stale;
}

/** Whether a process with this pid exists (EPERM: it exists but belongs to another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
