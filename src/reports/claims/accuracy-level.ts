/** "Test accuracy is around 70 %, and the best network reaches about 72 %." */
import { equivalence, mean, meanInterval } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import { bySeed, commonSeeds, configsOf, notMeasured, points, type ConfigRuns } from './by-seed.js';
import { CONFIDENCE, defineClaim, type ClaimPart } from './claim.js';

/** What the article reports. */
export const ARTICLE_ACCURACY = {
  typical: 0.7,
  best: 0.72,
  /** The article's test set: 200 airplanes + 200 ships. */
  testImages: 400,
} as const;

export const accuracyLevel = defineClaim({
  id: 'accuracy-level',
  group: 'results',
  sentence: 'Test accuracy is around 70 %, and the best network reaches about 72 %.',
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: { text: '正解率はおよそ 70 %、最も良いネットワークで約 72 %', verbatim: false },
  columns: ['test_acc'],
  margins: {
    /**
     * "around 70 %", "about 72 %": within this many accuracy points (as a fraction). 0.045 is
     * 1.96 x sqrt(0.7 x 0.3 / 400), the 95 % half-width of the article's own accuracy on its
     * 400 test images: the article cannot place its 70 % more precisely than that.
     */
    around: { value: 0.045, alternatives: [0.03, 0.06], text: (v) => `"around"/"about": within ${(100 * v).toFixed(1)} points` },
  },
  judge(runs, margins) {
    const configs = configsOf(runs);
    const region = (target: number) => `${points(target)} +- ${points(margins.around)} points`;
    const parts: ClaimPart[] = [];
    const evidence: string[] = [];
    const maps = configs.map((c) => bySeed(c));
    const seeds = commonSeeds(maps);
    if (configs.length === 0 || seeds.length === 0) {
      parts.push(notMeasured('typical', 'mean test accuracy over configurations', region(ARTICLE_ACCURACY.typical), 'points'));
    } else {
      // Per seed, the mean over configurations: one number per seed, so the seed is the unit.
      const perSeed = seeds.map((s) => mean(maps.map((m) => m.get(s)!)));
      const e = meanInterval(perSeed, CONFIDENCE);
      parts.push({
        part: 'typical',
        statistic: `mean test accuracy over the ${configs.length} configurations`,
        estimate: e,
        region: region(ARTICLE_ACCURACY.typical),
        unit: 'points',
        verdict: equivalence(e, ARTICLE_ACCURACY.typical, margins.around),
      });
    }

    const best = chooseBest(configs);
    if (!best) {
      parts.push(notMeasured('best', 'test accuracy of the best configuration', region(ARTICLE_ACCURACY.best), 'points'));
      evidence.push(
        'The best configuration needs validation accuracies (val_acc) or at least four seeds to be judged without selection bias.',
      );
    } else {
      const e = meanInterval(best.judged, CONFIDENCE);
      parts.push({
        part: 'best',
        statistic: `test accuracy of ${best.config.config}, ${best.how}`,
        estimate: e,
        region: region(ARTICLE_ACCURACY.best),
        unit: 'points',
        verdict: equivalence(e, ARTICLE_ACCURACY.best, margins.around),
      });
      const byTest = [...configs].sort((a, b) => mean([...bySeed(b).values()]) - mean([...bySeed(a).values()]))[0];
      evidence.push(
        `The configuration with the highest mean test accuracy is ${byTest.config} (${points(mean([...bySeed(byTest).values()]))} %); picking it by its test accuracy would flatter it, so the "best" part judges ${best.config.config}, ${best.how}.`,
      );
    }
    evidence.push(
      `The margin ${points(margins.around)} points is the 95 % half-width of an accuracy near 70 % measured on the article's ${ARTICLE_ACCURACY.testImages} test images: the article's own figures carry that much noise.`,
    );
    return { parts, evidence };
  },
});

/**
 * The best configuration, chosen without the test set: by mean validation accuracy. Without
 * validation columns, half the seeds choose and the other half judge.
 */
function chooseBest(configs: readonly ConfigRuns[]): { config: ConfigRuns; judged: number[]; how: string } | null {
  const maps = configs.map((c) => bySeed(c));
  const seeds = commonSeeds(maps);
  const withVal = configs.filter((c) => c.runs.every((r: RunRow) => r.val_acc !== undefined));
  if (configs.length > 0 && withVal.length === configs.length) {
    const chosen = [...configs].sort((a, b) => mean(b.runs.map((r) => r.val_acc!)) - mean(a.runs.map((r) => r.val_acc!)))[0];
    return { config: chosen, judged: [...bySeed(chosen).values()], how: 'chosen by mean validation accuracy' };
  }
  if (seeds.length >= 4) {
    const choose = seeds.filter((_, i) => i % 2 === 0);
    const judge = seeds.filter((_, i) => i % 2 === 1);
    const chosenIndex = maps.map((m, i) => ({ i, v: mean(choose.map((s) => m.get(s)!)) })).sort((a, b) => b.v - a.v)[0].i;
    return {
      config: configs[chosenIndex],
      judged: judge.map((s) => maps[chosenIndex].get(s)!),
      how: `chosen by the test accuracy of seeds ${choose.join(', ')} and judged on seeds ${judge.join(', ')} (no validation columns)`,
    };
  }
  return null;
}
