import { expect } from 'chai';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { forEachRecord, readLabels } from '../src/data/records.js';
import { grayByte, recordToInputs } from '../src/data/pixels.js';
import { loadSubset } from '../src/data/subset.js';
import { writeStamp, batchDirOf } from '../src/data/cache.js';
import { IMAGE_BYTES, PLANE_BYTES, RECORD_BYTES } from '../src/data/checksums.js';
import { makeFixtureDataDir } from './helpers/cifar-fixture.js';
import { type HandImage, record, writeBatch } from './helpers/data-files.js';

/** One image, all zero except red = 200 at row 3, column 5 (plane index 3*32+5 = 101). */
function onePixelImage(label: number): HandImage {
  const pixels = new Uint8Array(IMAGE_BYTES);
  pixels[101] = 200;
  return { label, pixels };
}

/**
 * A hand-made data directory (3 images per file) whose subset is computed by hand below.
 * Labels: airplane 0, cat 3, ship 8, truck 9.
 */
async function handMadeDataDir(): Promise<string> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'cifar-hand-'));
  const b = batchDirOf(dataDir);
  await writeBatch(path.join(b, 'data_batch_1.bin'), [
    { label: 8, rgb: [10, 20, 30] }, // ship #1
    { label: 3, rgb: [99, 99, 99] }, // cat: skipped
    { label: 0, rgb: [0, 0, 5] }, // airplane #1
  ]);
  await writeBatch(path.join(b, 'data_batch_2.bin'), [
    { label: 0, rgb: [255, 0, 0] }, // airplane #2
    { label: 0, rgb: [7, 7, 7] }, // airplane #3 (beyond N = 2)
    { label: 8, rgb: [1, 1, 2] }, // ship #2
  ]);
  for (const n of [3, 4, 5]) {
    await writeBatch(path.join(b, `data_batch_${n}.bin`), [
      { label: 9, rgb: [1, 2, 3] },
      { label: 0, rgb: [4, 5, 6] },
      { label: 8, rgb: [7, 8, 9] },
    ]);
  }
  await writeBatch(path.join(b, 'test_batch.bin'), [onePixelImage(0), { label: 8, rgb: [128, 128, 128] }, { label: 9, rgb: [0, 0, 0] }]);
  await writeStamp(dataDir, { source: 'hand-made test files', checkedAgainst: 'synthetic fixture' });
  return dataDir;
}

describe('data: record reader', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await handMadeDataDir();
  });
  after(() => fs.rm(dataDir, { recursive: true, force: true }));

  it('reads labels and whole records in file order', async () => {
    const file = path.join(batchDirOf(dataDir), 'data_batch_1.bin');
    expect(Array.from(await readLabels(file))).to.deep.equal([8, 3, 0]);
    const seen: number[][] = [];
    const n = await forEachRecord(file, (label, index, rec) => {
      expect(rec.length).to.equal(RECORD_BYTES);
      seen.push([label, index, rec[1]!, rec[1 + PLANE_BYTES]!, rec[1 + 2 * PLANE_BYTES]!, rec[RECORD_BYTES - 1]!]);
    });
    expect(n).to.equal(3);
    expect(seen).to.deep.equal([
      [8, 0, 10, 20, 30, 30],
      [3, 1, 99, 99, 99, 99],
      [0, 2, 0, 0, 5, 5],
    ]);
  });

  it('stops when the visitor returns false', async () => {
    const file = path.join(batchDirOf(dataDir), 'data_batch_2.bin');
    const labels: number[] = [];
    const n = await forEachRecord(file, (label) => {
      labels.push(label);
      return labels.length < 2;
    });
    expect(n).to.equal(2);
    expect(labels).to.deep.equal([0, 0]);
  });
});

