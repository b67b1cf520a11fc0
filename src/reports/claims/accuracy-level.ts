/** "Test accuracy is around 70 %, and the best network reaches about 72 %." */
import { equivalence, mean } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import {
  accuracySource,
  bySeed,
  commonSeeds,
  configsOf,
  flaggedNote,
  intervalMethod,
  notMeasured,
  points,
  seedStatistic,
  stillLearning,
  stillLearningPart,
  withCi,
  type AccuracySource,
  type ConfigRuns,
} from './by-seed.js';
import { defineClaim, type ClaimPart } from './claim.js';

/** What the article reports. */
export const ARTICLE_ACCURACY = {
  typical: 0.7,
  best: 0.72,
  /** The article's test set: 200 airplanes + 200 ships. */
  testImages: 400,
} as const;

/**
 * configs/rules/confirmatory.json, claims.accuracy-level.learned: a network counts as learned
 * when its mean validation accuracy at the chosen epoch is at least this; the level is averaged
 * over the networks that learned, and the others are reported beside it.
 */
export const LEARNED_THRESHOLD = 0.65;

const meanValAcc = (c: ConfigRuns): number => mean(c.runs.map((r) => r.val_acc ?? Number.NaN));

export const accuracyLevel = defineClaim({
  id: 'accuracy-level',
  group: 'results',
  sentence: 'Test accuracy is around 70 %, and the best network reaches about 72 %.',
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: { text: '正解率はおよそ 70 %、最も良いネットワークで約 72 %', verbatim: false },
  columns: ['test_acc'],
  failedRuns: 'count',
  margins: {
    /**
     * "around 70 %", "about 72 %": within this many accuracy points (as a fraction). 0.045 is
     * 1.96 x sqrt(0.7 x 0.3 / 400), the 95 % half-width of the article's own accuracy on its
     * 400 test images: the article cannot place its 70 % more precisely than that.
     */
    around: { value: 0.045, alternatives: [0.03, 0.06], text: (v) => `"around"/"about": within ${(100 * v).toFixed(1)} points` },
  },
  judge(runs, margins, context) {
    const configs = configsOf(runs);
    const region = (target: number) => `${points(target)} +- ${points(margins.around)} points`;
    const parts: ClaimPart[] = [];
    const evidence: string[] = [];
    const source = accuracySource(runs, context.bootstraps, 'chosen');
    const atStop = accuracySource(runs, context.bootstraps, 'stop');
    const setName = source.column === 'test_acc' ? 'the article-sized test set' : 'the full test split (1,000 + 1,000 images)';
    const withVal = configs.length > 0 && configs.every((c) => c.runs.every((r) => r.val_acc !== undefined));
    const learned = withVal ? configs.filter((c) => meanValAcc(c) >= LEARNED_THRESHOLD) : configs;
    const notLearned = configs.filter((c) => !learned.includes(c));

    // typical: the mean over the networks that learned, one number per seed (the seed is the unit).
    const typicalStatistic = `mean test accuracy over the ${learned.length} networks that learned, on ${setName}`;
    const typical = seedStatistic(learned, mean, source);
    const { still, flagged } = stillLearning(learned);
    if (!typical) parts.push(notMeasured('typical', typicalStatistic, region(ARTICLE_ACCURACY.typical), 'points'));
    else if (still.length > 0)
      parts.push(stillLearningPart('typical', typicalStatistic, region(ARTICLE_ACCURACY.typical), 'points', still));
    else
      parts.push({
        part: 'typical',
        statistic: `${typicalStatistic} (interval: ${intervalMethod(typical)})`,
        estimate: typical.estimate,
        region: region(ARTICLE_ACCURACY.typical),
        unit: 'points',
        verdict: equivalence(typical.estimate, ARTICLE_ACCURACY.typical, margins.around),
      });
    if (withVal)
      evidence.push(
        notLearned.length === 0
          ? `Every network learned (mean validation accuracy at least ${points(LEARNED_THRESHOLD)} %).`
          : `Not averaged into the level, because their mean validation accuracy is below ${points(LEARNED_THRESHOLD)} %: ${notLearned
              .map((c) => `${c.config} (test ${points(mean([...bySeed(c, (r) => r[source.column]).values()]))} %)`)
              .join(', ')}.`,
      );

    const chosen = withVal
      ? {
          config: [...configs].sort((a, b) => meanValAcc(b) - meanValAcc(a))[0],
          how: 'the network with the highest mean validation accuracy',
        }
      : chooseBestWithoutValidation(configs);
    const best = chosen?.config ?? null;
    const bestStatistic = chosen ? `test accuracy of ${chosen.config.config}, ${chosen.how}, on ${setName}` : '';
    const bestValue = best ? seedStatistic([best], (v) => v[0], source) : null;
    if (!best || !bestValue) {
      parts.push(notMeasured('best', 'test accuracy of the best network', region(ARTICLE_ACCURACY.best), 'points'));
      evidence.push('The best network needs validation accuracies (val_acc) to be chosen without looking at the test set.');
    } else if (stillLearning([best]).still.length > 0) {
      parts.push(stillLearningPart('best', bestStatistic, region(ARTICLE_ACCURACY.best), 'points', [best]));
    } else {
      parts.push({
        part: 'best',
        statistic: `${bestStatistic} (interval: ${intervalMethod(bestValue)})`,
        estimate: bestValue.estimate,
        region: region(ARTICLE_ACCURACY.best),
        unit: 'points',
        verdict: equivalence(bestValue.estimate, ARTICLE_ACCURACY.best, margins.around),
      });
    }
    evidence.push(...flaggedNote(flagged));
    evidence.push(...stopEpochEvidence(learned, best, atStop, source));
    evidence.push(...articleSetEvidence(configs));
    evidence.push(
      `The margin ${points(margins.around)} points is the 95 % half-width of an accuracy near 70 % measured on the article's ${ARTICLE_ACCURACY.testImages} test images: the article's own figures carry that much noise.`,
    );
    return { parts, evidence };
  },
});

