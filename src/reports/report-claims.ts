/**
 * The article's six claims, each judged against what the reproduction measured.
 *
 * Every verdict is computed from the data handed in; nothing here knows what the answer
 * "should" be. The thresholds that turn a vague word of the article into a number are named
 * constants below and are printed in the report, so a reader can disagree with them.
 *
 * Noise: a difference between two configurations counts as real only when it is larger than
 * twice the standard error of the difference over the seeds, sqrt(sd_a^2/n_a + sd_b^2/n_b)
 * (about a 95 % test for normally distributed accuracies). With a single seed there is no
 * spread to compare against, and such comparisons come out "inconclusive".
 */
import type { SummaryRow } from './summary.js';
import type { LandscapeRecord } from '../reproduce/store.js';
import type { LayerGradientStat } from '../nn/gradient-stats.js';
import { INTERIOR_RISE_FRACTION, type MinimumPlace } from '../probes/landscape-shape.js';
import { pct } from '../util/format.js';

export type Verdict = 'agrees' | 'partly agrees' | 'inconclusive' | 'contradicts' | 'not measured';

export interface ClaimResult {
  number: number;
  /** The claim as the article makes it. */
  claim: string;
  /** What this run measured, in one sentence. */
  measured: string;
  verdict: Verdict;
  /** The numbers behind the verdict, one statement each. */
  evidence: string[];
}

/** The article's numbers and the thresholds used to judge them. */
const ARTICLE = {
  typicalAccuracy: 0.7,
  bestAccuracy: 0.72,
  bestDepth: { sigmoid: 5, relu: 6 } as Record<string, number>,
} as const;

export const THRESHOLDS = {
  /** "around 70 %", "about 72 %": within this many accuracy points (or within the noise, if larger). */
  aroundTolerance: 0.03,
  /** "depth changes accuracy little": the spread of the depths' mean accuracies stays within this. */
  littleDepthEffect: 0.03,
  /** "slightly better": a mean advantage up to this is "slight"; more is "clearly better". */
  slightAdvantage: 0.05,
  /** Multiples of the standard error a difference must exceed to count as real. */
  noiseMultiple: 2,
  /** "much smaller gradients": the last layer's mean |gradient| is at least this many times the first layer's. */
  muchSmallerFactor: 10,
  /** A minimum is "inside the range" by the probe's own rule (src/probes/landscape-shape.ts). */
  interiorRise: INTERIOR_RISE_FRACTION,
  /** A curve "levels off towards an asymptote" when its slope near its low end is below this fraction of its steepest slope. */
  asymptoteSlopeFraction: 0.1,
  /** Fraction of the swept range, at the low end of a curve, over which that final slope is measured. */
  asymptoteTailFraction: 0.1,
} as const;

export interface GradientRun {
  configName: string;
  activation: string;
  layers: number;
  seed: number;
  gradients: readonly LayerGradientStat[];
}

export interface ClaimInputs {
  rows: readonly SummaryRow[];
  landscape: readonly LandscapeRecord[];
  gradients: readonly GradientRun[];
}

// ---------------------------------------------------------------------------------------------
// Helpers

