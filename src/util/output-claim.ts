/**
 * Claiming the output a command writes (a folder, or one file), so that two processes never mix
 * their results in it and a failure leaves nothing half-written behind.
 *
 * A folder is claimed when it is new, empty, or this command's own (it holds the marker file the
 * command names, e.g. a previous merge's), and only under a lock inside it (src/util/lock.ts): of
 * two processes given one new --out, the second gets one line and exit 1. The lock is taken
 * before the folder is looked at, so no second process can find it empty meanwhile. A claim
 * that is abandoned (the command failed) removes what it wrote: the folder it made, or in a
 * folder that was there, every entry that was not.
 *
 * An output must never be one of the command's inputs (nor inside one, nor hold one): a merge
 * into one of its shards would rewrite the shard it reads.
 */
import { existsSync, promises as fs, realpathSync } from 'node:fs';
import path from 'node:path';
import { createFolder, OUTPUT_LOCK } from './folders.js';
import { lockFolder } from './lock.js';
import { UsageError, UserError } from './errors.js';

export interface OutputClaim {
  /** The claimed folder, or the claimed file. */
  path: string;
  /** Keeps what was written and releases the lock. */
  release(): Promise<void>;
  /** Removes what this claim wrote (the folder it made, or the entries it added) and releases the lock. */
  abandon(): Promise<void>;
}

export interface ClaimOptions {
  /** The flag naming the output, for messages: "--out". */
  flag: string;
  /** Paths the command reads: the output may not be one of them, inside one, or hold one. */
  inputs?: readonly string[];
  /** A file whose presence marks a folder as this command's own, so it may be written again. */
  ownMarker?: string;
  /** The caller has just made the folder (a new default folder): abandoning the claim removes it. */
  madeByCaller?: boolean;
}

/** The real path of `p`, or of its nearest existing ancestor joined with the rest (for an output not made yet). */
function realOrPlanned(p: string): string {
  const abs = path.resolve(p);
  let at = abs;
  const rest: string[] = [];
  while (!existsSync(at)) {
    const up = path.dirname(at);
    if (up === at) break;
    rest.unshift(path.basename(at));
    at = up;
  }
  return path.join(realpathSync(at), ...rest);
}

function within(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : `${outer}${path.sep}`);
}

/** Refuses an output that is one of the inputs, lies inside one, or holds one. */
function refuseInputAsOutput(out: string, opts: ClaimOptions): void {
  const real = realOrPlanned(out);
  for (const input of opts.inputs ?? []) {
    const realInput = realOrPlanned(input);
    if (within(real, realInput) || within(realInput, real)) {
      const how = real === realInput ? 'is' : within(real, realInput) ? 'lies inside' : 'holds';
      throw new UsageError(`${opts.flag} ${out}: ${how} the input ${input}; give a new folder for the output`);
    }
  }
}

/** Claims the folder `dir`: new, empty or own (see ClaimOptions.ownMarker), under the lock OUTPUT_LOCK inside it. */
export async function claimOutputFolder(dir: string, opts: ClaimOptions): Promise<OutputClaim> {
  refuseInputAsOutput(dir, opts);
  const created = (await createFolder(dir, opts.flag)) || opts.madeByCaller === true;
  const lockPath = path.join(dir, OUTPUT_LOCK);
  // A process that made the folder but lost the lock to another leaves it to the other.
  const unlock = await lockFolder(
    dir,
    lockPath,
    `${opts.flag} ${dir}: in use by another process (${lockPath}); wait for it to finish, or give another folder`,
  );
  const before = (await fs.readdir(dir)).filter((n) => !n.startsWith(OUTPUT_LOCK));
  if (before.length > 0 && !(opts.ownMarker !== undefined && before.includes(opts.ownMarker))) {
    await unlock();
    throw new UsageError(`${opts.flag} ${dir}: the folder already holds files; give a new or empty folder`);
  }
  const kept = new Set(before);
  return {
    path: dir,
    release: unlock,
    abandon: async () => {
      if (created) {
        const names = (await fs.readdir(dir)).filter((n) => !n.startsWith(OUTPUT_LOCK));
        await Promise.all(names.map((n) => fs.rm(path.join(dir, n), { recursive: true, force: true })));
        await unlock();
        await fs.rmdir(dir).catch(() => undefined); // another process may have claimed it meanwhile
        return;
      }
      const added = (await fs.readdir(dir)).filter((n) => !n.startsWith(OUTPUT_LOCK) && !kept.has(n));
      await Promise.all(added.map((n) => fs.rm(path.join(dir, n), { recursive: true, force: true })));
      await unlock();
    },
  };
}

/**
 * Claims the file `file`: new, or this command's own (`isOwn` reads its first bytes and says so:
 * a previous result it may replace), under the lock `<file>.lock` beside it. Anything else at
 * that name (another program's file, a folder, a device) is refused with one line.
 */
export async function claimOutputFile(file: string, opts: ClaimOptions & { isOwn: (head: string) => boolean }): Promise<OutputClaim> {
  refuseInputAsOutput(file, opts);
  await createFolder(path.dirname(file), opts.flag);
  const lockPath = `${file}.lock`;
  const unlock = await lockFolder(
    path.dirname(file),
    lockPath,
    `${opts.flag} ${file}: in use by another process (${lockPath}); wait for it to finish, or give another file`,
  );
  try {
    const stat = await fs.lstat(file).catch(() => undefined);
    if (stat && !stat.isFile()) throw new UsageError(`${opts.flag} ${file}: is not a regular file; give a new file name`);
    if (stat) {
      const handle = await fs.open(file, 'r');
      const head = Buffer.alloc(4096);
      const { bytesRead } = await handle.read(head, 0, head.length, 0).finally(() => handle.close());
      if (!opts.isOwn(head.subarray(0, bytesRead).toString('utf8'))) {
        throw new UsageError(`${opts.flag} ${file}: the file exists and was not written by this command; give a new file name`);
      }
    }
  } catch (err) {
    await unlock();
    throw err instanceof UserError ? err : new UserError(`${opts.flag} ${file}: cannot check the file: ${String(err)}`);
  }
  return { path: file, release: unlock, abandon: unlock };
}

/** Runs `write` on a claimed output: released when it succeeds, abandoned (what it wrote removed) when it fails. */
export async function writeClaimed<T>(claim: OutputClaim, write: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await write();
  } catch (err) {
    await claim.abandon();
    throw err;
  }
  await claim.release();
  return result;
}
