/**
 * "Along one first-layer weight (all others fixed), ReLU's squared error has a minimum inside
 * the swept range, while Sigmoid's keeps falling towards an asymptote."
 */
import { fisherExact, intervalVerdict, proportionDifference, wilson } from '../../stats/stats.js';
import { FLATNESS_FLOOR, INSIDE_MARGIN } from '../../probes/landscape-rules.js';
import { notMeasured } from './by-seed.js';
import { CONFIDENCE, defineClaim, type ClaimPart } from './claim.js';

export const landscapeShape = defineClaim({
  id: 'landscape-shape',
  group: 'results',
  sentence:
    "Along one first-layer weight (all others fixed), ReLU's squared error has a minimum inside the swept range, while Sigmoid's keeps falling towards an asymptote.",
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: {
    text: '第 1 層の重みを 1 本だけ動かすと（ほかは固定）、ReLU の二乗誤差は範囲の内側に極小をもち、Sigmoid の二乗誤差は漸近線に向かって下がり続ける',
    verbatim: false,
  },
  columns: ['landscape_curves'],
  margins: {},
  /** "the curve has this shape": more than the share `majority` (declared by needs-two) of the curves. */
  borrows: ['majority'],
  judge(runs, margins) {
    const probed = runs.filter((r) => r.landscape_curves !== undefined && r.landscape_curves > 0);
    const count = (activation: string) => {
      const mine = probed.filter((r) => r.activation === activation);
      return {
        curves: mine.reduce((a, r) => a + r.landscape_curves!, 0),
        inside: mine.reduce((a, r) => a + (r.landscape_inside_minima ?? 0), 0),
        /**
         * Curves with the shape the article's words give this activation (Sigmoid: either edge shape,
         * falling towards an asymptote). A runs table without the column falls back to "no interior
         * minimum" for Sigmoid, which also counts flat curves.
         */
        fitting: mine.reduce(
          (a, r) =>
            a +
            (r.landscape_article_shape ??
              (activation === 'relu' ? (r.landscape_inside_minima ?? 0) : r.landscape_curves! - (r.landscape_inside_minima ?? 0))),
          0,
        ),
        networks: mine.length,
      };
    };
    const relu = count('relu');
    const sig = count('sigmoid');
    const region = `more than ${(100 * margins.majority).toFixed(0)} % of the curves`;
    const share = (part: string, statistic: string, k: number, n: number): ClaimPart => {
      if (n === 0) return notMeasured(part, statistic, region, 'share');
      const e = wilson(k, n, CONFIDENCE);
      return { part, statistic, estimate: e, region, unit: 'share', verdict: intervalVerdict(e, { low: margins.majority, high: 1 }) };
    };
    const parts = [
      share('relu', 'share of ReLU curves with a minimum inside the range (Wilson interval)', relu.inside, relu.curves),
      share(
        'sigmoid',
        'share of Sigmoid curves that fall towards an edge: level off there or still fall (not flat, no interior minimum; Wilson interval)',
        sig.fitting,
        sig.curves,
      ),
    ];
    const evidence: string[] = [];
    const diffRegion = 'ReLU ahead (> 0)';
    if (relu.curves > 0 && sig.curves > 0) {
      const d = proportionDifference(relu.inside, relu.curves, sig.inside, sig.curves, CONFIDENCE);
      parts.push({
        part: 'relu-sigmoid',
        statistic: 'share of curves with an interior minimum, ReLU minus Sigmoid (Newcombe interval)',
        estimate: d,
        region: diffRegion,
        unit: 'share',
        verdict: intervalVerdict(d, { low: 0, high: Infinity }),
      });
      const p = fisherExact(relu.inside, relu.curves - relu.inside, sig.inside, sig.curves - sig.inside);
      evidence.push(
        `Interior minima: ReLU ${relu.inside} of ${relu.curves} curves (${relu.networks} trained networks), Sigmoid ${sig.inside} of ${sig.curves} (${sig.networks}); Fisher exact test of the difference p = ${p.toPrecision(2)}.`,
      );
    } else parts.push(notMeasured('relu-sigmoid', 'share of curves with an interior minimum, ReLU minus Sigmoid', diffRegion, 'share'));
    evidence.push(
      `Curves are classified by the probe's frozen rules (src/probes/landscape-rules.ts: a curve whose loss moves by less than ${FLATNESS_FLOOR} is flat; a minimum is inside when both ends rise above it by ${(100 * INSIDE_MARGIN).toFixed(0)} % of the curve's range and by more than that floor). ` +
        'Curves of one network share its seed, so the intervals, which treat curves as independent, are somewhat too narrow. ' +
        'Curves probe the trained networks.',
    );
    for (const activation of ['relu', 'sigmoid']) {
      const mine = runs.filter((r) => r.activation === activation && r.landscape_curves !== undefined && r.unstable_end !== undefined);
      const unstable = mine.filter((r) => r.unstable_end === 1);
      if (unstable.length > 0)
        evidence.push(
          `${unstable.length} of ${mine.length} probed ${activation === 'relu' ? 'ReLU' : 'Sigmoid'} networks ended unstable (src/probes/landscape-rules.ts unstableEnd: final training loss above 1.25 x its lowest, or training accuracy at chance): ${unstable.map((r) => `${r.config} seed ${r.seed}`).join(', ')}; their curves describe a transient.`,
        );
    }
    const plateaus = runs.reduce((a, r) => a + (r.landscape_plateaus ?? 0), 0);
    const withActivity = runs.some((r) => r.landscape_plateaus !== undefined);
    evidence.push(
      withActivity
        ? `Plateaus made by the sweep (the swept unit off on every image over the edge's last 10 %), which fit neither of the article's shapes: ${plateaus} of ${relu.curves + sig.curves} curves.`
        : 'These curves carry no unit activity, so no edge is labelled a plateau made by the sweep (the landscape.csv of each probe folder has it).',
    );
    for (const activation of ['relu', 'sigmoid']) {
      const mine = runs.filter((r) => r.activation === activation && r.landscape_init_curves !== undefined);
      if (mine.length === 0) continue;
      const curves = mine.reduce((a, r) => a + r.landscape_init_curves!, 0);
      const inside = mine.reduce((a, r) => a + (r.landscape_init_inside_minima ?? 0), 0);
      const fitting = mine.reduce((a, r) => a + (r.landscape_init_article_shape ?? 0), 0);
      evidence.push(
        `The same weights swept before training (${activation}, ${mine.length} networks): ${inside} of ${curves} curves with an interior minimum, ${fitting} with the shape the article gives ${activation === 'relu' ? 'ReLU' : 'Sigmoid'}.`,
      );
    }
    return { parts, evidence };
  },
});