function points(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)} points` : 'n/a';
}

/** Standard error of the difference of two means over seeds; NaN when either has fewer than 2 seeds. */
function seDiff(a: { std: number; n: number }, b: { std: number; n: number }): number {
  if (a.n < 2 || b.n < 2) return Number.NaN;
  return Math.sqrt((a.std * a.std) / a.n + (b.std * b.std) / b.n);
}

/** Whether `diff` (a difference of means) exceeds the noise; undefined when the noise is unknown. */
function beyondNoise(diff: number, se: number): boolean | undefined {
  if (!Number.isFinite(se)) return undefined;
  return Math.abs(diff) > THRESHOLDS.noiseMultiple * se;
}

function noiseText(diff: number, se: number): string {
  const beyond = beyondNoise(diff, se);
  if (beyond === undefined) return 'the noise cannot be judged with a single seed';
  return `${beyond ? 'larger' : 'not larger'} than the spread over seeds (${THRESHOLDS.noiseMultiple} x standard error = ${points(THRESHOLDS.noiseMultiple * se)})`;
}

/** Combines the verdicts of a claim's parts. */
export function combine(parts: readonly Verdict[]): Verdict {
  const measured = parts.filter((p) => p !== 'not measured');
  if (measured.length === 0) return 'not measured';
  const agree = measured.filter((p) => p === 'agrees').length;
  const contradict = measured.filter((p) => p === 'contradicts').length;
  const partly = measured.filter((p) => p === 'partly agrees').length;
  if (agree === measured.length) return 'agrees';
  if (contradict === measured.length) return 'contradicts';
  if (contradict > 0 && agree + partly === 0) return 'contradicts';
  if (agree + partly > 0) return 'partly agrees';
  return 'inconclusive';
}

function byActivation(rows: readonly SummaryRow[]): Map<string, SummaryRow[]> {
  const m = new Map<string, SummaryRow[]>();
  for (const r of rows)
    m.set(
      r.activation,
      [...(m.get(r.activation) ?? []), r].sort((a, b) => a.layers - b.layers),
    );
  return m;
}

function activationName(a: string): string {
  return a === 'relu' ? 'ReLU' : a === 'sigmoid' ? 'Sigmoid' : a;
}

function allRunValues(rows: readonly SummaryRow[]): number[] {
  return rows.flatMap((r) => r.testBySeed);
}

function meanOf(v: readonly number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

// ---------------------------------------------------------------------------------------------
// Claim 1: accuracy around 70 %, best about 72 %

export function judgeTypicalAccuracy(rows: readonly SummaryRow[]): ClaimResult {
  const claim = 'Test accuracy is around 70 %, and the best network reaches about 72 %.';
  if (rows.length === 0) return { number: 1, claim, measured: 'no training runs', verdict: 'not measured', evidence: [] };
  const values = allRunValues(rows);
  // The mean of the configurations' means; its noise comes from the seeds alone (not from the
  // differences between configurations, which are what the claim is about).
  const overall = meanOf(rows.map((r) => r.test.mean));
  const seOverall = rows.every((r) => r.test.n >= 2)
    ? Math.sqrt(rows.reduce((a, r) => a + (r.test.std * r.test.std) / r.test.n, 0)) / rows.length
    : Number.NaN;
  const best = [...rows].sort((a, b) => b.test.mean - a.test.mean)[0];
  const seBest = best.test.n >= 2 ? best.test.std / Math.sqrt(best.test.n) : Number.NaN;
  const bestEpochMax = Math.max(...rows.map((r) => r.bestTest.max));
  const tol = (se: number): number => Math.max(THRESHOLDS.aroundTolerance, Number.isFinite(se) ? THRESHOLDS.noiseMultiple * se : 0);
  const typicalOk = Math.abs(overall - ARTICLE.typicalAccuracy) <= tol(seOverall);
  const bestOk = Math.abs(best.test.mean - ARTICLE.bestAccuracy) <= tol(seBest);
  const lo = Math.min(...rows.map((r) => r.test.mean));
  const hi = Math.max(...rows.map((r) => r.test.mean));
  const parts: Verdict[] = [typicalOk ? 'agrees' : 'contradicts', bestOk ? 'agrees' : 'contradicts'];
  return {
    number: 1,
    claim,
    measured: `mean test accuracy ${pct(overall)} over ${rows.length} configurations (${values.length} runs) (configuration means ${pct(lo)} to ${pct(hi)}); best configuration ${best.config} at ${pct(best.test.mean)}.`,
    verdict: combine(parts),
    evidence: [
      `Mean of the configurations' mean test accuracies ${pct(overall)} vs the article's ~${pct(ARTICLE.typicalAccuracy, 0)}: off by ${points(overall - ARTICLE.typicalAccuracy)}, ${typicalOk ? 'within' : 'outside'} the tolerance of ${points(tol(seOverall))}.`,
      `Best configuration (by mean final test accuracy over ${best.test.n} seed${best.test.n === 1 ? '' : 's'}): ${best.config}, ${pct(best.test.mean)} (seeds ${pct(best.test.min)} to ${pct(best.test.max)}) vs the article's ~${pct(ARTICLE.bestAccuracy, 0)}: ${bestOk ? 'within' : 'outside'} the tolerance of ${points(tol(seBest))}.`,
      `Highest test accuracy any run reached at any epoch: ${pct(bestEpochMax)} (picking the best epoch by its test accuracy flatters the result).`,
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Claim 2: depth changes accuracy little