/** The same two statistics at the last epoch trained (what a fixed-length protocol like the article's reports). */
function stopEpochEvidence(
  learned: readonly ConfigRuns[],
  best: ConfigRuns | null,
  atStop: AccuracySource,
  chosen: AccuracySource,
): string[] {
  if (atStop.column === chosen.column) return [];
  const typical = seedStatistic(learned, mean, atStop);
  const bestValue = best ? seedStatistic([best], (v) => v[0], atStop) : null;
  if (!typical) return [];
  return [
    `At the last epoch trained instead of the epoch of lowest validation loss: typical ${withCi(typical.estimate)}` +
      (bestValue && best ? `, ${best.config} ${withCi(bestValue.estimate)}` : '') +
      ` points (${intervalMethod(typical)}; unjudged).`,
  ];
}

/**
 * Unjudged, on the article-sized test set (the first 200 + 200 images): the same typical level,
 * and "best as the article picks it" (per seed, the highest test figure of the networks; the
 * article's 72 % is the largest of its networks' figures, so it sits high).
 */
function articleSetEvidence(configs: readonly ConfigRuns[]): string[] {
  const maps = configs.map((c) => bySeed(c));
  const seeds = commonSeeds(maps);
  if (seeds.length === 0) return [];
  const typical = mean(seeds.map((s) => mean(maps.map((m) => m.get(s)!))));
  const bestAsArticle = mean(seeds.map((s) => Math.max(...maps.map((m) => m.get(s)!))));
  return [
    `On the article-sized test set (200 + 200 images; unjudged): mean over all ${configs.length} networks ${points(typical)} %; ` +
      `best as the article picks it (per seed the highest of the networks' test figures, mean over seeds) ${points(bestAsArticle)} %.`,
  ];
}

/**
 * Without validation columns (runs tables of older sweeps): the network with the highest mean
 * test accuracy on half the seeds, judged on the other half, so the test figure that chooses it
 * is not the one judged.
 */
function chooseBestWithoutValidation(configs: readonly ConfigRuns[]): { config: ConfigRuns; how: string } | null {
  const maps = configs.map((c) => bySeed(c));
  const seeds = commonSeeds(maps);
  if (seeds.length < 4) return null;
  const choose = seeds.filter((_, i) => i % 2 === 0);
  const judge = seeds.filter((_, i) => i % 2 === 1);
  const i = maps.map((m, k) => ({ k, v: mean(choose.map((s) => m.get(s)!)) })).sort((a, b) => b.v - a.v)[0].k;
  const judged = new Set(judge);
  return {
    config: { ...configs[i], runs: configs[i].runs.filter((r: RunRow) => judged.has(r.seed)) },
    how: `chosen by the test accuracy of seeds ${choose.join(', ')} and judged on seeds ${judge.join(', ')} (no validation columns)`,
  };
}
