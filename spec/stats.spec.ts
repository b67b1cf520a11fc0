import { expect } from 'chai';
import {
  bootstrap,
  equivalence,
  fisherExact,
  intervalVerdict,
  mean,
  meanInterval,
  olsSlope,
  pairedDifferences,
  proportionDifference,
  sd,
  tQuantileOf,
  wilson,
} from '../src/stats/stats.js';
import { Rng } from '../src/util/rng.js';

describe('stats: known values', () => {
  it('t quantiles match the tables', () => {
    expect(tQuantileOf(0.975, 9)).to.be.closeTo(2.262157, 1e-6);
    expect(tQuantileOf(0.975, 2)).to.be.closeTo(4.302653, 1e-6);
  });

  it("paired t interval: Student's sleep data (R: t.test(extra ~ group, sleep, paired = TRUE))", () => {
    const drug1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
    const drug2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
    const { seeds, diffs } = pairedDifferences(new Map(drug2.map((v, i) => [i + 1, v])), new Map(drug1.map((v, i) => [i + 1, v])));
    expect(seeds).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const ci = meanInterval(diffs);
    expect(ci.value).to.be.closeTo(1.58, 1e-12);
    expect(ci.low).to.be.closeTo(0.7001142, 1e-6);
    expect(ci.high).to.be.closeTo(2.4598858, 1e-6);
    expect(ci.n).to.equal(10);
  });

  it('pairs only the seeds both sides have', () => {
    const p = pairedDifferences(
      new Map([
        [3, 1],
        [1, 5],
        [2, 2],
      ]),
      new Map([
        [2, 1],
        [1, 1],
      ]),
    );
    expect(p).to.deep.equal({ seeds: [1, 2], diffs: [4, 1] });
  });

  it('mean, sd, slope; no interval from a single value', () => {
    expect(mean([1, 2, 3, 4])).to.equal(2.5);
    expect(sd([2, 4, 4, 4, 5, 5, 7, 9])).to.be.closeTo(2.13809, 1e-5);
    expect(olsSlope([3, 4, 5, 6, 7], [1, 3, 5, 7, 9])).to.be.closeTo(2, 1e-12);
    expect(Number.isNaN(olsSlope([5, 5], [1, 2]))).to.equal(true);
    expect(Number.isNaN(meanInterval([0.7]).low)).to.equal(true);
  });

  it('Wilson interval: 5 of 10 and 0 of 10', () => {
    const a = wilson(5, 10);
    expect(a.low).to.be.closeTo(0.2366, 1e-4);
    expect(a.high).to.be.closeTo(0.7634, 1e-4);
    const b = wilson(0, 10);
    expect(b.low).to.equal(0);
    expect(b.high).to.be.closeTo(0.2775, 1e-4);
  });

  it("Newcombe's difference of proportions: 56/70 vs 48/80 gives 0.0524 to 0.3339 (Newcombe 1998)", () => {
    const d = proportionDifference(56, 70, 48, 80);
    expect(d.value).to.be.closeTo(0.2, 1e-12);
    expect(d.low).to.be.closeTo(0.0524, 1e-4);
    expect(d.high).to.be.closeTo(0.3339, 1e-4);
  });

  it('Fisher exact test: the lady tasting tea (p = 0.4857) and a lopsided table (R: fisher.test)', () => {
    expect(fisherExact(3, 1, 1, 3)).to.be.closeTo(0.4857143, 1e-6);
    expect(fisherExact(10, 0, 0, 10)).to.be.closeTo(1.082509e-5, 1e-10);
  });

  it('percentile bootstrap: seeded, reproducible, close to the t interval for a large sample', () => {
    const rng = new Rng(7, 'data');
    const data = Array.from({ length: 400 }, () => 0.7 + 0.02 * rng.normal());
    const a = bootstrap(data, mean, new Rng(1, 'bootstrap'), 2000);
    const b = bootstrap(data, mean, new Rng(1, 'bootstrap'), 2000);
    expect(a).to.deep.equal(b);
    const t = meanInterval(data);
    expect(a.low).to.be.closeTo(t.low, 0.0005);
    expect(a.high).to.be.closeTo(t.high, 0.0005);
  });
});

describe('stats: three-way verdicts from an interval and a region', () => {
  const region = { low: -0.03, high: 0.03 };
  it('inside -> agrees, outside -> contradicts, straddling or missing -> inconclusive', () => {
    expect(intervalVerdict({ low: -0.01, high: 0.02 }, region)).to.equal('agrees');
    expect(intervalVerdict({ low: 0.04, high: 0.06 }, region)).to.equal('contradicts');
    expect(intervalVerdict({ low: -0.09, high: -0.05 }, region)).to.equal('contradicts');
    expect(intervalVerdict({ low: 0.01, high: 0.05 }, region)).to.equal('inconclusive');
    expect(intervalVerdict({ low: Number.NaN, high: Number.NaN }, region)).to.equal('inconclusive');
  });
  it('"better" (> 0) is not met by an interval that reaches 0', () => {
    const better = { low: 0, high: Infinity };
    expect(intervalVerdict({ low: 0, high: 0.02 }, better)).to.equal('inconclusive');
    expect(intervalVerdict({ low: 0.001, high: 0.02 }, better)).to.equal('agrees');
    expect(intervalVerdict({ low: -0.02, high: 0 }, better)).to.equal('contradicts');
  });
  it('equivalence is the interval inside target +- margin', () => {
    expect(equivalence({ low: 0.68, high: 0.71 }, 0.7, 0.045)).to.equal('agrees');
    expect(equivalence({ low: 0.6, high: 0.64 }, 0.7, 0.045)).to.equal('contradicts');
  });
});
