/** "The best Sigmoid network has 5 layers and the best ReLU network 6." */
import { bootstrapDraws } from '../../stats/stats.js';
import { Rng } from '../../util/rng.js';
import {
  accuracySource,
  bySeed,
  commonSeeds,
  configsOf,
  depthsOf,
  flaggedNote,
  intervalMethod,
  notMeasured,
  points,
  seedStatistic,
  stillLearning,
  stillLearningPart,
  withCi,
} from './by-seed.js';
import { CONFIDENCE, defineClaim, type ClaimPart, type Verdict } from './claim.js';

/** The article's best depth (layers: input + hidden + output) per activation. */
const ARTICLE_BEST_DEPTH: Readonly<Record<string, number>> = { sigmoid: 5, relu: 6 };

/** Resamples and seed of the seeds-only bootstrap of "which depth is best" (evidence), so reports are reproducible. */
const BOOTSTRAP = { resamples: 2000, seed: 12 } as const;

/** Intervals printed with their real level: 95 % rounds to "95", a Bonferroni 98.75 % to "98.75". */
const level = (c: number): string => `${Number((100 * c).toFixed(2))} %`;

export const bestDepth = defineClaim({
  id: 'best-depth',
  group: 'results',
  sentence: 'The best Sigmoid network has 5 layers and the best ReLU network 6.',
  // The article's own sentence.
  articleJa: { text: '若干3層よりSigmoidは5層、ReLUは6層のニューラルネットのほうが精度は上でした', verbatim: true },
  columns: ['test_acc'],
  failedRuns: 'judge on learned seeds',
  margins: {
    /**
     * "best" as equivalence (configs/rules/confirmatory.json, claims.best-depth): the claimed
     * depth is best when it is within this many points of every other depth, or ahead.
     */
    bestWithin: {
      value: 0.01,
      alternatives: [0.005, 0.02],
      text: (v) => `"best": within ${(100 * v).toFixed(1)} points of every other depth, or ahead`,
    },
  },
  judge(runs, margins, context) {
    const configs = configsOf(runs);
    const source = accuracySource(runs, context.bootstraps);
    const delta = margins.bestWithin;
    const parts: ClaimPart[] = [];
    const evidence: string[] = [];
    for (const [activation, articleDepth] of Object.entries(ARTICLE_BEST_DEPTH)) {
      const list = depthsOf(configs, activation);
      const at = list.findIndex((c) => c.layers === articleDepth);
      const region = `${articleDepth} layers minus every other depth above -${points(delta)} points`;
      const statistic = `${articleDepth} layers minus each other depth, paired by seed; shown: the rival it leads least`;
      if (at < 0 || list.length < 2) {
        parts.push(notMeasured(activation, statistic, region, 'points'));
        continue;
      }
      // Agrees when every rival's 95 % interval of (claimed - rival) lies above -delta (an
      // intersection-union test: each at 95 %, no correction needed); contradicts when some
      // rival's Bonferroni interval (together 95 %) lies entirely below -delta.
      const rivals = list.filter((_, i) => i !== at);
      const familyConfidence = 1 - (1 - CONFIDENCE) / rivals.length;
      const comparisons = rivals.flatMap((rival) => {
        const one = seedStatistic([list[at], rival], (v) => v[0] - v[1], source, CONFIDENCE);
        const family = seedStatistic([list[at], rival], (v) => v[0] - v[1], source, familyConfidence);
        return one && family ? [{ layers: rival.layers, one, family }] : [];
      });
      if (comparisons.length < rivals.length || comparisons[0].one.seeds.length < 2) {
        parts.push(notMeasured(activation, statistic, region, 'points'));
        continue;
      }
      const { still, flagged } = stillLearning(list);
      const agrees = comparisons.every((c) => c.one.estimate.low > -delta);
      const contradicts = comparisons.some((c) => c.family.estimate.high < -delta);
      const verdict: Verdict = contradicts ? 'contradicts' : agrees ? 'agrees' : 'inconclusive';
      const weakest = comparisons.reduce((a, b) => (b.one.estimate.value < a.one.estimate.value ? b : a));
      parts.push(
        still.length > 0
          ? stillLearningPart(activation, statistic, region, 'points', still)
          : {
              part: activation,
              statistic: `${statistic} (${weakest.layers} layers; ${level(CONFIDENCE)} interval, ${intervalMethod(weakest.one)})`,
              estimate: weakest.one.estimate,
              region,
              unit: 'points',
              verdict,
            },
      );
      evidence.push(...flaggedNote(flagged));
      evidence.push(
        `${activation}: ${articleDepth} layers minus ${comparisons
          .map(
            (c) =>
              `${c.layers}: ${withCi(c.one.estimate)} (${level(CONFIDENCE)}), [${points(c.family.estimate.low)}, ${points(c.family.estimate.high)}] (${level(familyConfidence)})`,
          )
          .join(
            '; ',
          )} points. Agrees needs every ${level(CONFIDENCE)} interval above -${points(delta)}; contradicts needs some ${level(familyConfidence)} interval below it; with truly tied depths and 10 seeds the verdict is expected to be inconclusive.`,
      );
      const maps = list.map((c) => bySeed(c, (r) => r[source.column]));
      const seeds = commonSeeds(maps);
      const probabilities = bootstrapBestProbabilities(
        seeds.map((s) => maps.map((m) => m.get(s)!)),
        list.map((c) => c.layers),
      );
      const interior = list.slice(1, -1).map((c) => c.layers);
      const pInterior = interior.reduce((a, d) => a + (probabilities.get(d) ?? 0), 0);
      evidence.push(
        `${activation}: bootstrap probability (over ${seeds.length} seeds) that each depth is best: ${[...probabilities.entries()].map(([d, p]) => `${d}: ${(100 * p).toFixed(0)} %`).join(', ')}; ` +
          `the peak lies inside (${interior.join(', ')} layers) with probability ${(100 * pInterior).toFixed(0)} %, at an end (a monotone-looking curve) with ${(100 * (1 - pInterior)).toFixed(0)} %.`,
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
