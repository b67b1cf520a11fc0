/**
 * The article's six claims, judged from per-run rows (runs.csv) by statistics, not by
 * thresholds on means.
 *
 * - The seed is the unit: every interval is over seeds, and configurations are compared paired
 *   by seed (the same seed gives every configuration the same shuffling and first-layer start),
 *   using only the seeds every configuration of the comparison has.
 * - Each claim is split into parts (per activation where it speaks of both). A part has a
 *   statistic, a 95 % interval, n (seeds, or curves for claim 5) and a three-way verdict from
 *   src/stats: agrees when the interval lies inside the claim's region, contradicts when it
 *   lies outside, inconclusive when it straddles a boundary or there is too little data.
 * - A claim's overall verdict comes from its parts by one rule (overallVerdict below).
 * - The regions come from claim-margins.ts, fixed before the runs were judged.
 */
import {
  equivalence,
  fisherExact,
  intervalVerdict,
  mean,
  meanInterval,
  olsSlope,
  pairedDifferences,
  proportionDifference,
  wilson,
  type Estimate,
  type IntervalVerdict,
} from '../stats/stats.js';
import { bootstrapBestProbabilities } from './best-depth.js';
import { ARTICLE, CONFIDENCE, type Margins } from './claim-margins.js';
import type { RunRow } from './runs-table.js';
import { FLATNESS_FLOOR, INSIDE_MARGIN } from '../probes/landscape-rules.js';

export type Verdict = IntervalVerdict | 'partly agrees' | 'not measured';

export interface ClaimPart {
  /** Column `part` of claims.csv: 'sigmoid', 'relu', 'typical', 'best', 'sigmoid-relu', ... */
  part: string;
  /** What the statistic is, in words. */
  statistic: string;
  estimate: Estimate;
  /** The claim's region for the statistic, in words ("within +-3.0 points"). */
  region: string;
  /** How the statistic is printed: accuracy points, a share, or a log10 factor. */
  unit: 'points' | 'share' | 'log10';
  verdict: Verdict;
}

export interface ClaimResult {
  number: number;
  /** Where the report shows it: the article's results (claims 1-5) or the author's explanation (6-8). */
  group: 'results' | 'explanation';
  claim: string;
  verdict: Verdict;
  parts: ClaimPart[];
  /** Further numbers, one statement each (bootstrap probabilities, per-depth means, ...). */
  evidence: string[];
}

/**
 * The one rule from parts to a claim. A claim is the conjunction of its parts, so it agrees only
 * when every part does; when some parts agree and others are contradicted, the conjunction is
 * false, and the verdict says which way it fails by naming it "partly agrees" (never "agrees"):
 *   no part measured                       -> not measured
 *   every part agrees                      -> agrees
 *   some part agrees and some contradicts  -> partly agrees
 *   some part contradicts, none agrees     -> contradicts (one false part makes the conjunction false)
 *   otherwise (agrees or inconclusive, or a part not measured beside measured ones) -> inconclusive
 * Inconclusive is never turned into agrees, and the parts stay in the report and claims.csv.
 */
export function overallVerdict(parts: readonly Verdict[]): Verdict {
  if (parts.length === 0 || parts.every((p) => p === 'not measured')) return 'not measured';
  if (parts.every((p) => p === 'agrees')) return 'agrees';
  const agrees = parts.includes('agrees') || parts.includes('partly agrees');
  const contradicts = parts.includes('contradicts') || parts.includes('partly agrees');
  if (agrees && contradicts) return 'partly agrees';
  if (contradicts) return 'contradicts';
  return 'inconclusive';
}

// ---------------------------------------------------------------------------------------------
// Organising the runs

/** test_acc (or another column) by seed, for one configuration. */
type BySeed = Map<number, number>;

interface ConfigRuns {
  config: string;
  activation: string;
  layers: number;
  runs: RunRow[];
}

function configsOf(runs: readonly RunRow[]): ConfigRuns[] {
  const by = new Map<string, ConfigRuns>();
  for (const r of runs) {
    const c = by.get(r.config) ?? { config: r.config, activation: r.activation, layers: r.layers, runs: [] };
    c.runs.push(r);
    by.set(r.config, c);
  }
  return [...by.values()];
}

