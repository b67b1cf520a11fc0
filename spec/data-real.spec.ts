/**
 * End to end on the real CIFAR-10 files, when they are already in the cache (this test never
 * downloads: run `node dist/run.js data fetch` first). Skipped, saying so, otherwise.
 */
import { expect } from 'chai';
import path from 'node:path';
import { batchFilePath, readStamp, resolveDataDir, unchangedSinceStamp } from '../src/data/cache.js';
import { BATCH_FILES, OFFICIAL_FILES, PLANE_BYTES, RECORD_BYTES } from '../src/data/checksums.js';
import { readLabels, forEachRecord } from '../src/data/records.js';
import { loadSubset } from '../src/data/subset.js';
import { verifyFile } from '../src/data/verify.js';

describe('data: the real CIFAR-10 (end to end, from the cache)', function () {
  const dataDir = resolveDataDir();

  before(async function () {
    const stamp = await readStamp(dataDir);
    const ok = stamp !== null && stamp.checkedAgainst === 'official' && unchangedSinceStamp(dataDir, stamp).size === BATCH_FILES.length;
    if (!ok) {
      console.log(`      SKIPPED: no verified CIFAR-10 in ${dataDir} (run \`node dist/run.js data fetch\` to enable this test)`);
      this.skip();
    }
  });

  it('the test batch matches the official MD5 and SHA-256', async () => {
    const check = await verifyFile(batchFilePath(dataDir, 'test_batch.bin'), 'test_batch.bin', OFFICIAL_FILES['test_batch.bin']);
    expect(check.problem).to.equal(undefined);
    expect(check.ok).to.equal(true);
  });

  it('loads the blog subset: 2,000 + 2,000 training and 200 + 200 test images, gray, 0-1', async () => {
    const s = await loadSubset({ dataDir, positive: 'airplane', negative: 'ship', trainPerClass: 2000, testPerClass: 200, color: 'gray' });
    expect(s.source).to.equal('cache');
    expect([s.train.count, s.train.inputs, s.test.count, s.test.inputs]).to.deep.equal([4000, 1024, 400, 1024]);
    const ones = (y: Float32Array) => y.reduce((a, v) => a + v, 0);
    expect(ones(s.train.y)).to.equal(2000);
    expect(ones(s.test.y)).to.equal(200);
    // data_batch_1 begins with labels 6 9 9 4 1 1 2 7 8 3 (a well-known fact): the first image chosen is record 8, a ship.
    const labels = await readLabels(batchFilePath(dataDir, 'data_batch_1.bin'));
    expect(Array.from(labels.subarray(0, 10))).to.deep.equal([6, 9, 9, 4, 1, 1, 2, 7, 8, 3]);
    expect(s.train.y[0]).to.equal(0);
    // Its gray values, recomputed from the raw bytes with the floating-point formula, agree to within rounding.
    let rec: Uint8Array | undefined;
    await forEachRecord(batchFilePath(dataDir, 'data_batch_1.bin'), (_l, i, r) => {
      if (i === 8) rec = Uint8Array.from(r);
      return i < 8;
    });
    expect(rec!.length).to.equal(RECORD_BYTES);
    for (let p = 0; p < PLANE_BYTES; p++) {
      const y = 0.299 * rec![1 + p]! + 0.587 * rec![1 + PLANE_BYTES + p]! + 0.114 * rec![1 + 2 * PLANE_BYTES + p]!;
      const got = s.train.x[p]! * 255;
      expect(Math.abs(got - y)).to.be.at.most(0.51);
      expect(Math.abs(got - Math.round(got))).to.be.below(1e-4); // whole gray levels, like OpenCV's uint8 output
    }
    expect(path.isAbsolute(s.dataDir)).to.equal(true);
  });
});
