/**
 * An exclusive lock on a folder, so two processes never write it at once.
 *
 * proper-lockfile takes the lock with an atomic mkdir (no read-then-delete race between two
 * starts) and keeps its mtime fresh while the holder lives; a lock whose mtime is older than
 * STALE_MS is taken over, atomically too. It is released when the process exits, however it
 * exits, except by SIGKILL. For that case the holder's pid and host are written beside the lock
 * (`<lock>.owner`): a lock whose owner was a process of this machine that no longer exists is
 * moved aside with one rename (atomic: of two processes taking it over, one rename succeeds),
 * so a sweep killed with SIGKILL can be resumed at once, not only after STALE_MS.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs, readFileSync, statSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import lockfile from 'proper-lockfile';
import { z } from 'zod';
import { processIsAlive, writeFileAtomic } from './atomic.js';
import { UserError, messageOf } from './errors.js';

const STALE_MS = 30_000;
/** Attempts to take a lock whose dead owner's lock was just moved aside (another process may take it meanwhile). */
const MAX_ATTEMPTS = 3;

/**
 * Whether the lock's recorded owner is a process of this machine that has ended. The owner
 * file names the lock folder's inode, so an owner file left from an earlier lock never
 * describes a newer one (whose holder may not have written its own yet).
 */
/** What the lock's owner file says: which process on which host holds the lock folder with this inode. */
const OwnerSchema = z.object({ pid: z.number().int(), host: z.string(), ino: z.number() });

function ownerIsDead(lockPath: string, ownerFile: string): boolean {
  let owner: z.output<typeof OwnerSchema>;
  try {
    owner = OwnerSchema.parse(JSON.parse(readFileSync(ownerFile, 'utf8')));
    if (owner.ino !== statSync(lockPath).ino) return false;
  } catch {
    return false; // no owner yet (the holder is between its mkdir and this file), or another program's lock
  }
  return owner.host === os.hostname() && !processIsAlive(owner.pid);
}

/**
 * proper-lockfile releases its locks through signal-exit, which listens to SIGXFSZ and, when it
 * is the only listener, raises it again: a write beyond the file size limit (ulimit -f) would
 * then kill the process, where Node without a lock fails that write with EFBIG, which the
 * writer reports as one line (src/util/atomic.ts). A listener of our own keeps it so.
 */
let keepsFileSizeErrors = false;
function keepFileSizeErrors(): void {
  if (keepsFileSizeErrors || process.platform === 'win32') return;
  keepsFileSizeErrors = true;
  process.on('SIGXFSZ', () => undefined);
}

/** Locks `dir` through the lock folder `lockPath`; returns the release function. `busy` words the refusal. */
export async function lockFolder(dir: string, lockPath: string, busy: string): Promise<() => Promise<void>> {
  keepFileSizeErrors();
  const ownerFile = `${lockPath}.owner`;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    let unlock: () => Promise<void>;
    try {
      unlock = await lockfile.lock(dir, {
        lockfilePath: lockPath,
        realpath: false,
        stale: STALE_MS,
        update: STALE_MS / 3,
        retries: 0,
        onCompromised: (err) => process.stderr.write(`warning: the lock ${lockPath} was lost: ${messageOf(err)}\n`),
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw new UserError(`${lockPath}: cannot take the lock: ${messageOf(err)}`);
      if (!ownerIsDead(lockPath, ownerFile)) throw new UserError(busy);
      const aside = `${lockPath}.stale-${process.pid}-${randomBytes(4).toString('hex')}`;
      try {
        await fs.rename(lockPath, aside);
        await fs.rm(aside, { recursive: true, force: true });
      } catch {
        /* another process moved it first; try again */
      }
      continue;
    }
    await writeFileAtomic(ownerFile, JSON.stringify({ pid: process.pid, host: os.hostname(), ino: statSync(lockPath).ino }));
    return async () => {
      try {
        unlinkSync(ownerFile);
      } catch {
        /* already gone */
      }
      await unlock();
    };
  }
  throw new UserError(busy);
}
