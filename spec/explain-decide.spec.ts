/**
 * The explain experiment's decision rule on synthetic accuracies whose truth is known: depth
 * penalties built in exactly, seed noise that cancels over the seeds (each seed's noise has a
 * twin of opposite sign), so a zero effect is exactly zero and a built-in one is exactly its size.
 */
import { expect } from 'chai';
import { Rng } from '../src/util/rng.js';
import { judge, penaltiesBySeed, slopesBySeed, type AccuracyTable } from '../src/explain/decide.js';
import type { VariantName } from '../src/explain/config.js';

const LAYERS = [3, 4, 5, 6, 7];
const SEEDS = 8;

/** Accuracy = 70 - penalty x (layers - 3) / 4 + noise, noise of seed s and s + SEEDS/2 opposite. */
function table(penalties: Partial<Record<VariantName, number>>, noise = 1): AccuracyTable {
  const rng = Rng.stream(7, 'explain-decide-spec');
  const out = new Map<VariantName, Map<number, Map<number, number>>>();
  for (const [variant, penalty] of Object.entries(penalties) as [VariantName, number][]) {
    const byLayers = new Map<number, Map<number, number>>();
    for (const l of LAYERS) {
      const seeds = new Map<number, number>();
      for (let s = 1; s <= SEEDS / 2; s++) {
        const e = noise * rng.range(-1, 1);
        const value = 70 - (penalty * (l - 3)) / 4;
        seeds.set(s, value + e);
        seeds.set(s + SEEDS / 2, value - e);
      }
      byLayers.set(l, seeds);
    }
    out.set(variant, byLayers);
  }
  return out;
}

const FOUR = (sigmoid: number, clipped: number, scaled: number, relu: number) => ({
  sigmoid,
  'relu-clipped': clipped,
  'relu-scaled': scaled,
  relu,
});

describe('explain: the decision rule on synthetic truth', () => {
  it('measures the depth penalty (shallowest minus deepest) and the slope per layer, per seed', () => {
    const t = table({ sigmoid: 8 }, 0);
    const byLayers = t.get('sigmoid')!;
    expect([...penaltiesBySeed(byLayers).values()]).to.deep.equal(new Array(SEEDS).fill(8));
    for (const slope of slopesBySeed(byLayers).values()) expect(slope).to.be.closeTo(-2, 1e-9);
    const j = judge(table({ sigmoid: 8 }), 0.95);
    expect(j.penalty.get('sigmoid')!.value).to.be.closeTo(8, 1e-9);
    expect(j.penalty.get('sigmoid')!.n).to.equal(SEEDS);
    expect(j.slope.get('sigmoid')!.value).to.be.closeTo(-2, 1e-9);
  });

  it('both factors: bounded and shrinking each add 4 points of penalty', () => {
    const j = judge(table(FOUR(8, 4, 4, 0)), 0.95);
    expect(j.bounded!.value).to.be.closeTo(4, 1e-9);
    expect(j.shrinking!.value).to.be.closeTo(4, 1e-9);
    expect(j.interaction!.value).to.be.closeTo(0, 1e-9);
    expect(j.blame).to.equal('both');
    expect(j.moreThanShrinking).to.equal('holds');
    expect(j.sigmoidFails).to.equal('holds');
  });

  it('only the bounded output: blamed, and "more than shrinking" holds', () => {
    const j = judge(table(FOUR(6, 6, 0, 0)), 0.95);
    expect(j.shrinking!.low).to.be.below(0);
    expect(j.shrinking!.high).to.be.above(0);
    expect(j.blame).to.equal('bounded output');
    expect(j.moreThanShrinking).to.equal('holds');
  });

  it('only the shrinking derivative: blamed, and "more than shrinking" is inconclusive', () => {
    const j = judge(table(FOUR(6, 0, 6, 0)), 0.95);
    expect(j.blame).to.equal('shrinking derivative');
    expect(j.moreThanShrinking).to.equal('inconclusive');
  });

  it('neither factor: inconclusive, and Sigmoid shows no failure to explain', () => {
    const j = judge(table(FOUR(0, 0, 0, 0)), 0.95);
    expect(j.blame).to.equal('inconclusive');
    expect(j.sigmoidFails).to.equal('inconclusive');
  });

  it('bounding that helps the deep networks contradicts "more than shrinking"', () => {
    const j = judge(table(FOUR(0, 0, 6, 6)), 0.95);
    expect(j.bounded!.high).to.be.below(0);
    expect(j.moreThanShrinking).to.equal('contradicted');
    expect(j.blame).to.equal('inconclusive');
  });

  it("judges Sigmoid's fixes: removes, reduces, increases, no detectable change", () => {
    const removes = judge(table({ ...FOUR(6, 0, 0, 0), 'sigmoid-reachable': 0, 'sigmoid-normalised': 3 }), 0.95);
    expect(removes.fixes.get('sigmoid-reachable')!.verdict).to.equal('removes the penalty');
    expect(removes.fixes.get('sigmoid-normalised')!.verdict).to.equal('reduces the penalty');
    const other = judge(table({ ...FOUR(6, 0, 0, 0), 'sigmoid-reachable': 10, 'sigmoid-normalised': 6 }), 0.95);
    expect(other.fixes.get('sigmoid-reachable')!.verdict).to.equal('increases the penalty');
    expect(other.fixes.get('sigmoid-normalised')!.verdict).to.equal('no detectable change');
  });

  it('a missing variant leaves its contrasts not measured', () => {
    const j = judge(table({ sigmoid: 6, relu: 0, 'relu-clipped': 6 }), 0.95);
    expect(j.bounded).to.equal(null);
    expect(j.blame).to.equal('not measured');
    expect(j.moreThanShrinking).to.equal('not measured');
    expect(j.fixes.get('sigmoid-reachable')!.verdict).to.equal('not measured');
  });

  it('a small effect in much noise is blamed at 90 % but not at 95 % or 99 %: the conclusion moves with the rule', () => {
    // Bounded effect 1.15 points against seed noise of about 2: the interval's lower end crosses 0 between 90 % and 95 %.
    const t = table(FOUR(1.15, 1.15, 0, 0), 2);
    expect(judge(t, 0.9).bounded!.low).to.be.above(0);
    expect(judge(t, 0.9).blame).to.equal('bounded output');
    expect(judge(t, 0.95).bounded!.low).to.be.below(0);
    expect(judge(t, 0.95).blame).to.equal('inconclusive');
    expect(judge(t, 0.99).blame).to.equal('inconclusive');
  });
});
