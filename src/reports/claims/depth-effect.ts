/** "Depth changes test accuracy little (for both activations)." */
import { equivalence, meanInterval, olsSlope, pairedDifferences } from '../../stats/stats.js';
import { activationsOf, bySeed, commonSeeds, configsOf, depthsOf, notMeasured, points, withCi } from './by-seed.js';
import { CONFIDENCE, defineClaim, type ClaimPart } from './claim.js';

export const depthEffect = defineClaim({
  id: 'depth-effect',
  group: 'results',
  sentence: 'Depth changes test accuracy little (for both activations).',
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: { text: '層の数を変えても正解率に大きな差はない（Sigmoid、ReLU とも）', verbatim: false },
  columns: ['test_acc'],
  margins: {
    /** "depth changes accuracy little": the depth effect from the shallowest to the deepest network stays within +- this. */
    little: { value: 0.03, alternatives: [0.02, 0.05], text: (v) => `"little": depth effect within +-${(100 * v).toFixed(1)} points` },
  },
  judge(runs, margins) {
    const configs = configsOf(runs);
    const region = `within +- ${points(margins.little)} points`;
    const parts: ClaimPart[] = [];
    const evidence: string[] = [];
    for (const activation of activationsOf(configs)) {
      const list = depthsOf(configs, activation);
      const maps = list.map((c) => bySeed(c));
      const seeds = commonSeeds(maps);
      const statistic = `depth effect (linear trend over seeds, from ${list[0]?.layers} to ${list[list.length - 1]?.layers} layers)`;
      if (list.length < 2 || seeds.length === 0) {
        parts.push(notMeasured(activation, statistic, region, 'points'));
        continue;
      }
      const layers = list.map((c) => c.layers);
      const span = layers[layers.length - 1] - layers[0];
      // Per seed: the least-squares slope of accuracy on depth, times the span of depths.
      const perSeed = seeds.map(
        (s) =>
          span *
          olsSlope(
            layers,
            maps.map((m) => m.get(s)!),
          ),
      );
      const e = meanInterval(perSeed, CONFIDENCE);
      parts.push({ part: activation, statistic, estimate: e, region, unit: 'points', verdict: equivalence(e, 0, margins.little) });
      const ends = meanInterval(pairedDifferences(maps[maps.length - 1], maps[0]).diffs, CONFIDENCE);
      evidence.push(
        `${activation}: mean test accuracy by depth ${list.map((c, i) => `${c.layers}: ${withCi(meanInterval([...maps[i].values()], CONFIDENCE))}`).join('; ')} (points, 95 % CI, n = ${seeds.length} seeds); ` +
          `${layers[layers.length - 1]} minus ${layers[0]} layers, paired by seed: ${withCi(ends)} points.`,
      );
    }
    if (parts.length === 0) parts.push(notMeasured('all', 'depth effect', region, 'points'));
    return { parts, evidence };
  },
});
