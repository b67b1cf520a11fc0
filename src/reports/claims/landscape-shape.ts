/**
 * "Along one first-layer weight (all others fixed), ReLU's squared error has a minimum inside
 * the swept range, while Sigmoid's keeps falling towards an asymptote."
 *
 * Judged as configs/rules/confirmatory.json registers it (claims.landscape-shape): the network
 * (seed) is the unit, since the curves of one network share its weights and are not
 * independent. Per probed network of the deepest probed depth, the share of its curves with the
 * article's shape; the mean over networks with a t interval over seeds; and ReLU's
 * interior-minimum share minus Sigmoid's, paired by seed.
 */
import { mean, sd } from '../../stats/stats.js';
import { FLATNESS_FLOOR, INSIDE_MARGIN } from '../../probes/landscape-rules.js';
import type { RunRow } from '../runs-table.js';
import { bySeed, configsOf, deepestWith, pairedPart, seedPart, type ConfigRuns } from './by-seed.js';
import { defineClaim } from './claim.js';

/** A probed run's share of curves with an interior minimum (undefined without curves). */
const insideShare = (r: RunRow): number | undefined =>
  r.landscape_curves !== undefined && r.landscape_curves > 0 ? (r.landscape_inside_minima ?? 0) / r.landscape_curves : undefined;

/**
 * A probed run's share of curves with the shape the article's words give its activation: ReLU an
 * interior minimum; Sigmoid falling towards an edge (levelling off there or still falling; not
 * flat, no interior minimum). A runs table without landscape_article_shape falls back to "no
 * interior minimum" for Sigmoid, which also counts flat curves.
 */
function articleShare(r: RunRow): number | undefined {
  const inside = insideShare(r);
  if (inside === undefined) return undefined;
  if (r.activation === 'relu') return inside;
  return r.landscape_article_shape !== undefined ? r.landscape_article_shape / r.landscape_curves! : 1 - inside;
}

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
  /** "the curve has this shape": more than the share `majority` (declared by needs-two) of a network's curves, on average over networks. */
  borrows: ['majority'],
  judge(runs, margins) {
    const configs = configsOf(runs);
    const relu = deepestWith(configs, 'relu', insideShare);
    const sig = deepestWith(configs, 'sigmoid', insideShare);
    const region = `more than ${(100 * margins.majority).toFixed(0)} % of a network's curves`;
    const bounds = { low: margins.majority, high: 1 };
    const parts = [
      seedPart(relu, articleShare, {
        part: 'relu',
        statistic: `per trained ${relu?.config ?? 'ReLU network'}, the share of its probed curves with a minimum inside the range; mean over networks (t over seeds)`,
        region,
        unit: 'share',
        bounds,
      }),
      seedPart(sig, articleShare, {
        part: 'sigmoid',
        statistic: `per trained ${sig?.config ?? 'Sigmoid network'}, the share of its probed curves that fall towards an edge: level off there or still fall (not flat, no interior minimum); mean over networks (t over seeds)`,
        region,
        unit: 'share',
        bounds,
      }),
      pairedPart(relu, sig, insideShare, insideShare, {
        part: 'relu-sigmoid',
        statistic: `share of a network's curves with an interior minimum, ${relu?.config ?? 'ReLU'} minus ${sig?.config ?? 'Sigmoid'}, paired by seed (t over seeds)`,
        region: 'ReLU ahead (> 0)',
        unit: 'share',
      }),
    ];
    const evidence: string[] = [];
    const perSeed = (c: ConfigRuns, pick: (r: RunRow) => number | undefined): string =>
      [...bySeed(c, pick).entries()]
        .sort(([a], [b]) => a - b)
        .map(([seed, v]) => `${seed}: ${(100 * v).toFixed(0)}`)
        .join(', ');
    if (relu && sig) {
      const curves = (c: ConfigRuns) => c.runs.reduce((a, r) => a + (r.landscape_curves ?? 0), 0);
      const inside = (c: ConfigRuns) => c.runs.reduce((a, r) => a + (r.landscape_inside_minima ?? 0), 0);
      evidence.push(
        `Per network (seed: % of its curves), interior minimum: ${relu.config} ${perSeed(relu, insideShare)}; ${sig.config} ${perSeed(sig, insideShare)}. Pooled, ReLU ${inside(relu)} of ${curves(relu)} curves, Sigmoid ${inside(sig)} of ${curves(sig)}.`,
      );
      // The design effect the network as the unit accounts for: the spread of the networks' shares
      // against the spread curves drawn independently would give.
      const spread = (c: ConfigRuns): string => {
        const shares = [...bySeed(c, insideShare).values()];
        const n = mean(c.runs.map((r) => r.landscape_curves ?? 0));
        const p = mean(shares);
        return `${c.config} SD ${sd(shares).toFixed(2)} against ${Math.sqrt((p * (1 - p)) / n).toFixed(2)}`;
      };
      evidence.push(
        `Between networks the interior-minimum share varies more than independent curves would (${spread(relu)}; ${spread(sig)}, binomial): the curves of one network are not independent, so the network is the unit.`,
      );
    }
    evidence.push(
      `Curves are classified by the probe's frozen rules (src/probes/landscape-rules.ts: a curve whose loss moves by less than ${FLATNESS_FLOOR} is flat; a minimum is inside when both ends rise above it by ${(100 * INSIDE_MARGIN).toFixed(0)} % of the curve's range and by more than that floor). ` +
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
        ? `Plateaus made by the sweep (the swept unit off on every image over the edge's last 10 %), which fit neither of the article's shapes: ${plateaus} of ${runs.reduce((a, r) => a + (r.landscape_curves ?? 0), 0)} curves.`
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
