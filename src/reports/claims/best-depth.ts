/** "The best Sigmoid network has 5 layers and the best ReLU network 6." */
import { bootstrapDraws, intervalVerdict, meanInterval } from '../../stats/stats.js';
import { Rng } from '../../util/rng.js';
import { bySeed, commonSeeds, configsOf, depthsOf, notMeasured, withCi } from './by-seed.js';
import { CONFIDENCE, defineClaim, type ClaimPart, type Verdict } from './claim.js';

/** The article's best depth (layers: input + hidden + output) per activation. */
const ARTICLE_BEST_DEPTH: Readonly<Record<string, number>> = { sigmoid: 5, relu: 6 };

/** Resamples and seed of the bootstrap (src/util/rng.ts stream 'bootstrap'), so reports are reproducible. */
const BOOTSTRAP = { resamples: 2000, seed: 12 } as const;

export const bestDepth = defineClaim({
  id: 'best-depth',
  group: 'results',
  sentence: 'The best Sigmoid network has 5 layers and the best ReLU network 6.',
  // The article's own sentence.
  articleJa: { text: '若干3層よりSigmoidは5層、ReLUは6層のニューラルネットのほうが精度は上でした', verbatim: true },
  columns: ['test_acc'],
  margins: {},
  judge(runs) {
    const configs = configsOf(runs);
    const parts: ClaimPart[] = [];
    const evidence: string[] = [];
    for (const [activation, articleDepth] of Object.entries(ARTICLE_BEST_DEPTH)) {
      const list = depthsOf(configs, activation);
      const at = list.findIndex((c) => c.layers === articleDepth);
      const region = `the ${articleDepth}-layer network ahead of every other depth (> 0)`;
      const statistic = `${articleDepth} layers minus its closest rival, paired by seed (Bonferroni intervals)`;
      const maps = list.map((c) => bySeed(c));
      const seeds = commonSeeds(maps);
      if (at < 0 || list.length < 2 || seeds.length < 2) {
        parts.push(notMeasured(activation, statistic, region, 'points'));
        continue;
      }
      // d* is best when it beats every other depth: one paired comparison per rival, each at
      // confidence 1 - alpha/(k - 1) so that the family keeps the stated error rate.
      const rivals = list.map((c, i) => ({ c, i })).filter(({ i }) => i !== at);
      const alpha = (1 - CONFIDENCE) / rivals.length;
      const comparisons = rivals.map(({ c, i }) => {
        const e = meanInterval(
          seeds.map((s) => maps[at].get(s)! - maps[i].get(s)!),
          1 - alpha,
        );
        return { layers: c.layers, e, verdict: intervalVerdict(e, { low: 0, high: Infinity }) };
      });
      const verdict: Verdict = comparisons.some((c) => c.verdict === 'contradicts')
        ? 'contradicts'
        : comparisons.every((c) => c.verdict === 'agrees')
          ? 'agrees'
          : 'inconclusive';
      const closest = comparisons.reduce((a, b) => (b.e.value < a.e.value ? b : a));
      parts.push({
        part: activation,
        statistic: `${statistic}; closest rival ${closest.layers} layers`,
        estimate: closest.e,
        region,
        unit: 'points',
        verdict,
      });
      const probabilities = bootstrapBestProbabilities(
        seeds.map((s) => maps.map((m) => m.get(s)!)),
        list.map((c) => c.layers),
      );
      const interior = list.slice(1, -1).map((c) => c.layers);
      const pInterior = interior.reduce((a, d) => a + (probabilities.get(d) ?? 0), 0);
      evidence.push(
        `${activation}: bootstrap probability (over ${seeds.length} seeds) that each depth is best: ${[...probabilities.entries()].map(([d, p]) => `${d}: ${(100 * p).toFixed(0)} %`).join(', ')}; ` +
          `the peak lies inside (${interior.join(', ')} layers) with probability ${(100 * pInterior).toFixed(0)} %, at an end (a monotone-looking curve) with ${(100 * (1 - pInterior)).toFixed(0)} %. ` +
          `Paired differences ${articleDepth} minus: ${comparisons.map((c) => `${c.layers}: ${withCi(c.e)}`).join('; ')} points.`,
      );
    }
    return { parts, evidence };
  },
});

/**
 * How sure the seeds are about which depth is best: resample the seeds (with replacement, from
 * the seeded 'bootstrap' stream), recompute each depth's mean, and count how often each depth
 * comes out on top. `bySeed[k][d]` is seed k's accuracy at depth index d; returns, per depth (by
 * its number of layers), the share of resamples in which its mean is the highest (ties go to the
 * shallower).
 */
function bootstrapBestProbabilities(bySeed: readonly (readonly number[])[], layers: readonly number[]): Map<number, number> {
  const argmaxOfMeans = (sample: readonly (readonly number[])[]): number => {
    let best = 0;
    let bestSum = -Infinity;
    for (let d = 0; d < layers.length; d++) {
      let sum = 0;
      for (const row of sample) sum += row[d];
      if (sum > bestSum) {
        bestSum = sum;
        best = d;
      }
    }
    return best;
  };
  const draws = bootstrapDraws(bySeed, argmaxOfMeans, new Rng(BOOTSTRAP.seed, 'bootstrap'), BOOTSTRAP.resamples);
  return new Map(layers.map((l, d) => [l, draws.filter((x) => x === d).length / draws.length]));
}
