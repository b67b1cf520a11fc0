/**
 * Reading a file that came from elsewhere (a model from another machine, a runs table from a
 * spreadsheet) without trusting what the name points at.
 *
 * The file is opened non-blocking, so a named pipe cannot hang the open, and its kind and size
 * are checked on the open descriptor (fstat, no race with a rename) before one byte is read: a
 * device (/dev/zero never ends), a pipe or a folder is refused, and so is a file larger than the
 * caller's cap or of another length than the caller expects. Where a file named inside another
 * one (a weights manifest) must not be a symbolic link at all, `noSymlink` refuses it with
 * O_NOFOLLOW. Every refusal is one UserError line naming the file.
 */
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { UserError } from './errors.js';

export interface RegularFileRead {
  /** What the file is, for messages: "weights file", "runs table". */
  what: string;
  /** Largest size accepted, in bytes. */
  maxBytes: number;
  /** The size the file must have (e.g. from a manifest), checked before reading. */
  exactBytes?: number;
  /** Refuse a symbolic link as the last component of the path. */
  noSymlink?: boolean;
}

const WHY: Readonly<Record<string, string>> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EISDIR: 'is a folder, expected a file',
  ENOTDIR: 'a file is in the way in its path',
  ELOOP: 'is a symbolic link; give the file itself',
  ENAMETOOLONG: 'name too long',
};

/** "12.3 MiB" for messages. */
function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 2 ** 20 ? 3 : 1)} MiB`;
}

/** The whole content of `file`, a regular file within the limits of `opts` (else a UserError of one line). */
export function readRegularFile(file: string, opts: RegularFileRead): Buffer {
  const flags = constants.O_RDONLY | constants.O_NONBLOCK | (opts.noSymlink ? constants.O_NOFOLLOW : 0);
  let fd: number;
  try {
    fd = openSync(file, flags);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    throw new UserError(`${file}: cannot read the ${opts.what}: ${WHY[code] ?? code}`);
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) {
      const kind = stat.isDirectory() ? 'a folder' : stat.isFIFO() ? 'a named pipe' : stat.isSocket() ? 'a socket' : 'a device';
      throw new UserError(`${file}: the ${opts.what} is ${kind}, not a regular file`);
    }
    if (opts.exactBytes !== undefined && stat.size !== opts.exactBytes) {
      throw new UserError(`${file}: the ${opts.what} is ${stat.size} bytes, expected ${opts.exactBytes}`);
    }
    if (stat.size > opts.maxBytes) {
      throw new UserError(`${file}: the ${opts.what} is ${mib(stat.size)}, more than the limit of ${mib(opts.maxBytes)}`);
    }
    const bytes = Buffer.alloc(stat.size);
    let at = 0;
    while (at < bytes.length) {
      const bytesRead = readSync(fd, bytes, at, bytes.length - at, at);
      if (bytesRead === 0) throw new UserError(`${file}: the ${opts.what} shrank while it was read`);
      at += bytesRead;
    }
    return bytes;
  } finally {
    closeSync(fd);
  }
}
