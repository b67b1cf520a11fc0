/**
 * Reader for the official CIFAR-10 binary batches: records of 3,073 bytes, a label byte (0-9)
 * then the red, green and blue 32x32 planes, row-major.
 *
 * It streams a file in chunks of whole records and hands each record to a visitor, which can
 * stop the scan early: the subset loader needs only the first N images of two classes, so it
 * reads about two of the five training files and never holds more than one chunk plus the
 * images it keeps (a whole batch decoded to floats would be 120 MB).
 */
import { promises as fs } from 'node:fs';
import { UserError, messageOf } from '../util/errors.js';
import { LABEL_COUNT, RECORD_BYTES } from './checksums.js';

/** Records per read: about 0.8 MB, large enough for few syscalls, small enough to stay lean. */
const RECORDS_PER_CHUNK = 256;

/** Checks that `file` is a readable regular file whose size is a whole number of records; returns the record count. */
async function recordCount(file: string): Promise<number> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UserError(`${file}: file is missing`);
    throw new UserError(`${file}: cannot be read: ${messageOf(err)}`);
  }
  if (!st.isFile()) throw new UserError(`${file}: is not a regular file`);
  if (st.size % RECORD_BYTES !== 0) {
    throw new UserError(`${file}: size ${st.size} bytes is not a multiple of the ${RECORD_BYTES}-byte CIFAR-10 record`);
  }
  return st.size / RECORD_BYTES;
}

/**
 * Calls `visit(label, index, record)` for each record of `file` in order; `record` is the whole
 * 3,073-byte record (label byte included) and is only valid during the call. The visitor returns
 * `false` to stop. Returns the number of records visited. Throws a UserError naming the file on
 * a bad size or a label byte above 9.
 */
export async function forEachRecord(
  file: string,
  visit: (label: number, index: number, record: Uint8Array) => boolean | void,
): Promise<number> {
  const total = await recordCount(file);
  let handle;
  try {
    handle = await fs.open(file, 'r');
  } catch (err) {
    throw new UserError(`${file}: cannot be opened: ${messageOf(err)}`);
  }
  const buffer = Buffer.allocUnsafe(RECORDS_PER_CHUNK * RECORD_BYTES);
  let index = 0;
  try {
    while (index < total) {
      const want = Math.min(RECORDS_PER_CHUNK, total - index);
      const bytes = want * RECORD_BYTES;
      let got = 0;
      while (got < bytes) {
        const { bytesRead } = await handle.read(buffer, got, bytes - got, index * RECORD_BYTES + got);
        if (bytesRead === 0)
          throw new UserError(`${file}: ended early at byte ${index * RECORD_BYTES + got} (was it truncated while being read?)`);
        got += bytesRead;
      }
      for (let k = 0; k < want; k++, index++) {
        const record = buffer.subarray(k * RECORD_BYTES, (k + 1) * RECORD_BYTES);
        const label = record[0]!;
        if (label >= LABEL_COUNT) {
          throw new UserError(`${file}: record ${index} (byte ${index * RECORD_BYTES}) has label byte ${label}; CIFAR-10 labels are 0-9`);
        }
        if (visit(label, index, record) === false) return index + 1;
      }
    }
    return index;
  } finally {
    await handle.close();
  }
}

/** All label bytes of a file (10 KB for a real batch), validated. */
export async function readLabels(file: string): Promise<Uint8Array> {
  const labels: number[] = [];
  await forEachRecord(file, (label) => {
    labels.push(label);
  });
  return Uint8Array.from(labels);
}
