/** The author's explanation, first link: a Sigmoid unit cannot output more than 1, while the next neuron "would need 2" (in the trained network, most units would lower the loss with an output beyond their range). */
import { mean } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import { bySeed, configsOf, deepestWith, pairedPart, seedPart } from './by-seed.js';
import { defineClaim } from './claim.js';

export const needsTwo = defineClaim({
  id: 'needs-two',
  group: 'explanation',
  sentence:
    'The author\'s explanation, first link: a Sigmoid unit cannot output more than 1, while the next neuron "would need 2" (in the trained network, most units would lower the loss with an output beyond their range).',
  // The article's own sentence.
  articleJa: { text: 'Sigmoidは最大が1のため2の出力を出すことはできません', verbatim: true },
  columns: ['need_outside_trained'],
  margins: {
    /** "most units would need" (and the landscape's "the curve has this shape"): more than this share. */
    majority: {
      value: 0.5,
      alternatives: [0.33, 0.67],
      text: (v) => `a curve shape "typical", "most units would need": more than ${(100 * v).toFixed(0)} %`,
    },
  },
  judge(runs, margins, context) {
    const configs = configsOf(runs);
    const need = (r: RunRow) => r.need_outside_trained;
    const sig = deepestWith(configs, 'sigmoid', need);
    const relu = sig
      ? (configs.find((c) => c.activation === 'relu' && c.layers === sig.layers && c.runs.some((r) => need(r) !== undefined)) ?? null)
      : null;
    const parts = [
      seedPart(sig, need, {
        part: 'sigmoid',
        statistic: `share of sampled (hidden unit, example) pairs of the trained ${sig?.config ?? 'Sigmoid network'} whose loss-minimising output lies outside (0, 1) and gains more than 1 % there`,
        region: `more than ${(100 * margins.majority).toFixed(0)} %`,
        unit: 'share',
        bounds: { low: margins.majority, high: 1 },
      }),
      pairedPart(sig, relu, need, need, {
        part: 'sigmoid-relu',
        statistic: `that share minus the same share for ReLU (output below 0) in the trained ${relu?.config ?? 'ReLU network of the same depth'}, paired by seed`,
        region: 'larger for Sigmoid (> 0)',
        unit: 'share',
      }),
    ];
    const evidence: string[] = [];
    if (sig) {
      const vanishing = context.numberOf('vanishing-gradient');
      const avg = (pick: (r: RunRow) => number | undefined) => mean([...bySeed(sig, pick).values()]);
      evidence.push(
        `Of the pairs in the trained ${sig.config}, ${(100 * avg((r) => r.need_above_trained)).toFixed(1)} % would need more than 1 (the article's "2") and gain there, so ${(100 * (avg(need) - avg((r) => r.need_above_trained))).toFixed(1)} % would need less than 0; at initialisation ${(100 * avg((r) => r.need_outside_init)).toFixed(1)} % need an output outside (0, 1) and gain there (means over seeds).`,
      );
      if (relu) {
        evidence.push(
          `ReLU is bounded below only: its share (below 0) is to be compared with Sigmoid's share below 0 above, so the difference judged here is, in effect, Sigmoid's upper bound at 1, the bound the article names. ` +
            `The gain condition also depends on how much one unit can move the output, which the vanishing of δ (claim ${vanishing}) reduces, so this share is not independent of claim ${vanishing}; ` +
            `the two networks also differ in initialisation and learning rate (${sig.config}: ${sig.runs[0].init ?? '?'}, ${sig.runs[0].learning_rate ?? '?'}; ${relu.config}: ${relu.runs[0].init ?? '?'}, ${relu.runs[0].learning_rate ?? '?'}).`,
        );
      }
    }
    evidence.push(
      "Per pair, everything else fixed, the unit's output is set to each value of [-1, 2] (ReLU: [-1, max(1, a) + 1]) and the rest of the network run exactly (src/probes/target-activations.ts; 8 units per hidden layer x 200 examples, drawn with the run's seed).",
    );
    return { parts, evidence };
  },
});