export function judgeDepthEffect(rows: readonly SummaryRow[]): ClaimResult {
  const claim = 'Depth changes test accuracy little (for both activations).';
  const parts: Verdict[] = [];
  const evidence: string[] = [];
  const measured: string[] = [];
  for (const [activation, list] of byActivation(rows)) {
    if (list.length < 2) {
      evidence.push(`${activationName(activation)}: only one depth was run.`);
      parts.push('not measured');
      continue;
    }
    const worst = list.reduce((a, b) => (b.test.mean < a.test.mean ? b : a));
    const best = list.reduce(
      (a, b) => (b.test.mean >= a.test.mean && b !== worst ? b : a),
      list.find((r) => r !== worst)!,
    );
    const range = best.test.mean - worst.test.mean;
    const se = seDiff(best.test, worst.test);
    const real = beyondNoise(range, se);
    const little = range <= THRESHOLDS.littleDepthEffect;
    // "Little" holds when the spread is small, or when it cannot be told from seed noise.
    parts.push(little || real === false ? 'agrees' : real === undefined ? 'inconclusive' : 'contradicts');
    measured.push(`${activationName(activation)} ${points(range)} from ${worst.layers} to ${best.layers} layers`);
    evidence.push(
      `${activationName(activation)}: depth means range from ${pct(worst.test.mean)} (${worst.layers} layers) to ${pct(best.test.mean)} (${best.layers} layers), ` +
        `a spread of ${points(range)} (threshold for "little": ${points(THRESHOLDS.littleDepthEffect)}); the difference is ${noiseText(range, se)}.`,
    );
  }
  return {
    number: 2,
    claim,
    measured:
      measured.length > 0 ? `spread of mean test accuracy across depths: ${measured.join('; ')}.` : 'fewer than two depths per activation',
    verdict: combine(parts),
    evidence,
  };
}

// ---------------------------------------------------------------------------------------------
// Claim 3: best Sigmoid depth 5, best ReLU depth 6

export function judgeBestDepth(rows: readonly SummaryRow[]): ClaimResult {
  const claim = 'The best Sigmoid network has 5 layers and the best ReLU network 6.';
  const parts: Verdict[] = [];
  const evidence: string[] = [];
  const measured: string[] = [];
  const groups = byActivation(rows);
  for (const [activation, articleDepth] of Object.entries(ARTICLE.bestDepth)) {
    const list = groups.get(activation) ?? [];
    const name = activationName(activation);
    const atArticle = list.find((r) => r.layers === articleDepth);
    if (list.length < 2 || !atArticle) {
      parts.push('not measured');
      evidence.push(
        `${name}: the ${articleDepth}-layer network and at least one other depth are needed; this run has ${list.map((r) => r.layers).join(', ') || 'none'}.`,
      );
      continue;
    }
    const ranked = [...list].sort((a, b) => b.test.mean - a.test.mean);
    const best = ranked[0];
    measured.push(`${name} best at ${best.layers} layers`);
    if (best.layers === articleDepth) {
      const second = ranked[1];
      const lead = best.test.mean - second.test.mean;
      const se = seDiff(best.test, second.test);
      const real = beyondNoise(lead, se);
      parts.push(real ? 'agrees' : 'inconclusive');
      evidence.push(
        `${name}: best at ${best.layers} layers (${pct(best.test.mean)}), as in the article; its lead over ${second.layers} layers (${pct(second.test.mean)}) is ${points(lead)}, ${noiseText(lead, se)}` +
          `${real ? '' : ', so the seeds cannot single out the best depth'}.`,
      );
    } else {
      const gap = best.test.mean - atArticle.test.mean;
      const se = seDiff(best.test, atArticle.test);
      const real = beyondNoise(gap, se);
      parts.push(real ? 'contradicts' : 'inconclusive');
      evidence.push(
        `${name}: best at ${best.layers} layers (${pct(best.test.mean)}), not ${articleDepth}; the article's ${articleDepth}-layer network reached ${pct(atArticle.test.mean)}, ` +
          `${points(gap)} lower, ${noiseText(gap, se)}.`,
      );
    }
  }
  return {
    number: 3,
    claim,
    measured: measured.length > 0 ? `${measured.join('; ')}.` : 'not measured',
    verdict: combine(parts),
    evidence,
  };
}

