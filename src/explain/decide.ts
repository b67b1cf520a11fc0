/**
 * The explain experiment's statistics and its decision rule: pure functions of per-seed test
 * accuracies, no I/O. Written, with its rule, before any run on real data.
 *
 * Depth penalty of a variant, per seed: its test accuracy (primary metric, in points) at the
 * shallowest depth minus at the deepest (3 minus 7 layers for the article's networks); also the
 * least-squares slope of accuracy on layers per seed. Seeds are the unit: a t interval over seeds.
 *
 * The 2 x 2 of factors, per seed (every variant is trained with the same seed numbers, so the
 * contrasts are paired by seed):
 *   bounded effect   = (P_sigmoid + P_relu-clipped)/2 - (P_relu + P_relu-scaled)/2
 *   shrinking effect = (P_sigmoid + P_relu-scaled)/2  - (P_relu + P_relu-clipped)/2
 *   interaction      =  P_sigmoid - P_relu-clipped - P_relu-scaled + P_relu
 * (a positive effect: the factor makes the deep networks lose more accuracy).
 *
 * THE RULE (fixed before any run): a factor is *blamed* when its effect's interval lies above 0
 * (low > 0). One blamed: that factor; both: "both"; neither: "inconclusive". The article's "more
 * than shrinking" *holds* when the bounded effect's interval lies above 0 (bounding adds a depth
 * penalty where the slope stays 1), is *contradicted* when it lies below 0, else inconclusive.
 * A Sigmoid fix (reachable targets, per-layer normalisation), by D = P_sigmoid - P_fix per seed:
 * D above 0 and the fix's own penalty interval not above 0: "removes the penalty"; D above 0 but
 * the penalty still above 0: "reduces the penalty"; D below 0: "increases the penalty"; else "no
 * detectable change". The primary confidence is 95 %; the report also shows 90 % and 99 % so a
 * reader sees how the conclusion moves with the rule.
 */
import { meanInterval, olsSlope, type Estimate } from '../stats/stats.js';
import type { VariantName } from './config.js';

/** Test accuracy in points: variant -> layers -> seed -> accuracy. */
export type AccuracyTable = ReadonlyMap<VariantName, ReadonlyMap<number, ReadonlyMap<number, number>>>;

type Blame = 'bounded output' | 'shrinking derivative' | 'both' | 'inconclusive' | 'not measured';
type ThreeWay = 'holds' | 'contradicted' | 'inconclusive' | 'not measured';
type FixVerdict = 'removes the penalty' | 'reduces the penalty' | 'increases the penalty' | 'no detectable change' | 'not measured';

/** The confidence levels the report shows; the first of the verdicts is at 95 %. */
export const RULE_CONFIDENCES = [0.95, 0.9, 0.99] as const;

/** Per seed with every depth: the seeds, and per seed the accuracies by layers. */
function completeSeeds(byLayers: ReadonlyMap<number, ReadonlyMap<number, number>>): number[] {
  const depths = [...byLayers.values()];
  if (depths.length === 0) return [];
  return [...depths[0].keys()].filter((s) => depths.every((d) => d.has(s))).sort((a, b) => a - b);
}

/** Per seed, shallowest minus deepest accuracy (seeds trained at every depth). */
export function penaltiesBySeed(byLayers: ReadonlyMap<number, ReadonlyMap<number, number>>): Map<number, number> {
  const layers = [...byLayers.keys()].sort((a, b) => a - b);
  const first = byLayers.get(layers[0])!;
  const last = byLayers.get(layers[layers.length - 1])!;
  return new Map(completeSeeds(byLayers).map((s) => [s, first.get(s)! - last.get(s)!]));
}

/** Per seed, the least-squares slope of accuracy on layers (points per layer). */
export function slopesBySeed(byLayers: ReadonlyMap<number, ReadonlyMap<number, number>>): Map<number, number> {
  const layers = [...byLayers.keys()].sort((a, b) => a - b);
  return new Map(
    completeSeeds(byLayers).map((s) => [
      s,
      olsSlope(
        layers,
        layers.map((l) => byLayers.get(l)!.get(s)!),
      ),
    ]),
  );
}

