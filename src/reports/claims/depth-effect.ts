/** "Depth changes test accuracy little (for both activations)." */
import { equivalence, olsSlope } from '../../stats/stats.js';
import {
  accuracySource,
  activationsOf,
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
import { defineClaim, type ClaimPart } from './claim.js';

/** Confidence of the unjudged largest pairwise difference: 10 pairs of 5 depths, Bonferroni (configs/rules/confirmatory.json). */
const PAIRS_CONFIDENCE = 0.995;

export const depthEffect = defineClaim({
  id: 'depth-effect',
  group: 'results',
  sentence: 'Depth changes test accuracy little (for both activations).',
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: { text: '層の数を変えても正解率に大きな差はない（Sigmoid、ReLU とも）', verbatim: false },
  columns: ['test_acc'],
  failedRuns: 'judge on learned seeds',
  margins: {
    /** "depth changes accuracy little": the depth effect from the shallowest to the deepest network stays within +- this. */
    little: { value: 0.03, alternatives: [0.02, 0.05], text: (v) => `"little": depth effect within +-${(100 * v).toFixed(1)} points` },
  },
  judge(runs, margins, context) {
    const configs = configsOf(runs);
    const source = accuracySource(runs, context.bootstraps);
    const region = `within +- ${points(margins.little)} points`;
    const parts: ClaimPart[] = [];
    const evidence: string[] = [];
    for (const activation of activationsOf(configs)) {
      const list = depthsOf(configs, activation);
      const layers = list.map((c) => c.layers);
      const span = layers[layers.length - 1] - layers[0];
      const statistic = `depth effect: the linear trend of test accuracy over depth within each seed, from ${layers[0]} to ${layers[layers.length - 1]} layers, mean over seeds`;
      // Per seed: the least-squares slope of accuracy on depth, times the span of depths.
      const trend = list.length < 2 ? null : seedStatistic(list, (v) => span * olsSlope(layers, v), source);
      const { still, flagged } = stillLearning(list);
      if (!trend) {
        parts.push(notMeasured(activation, statistic, region, 'points'));
        continue;
      }
      if (still.length > 0) parts.push(stillLearningPart(activation, statistic, region, 'points', still));
      else
        parts.push({
          part: activation,
          statistic: `${statistic} (interval: ${intervalMethod(trend)})`,
          estimate: trend.estimate,
          region,
          unit: 'points',
          verdict: equivalence(trend.estimate, 0, margins.little),
        });
      evidence.push(...flaggedNote(flagged));
      const byDepth = list.map((c) => `${c.layers}: ${withCi(seedStatistic([c], (v) => v[0], source)!.estimate)}`);
      // Unjudged: a collapse at one depth or a U shape, which a linear trend cannot see.
      let largest: { a: number; b: number; text: string; size: number } | null = null;
      for (let i = 0; i < list.length; i++)
        for (let j = i + 1; j < list.length; j++) {
          const d = seedStatistic([list[j], list[i]], (v) => v[1] - v[0], source, PAIRS_CONFIDENCE);
          if (d && (!largest || Math.abs(d.estimate.value) > largest.size))
            largest = { a: list[i].layers, b: list[j].layers, text: withCi(d.estimate), size: Math.abs(d.estimate.value) };
        }
      evidence.push(
        `${activation}: mean test accuracy by depth ${byDepth.join('; ')} (points, 95 % interval, n = ${trend.seeds.length} seeds, ${intervalMethod(trend)})` +
          (largest
            ? `; the largest paired difference between two depths, ${largest.b} minus ${largest.a} layers: ${largest.text} points (99.5 % interval, unjudged).`
            : '.'),
      );
    }
    if (parts.length === 0) parts.push(notMeasured('all', 'depth effect', region, 'points'));
    return { parts, evidence };
  },
});