// ---------------------------------------------------------------------------------------------
// Claim 4: Sigmoid slightly better than ReLU

export function judgeSigmoidVsRelu(rows: readonly SummaryRow[]): ClaimResult {
  const claim = 'For fully connected networks, Sigmoid is slightly better than ReLU.';
  const groups = byActivation(rows);
  const sig = groups.get('sigmoid') ?? [];
  const relu = groups.get('relu') ?? [];
  const depths = sig.map((r) => r.layers).filter((d) => relu.some((r) => r.layers === d));
  if (depths.length === 0)
    return { number: 4, claim, measured: 'no depth was run with both activations', verdict: 'not measured', evidence: [] };
  const perDepth = depths.map((d) => {
    const s = sig.find((r) => r.layers === d)!;
    const r = relu.find((x) => x.layers === d)!;
    return { d, diff: s.test.mean - r.test.mean, se: seDiff(s.test, r.test) };
  });
  const diff = meanOf(perDepth.map((p) => p.diff));
  // The per-depth differences are independent, so their mean's standard error adds in quadrature.
  const se = Math.sqrt(perDepth.reduce((a, p) => a + p.se * p.se, 0)) / perDepth.length;
  const real = beyondNoise(diff, se);
  const sigWins = perDepth.filter((p) => p.diff > 0).length;
  let verdict: Verdict;
  if (real === undefined) verdict = 'inconclusive';
  else if (!real) verdict = 'inconclusive';
  else if (diff > 0) verdict = diff <= THRESHOLDS.slightAdvantage ? 'agrees' : 'partly agrees';
  else verdict = 'contradicts';
  const bestSig = sig.reduce((a, b) => (b.test.mean > a.test.mean ? b : a));
  const bestRelu = relu.reduce((a, b) => (b.test.mean > a.test.mean ? b : a));
  const who = diff > 0 ? 'Sigmoid' : 'ReLU';
  return {
    number: 4,
    claim,
    measured: `${who} ahead by ${points(Math.abs(diff))} on average over ${depths.length} depth${depths.length === 1 ? '' : 's'} (Sigmoid ahead at ${sigWins} of ${depths.length}).`,
    verdict,
    evidence: [
      `Mean over depths of (Sigmoid - ReLU) test accuracy: ${diff >= 0 ? '+' : ''}${points(diff)}, ${noiseText(diff, se)}.`,
      `Per depth: ${perDepth.map((p) => `${p.d} layers ${p.diff >= 0 ? '+' : ''}${points(p.diff)}`).join(', ')}.`,
      `Best of each: Sigmoid ${bestSig.config} ${pct(bestSig.test.mean)}, ReLU ${bestRelu.config} ${pct(bestRelu.test.mean)}.`,
      ...(real && diff > THRESHOLDS.slightAdvantage
        ? [`Sigmoid is ahead by more than the ${points(THRESHOLDS.slightAdvantage)} called "slightly".`]
        : []),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Claim 5: the landscape along one first-layer weight

export type CurveShape = 'interior minimum' | 'levels off' | 'monotone, still falling' | 'flat';

/**
 * Classifies a loss curve (values ascending) by where its minimum lies and how it approaches it.
 * `minimum`, when given, is the probe's own judgement (src/probes/landscape-shape.ts), which uses
 * the same rule as the check below (both ends above the minimum by INTERIOR_RISE_FRACTION of the
 * curve's range); the check is repeated so that curves read back without it are judged alike.
 */
export function curveShape(values: readonly number[], losses: readonly number[], minimum?: MinimumPlace): CurveShape {
  const n = losses.length;
  const finite = losses.filter((l) => Number.isFinite(l));
  const hi = Math.max(...finite);
  const lo = Math.min(...finite);
  const span = hi - lo;
  if (n < 3 || !(span > 1e-12 * Math.max(1, Math.abs(hi)))) return 'flat';
  let iMin = 0;
  for (let i = 1; i < n; i++) if (losses[i] < losses[iMin]) iMin = i;
  // An interior minimum must be clearly lower than both ends, not a plateau's rounding ripple.
  const margin = THRESHOLDS.interiorRise * span;
  const clearlyInside = iMin > 0 && iMin < n - 1 && losses[iMin] < losses[0] - margin && losses[iMin] < losses[n - 1] - margin;
  if (clearlyInside && (minimum === undefined || minimum === 'inside')) return 'interior minimum';
  // Otherwise the curve gets lowest at (or along a plateau reaching) one end.
  if (minimum === 'lower edge') iMin = 0;
  else if (minimum === 'upper edge') iMin = n - 1;
  else iMin = losses[0] <= losses[n - 1] ? 0 : n - 1;
  // Minimum at an end: does the curve level off as it gets there?
  const slopes: number[] = [];
  for (let i = 0; i + 1 < n; i++) slopes.push(Math.abs((losses[i + 1] - losses[i]) / (values[i + 1] - values[i])));
  const steepest = Math.max(...slopes.filter((s) => Number.isFinite(s)));
  const tail = Math.max(1, Math.round(THRESHOLDS.asymptoteTailFraction * slopes.length));
  const atLowEnd = iMin >= n / 2 ? slopes.slice(-tail) : slopes.slice(0, tail);
  const finalSlope = meanOf(atLowEnd);
  return finalSlope < THRESHOLDS.asymptoteSlopeFraction * steepest ? 'levels off' : 'monotone, still falling';
}

export function judgeLandscape(records: readonly LandscapeRecord[]): ClaimResult {
  const claim =
    "Along one first-layer weight (all others fixed), ReLU's squared error has a minimum inside the swept range, while Sigmoid's keeps falling towards an asymptote.";
  const expected: Record<string, CurveShape> = { relu: 'interior minimum', sigmoid: 'levels off' };
  const parts: Verdict[] = [];
  const evidence: string[] = [];
  const measured: string[] = [];
  for (const activation of ['relu', 'sigmoid']) {
    const mine = records.filter((r) => r.activation === activation);
    const curves = mine.flatMap((r) => r.series.map((s) => ({ r, s, shape: curveShape(s.values, s.losses, s.minimum) })));
    const name = activationName(activation);
    if (curves.length === 0) {
      parts.push('not measured');
      evidence.push(`${name}: no landscape probe was run.`);
      continue;
    }
    const matching = curves.filter((c) => c.shape === expected[activation]).length;
    parts.push(matching === curves.length ? 'agrees' : matching === 0 ? 'contradicts' : 'partly agrees');
    if (activation === 'relu') {
      evidence.push(
        `A minimum counts as inside the range only when both ends lie at least ${(100 * THRESHOLDS.interiorRise).toFixed(0)} % of the curve's loss range above it; ` +
          `a curve "levels off" when its slope over the last ${(100 * THRESHOLDS.asymptoteTailFraction).toFixed(0)} % of the range towards its low end is below ${(100 * THRESHOLDS.asymptoteSlopeFraction).toFixed(0)} % of its steepest slope.`,
      );
    }
    measured.push(
      `${name}: ${matching} of ${curves.length} curves ${activation === 'relu' ? 'have an interior minimum' : 'level off without an interior minimum'}`,
    );
    const counts = new Map<string, number>();
    for (const c of curves) counts.set(c.shape, (counts.get(c.shape) ?? 0) + 1);
    const configs = [...new Set(mine.map((r) => r.configName))].join(', ');
    const seeds = [...new Set(mine.map((r) => r.seed))].length;
    evidence.push(
      `${name} (${configs}, ${seeds} seed${seeds === 1 ? '' : 's'}, ${curves.length} swept weight${curves.length === 1 ? '' : 's'} in all): ` +
        `${[...counts.entries()].map(([shape, k]) => `${k} ${shape === 'interior minimum' ? 'with a minimum inside the range' : shape === 'levels off' ? 'falling to an edge and levelling off' : shape === 'flat' ? 'flat' : 'falling to an edge, still steep there'}`).join(', ')}.`,
    );
    const failedChecks = mine.filter((r) => r.check && !r.check.passed);
    if (failedChecks.length > 0) {
      evidence.push(
        `${name}: the probe's derivative check FAILED for ${failedChecks.map((r) => `seed ${r.seed} (${(100 * r.check.relative).toFixed(2)} % at ${r.check.where})`).join(', ')}; those curves are less trustworthy.`,
      );
    }
  }
  return {
    number: 5,
    claim,
    measured: measured.length > 0 ? `${measured.join('; ')}.` : 'not measured',
    verdict: combine(parts),
    evidence,
  };
}

// ---------------------------------------------------------------------------------------------
// Claim 6: the vanishing gradient in a deep Sigmoid network

/** last layer's mean |gradient| divided by the first layer's, at one epoch. */
function gradientFactor(grads: readonly LayerGradientStat[], epoch: number): number {
  const at = grads.filter((g) => g.epoch === epoch);
  if (at.length < 2) return Number.NaN;
  const first = at.reduce((a, b) => (b.layer < a.layer ? b : a));
  const last = at.reduce((a, b) => (b.layer > a.layer ? b : a));
  return last.meanAbs / first.meanAbs;
}

function factorText(f: number): string {
  if (!Number.isFinite(f)) return 'n/a';
  return f >= 1 ? `${f.toPrecision(3)}x` : `1/${(1 / f).toPrecision(3)}x`;
}

export function judgeVanishingGradient(runs: readonly GradientRun[]): ClaimResult {
  const claim = 'The first layers of a deep Sigmoid network receive much smaller gradients than its last layers (the vanishing gradient).';
  const sigmoid = runs.filter((r) => r.activation === 'sigmoid' && r.gradients.length > 0);
  if (sigmoid.length === 0)
    return { number: 6, claim, measured: 'no Sigmoid run recorded gradients', verdict: 'not measured', evidence: [] };
  const deepest = Math.max(...sigmoid.map((r) => r.layers));
  const deep = sigmoid.filter((r) => r.layers === deepest);
  const factorsOf = (list: readonly GradientRun[]) =>
    list.map((r) => {
      const lastEpoch = Math.max(...r.gradients.map((g) => g.epoch));
      return { seed: r.seed, init: gradientFactor(r.gradients, 0), end: gradientFactor(r.gradients, lastEpoch), lastEpoch };
    });
  const sig = factorsOf(deep);
  const all = sig.flatMap((f) => [f.init, f.end]).filter((f) => Number.isFinite(f));
  const weakest = Math.min(...all);
  let verdict: Verdict;
  if (all.length === 0) verdict = 'not measured';
  else if (weakest >= THRESHOLDS.muchSmallerFactor) verdict = 'agrees';
  else if (weakest > 1) verdict = 'partly agrees';
  else if (all.every((f) => f <= 1)) verdict = 'contradicts';
  else verdict = 'inconclusive';
  const relu = factorsOf(runs.filter((r) => r.activation === 'relu' && r.layers === deepest && r.gradients.length > 0));
  const range = (xs: number[]): string => {
    const f = xs.filter((x) => Number.isFinite(x));
    return f.length === 0 ? 'n/a' : `${factorText(Math.min(...f))} to ${factorText(Math.max(...f))}`;
  };
  return {
    number: 6,
    claim,
    measured: `in the ${deepest}-layer Sigmoid network the last layer's mean |gradient| is ${range(all)} the first layer's (${sig.length} seed${sig.length === 1 ? '' : 's'}, at initialisation and after training).`,
    verdict,
    evidence: [
      `Sigmoid ${deepest} layers, last/first layer mean |dLoss/dW| at initialisation: ${range(sig.map((f) => f.init))}; after the last epoch: ${range(sig.map((f) => f.end))} (threshold for "much smaller": ${THRESHOLDS.muchSmallerFactor}x).`,
      relu.length > 0
        ? `For comparison, ReLU ${deepest} layers: ${range(relu.map((f) => f.init))} at initialisation, ${range(relu.map((f) => f.end))} after the last epoch.`
        : `No ReLU run of ${deepest} layers recorded gradients for comparison.`,
      'Mean |gradient| per weight is compared rather than the L2 norm, which grows with the number of weights in a layer (the first layer has by far the most).',
    ],
  };
}

export function judgeClaims(inputs: ClaimInputs): ClaimResult[] {
  return [
    judgeTypicalAccuracy(inputs.rows),
    judgeDepthEffect(inputs.rows),
    judgeBestDepth(inputs.rows),
    judgeSigmoidVsRelu(inputs.rows),
    judgeLandscape(inputs.landscape),
    judgeVanishingGradient(inputs.gradients),
  ];
}