/** sum_k weight_k x value_k(seed) over the seeds every term has, with its t interval; null when a term is missing. */
function contrast(terms: readonly [number, ReadonlyMap<number, number> | undefined][], confidence: number): Estimate | null {
  if (terms.some(([, m]) => m === undefined)) return null;
  const maps = terms.map(([w, m]) => [w, m!] as const);
  const seeds = [...maps[0][1].keys()].filter((s) => maps.every(([, m]) => m.has(s)));
  return meanInterval(
    seeds.map((s) => maps.reduce((sum, [w, m]) => sum + w * m.get(s)!, 0)),
    confidence,
  );
}

const above = (e: Estimate | null): boolean => e !== null && e.low > 0;
const below = (e: Estimate | null): boolean => e !== null && e.high < 0;

function blameOf(bounded: Estimate | null, shrinking: Estimate | null): Blame {
  if (bounded === null || shrinking === null) return 'not measured';
  if (above(bounded) && above(shrinking)) return 'both';
  if (above(bounded)) return 'bounded output';
  if (above(shrinking)) return 'shrinking derivative';
  return 'inconclusive';
}

function moreThanShrinkingOf(bounded: Estimate | null): ThreeWay {
  if (bounded === null) return 'not measured';
  if (above(bounded)) return 'holds';
  if (below(bounded)) return 'contradicted';
  return 'inconclusive';
}

function fixVerdictOf(difference: Estimate | null, fixPenalty: Estimate | null): FixVerdict {
  if (difference === null || fixPenalty === null) return 'not measured';
  if (above(difference)) return above(fixPenalty) ? 'reduces the penalty' : 'removes the penalty';
  if (below(difference)) return 'increases the penalty';
  return 'no detectable change';
}

export interface Judgement {
  confidence: number;
  /** Per variant: the depth penalty and the slope per layer, over seeds. */
  penalty: Map<VariantName, Estimate>;
  slope: Map<VariantName, Estimate>;
  bounded: Estimate | null;
  shrinking: Estimate | null;
  interaction: Estimate | null;
  blame: Blame;
  moreThanShrinking: ThreeWay;
  /** Sigmoid's own penalty lies above 0 (there is a failure to explain). */
  sigmoidFails: ThreeWay;
  /** Per Sigmoid fix: P_sigmoid - P_fix over seeds, and the verdict. */
  fixes: Map<'sigmoid-reachable' | 'sigmoid-normalised', { difference: Estimate | null; verdict: FixVerdict }>;
}

export function judge(table: AccuracyTable, confidence: number): Judgement {
  const penalties = new Map([...table].map(([v, byLayers]) => [v, penaltiesBySeed(byLayers)]));
  const P = (v: VariantName): ReadonlyMap<number, number> | undefined => penalties.get(v);
  const penalty = new Map([...penalties].map(([v, p]) => [v, meanInterval([...p.values()], confidence)]));
  const slope = new Map([...table].map(([v, byLayers]) => [v, meanInterval([...slopesBySeed(byLayers).values()], confidence)]));
  const bounded = contrast(
    [
      [0.5, P('sigmoid')],
      [0.5, P('relu-clipped')],
      [-0.5, P('relu')],
      [-0.5, P('relu-scaled')],
    ],
    confidence,
  );
  const shrinking = contrast(
    [
      [0.5, P('sigmoid')],
      [0.5, P('relu-scaled')],
      [-0.5, P('relu')],
      [-0.5, P('relu-clipped')],
    ],
    confidence,
  );
  const interaction = contrast(
    [
      [1, P('sigmoid')],
      [-1, P('relu-clipped')],
      [-1, P('relu-scaled')],
      [1, P('relu')],
    ],
    confidence,
  );
  const sigmoidPenalty = penalty.get('sigmoid') ?? null;
  const fixes: Judgement['fixes'] = new Map();
  for (const fix of ['sigmoid-reachable', 'sigmoid-normalised'] as const) {
    const difference = contrast(
      [
        [1, P('sigmoid')],
        [-1, P(fix)],
      ],
      confidence,
    );
    fixes.set(fix, { difference, verdict: fixVerdictOf(difference, penalty.get(fix) ?? null) });
  }
  return {
    confidence,
    penalty,
    slope,
    bounded,
    shrinking,
    interaction,
    blame: blameOf(bounded, shrinking),
    moreThanShrinking: moreThanShrinkingOf(bounded),
    sigmoidFails:
      sigmoidPenalty === null ? 'not measured' : above(sigmoidPenalty) ? 'holds' : below(sigmoidPenalty) ? 'contradicted' : 'inconclusive',
    fixes,
  };
}
