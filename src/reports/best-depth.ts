/**
 * How sure the seeds are about which depth is best: resample the seeds (with replacement, from
 * the seeded 'bootstrap' stream), recompute each depth's mean, and count how often each depth
 * comes out on top.
 */
import { bootstrapDraws } from '../stats/stats.js';
import { Rng } from '../util/rng.js';
import { BOOTSTRAP } from './claim-margins.js';

/**
 * `bySeed[k][d]` is seed k's accuracy at depth index d; returns, per depth (by its number of
 * layers), the share of resamples in which its mean is the highest (ties go to the shallower).
 */
export function bootstrapBestProbabilities(bySeed: readonly (readonly number[])[], layers: readonly number[]): Map<number, number> {
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
