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

/** A temporary name beside `finalPath`; `.tmp-` marks it for cleanup (see removeStaleTemps). */
export function tempPathFor(finalPath: string): string {
  const dir = path.dirname(finalPath);
  const base = path.basename(finalPath);
  return path.join(dir, `.${base}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

export async function writeFileAtomic(finalPath: string, data: string | Uint8Array): Promise<void> {
  await fs.mkdir(path.dirname(finalPath), { recursive: true });
  const tmp = tempPathFor(finalPath);
  try {
    await fs.writeFile(tmp, data);
    await fs.rename(tmp, finalPath);
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}

/**
 * Runs `produce(tmpPath)` to create a file or directory at a temporary path, then renames it
 * to `finalPath`. If `produce` throws, the temporary is removed and `finalPath` is untouched.
 */
export async function produceAtomically<T>(finalPath: string, produce: (tmpPath: string) => Promise<T>): Promise<T> {
  await fs.mkdir(path.dirname(finalPath), { recursive: true });
  const tmp = tempPathFor(finalPath);
  try {
    const result = await produce(tmp);
    await fs.rename(tmp, finalPath);
    return result;
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true });
    throw err;
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
