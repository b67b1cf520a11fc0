/**
 * Source 2: the dataset authors' own tarball (cifar-10-binary.tar.gz, 170 MB), streamed to a
 * temporary file, MD5-checked against the published digest, then unpacked with `tar`.
 * On machines that cannot reach www.cs.toronto.edu this fails within the connect timeout
 * (DNS failures within milliseconds) and ensureData moves on.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as tar from 'tar';
import { OFFICIAL_TARBALL_MD5 } from '../checksums.js';
import { BATCH_DIR_NAME } from '../cache.js';
import { downloadToFile } from './http.js';
import { type DataSource, type SourceContext, SourceError } from './source.js';

const OFFICIAL_TARBALL_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz';

export interface OfficialSourceOptions {
  url?: string;
  /** Expected MD5 of the tarball (tests substitute their own small tarball). */
  md5?: string;
  connectTimeoutMs?: number;
}

/** The members we take from the tarball; anything else in it is ignored. */
const WANTED = /^(?:\.\/)?cifar-10-batches-bin\/(?:data_batch_[1-5]\.bin|test_batch\.bin|batches\.meta\.txt)$/;

export function officialSource(opts: OfficialSourceOptions = {}): DataSource {
  const url = opts.url ?? OFFICIAL_TARBALL_URL;
  const md5 = opts.md5 ?? OFFICIAL_TARBALL_MD5;
  return {
    name: 'official tarball',
    async produce(ctx: SourceContext): Promise<void> {
      // The tarball's own directory name is the cache layout, so it unpacks straight into outDir.
      if (path.join(ctx.workDir, BATCH_DIR_NAME) !== ctx.outDir) {
        throw new Error('officialSource: outDir must be <workDir>/cifar-10-batches-bin');
      }
      const tarball = path.join(ctx.workDir, 'cifar-10-binary.tar.gz');
      ctx.log(`data: downloading ${url}`);
      const { bytes, digests } = await downloadToFile(url, tarball, {
        connectTimeoutMs: opts.connectTimeoutMs,
        hashes: ['md5'],
        progress: ctx.progress,
        progressLabel: 'cifar-10-binary.tar.gz',
      });
      const got = digests.md5!.toString('hex');
      if (got !== md5) throw new SourceError(`tarball MD5 mismatch: got ${got}, expected ${md5} (${bytes} bytes received)`);
      ctx.log(`data: tarball MD5 OK (${(bytes / 1e6).toFixed(1)} MB); unpacking`);
      try {
        await tar.x({ file: tarball, cwd: ctx.workDir, filter: (p) => WANTED.test(p), strict: true });
      } catch (err) {
        throw new SourceError(`cannot unpack the tarball: ${(err as Error).message}`);
      }
      await fs.rm(tarball, { force: true });
    },
  };
}
