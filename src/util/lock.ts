/**
 * An exclusive lock on a folder, so two processes never write it at once.
 *
 * proper-lockfile takes the lock with an atomic mkdir (no read-then-delete race between two
 * starts) and keeps its mtime fresh while the holder lives; a lock whose mtime is older than
 * STALE_MS (its holder was killed) is taken over, atomically too. The lock is released when
 * the process exits, however it exits.
 */
import lockfile from 'proper-lockfile';
import { UserError, messageOf } from './errors.js';

const STALE_MS = 30_000;

/** Locks `dir` through the lock folder `lockPath`; returns the release function. `busy` words the refusal. */
export async function lockFolder(dir: string, lockPath: string, busy: string): Promise<() => Promise<void>> {
  try {
    return await lockfile.lock(dir, {
      lockfilePath: lockPath,
      realpath: false,
      stale: STALE_MS,
      update: STALE_MS / 3,
      retries: 0,
      onCompromised: (err) => process.stderr.write(`warning: the lock ${lockPath} was lost: ${messageOf(err)}\n`),
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ELOCKED') throw new UserError(busy);
    throw new UserError(`${lockPath}: cannot take the lock: ${messageOf(err)}`);
  }
}
