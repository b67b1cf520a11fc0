/**
 * The explain experiment's statistics and its decision rule: pure functions of per-seed test
 * accuracies (and, under a registered rule, of where the runs stopped), no I/O.
 *
 * Depth penalty of a variant, per seed: its test accuracy (primary metric, in points) at the
 * shallowest depth minus at the deepest (3 minus 7 layers for the article's networks); also the
 * least-squares slope of accuracy on layers per seed. A config of one depth has no shallow
 * network: its penalty is then ReLU's accuracy minus the variant's at that depth (ReLU's own is
 * 0), a deficit against the network that keeps learning. Seeds are the unit: a t interval over seeds.
 *
 * The 2 x 2 of factors, per seed (every variant is trained with the same seed numbers, so the
 * contrasts are paired by seed; S is the "unbounded, shrinking" cell: relu-scaled, or the
 * forward-matched relu-scaled-matched, whichever the config runs):
 *   bounded effect   = (P_sigmoid + P_relu-clipped)/2 - (P_relu + P_S)/2
 *   shrinking effect = (P_sigmoid + P_S)/2  - (P_relu + P_relu-clipped)/2
 *   interaction      =  P_sigmoid - P_relu-clipped - P_S + P_relu
 * (a positive effect: the factor makes the deep networks lose more accuracy).
 *
 * THE RULE, with a margin m (0 in the first rule, fixed before its run; the registered rule of a
 * config's `decision` block sets m, configs/rules/README.md "explain"): a factor is *blamed* when
 * its effect's interval lies above m (low > m). One blamed: that factor; both: "both"; neither:
 * "inconclusive". The article's "more than shrinking" *holds* when the bounded effect's interval
 * lies above m, is *contradicted* when it lies below m (high < m: the bound costs the deep networks
 * less than m points, if anything), else inconclusive; Sigmoid's own penalty is read the same way
 * (is there a failure to explain?). Under a registered rule, a verdict that uses a variant and
 * depth with more than `stillLearning` of its judged runs stopped at the maximum is "not judged:
 * still learning", and one using a variant and depth at or above `flag` is flagged.
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

/** Where the verdicts need no data: a variant they compare is still learning at the maximum. */
export const STILL_LEARNING = 'not judged: still learning';
type StillLearning = typeof STILL_LEARNING;
type Blame = 'bounded output' | 'shrinking derivative' | 'both' | 'inconclusive' | 'not measured' | StillLearning;
type ThreeWay = 'holds' | 'contradicted' | 'inconclusive' | 'not measured' | StillLearning;
type FixVerdict = 'removes the penalty' | 'reduces the penalty' | 'increases the penalty' | 'no detectable change' | 'not measured';

/** The confidence levels the report shows; the first of the verdicts is at 95 %. */
export const RULE_CONFIDENCES = [0.95, 0.9, 0.99] as const;

/** Per seed with every depth: the seeds, and per seed the accuracies by layers. */
function completeSeeds(byLayers: ReadonlyMap<number, ReadonlyMap<number, number>>): number[] {
  const depths = [...byLayers.values()];
  if (depths.length === 0) return [];
  return [...depths[0].keys()].filter((s) => depths.every((d) => d.has(s))).sort((a, b) => a - b);
}

/**
 * Per seed, shallowest minus deepest accuracy (seeds trained at every depth). With one depth,
 * `reference` (ReLU at that depth) minus the variant, on the seeds both have; without a
 * reference a one-depth table has no penalty (empty).
 */
export function penaltiesBySeed(
  byLayers: ReadonlyMap<number, ReadonlyMap<number, number>>,
  reference?: ReadonlyMap<number, ReadonlyMap<number, number>>,
): Map<number, number> {
  const layers = [...byLayers.keys()].sort((a, b) => a - b);
  if (layers.length === 1) {
    const own = byLayers.get(layers[0])!;
    const ref = reference?.get(layers[0]);
    if (ref === undefined) return new Map();
    return new Map(
      [...own.keys()]
        .filter((s) => ref.has(s))
        .sort((a, b) => a - b)
        .map((s) => [s, ref.get(s)! - own.get(s)!]),
    );
  }
  const first = byLayers.get(layers[0])!;
  const last = byLayers.get(layers[layers.length - 1])!;
  return new Map(completeSeeds(byLayers).map((s) => [s, first.get(s)! - last.get(s)!]));
}

/** The variant in the "unbounded, shrinking" cell of the 2 x 2, of those the table holds. */
function shrinkingCell(variants: Iterable<VariantName>): VariantName {
  return [...variants].includes('relu-scaled-matched') ? 'relu-scaled-matched' : 'relu-scaled';
}

