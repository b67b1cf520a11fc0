/**
 * The frozen landscape rules: each class is produced by the curve it names and by no other,
 * the absolute floor overrides the relative margin, and plateaus are labelled from unit activity.
 */
import { expect } from 'chai';
import {
  FLATNESS_FLOOR,
  FROZEN_RULES,
  INSIDE_MARGIN,
  articleShapes,
  classifyCurve,
  unstableEnd,
  type LandscapeShape,
  minimumPlace,
  shapeSensitivity,
  unitState,
  type UnitActivity,
} from '../src/probes/landscape-rules.js';
import { linspace } from '../src/probes/landscape.js';

const v = linspace(-8, 8, 101);
const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe('landscape rules: one classifier', () => {
  it('a bowl is an interior minimum; a sigmoid fall levels off; a straight fall is still falling', () => {
    expect(classifyCurve({ values: v, losses: v.map((x) => 0.2 + 1e-3 * (x - 1) ** 2) }).shape).to.equal('interior minimum');
    expect(classifyCurve({ values: v, losses: v.map((x) => 0.2 - 1e-3 * sigmoid(x)) }).shape).to.equal('levels off at an edge');
    const straight = classifyCurve({ values: v, losses: v.map((x) => 0.2 - 1e-4 * x) });
    expect(straight.shape).to.equal('still falling at the edge');
    expect(straight.minimum).to.equal('upper edge');
  });

  it('a curve whose whole range is below the floor is flat, even with a clear bowl', () => {
    const c = classifyCurve({ values: v, losses: v.map((x) => 0.2 + (0.5 * FLATNESS_FLOOR * x * x) / 64) });
    expect(c.shape).to.equal('flat');
    expect(c.lossRange).to.be.below(FLATNESS_FLOOR);
  });

  it('a dip that clears the relative margin but not the absolute floor is not inside', () => {
    // Range 5e-5 (the margin asks for 5e-7), dip 8e-7 below the lower end: under the floor of 1e-6.
    const losses = v.map((x) => 0.2 + (5e-5 * (x + 8)) / 16);
    losses[10] = losses[0] - 8e-7;
    expect(INSIDE_MARGIN * 5e-5).to.be.below(8e-7);
    expect(minimumPlace(losses)).to.equal('lower edge');
    expect(minimumPlace(losses, { flatnessFloor: 0, insideMargin: INSIDE_MARGIN })).to.equal('inside');
  });

  it("a plateau where the unit is off for every image is the sweep's, not an asymptote", () => {
    // ReLU-like: flat for x < 0 (unit off), rising wall after.
    const losses = v.map((x) => 0.2 + 1e-3 * Math.max(0, x) ** 2);
    const activity: UnitActivity[] = v.map((x) => ({ active: x > 0 ? 1 : 0, saturated: 0 }));
    const labelled = classifyCurve({ values: v, losses, activity });
    expect(labelled.shape).to.equal('plateau, unit off');
    expect(labelled.edgeUnit).to.equal('off for every image');
    // Without activity the same curve can only be read as levelling off.
    expect(classifyCurve({ values: v, losses }).shape).to.equal('levels off at an edge');
    // A sigmoid saturating at the edge stays an asymptote.
    const fall = v.map((x) => 0.2 - 1e-3 * sigmoid(x));
    const sat = classifyCurve({ values: v, losses: fall, activity: v.map((x) => ({ active: x > 4 ? 0 : 1, saturated: x > 4 ? 1 : 0 })) });
    expect(sat.shape).to.equal('levels off at an edge');
    expect(sat.edgeUnit).to.equal('saturated for every image');
  });

  it('unit states follow each activation', () => {
    expect(['sigmoid', 'relu', 'relu-clipped', 'relu-scaled', 'tanh'].map((a) => unitState(a, 0))).to.deep.equal([
      'saturated',
      'off',
      'off',
      'off',
      'active',
    ]);
    expect(unitState('sigmoid', 0.5)).to.equal('active');
    expect(unitState('sigmoid', 0.985)).to.equal('saturated');
    expect(unitState('relu-clipped', 1)).to.equal('saturated');
    expect(unitState('relu-clipped', 0.4)).to.equal('active');
    expect(unitState('relu', 5)).to.equal('active');
    expect(unitState('tanh', -0.97)).to.equal('saturated');
  });

  it('the sensitivity table moves a shallow dip from inside to the edge as the floor grows', () => {
    const dip = v.map((x) => 0.2 + 3e-6 * ((x - 2) / 8) ** 2);
    const rows = shapeSensitivity([{ activation: 'relu', values: v, losses: dip }], [0, 1e-6, 1e-5], [INSIDE_MARGIN]);
    expect(rows.map((r) => r.counts['interior minimum'])).to.deep.equal([1, 1, 0]);
    expect(rows.map((r) => r.counts.flat)).to.deep.equal([0, 0, 1]);
    expect(rows.map((r) => r.matchingArticle)).to.deep.equal([1, 1, 0]);
  });

  it("the article's words: ReLU an interior minimum, Sigmoid either edge shape; other activations unnamed", () => {
    const relu: readonly LandscapeShape[] | null = articleShapes('relu');
    expect(relu).to.deep.equal(['interior minimum']);
    expect(articleShapes('sigmoid')).to.have.members(['levels off at an edge', 'still falling at the edge']);
    expect(articleShapes('relu-clipped')).to.equal(null);
    expect(FROZEN_RULES.flatnessFloor).to.equal(FLATNESS_FLOOR);
  });

  it('flags a run that bounced back or sits at chance, and not a steady one', () => {
    expect(unstableEnd({ trainLosses: [0.2, 0.15, 0.14], finalTrainAccuracy: 0.8, trainCount: 4000 })).to.deep.equal([]);
    expect(unstableEnd({ trainLosses: [0.2, 0.15, 0.248], finalTrainAccuracy: 0.8, trainCount: 4000 })).to.have.length(1);
    expect(unstableEnd({ trainLosses: [0.25, 0.25, 0.25], finalTrainAccuracy: 0.505, trainCount: 4000 })[0]).to.match(/chance/);
  });
});
