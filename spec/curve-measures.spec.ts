/**
 * Curve measures and the paired comparison of two activations, on curves whose answers are
 * known in closed form, and the exact tests against published values (scipy.stats).
 */
import { expect } from 'chai';
import { measureCurve } from '../src/probes/curve-measures.js';
import { compareActivations, exactMcNemar, fisherExact, type ShapedCurve } from '../src/probes/shape-comparison.js';
import { shapeSensitivity } from '../src/probes/landscape-rules.js';
import { landscapeRulesTable } from '../src/reports/report-data.js';
import { linspace } from '../src/probes/landscape.js';

const v = linspace(-8, 8, 101); // spacing 0.16, 0 at index 50

describe('curve measures', () => {
  it('a bowl: curvature 2a at the trained value, minimum above it, SGD steps from the gradient there', () => {
    const a = 1e-3;
    const m = measureCurve(
      { values: v, losses: v.map((x) => 0.2 + a * (x - 3.2) ** 2), gradients: v.map((x) => 2 * a * (x - 3.2)), original: 0 },
      0.1,
    );
    expect(m.classification.shape).to.equal('interior minimum');
    expect(m.trainedIndex).to.equal(50);
    expect(m.curvatureAtTrained).to.be.closeTo(2 * a, 1e-9);
    expect(m.minimumOffset).to.be.closeTo(3.2, 1e-9);
    expect(m.minimumSide).to.equal('above');
    expect(m.gainAvailable).to.be.closeTo(a * 3.2 ** 2, 1e-12);
    // 3.2 / (0.1 x |2a x -3.2|) = 3.2 / 6.4e-4 = 5,000 steps.
    expect(m.sgdStepsToMinimum).to.be.closeTo(5000, 1e-6);
    expect(m.headsTowardMinimum).to.equal(true);
    expect(m.flat).to.equal(false);
  });

  it('a minimum at the trained value needs no step; a gradient pointing away is flagged', () => {
    const at = measureCurve({ values: v, losses: v.map((x) => 0.2 + 1e-3 * x * x), gradients: v.map((x) => 2e-3 * x), original: 0.01 }, 1);
    expect(at.minimumSide).to.equal('at the trained value');
    expect(at.sgdStepsToMinimum).to.equal(0);
    const away = measureCurve({ values: v, losses: v.map((x) => 0.2 - 1e-4 * x), gradients: v.map(() => 1e-4), original: 0 }, 1);
    expect(away.headsTowardMinimum).to.equal(false);
    expect(away.classification.shape).to.equal('still falling at the edge');
  });
});

describe('comparing two activations on the same weights', () => {
  it('exact tests agree with scipy.stats', () => {
    expect(fisherExact(15, 15, 11, 19)).to.be.closeTo(0.4348155587, 1e-9);
    expect(fisherExact(3, 1, 1, 3)).to.be.closeTo(0.4857142857, 1e-9);
    expect(exactMcNemar(5, 1)).to.be.closeTo(0.21875, 1e-12);
    expect(exactMcNemar(0, 0)).to.equal(1);
    expect(exactMcNemar(10, 0)).to.be.closeTo(2 / 1024, 1e-12);
  });

  it('pairs curves by seed and weight and counts the discordant pairs', () => {
    const curves: ShapedCurve[] = [];
    for (let k = 0; k < 8; k++) {
      curves.push({ activation: 'relu', seed: 1, weightI: k, weightJ: 0, shape: k < 6 ? 'interior minimum' : 'plateau, unit off' });
      curves.push({ activation: 'sigmoid', seed: 1, weightI: k, weightJ: 0, shape: k < 1 ? 'interior minimum' : 'levels off at an edge' });
    }
    curves.push({ activation: 'sigmoid', seed: 2, weightI: 0, weightJ: 0, shape: 'interior minimum' }); // unpaired
    const c = compareActivations(curves, 'relu', 'sigmoid');
    expect([c.pairs, c.both, c.onlyFirst, c.onlySecond, c.neither]).to.deep.equal([8, 1, 5, 0, 2]);
    expect(c.mcnemarP).to.be.closeTo(2 / 32, 1e-12);
    expect(c.countsFirst).to.deep.equal([6, 8]);
    expect(c.countsSecond).to.deep.equal([2, 9]);
    expect(c.fisherP).to.be.closeTo(fisherExact(6, 2, 2, 7), 1e-12);
  });

  it('prints the sensitivity table with the frozen setting marked', () => {
    const bowl = v.map((x) => 0.2 + 1e-3 * (x - 1) ** 2);
    const t = landscapeRulesTable(shapeSensitivity([{ activation: 'relu', values: v, losses: bowl }], [1e-6, 1], [0.01]));
    expect(t.rows).to.deep.equal([
      ['1e-6 (frozen)', '1.0 % (frozen)', '1/1 / 0 / 1 / 0 / 0'],
      ['1e+0', '1.0 %', '0/1 / 1 / 0 / 0 / 0'],
    ]);
  });
});
