/** "For fully connected networks, Sigmoid is slightly better than ReLU." */
import { intervalVerdict, mean, meanInterval, pairedDifferences, type Estimate } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import { bySeed, commonSeeds, configsOf, depthsOf, notMeasured, points, withCi } from './by-seed.js';
import { CONFIDENCE, defineClaim, type ClaimPart } from './claim.js';

/** Per depth both activations have: the paired Sigmoid - ReLU difference over seeds (this claim's evidence and its chart). */
export function sigmoidMinusReluByDepth(runs: readonly RunRow[]): { layers: number; estimate: Estimate }[] {
  const configs = configsOf(runs);
  const sig = depthsOf(configs, 'sigmoid');
  const relu = depthsOf(configs, 'relu');
  return sig.flatMap((s) => {
    const r = relu.find((x) => x.layers === s.layers);
    if (!r) return [];
    return [{ layers: s.layers, estimate: meanInterval(pairedDifferences(bySeed(s), bySeed(r)).diffs, CONFIDENCE) }];
  });
}

export const sigmoidVsRelu = defineClaim({
  id: 'sigmoid-vs-relu',
  group: 'results',
  sentence: 'For fully connected networks, Sigmoid is slightly better than ReLU.',
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: { text: '全結合のネットワークでは、Sigmoid のほうが ReLU より若干正解率が高い', verbatim: false },
  columns: ['test_acc'],
  margins: {
    /** "slightly better": ahead by more than 0 and at most this. */
    slightly: {
      value: 0.05,
      alternatives: [0.03, 0.08],
      text: (v) => `"slightly better": ahead by more than 0 and at most ${(100 * v).toFixed(1)} points`,
    },
  },
  judge(runs, margins) {
    const configs = configsOf(runs);
    const region = `above 0 and at most ${points(margins.slightly)} points`;
    const statistic = 'Sigmoid minus ReLU test accuracy, averaged over depths within each seed';
    const sig = depthsOf(configs, 'sigmoid');
    const relu = depthsOf(configs, 'relu');
    const pairs = sig.flatMap((s) => {
      const r = relu.find((x) => x.layers === s.layers);
      return r ? [[bySeed(s), bySeed(r)] as const] : [];
    });
    const seeds = commonSeeds(pairs.flat());
    if (pairs.length === 0 || seeds.length === 0) {
      return { parts: [notMeasured('sigmoid-relu', statistic, region, 'points')], evidence: [] };
    }
    // Averaging over depths inside each seed keeps one number per seed: the seeds are the unit.
    const perSeed = seeds.map((s) => mean(pairs.map(([a, b]) => a.get(s)! - b.get(s)!)));
    const e = meanInterval(perSeed, CONFIDENCE);
    const part: ClaimPart = {
      part: 'sigmoid-relu',
      statistic: `${statistic} (${pairs.length} depths)`,
      estimate: e,
      region,
      unit: 'points',
      verdict: intervalVerdict(e, { low: 0, high: margins.slightly }),
    };
    return {
      parts: [part],
      evidence: [
        `Per depth, Sigmoid minus ReLU paired by seed: ${sigmoidMinusReluByDepth(runs)
          .map((d) => `${d.layers} layers ${withCi(d.estimate)}`)
          .join('; ')} points (95 % CI each; shown for the shape, the verdict uses the average).`,
      ],
    };
  },
});
