/**
 * The crossed bootstrap over seeds x test images (configs/rules/confirmatory.json, "bootstrap"),
 * and test-images.csv, the per-image data a runs table carries to it.
 */
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CrossedBootstrap } from '../src/stats/crossed-bootstrap.js';
import { meanInterval } from '../src/stats/stats.js';
import { Rng } from '../src/util/rng.js';
import { readTestImagesBeside, writeTestImagesCsv, type TestImages } from '../src/reports/test-images.js';
import { CROSSED_BOOTSTRAP } from '../src/reports/claims/registry.js';
import { UserError } from '../src/util/errors.js';
import type { RunRow } from '../src/reports/runs-table.js';

const IMAGES = 2000;
const SEEDS = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

/** 0/1 correctness with accuracy about p, drawn from a seeded stream. */
function bits(p: number, rng: Rng): Uint8Array {
  const b = new Uint8Array(IMAGES);
  for (let i = 0; i < IMAGES; i++) b[i] = rng.uniform() < p ? 1 : 0;
  return b;
}

const accuracy = (b: Uint8Array): number => b.reduce((s, x) => s + x, 0) / b.length;

describe('the crossed bootstrap over seeds x test images', () => {
  it("carries the test set's own noise: runs that agree on every seed still get the binomial width of 2,000 images", () => {
    const same = bits(0.7, new Rng(1, 'bits'));
    const b = new CrossedBootstrap(SEEDS, () => same, IMAGES, CROSSED_BOOTSTRAP);
    const p = accuracy(same);
    const e = b.interval(['a'], (v) => v[0], p, 0.95);
    // t over seeds sees no spread at all; the image draw gives about t(0.975, 9) x sqrt(10/9) x sqrt(p(1-p)/N).
    expect(meanInterval(SEEDS.map(() => p)).high - p).to.be.below(1e-12);
    const expected = 2.262 * Math.sqrt(10 / 9) * Math.sqrt((p * (1 - p)) / IMAGES);
    expect(e.high - p).to.be.within(0.85 * expected, 1.15 * expected);
    expect(e.value).to.equal(p);
  });

  it('keeps comparisons paired over images: two networks that err on the same images differ by exactly nothing', () => {
    const rng = new Rng(2, 'bits');
    const bySeed = new Map(SEEDS.map((s) => [s, bits(0.7, rng)]));
    const b = new CrossedBootstrap(SEEDS, (_net, seed) => bySeed.get(seed), IMAGES, CROSSED_BOOTSTRAP);
    const d = b.interval(['a', 'b'], (v) => v[0] - v[1], 0, 0.95);
    expect(d.low).to.equal(0);
    expect(d.high).to.equal(0);
    // ...while each one's own level has the seeds' and the images' spread.
    const own = b.interval(['a'], (v) => v[0], 0.7, 0.95);
    expect(own.high - own.low).to.be.above(0.02);
  });

  it('covers both sources: wider than t over seeds when seeds also differ, and the same replicates every time', () => {
    const rng = new Rng(3, 'bits');
    const bySeed = new Map(SEEDS.map((s, k) => [s, bits(0.66 + 0.008 * k, rng)]));
    const make = () => new CrossedBootstrap(SEEDS, (_n, seed) => bySeed.get(seed), IMAGES, CROSSED_BOOTSTRAP);
    const perSeed = SEEDS.map((s) => accuracy(bySeed.get(s)!));
    const t = meanInterval(perSeed, 0.95);
    const e = make().interval(['a'], (v) => v[0], t.value, 0.95);
    expect(e.high - e.low).to.be.above(t.high - t.low);
    expect(make().interval(['a'], (v) => v[0], t.value, 0.95)).to.deep.equal(e);
    // A wider level is wider, by the t quantiles' ratio.
    const wide = make().interval(['a'], (v) => v[0], t.value, 0.9875);
    expect(wide.high - wide.low).to.be.above(e.high - e.low);
  });

  it("uses the rules file's resamples and seed", () => {
    const rules = JSON.parse(readFileSync('configs/rules/confirmatory.json', 'utf8'));
    expect(CROSSED_BOOTSTRAP).to.deep.equal({ resamples: rules.bootstrap.resamples, seed: rules.bootstrap.seed });
  });
});

describe('test-images.csv', () => {
  let dir: string;
  const rng = new Rng(4, 'bits');
  const chosen = bits(0.7, rng);
  const stop = bits(0.68, rng);
  const runs = [
    { config: 'sigmoid5', seed: 11, test_full_acc: accuracy(chosen), test_full_acc_final: accuracy(stop) },
  ] as unknown as RunRow[];
  const images: TestImages = { images: IMAGES, get: (_c, _s, epoch) => (epoch === 'chosen' ? chosen : stop) };
  const runsFile = () => path.join(dir, 'runs.csv');

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'test-images-'));
    writeFileSync(runsFile(), '');
    await writeTestImagesCsv(dir, runs, images);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads back what was written, bit for bit', () => {
    const read = readTestImagesBeside(runsFile(), runs)!;
    expect(read.images).to.equal(IMAGES);
    expect(Buffer.from(read.get('sigmoid5', 11, 'chosen')!).equals(Buffer.from(chosen))).to.equal(true);
    expect(Buffer.from(read.get('sigmoid5', 11, 'stop')!).equals(Buffer.from(stop))).to.equal(true);
    // 4 images per hexadecimal digit.
    expect(readFileSync(path.join(dir, 'test-images.csv'), 'utf8').split('\n')[1]).to.match(/^sigmoid5,11,chosen,2000,[0-9a-f]{500}$/);
  });

  const tampered = (edit: (text: string) => string, why: RegExp) => () => {
    const file = path.join(dir, 'test-images.csv');
    const good = readFileSync(file, 'utf8');
    try {
      writeFileSync(file, edit(good));
      expect(() => readTestImagesBeside(runsFile(), runs)).to.throw(UserError, why);
    } finally {
      writeFileSync(file, good);
    }
  };

  it(
    "refuses bits that do not give the runs table's accuracy",
    tampered((t) => t.replace(/(chosen,2000,)(.)/, (_m, a, c) => `${a}${c === 'f' ? '0' : 'f'}`), /give accuracy .* says test_full_acc/),
  );
  it(
    'refuses a row of a run the table does not have',
    tampered((t) => t.replace('sigmoid5,11,stop', 'relu9,11,stop'), /no run relu9 seed 11/),
  );
  it(
    'refuses a malformed correctness string',
    tampered((t) => t.replace(/(chosen,2000,[0-9a-f]{10})/, '$1z'), /must be 500 lowercase hexadecimal digits/),
  );
  it(
    'refuses a run of the table without its rows',
    tampered(
      (t) =>
        t
          .split('\n')
          .filter((l) => !l.includes(',stop,'))
          .join('\n'),
      /no stop row for sigmoid5 seed 11/,
    ),
  );
  it(
    'refuses a duplicated row',
    tampered((t) => t + t.split('\n')[1] + '\n', /listed twice/),
  );
});
