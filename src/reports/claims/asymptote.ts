/** The author's explanation, second link: the weights chase an asymptote where the gradient fades (in the trained Sigmoid network, a substantial share of the units sit at their bounds). */
import { mean } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import { bySeed, configsOf, deepestWith, seedPart } from './by-seed.js';
import { defineClaim } from './claim.js';

export const asymptote = defineClaim({
  id: 'asymptote',
  group: 'explanation',
  sentence:
    "The author's explanation, second link: the weights chase an asymptote where the gradient fades (in the trained Sigmoid network, a substantial share of the units sit at their bounds).",
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: {
    text: '著者の説明の 2 つ目：重みは勾配が消えていく漸近線を追いかける（学習後の Sigmoid のネットワークでは、かなりの割合のユニットが上限か下限に張り付いている）',
    verbatim: false,
  },
  columns: ['saturated_trained'],
  margins: {
    /**
     * "the weights chase an asymptote": at least this share of the trained Sigmoid network's
     * (unit, image) pairs sit at a bound (docs/probes.md).
     */
    saturated: {
      value: 0.1,
      alternatives: [0.05, 0.2],
      text: (v) => `"chasing an asymptote": at least ${(100 * v).toFixed(0)} % of the trained Sigmoid units' (unit, image) pairs saturated`,
    },
  },
  judge(runs, margins) {
    const configs = configsOf(runs);
    const saturated = (r: RunRow) => r.saturated_trained;
    const sig = deepestWith(configs, 'sigmoid', saturated);
    const parts = [
      seedPart(sig, saturated, {
        part: 'sigmoid',
        statistic: `share of (hidden unit, training image) pairs of the trained ${sig?.config ?? 'Sigmoid network'} at a bound (y <= 0.02 or >= 0.98), pooled over the hidden layers`,
        region: `at least ${(100 * margins.saturated).toFixed(0)} %`,
        unit: 'share',
        bounds: { low: margins.saturated, high: 1 },
      }),
    ];
    const evidence: string[] = [];
    if (sig) {
      const avg = (pick: (r: RunRow) => number | undefined) => mean([...bySeed(sig, pick).values()]);
      evidence.push(`At initialisation ${(100 * avg((r) => r.saturated_init)).toFixed(2)} % of the pairs are saturated (mean over seeds).`);
      const unstable = sig.runs.filter((r) => r.unstable_end === 1).length;
      if (unstable > 0)
        evidence.push(
          `${unstable} of ${sig.runs.length} ${sig.config} runs ended unstable (src/probes/landscape-rules.ts unstableEnd): their trained state is a transient.`,
        );
    }
    const relu = deepestWith(configs, 'relu', (r) => r.dead_units_trained);
    if (relu) {
      const avg = (pick: (r: RunRow) => number | undefined) => mean([...bySeed(relu, pick).values()]);
      evidence.push(
        `ReLU's counterpart, not judged: in the trained ${relu.config} ${(100 * avg((r) => r.off_trained)).toFixed(1)} % of the pairs are off and ${(100 * avg((r) => r.dead_units_trained)).toFixed(1)} % of the hidden units are dead (off on every training image).`,
      );
    }
    return { parts, evidence };
  },
});