describe('data: gray conversion (BT.601 luma, rounded like OpenCV)', () => {
  it('matches hand-computed values', () => {
    // 0.299*10 + 0.587*20 + 0.114*30 = 18.15 -> 18
    expect(grayByte(10, 20, 30)).to.equal(18);
    // 0.299*255 = 76.245 -> 76
    expect(grayByte(255, 0, 0)).to.equal(76);
    // 0.114*5 = 0.57 -> 1: rounded, not truncated
    expect(grayByte(0, 0, 5)).to.equal(1);
    // 0.299 + 0.587 + 0.228 = 1.114 -> 1
    expect(grayByte(1, 1, 2)).to.equal(1);
    // gray stays gray: the fixed-point weights sum to exactly 2^14
    for (const v of [0, 1, 127, 128, 254, 255]) expect(grayByte(v, v, v)).to.equal(v);
    expect(grayByte(255, 255, 255)).to.equal(255);
  });

  it('is within rounding of the floating-point formula everywhere', () => {
    let maxErr = 0;
    for (let r = 0; r < 256; r += 3) {
      for (let g = 0; g < 256; g += 5) {
        for (let b = 0; b < 256; b += 7) {
          maxErr = Math.max(maxErr, Math.abs(grayByte(r, g, b) - (0.299 * r + 0.587 * g + 0.114 * b)));
        }
      }
    }
    expect(maxErr).to.be.at.most(0.5 + 0.02);
  });

  it('converts a record into gray and rgb inputs at the documented positions', () => {
    const rec = record(onePixelImage(0));
    const gray = new Float32Array(PLANE_BYTES + 2).fill(-1);
    recordToInputs(rec, 'gray', gray, 1);
    expect(gray[0]).to.equal(-1);
    expect(gray[PLANE_BYTES + 1]).to.equal(-1);
    // 0.299 * 200 = 59.8 -> 60, at input 1 + 101
    expect(gray[1 + 101]).to.equal(Math.fround(60 / 255));
    expect(Array.from(gray.subarray(1, 1 + PLANE_BYTES)).filter((v) => v !== 0)).to.have.length(1);
    const rgb = new Float32Array(IMAGE_BYTES);
    recordToInputs(rec, 'rgb', rgb, 0);
    expect(rgb[101]).to.equal(Math.fround(200 / 255));
    expect(rgb[PLANE_BYTES + 101]).to.equal(0);
    expect(rgb[2 * PLANE_BYTES + 101]).to.equal(0);
    expect(Array.from(rgb).filter((v) => v !== 0)).to.have.length(1);
  });
});

