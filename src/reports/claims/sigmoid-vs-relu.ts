/** "For fully connected networks, Sigmoid is slightly better than ReLU." */
import { intervalVerdict, mean, type Estimate } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import {
  accuracySource,
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
  type ConfigRuns,
} from './by-seed.js';
import { defineClaim, type ClaimPart, type JudgeBootstraps } from './claim.js';

/** The depths both activations have, as [sigmoid, relu] pairs, shallowest first. */
function depthPairs(runs: readonly RunRow[]): [ConfigRuns, ConfigRuns][] {
  const configs = configsOf(runs);
  const relu = depthsOf(configs, 'relu');
  return depthsOf(configs, 'sigmoid').flatMap((s) => {
    const r = relu.find((x) => x.layers === s.layers);
    return r ? [[s, r] as [ConfigRuns, ConfigRuns]] : [];
  });
}

/** Per depth both activations have: Sigmoid - ReLU paired by seed (this claim's evidence and its chart). */
export function sigmoidMinusReluByDepth(runs: readonly RunRow[], bootstraps?: JudgeBootstraps): { layers: number; estimate: Estimate }[] {
  const source = accuracySource(runs, bootstraps);
  return depthPairs(runs).flatMap(([s, r]) => {
    const d = seedStatistic([s, r], (v) => v[0] - v[1], source);
    return d ? [{ layers: s.layers, estimate: d.estimate }] : [];
  });
}

export const sigmoidVsRelu = defineClaim({
  id: 'sigmoid-vs-relu',
  group: 'results',
  sentence: 'For fully connected networks, Sigmoid is slightly better than ReLU.',
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: { text: '全結合のネットワークでは、Sigmoid のほうが ReLU より若干正解率が高い', verbatim: false },
  columns: ['test_acc'],
  failedRuns: 'judge on learned seeds',
  margins: {
    /** "slightly better": ahead by more than 0 and at most this. */
    slightly: {
      value: 0.05,
      alternatives: [0.03, 0.08],
      text: (v) => `"slightly better": ahead by more than 0 and at most ${(100 * v).toFixed(1)} points`,
    },
  },
  judge(runs, margins, context) {
    const region = `above 0 and at most ${points(margins.slightly)} points`;
    const statistic = 'Sigmoid minus ReLU test accuracy, averaged over depths within each seed, mean over seeds';
    const pairs = depthPairs(runs);
    const source = accuracySource(runs, context.bootstraps);
    const k = pairs.length;
    // Averaging over depths inside each seed keeps one number per seed: the seeds are the unit.
    const e = k === 0 ? null : seedStatistic(pairs.flat(), (v) => mean(pairs.map((_, i) => v[2 * i] - v[2 * i + 1])), source);
    if (!e) return { parts: [notMeasured('sigmoid-relu', statistic, region, 'points')], evidence: [] };
    const { still, flagged } = stillLearning(pairs.flat());
    const part: ClaimPart =
      still.length > 0
        ? stillLearningPart('sigmoid-relu', statistic, region, 'points', still)
        : {
            part: 'sigmoid-relu',
            statistic: `${statistic} (${k} depths; interval: ${intervalMethod(e)})`,
            estimate: e.estimate,
            region,
            unit: 'points',
            verdict: intervalVerdict(e.estimate, { low: 0, high: margins.slightly }),
          };
    return {
      parts: [part],
      evidence: [
        ...flaggedNote(flagged),
        `Per depth, Sigmoid minus ReLU paired by seed: ${sigmoidMinusReluByDepth(runs, context.bootstraps)
          .map((d) => `${d.layers} layers ${withCi(d.estimate)}`)
          .join('; ')} points (95 % interval each; shown for the shape, the verdict uses the average).`,
      ],
    };
  },
});