function bySeed(c: ConfigRuns, pick: (r: RunRow) => number | undefined = (r) => r.test_acc): BySeed {
  const m: BySeed = new Map();
  for (const r of c.runs) {
    const v = pick(r);
    if (v !== undefined && Number.isFinite(v)) m.set(r.seed, v);
  }
  return m;
}

/** Seeds every one of `maps` has, ascending. */
function commonSeeds(maps: readonly BySeed[]): number[] {
  if (maps.length === 0) return [];
  return [...maps[0].keys()].filter((s) => maps.every((m) => m.has(s))).sort((a, b) => a - b);
}

/** One configuration per depth for an activation (the first listed, if several share a depth), by depth. */
function depthsOf(configs: readonly ConfigRuns[], activation: string): ConfigRuns[] {
  const by = new Map<number, ConfigRuns>();
  for (const c of configs) if (c.activation === activation && !by.has(c.layers)) by.set(c.layers, c);
  return [...by.values()].sort((a, b) => a.layers - b.layers);
}

function activationsOf(configs: readonly ConfigRuns[]): string[] {
  const order = ['sigmoid', 'relu'];
  return [...new Set(configs.map((c) => c.activation))].sort(
    (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
}

const notMeasured = (part: string, statistic: string, region: string, unit: ClaimPart['unit']): ClaimPart => ({
  part,
  statistic,
  estimate: { value: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 },
  region,
  unit,
  verdict: 'not measured',
});

function points(x: number): string {
  return `${(100 * x).toFixed(1)}`;
}

function withCi(e: Estimate): string {
  return Number.isFinite(e.low) ? `${points(e.value)} [${points(e.low)}, ${points(e.high)}]` : `${points(e.value)} [no interval]`;
}

// ---------------------------------------------------------------------------------------------
// Claim 1: accuracy around 70 %, best about 72 %

function judgeTypicalAccuracy(configs: readonly ConfigRuns[], margins: Margins): ClaimResult {
  const claim = 'Test accuracy is around 70 %, and the best network reaches about 72 %.';
  const region = (target: number) => `${points(target)} +- ${points(margins.around)} points`;
  const parts: ClaimPart[] = [];
  const evidence: string[] = [];
  const maps = configs.map((c) => bySeed(c));
  const seeds = commonSeeds(maps);
  if (configs.length === 0 || seeds.length === 0) {
    parts.push(notMeasured('typical', 'mean test accuracy over configurations', region(ARTICLE.typicalAccuracy), 'points'));
  } else {
    // Per seed, the mean over configurations: one number per seed, so the seed is the unit.
    const perSeed = seeds.map((s) => mean(maps.map((m) => m.get(s)!)));
    const e = meanInterval(perSeed, CONFIDENCE);
    parts.push({
      part: 'typical',
      statistic: `mean test accuracy over the ${configs.length} configurations`,
      estimate: e,
      region: region(ARTICLE.typicalAccuracy),
      unit: 'points',
      verdict: equivalence(e, ARTICLE.typicalAccuracy, margins.around),
    });
  }

  // The best configuration, chosen without the test set: by mean validation accuracy. Without
  // validation columns, half the seeds choose and the other half judge.
  const withVal = configs.filter((c) => c.runs.every((r) => r.val_acc !== undefined));
  let best: { config: ConfigRuns; judged: number[]; how: string } | null = null;
  if (configs.length > 0 && withVal.length === configs.length) {
    const chosen = [...configs].sort((a, b) => mean(b.runs.map((r) => r.val_acc!)) - mean(a.runs.map((r) => r.val_acc!)))[0];
    best = { config: chosen, judged: [...bySeed(chosen).values()], how: 'chosen by mean validation accuracy' };
  } else if (seeds.length >= 4) {
    const choose = seeds.filter((_, i) => i % 2 === 0);
    const judge = seeds.filter((_, i) => i % 2 === 1);
    const chosenIndex = maps.map((m, i) => ({ i, v: mean(choose.map((s) => m.get(s)!)) })).sort((a, b) => b.v - a.v)[0].i;
    best = {
      config: configs[chosenIndex],
      judged: judge.map((s) => maps[chosenIndex].get(s)!),
      how: `chosen by the test accuracy of seeds ${choose.join(', ')} and judged on seeds ${judge.join(', ')} (no validation columns)`,
    };
  }
  if (!best) {
    parts.push(notMeasured('best', 'test accuracy of the best configuration', region(ARTICLE.bestAccuracy), 'points'));
    evidence.push(
      'The best configuration needs validation accuracies (val_acc) or at least four seeds to be judged without selection bias.',
    );
  } else {
    const e = meanInterval(best.judged, CONFIDENCE);
    parts.push({
      part: 'best',
      statistic: `test accuracy of ${best.config.config}, ${best.how}`,
      estimate: e,
      region: region(ARTICLE.bestAccuracy),
      unit: 'points',
      verdict: equivalence(e, ARTICLE.bestAccuracy, margins.around),
    });
    const byTest = [...configs].sort((a, b) => mean([...bySeed(b).values()]) - mean([...bySeed(a).values()]))[0];
    evidence.push(
      `The configuration with the highest mean test accuracy is ${byTest.config} (${points(mean([...bySeed(byTest).values()]))} %); picking it by its test accuracy would flatter it, so the "best" part judges ${best.config.config}, ${best.how}.`,
    );
  }
  evidence.push(
    `The margin ${points(margins.around)} points is the 95 % half-width of an accuracy near 70 % measured on the article's ${ARTICLE.testImages} test images: the article's own figures carry that much noise.`,
  );
  return { number: 1, group: 'results', claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
}

// ---------------------------------------------------------------------------------------------
// Claim 2: depth changes accuracy little

function judgeDepthEffect(configs: readonly ConfigRuns[], margins: Margins): ClaimResult {
  const claim = 'Depth changes test accuracy little (for both activations).';
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
  return { number: 2, group: 'results', claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
}

// ---------------------------------------------------------------------------------------------
// Claim 3: best Sigmoid depth 5, best ReLU depth 6

function judgeBestDepth(configs: readonly ConfigRuns[]): ClaimResult {
  const claim = 'The best Sigmoid network has 5 layers and the best ReLU network 6.';
  const parts: ClaimPart[] = [];
  const evidence: string[] = [];
  for (const [activation, articleDepth] of Object.entries(ARTICLE.bestDepth)) {
    const list = depthsOf(configs, activation);
    const at = list.findIndex((c) => c.layers === articleDepth);
    const region = `the ${articleDepth}-layer network ahead of every other depth (> 0)`;
    const statistic = `${articleDepth} layers minus its closest rival, paired by seed (Bonferroni intervals)`;
    const maps = list.map((c) => bySeed(c));
    const seeds = commonSeeds(maps);
    if (at < 0 || list.length < 2 || seeds.length < 2) {
      parts.push(notMeasured(activation, statistic, region, 'points'));
      continue;
    }
    // d* is best when it beats every other depth: one paired comparison per rival, each at
    // confidence 1 - alpha/(k - 1) so that the family keeps the stated error rate.
    const rivals = list.map((c, i) => ({ c, i })).filter(({ i }) => i !== at);
    const alpha = (1 - CONFIDENCE) / rivals.length;
    const comparisons = rivals.map(({ c, i }) => {
      const e = meanInterval(
        seeds.map((s) => maps[at].get(s)! - maps[i].get(s)!),
        1 - alpha,
      );
      return { layers: c.layers, e, verdict: intervalVerdict(e, { low: 0, high: Infinity }) };
    });
    const verdict: Verdict = comparisons.some((c) => c.verdict === 'contradicts')
      ? 'contradicts'
      : comparisons.every((c) => c.verdict === 'agrees')
        ? 'agrees'
        : 'inconclusive';
    const closest = comparisons.reduce((a, b) => (b.e.value < a.e.value ? b : a));
    parts.push({
      part: activation,
      statistic: `${statistic}; closest rival ${closest.layers} layers`,
      estimate: closest.e,
      region,
      unit: 'points',
      verdict,
    });
    const probabilities = bootstrapBestProbabilities(
      seeds.map((s) => maps.map((m) => m.get(s)!)),
      list.map((c) => c.layers),
    );
    const interior = list.slice(1, -1).map((c) => c.layers);
    const pInterior = interior.reduce((a, d) => a + (probabilities.get(d) ?? 0), 0);
    evidence.push(
      `${activation}: bootstrap probability (over ${seeds.length} seeds) that each depth is best: ${[...probabilities.entries()].map(([d, p]) => `${d}: ${(100 * p).toFixed(0)} %`).join(', ')}; ` +
        `the peak lies inside (${interior.join(', ')} layers) with probability ${(100 * pInterior).toFixed(0)} %, at an end (a monotone-looking curve) with ${(100 * (1 - pInterior)).toFixed(0)} %. ` +
        `Paired differences ${articleDepth} minus: ${comparisons.map((c) => `${c.layers}: ${withCi(c.e)}`).join('; ')} points.`,
    );
  }
  return { number: 3, group: 'results', claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
}

// ---------------------------------------------------------------------------------------------
// Claim 4: Sigmoid slightly better than ReLU

/** Per depth both activations have: the paired Sigmoid - ReLU difference over seeds (for claim 4 and its chart). */
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

function judgeSigmoidVsRelu(
  configs: readonly ConfigRuns[],
  margins: Margins,
  perDepth: ReturnType<typeof sigmoidMinusReluByDepth>,
): ClaimResult {
  const claim = 'For fully connected networks, Sigmoid is slightly better than ReLU.';
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
    return {
      number: 4,
      group: 'results',
      claim,
      verdict: 'not measured',
      parts: [notMeasured('sigmoid-relu', statistic, region, 'points')],
      evidence: [],
    };
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
    number: 4,
    group: 'results',
    claim,
    verdict: overallVerdict([part.verdict]),
    parts: [part],
    evidence: [
      `Per depth, Sigmoid minus ReLU paired by seed: ${perDepth.map((d) => `${d.layers} layers ${withCi(d.estimate)}`).join('; ')} points (95 % CI each; shown for the shape, the verdict uses the average).`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Claim 5: the landscape along one first-layer weight

function judgeLandscape(runs: readonly RunRow[], margins: Margins): ClaimResult {
  const claim =
    "Along one first-layer weight (all others fixed), ReLU's squared error has a minimum inside the swept range, while Sigmoid's keeps falling towards an asymptote.";
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
    const probed = runs.filter((r) => r.activation === activation && r.landscape_curves !== undefined && r.unstable_end !== undefined);
    const unstable = probed.filter((r) => r.unstable_end === 1);
    if (unstable.length > 0)
      evidence.push(
        `${unstable.length} of ${probed.length} probed ${activation === 'relu' ? 'ReLU' : 'Sigmoid'} networks ended unstable (src/probes/landscape-rules.ts unstableEnd: final training loss above 1.25 x its lowest, or training accuracy at chance): ${unstable.map((r) => `${r.config} seed ${r.seed}`).join(', ')}; their curves describe a transient.`,
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
  return { number: 5, group: 'results', claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
}

// ---------------------------------------------------------------------------------------------
// Claims 6 to 8: the vanishing gradient and the author's explanation of it, measured on the
// probed networks (src/probes/mechanism.ts). Rules frozen in docs/probes.md before the runs.

/** The deepest configuration of an activation that has `pick` on some run. */
function deepestWith(configs: readonly ConfigRuns[], activation: string, pick: (r: RunRow) => number | undefined): ConfigRuns | null {
  return configs
    .filter((c) => c.activation === activation && c.runs.some((r) => pick(r) !== undefined))
    .reduce<ConfigRuns | null>((a, c) => (!a || c.layers > a.layers ? c : a), null);
}

/** One part from a per-seed statistic of one configuration: its mean over seeds with a t interval. */
function seedPart(
  c: ConfigRuns | null,
  pick: (r: RunRow) => number | undefined,
  spec: { part: string; statistic: string; region: string; unit: ClaimPart['unit']; bounds: { low: number; high: number } },
): ClaimPart {
  const values = c ? [...bySeed(c, pick).values()] : [];
  if (values.length === 0) return notMeasured(spec.part, spec.statistic, spec.region, spec.unit);
  const e = meanInterval(values, CONFIDENCE);
  return {
    part: spec.part,
    statistic: spec.statistic,
    estimate: e,
    region: spec.region,
    unit: spec.unit,
    verdict: intervalVerdict(e, spec.bounds),
  };
}

/** One part from a per-seed difference a − b, paired by seed (different columns allowed), positive region. */
function pairedPart(
  a: ConfigRuns | null,
  b: ConfigRuns | null,
  pickA: (r: RunRow) => number | undefined,
  pickB: (r: RunRow) => number | undefined,
  spec: { part: string; statistic: string; region: string; unit: ClaimPart['unit'] },
): ClaimPart {
  if (!a || !b) return notMeasured(spec.part, spec.statistic, spec.region, spec.unit);
  const d = pairedDifferences(bySeed(a, pickA), bySeed(b, pickB)).diffs;
  if (d.length === 0) return notMeasured(spec.part, spec.statistic, spec.region, spec.unit);
  const e = meanInterval(d, CONFIDENCE);
  return { ...spec, estimate: e, verdict: intervalVerdict(e, { low: 0, high: Infinity }) };
}

const factor = (log10: number) => (10 ** log10).toPrecision(3);

function judgeVanishingGradient(configs: readonly ConfigRuns[], margins: Margins): ClaimResult {
  const claim = 'The first layers of a deep Sigmoid network receive much smaller gradients than its last layers (the vanishing gradient).';
  const init = (r: RunRow) => r.delta_log10_init;
  const trained = (r: RunRow) => r.delta_log10_trained;
  const sig = deepestWith(configs, 'sigmoid', init);
  const relu = sig
    ? (configs.find((c) => c.activation === 'relu' && c.layers === sig.layers && c.runs.some((r) => init(r) !== undefined)) ?? null)
    : null;
  const threshold = Math.log10(margins.muchSmaller);
  const region = `at least ${margins.muchSmaller}x (log10 >= ${threshold.toFixed(2)})`;
  const name = sig?.config ?? 'the deepest Sigmoid network';
  const statistic = (state: string) =>
    `log10(mean per-example ||δ|| of the top hidden layer / the first hidden layer) in ${name}, ${state}`;
  const parts = [
    seedPart(sig, init, {
      part: 'sigmoid-init',
      statistic: statistic('at initialisation'),
      region,
      unit: 'log10',
      bounds: { low: threshold, high: Infinity },
    }),
    seedPart(sig, trained, {
      part: 'sigmoid-trained',
      statistic: statistic('after training'),
      region,
      unit: 'log10',
      bounds: { low: threshold, high: Infinity },
    }),
    pairedPart(sig, relu, init, init, {
      part: 'sigmoid-relu-init',
      statistic: `that log10 ratio at initialisation, ${name} minus ${relu?.config ?? 'the ReLU network of the same depth'}, paired by seed`,
      region: 'larger for Sigmoid than for ReLU (> 0)',
      unit: 'log10',
    }),
  ];
  const evidence: string[] = [];
  if (sig) {
    const avg = (pick: (r: RunRow) => number | undefined, c: ConfigRuns = sig) => mean([...bySeed(c, pick).values()]);
    evidence.push(
      `${sig.config}: the back-propagated error is divided by ${avg((r) => r.delta_shrink_init).toPrecision(3)} per hidden layer towards the input at initialisation and by ${avg((r) => r.delta_shrink_trained).toPrecision(3)} after training (geometric fit, mean over seeds).`,
    );
    const asSig = [...bySeed(sig, (r) => r.delta_log10_init_as_sigmoid).values()];
    const asRelu = [...bySeed(sig, (r) => r.delta_log10_init_as_relu).values()];
    if (asSig.length > 0 && asRelu.length > 0) {
      evidence.push(
        `From identical weights (${sig.config}'s initial weights run through both activations): top over first hidden layer ${factor(mean(asSig))}x through Sigmoid, ${factor(mean(asRelu))}x through ReLU (mean of log10 over ${asSig.length} seeds).`,
      );
    }
    if (relu && sig.runs[0].init !== relu.runs[0].init)
      evidence.push(
        `The paired part compares each network from its own initialisation (${sig.config}: ${sig.runs[0].init ?? '?'}, ${relu.config}: ${relu.runs[0].init ?? '?'}), so it mixes the activation with the initialisation; the identical-weights line above separates them.`,
      );
    const old = [...bySeed(sig, (r) => r.grad_log10_last_over_first).values()];
    if (old.length > 0) {
      evidence.push(
        `The earlier statistic, the full-batch mean |gradient| of the last layer (the output) over the first, averaged over epochs: ${factor(mean(old))}x in ${sig.config}. It is not judged: the output layer has no chain of activation derivatives behind it, and after training a full-batch mean shrinks because a layer has converged, not only because the error vanished.`,
      );
    }
    const upd = [...bySeed(sig, (r) => r.update_log10_last_over_first).values()];
    const updRelu = relu ? [...bySeed(relu, (r) => r.update_log10_last_over_first).values()] : [];
    if (upd.length > 0) {
      evidence.push(
        `What training did to the layers: relative update ||ΔW||/||W|| of the last layer over the first, averaged over epochs: ${factor(mean(upd))}x in ${sig.config}` +
          (updRelu.length > 0 ? `, ${factor(mean(updRelu))}x in ${relu!.config}.` : '.'),
      );
    }
  }
  evidence.push(
    "δ is the error reaching each layer's pre-activations per example (src/probes/backprop-deltas.ts); its norm shrinks only when the error vanishes on its way down, not when the examples' contributions to a full-batch gradient cancel.",
  );
  return { number: 6, group: 'explanation', claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
}

function judgeNeedsTwo(configs: readonly ConfigRuns[], margins: Margins): ClaimResult {
  const claim =
    'The author\'s explanation, first link: a Sigmoid unit cannot output more than 1, while the next neuron "would need 2" (in the trained network, most units would lower the loss with an output beyond their range).';
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
    const avg = (pick: (r: RunRow) => number | undefined) => mean([...bySeed(sig, pick).values()]);
    evidence.push(
      `Of the pairs in the trained ${sig.config}, ${(100 * avg((r) => r.need_above_trained)).toFixed(1)} % would need more than 1 (the article's "2") and gain there, so ${(100 * (avg(need) - avg((r) => r.need_above_trained))).toFixed(1)} % would need less than 0; at initialisation ${(100 * avg((r) => r.need_outside_init)).toFixed(1)} % need an output outside (0, 1) and gain there (means over seeds).`,
    );
    if (relu) {
      evidence.push(
        `ReLU is bounded below only: its share (below 0) is to be compared with Sigmoid's share below 0 above, so the difference judged here is, in effect, Sigmoid's upper bound at 1, the bound the article names. ` +
          'The gain condition also depends on how much one unit can move the output, which the vanishing of δ (claim 6) reduces, so this share is not independent of claim 6; ' +
          `the two networks also differ in initialisation and learning rate (${sig.config}: ${sig.runs[0].init ?? '?'}, ${sig.runs[0].learning_rate ?? '?'}; ${relu.config}: ${relu.runs[0].init ?? '?'}, ${relu.runs[0].learning_rate ?? '?'}).`,
      );
    }
  }
  evidence.push(
    "Per pair, everything else fixed, the unit's output is set to each value of [-1, 2] (ReLU: [-1, max(1, a) + 1]) and the rest of the network run exactly (src/probes/target-activations.ts; 8 units per hidden layer x 200 examples, drawn with the run's seed).",
  );
  return { number: 7, group: 'explanation', claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
}

function judgeAsymptote(configs: readonly ConfigRuns[], margins: Margins): ClaimResult {
  const claim =
    "The author's explanation, second link: the weights chase an asymptote where the gradient fades (in the trained Sigmoid network, a substantial share of the units sit at their bounds).";
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
  return { number: 8, group: 'explanation', claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
}

export function judgeClaims(runs: readonly RunRow[], margins: Margins): ClaimResult[] {
  const configs = configsOf(runs);
  return [
    judgeTypicalAccuracy(configs, margins),
    judgeDepthEffect(configs, margins),
    judgeBestDepth(configs),
    judgeSigmoidVsRelu(configs, margins, sigmoidMinusReluByDepth(runs)),
    judgeLandscape(runs, margins),
    judgeVanishingGradient(configs, margins),
    judgeNeedsTwo(configs, margins),
    judgeAsymptote(configs, margins),
  ];
}

/** The claims' overall verdicts when one margin takes another value: the report's sensitivity table. */
export interface SensitivityRow {
  margin: keyof Margins;
  value: number;
  declared: boolean;
  verdicts: Verdict[];
}

export function sensitivity(
  runs: readonly RunRow[],
  margins: Margins,
  alternatives: Readonly<Record<keyof Margins, readonly number[]>>,
): SensitivityRow[] {
  return (Object.keys(alternatives) as (keyof Margins)[]).flatMap((margin) =>
    [...new Set([margins[margin], ...alternatives[margin]])]
      .sort((a, b) => a - b)
      .map((value) => ({
        margin,
        value,
        declared: value === margins[margin],
        verdicts: judgeClaims(runs, { ...margins, [margin]: value }).map((c) => c.verdict),
      })),
  );
}