describe('data: the two-class subset', () => {
  let dataDir: string;
  before(async () => {
    dataDir = await handMadeDataDir();
  });
  after(() => fs.rm(dataDir, { recursive: true, force: true }));

  const at = (x: Float32Array, row: number, inputs: number): number[] => Array.from(x.subarray(row * inputs, (row + 1) * inputs));
  const uniform = (v: number, n = PLANE_BYTES): number[] => new Array<number>(n).fill(Math.fround(v / 255));

  it('takes the first N of each class in file order, airplane -> 1, ship -> 0, gray inputs', async () => {
    const s = await loadSubset({ dataDir, positive: 'airplane', negative: 'ship', trainPerClass: 2, testPerClass: 1, color: 'gray' });
    expect(s.source).to.equal('cache');
    expect([s.positive, s.negative, s.color]).to.deep.equal(['airplane', 'ship', 'gray']);
    expect(s.train.count).to.equal(4);
    expect(s.train.inputs).to.equal(1024);
    // file order: batch1 ship(10,20,30), batch1 airplane(0,0,5), batch2 airplane(255,0,0), batch2 ship(1,1,2)
    expect(Array.from(s.train.y)).to.deep.equal([0, 1, 1, 0]);
    expect(at(s.train.x, 0, 1024)).to.deep.equal(uniform(18));
    expect(at(s.train.x, 1, 1024)).to.deep.equal(uniform(1));
    expect(at(s.train.x, 2, 1024)).to.deep.equal(uniform(76));
    expect(at(s.train.x, 3, 1024)).to.deep.equal(uniform(1));
    expect(s.test.count).to.equal(2);
    expect(Array.from(s.test.y)).to.deep.equal([1, 0]);
    const t0 = at(s.test.x, 0, 1024);
    expect(t0[101]).to.equal(Math.fround(60 / 255));
    expect(t0.filter((v) => v !== 0)).to.have.length(1);
    expect(at(s.test.x, 1, 1024)).to.deep.equal(uniform(128));
  });

  it('swaps targets when the classes are swapped, and gives rgb in plane-major order', async () => {
    const s = await loadSubset({ dataDir, positive: 'ship', negative: 'airplane', trainPerClass: 1, testPerClass: 1, color: 'rgb' });
    expect(s.train.inputs).to.equal(3072);
    expect(Array.from(s.train.y)).to.deep.equal([1, 0]); // batch1: ship first, then airplane
    const ship = at(s.train.x, 0, 3072);
    expect(ship.slice(0, 1024)).to.deep.equal(uniform(10));
    expect(ship.slice(1024, 2048)).to.deep.equal(uniform(20));
    expect(ship.slice(2048)).to.deep.equal(uniform(30));
  });

  it('uses all five training batches when needed and is deterministic', async () => {
    const a = await loadSubset({ dataDir, positive: 'airplane', negative: 'ship', trainPerClass: 5, testPerClass: 1, color: 'gray' });
    const b = await loadSubset({ dataDir, positive: 'airplane', negative: 'ship', trainPerClass: 5, testPerClass: 1, color: 'gray' });
    // airplanes: b1, b2, b2, b3, b4; ships: b1, b2, b3, b4, b5 -> 10 images, in file order
    expect(Array.from(a.train.y)).to.deep.equal([0, 1, 1, 1, 0, 1, 0, 1, 0, 0]);
    expect(a.train.x).to.deep.equal(b.train.x);
    expect(a.train.y).to.deep.equal(b.train.y);
  });

  it('holds out the next validationPerClass images of each class from the training batches', async () => {
    const both = await loadSubset({ dataDir, positive: 'airplane', negative: 'ship', trainPerClass: 4, testPerClass: 1, color: 'gray' });
    const s = await loadSubset({
      dataDir,
      positive: 'airplane',
      negative: 'ship',
      trainPerClass: 2,
      validationPerClass: 2,
      testPerClass: 1,
      color: 'gray',
    });
    // the first 4 of each class in file order: s a a a s a s s -> the first 2 of each train, the next 2 validate
    expect(Array.from(both.train.y)).to.deep.equal([0, 1, 1, 1, 0, 1, 0, 0]);
    expect(Array.from(s.train.y)).to.deep.equal([0, 1, 1, 0]);
    expect(s.validation).to.not.equal(undefined);
    expect(Array.from(s.validation!.y)).to.deep.equal([1, 1, 0, 0]);
    [0, 1, 2, 4].forEach((row, k) => expect(at(s.train.x, k, 1024)).to.deep.equal(at(both.train.x, row, 1024)));
    [3, 5, 6, 7].forEach((row, k) => expect(at(s.validation!.x, k, 1024)).to.deep.equal(at(both.train.x, row, 1024)));
    // the test set is untouched by the split
    expect(s.test.x).to.deep.equal(both.test.x);
    const none = await loadSubset({ dataDir, positive: 'airplane', negative: 'ship', trainPerClass: 2, testPerClass: 1, color: 'gray' });
    expect(none.validation).to.equal(undefined);
  });

  it('names both parts when the training batches cannot give training plus validation images', async () => {
    let message = '';
    try {
      await loadSubset({
        dataDir,
        positive: 'airplane',
        negative: 'ship',
        trainPerClass: 4,
        validationPerClass: 2,
        testPerClass: 1,
        color: 'gray',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).to.match(
      /^asked for 6 (airplane|ship) images \(4 training \+ 2 validation\), but the five training batches .* hold only 5$/,
    );
  });

  it('accepts the synthetic fixture, whose classes a simple rule separates', async () => {
    const f = await makeFixtureDataDir({ recordsPerBatch: 100 });
    try {
      const s = await loadSubset({
        dataDir: f.dataDir,
        positive: 'airplane',
        negative: 'ship',
        trainPerClass: f.trainPerClass,
        testPerClass: f.testPerClass,
        color: 'gray',
      });
      expect(s.train.count).to.equal(2 * 150);
      expect(s.test.count).to.equal(2 * 30);
      // airplanes brighter on top, ships at the bottom
      let correct = 0;
      for (let k = 0; k < s.train.count; k++) {
        const img = s.train.x.subarray(k * 1024, (k + 1) * 1024);
        const top = img.subarray(0, 512).reduce((p, v) => p + v, 0);
        const bottom = img.subarray(512).reduce((p, v) => p + v, 0);
        if ((top > bottom ? 1 : 0) === s.train.y[k]) correct++;
      }
      expect(correct).to.equal(s.train.count);
    } finally {
      await f.cleanup();
    }
  });
});