/** A registered rule (an explain config's `decision`) and where the runs stopped. */
export interface DecisionRule {
  /** Points: an effect counts when its interval lies above it; the claim is contradicted below it. */
  margin: number;
  /** Share of runs at the maximum above which a variant and depth is still learning. */
  stillLearning: number;
  /** Share at or above which it is flagged. */
  flag: number;
  /** variant -> layers -> share of its judged runs that stopped at the maximum. */
  atMaximum: ReadonlyMap<VariantName, ReadonlyMap<number, number>>;
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

const above = (e: Estimate | null, margin = 0): boolean => e !== null && e.low > margin;
const below = (e: Estimate | null, margin = 0): boolean => e !== null && e.high < margin;

function blameOf(bounded: Estimate | null, shrinking: Estimate | null, margin: number): Blame {
  if (bounded === null || shrinking === null) return 'not measured';
  if (above(bounded, margin) && above(shrinking, margin)) return 'both';
  if (above(bounded, margin)) return 'bounded output';
  if (above(shrinking, margin)) return 'shrinking derivative';
  return 'inconclusive';
}

function threeWayOf(e: Estimate | null, margin: number): ThreeWay {
  if (e === null) return 'not measured';
  if (above(e, margin)) return 'holds';
  if (below(e, margin)) return 'contradicted';
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
  /** Sigmoid's own penalty lies above the margin (there is a failure to explain). */
  sigmoidFails: ThreeWay;
  /** The margin the verdicts used (0 without a registered rule). */
  margin: number;
  /** The variant in the "unbounded, shrinking" cell. */
  shrinkingCell: VariantName;
  /** The 2 x 2's variants and depths still learning (more than the rule's share at the maximum), and those flagged. */
  stillLearning: string[];
  flagged: string[];
  /** Per Sigmoid fix: P_sigmoid - P_fix over seeds, and the verdict. */
  fixes: Map<'sigmoid-reachable' | 'sigmoid-normalised', { difference: Estimate | null; verdict: FixVerdict }>;
}

export function judge(table: AccuracyTable, confidence: number, rule?: DecisionRule): Judgement {
  const margin = rule?.margin ?? 0;
  const cellS = shrinkingCell(table.keys());
  const reference = table.get('relu');
  const penalties = new Map([...table].map(([v, byLayers]) => [v, penaltiesBySeed(byLayers, reference)]));
  const P = (v: VariantName): ReadonlyMap<number, number> | undefined => penalties.get(v);
  const penalty = new Map([...penalties].map(([v, p]) => [v, meanInterval([...p.values()], confidence)]));
  const slope = new Map([...table].map(([v, byLayers]) => [v, meanInterval([...slopesBySeed(byLayers).values()], confidence)]));
  const bounded = contrast(
    [
      [0.5, P('sigmoid')],
      [0.5, P('relu-clipped')],
      [-0.5, P('relu')],
      [-0.5, P(cellS)],
    ],
    confidence,
  );
  const shrinking = contrast(
    [
      [0.5, P('sigmoid')],
      [0.5, P(cellS)],
      [-0.5, P('relu')],
      [-0.5, P('relu-clipped')],
    ],
    confidence,
  );
  const interaction = contrast(
    [
      [1, P('sigmoid')],
      [-1, P('relu-clipped')],
      [-1, P(cellS)],
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
  const { still, flagged } = stoppedAtMaximum(rule, ['sigmoid', 'relu', 'relu-clipped', cellS]);
  const sigmoidStill = still.some((k) => k.startsWith('sigmoid '));
  return {
    confidence,
    penalty,
    slope,
    bounded,
    shrinking,
    interaction,
    blame: still.length > 0 ? STILL_LEARNING : blameOf(bounded, shrinking, margin),
    moreThanShrinking: still.length > 0 ? STILL_LEARNING : threeWayOf(bounded, margin),
    sigmoidFails: sigmoidStill ? STILL_LEARNING : threeWayOf(sigmoidPenalty, margin),
    fixes,
    margin,
    shrinkingCell: cellS,
    stillLearning: still,
    flagged,
  };
}

/** The variants' depths (as "variant L layers") above the rule's still-learning share, and those at or above its flag. */
function stoppedAtMaximum(rule: DecisionRule | undefined, variants: readonly VariantName[]): { still: string[]; flagged: string[] } {
  const still: string[] = [];
  const flagged: string[] = [];
  if (rule === undefined) return { still, flagged };
  for (const v of variants) {
    for (const [layers, share] of rule.atMaximum.get(v) ?? []) {
      const key = `${v} ${layers} layers`;
      if (share > rule.stillLearning) still.push(key);
      else if (share >= rule.flag) flagged.push(key);
    }
  }
  return { still, flagged };
}
