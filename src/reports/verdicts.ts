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
  claim: string;
  verdict: Verdict;
  parts: ClaimPart[];
  /** Further numbers, one statement each (bootstrap probabilities, per-depth means, ...). */
  evidence: string[];
}

/**
 * The one rule from parts to a claim (a claim is the conjunction of its parts):
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
  return { number: 1, claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
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
  return { number: 2, claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
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
  return { number: 3, claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
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
    return { number: 4, claim, verdict: 'not measured', parts: [notMeasured('sigmoid-relu', statistic, region, 'points')], evidence: [] };
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
      'Curves probe the trained networks; the recorded curves carry no unit activity, so no edge is labelled a plateau made by the sweep here (the landscape.csv of each probe folder has it).',
  );
  return { number: 5, claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
}

// ---------------------------------------------------------------------------------------------
// Claim 6: the vanishing gradient in a deep Sigmoid network

function judgeVanishingGradient(configs: readonly ConfigRuns[], margins: Margins): ClaimResult {
  const claim = 'The first layers of a deep Sigmoid network receive much smaller gradients than its last layers (the vanishing gradient).';
  const pick = (r: RunRow) => r.grad_log10_last_over_first;
  const withGrad = configs.filter((c) => c.runs.some((r) => pick(r) !== undefined));
  const deepest = (activation: string) =>
    withGrad.filter((c) => c.activation === activation).reduce<ConfigRuns | null>((a, c) => (!a || c.layers > a.layers ? c : a), null);
  const sig = deepest('sigmoid');
  const threshold = Math.log10(margins.muchSmaller);
  const region = `at least ${margins.muchSmaller}x (log10 >= ${threshold.toFixed(2)})`;
  const parts: ClaimPart[] = [];
  const evidence: string[] = [];
  const statistic = (c: ConfigRuns | null) =>
    `log10(last layer's mean |gradient| / first layer's) in ${c?.config ?? 'the deepest Sigmoid network'}, averaged over epochs`;
  if (!sig) parts.push(notMeasured('sigmoid', statistic(null), region, 'log10'));
  else {
    const e = meanInterval([...bySeed(sig, pick).values()], CONFIDENCE);
    parts.push({
      part: 'sigmoid',
      statistic: statistic(sig),
      estimate: e,
      region,
      unit: 'log10',
      verdict: intervalVerdict(e, { low: threshold, high: Infinity }),
    });
    evidence.push(
      `${sig.config}: the last layer's gradients are ${(10 ** e.value).toPrecision(3)}x the first layer's (95 % CI ${(10 ** e.low).toPrecision(3)}x to ${(10 ** e.high).toPrecision(3)}x, n = ${e.n} seeds).`,
    );
  }
  const relu = sig ? withGrad.find((c) => c.activation === 'relu' && c.layers === sig.layers) : undefined;
  const diffRegion = 'larger for Sigmoid than for ReLU (> 0)';
  if (sig && relu) {
    const d = meanInterval(pairedDifferences(bySeed(sig, pick), bySeed(relu, pick)).diffs, CONFIDENCE);
    parts.push({
      part: 'sigmoid-relu',
      statistic: `that log10 ratio, ${sig.config} minus ${relu.config}, paired by seed`,
      estimate: d,
      region: diffRegion,
      unit: 'log10',
      verdict: intervalVerdict(d, { low: 0, high: Infinity }),
    });
  } else parts.push(notMeasured('sigmoid-relu', 'log10 gradient ratio, Sigmoid minus ReLU', diffRegion, 'log10'));
  evidence.push('Mean |gradient| per weight is compared rather than the L2 norm, which grows with the number of weights in a layer.');
  return { number: 6, claim, verdict: overallVerdict(parts.map((p) => p.verdict)), parts, evidence };
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
