/**
 * The runs organised the way the judges compare them: per configuration, a value per seed;
 * and the small pieces every judge builds its parts from.
 */
import { intervalVerdict, meanInterval, pairedDifferences, type Estimate } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import type { CrossedBootstrap } from '../../stats/crossed-bootstrap.js';
import { CONFIDENCE, type ClaimPart, type JudgeBootstraps } from './claim.js';

/** test_acc (or another column) by seed, for one configuration. */
export type BySeed = Map<number, number>;

export interface ConfigRuns {
  config: string;
  activation: string;
  layers: number;
  runs: RunRow[];
}

export function configsOf(runs: readonly RunRow[]): ConfigRuns[] {
  const by = new Map<string, ConfigRuns>();
  for (const r of runs) {
    const c = by.get(r.config) ?? { config: r.config, activation: r.activation, layers: r.layers, runs: [] };
    c.runs.push(r);
    by.set(r.config, c);
  }
  return [...by.values()];
}

export function bySeed(c: ConfigRuns, pick: (r: RunRow) => number | undefined = (r) => r.test_acc): BySeed {
  const m: BySeed = new Map();
  for (const r of c.runs) {
    const v = pick(r);
    if (v !== undefined && Number.isFinite(v)) m.set(r.seed, v);
  }
  return m;
}

/** Seeds every one of `maps` has, ascending. */
export function commonSeeds(maps: readonly BySeed[]): number[] {
  if (maps.length === 0) return [];
  return [...maps[0].keys()].filter((s) => maps.every((m) => m.has(s))).sort((a, b) => a - b);
}

/** One configuration per depth for an activation (the first listed, if several share a depth), by depth. */
export function depthsOf(configs: readonly ConfigRuns[], activation: string): ConfigRuns[] {
  const by = new Map<number, ConfigRuns>();
  for (const c of configs) if (c.activation === activation && !by.has(c.layers)) by.set(c.layers, c);
  return [...by.values()].sort((a, b) => a.layers - b.layers);
}

export function activationsOf(configs: readonly ConfigRuns[]): string[] {
  const order = ['sigmoid', 'relu'];
  return [...new Set(configs.map((c) => c.activation))].sort(
    (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b),
  );
}

export const notMeasured = (part: string, statistic: string, region: string, unit: ClaimPart['unit']): ClaimPart => ({
  part,
  statistic,
  estimate: { value: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 },
  region,
  unit,
  verdict: 'not measured',
});

export function points(x: number): string {
  return `${(100 * x).toFixed(1)}`;
}

export function withCi(e: Estimate): string {
  return Number.isFinite(e.low) ? `${points(e.value)} [${points(e.low)}, ${points(e.high)}]` : `${points(e.value)} [no interval]`;
}

/** The deepest configuration of an activation that has `pick` on some run. */
export function deepestWith(
  configs: readonly ConfigRuns[],
  activation: string,
  pick: (r: RunRow) => number | undefined,
): ConfigRuns | null {
  return configs
    .filter((c) => c.activation === activation && c.runs.some((r) => pick(r) !== undefined))
    .reduce<ConfigRuns | null>((a, c) => (!a || c.layers > a.layers ? c : a), null);
}

/** One part from a per-seed statistic of one configuration: its mean over seeds with a t interval. */
export function seedPart(
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
export function pairedPart(
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

export const factor = (log10: number): string => (10 ** log10).toPrecision(3);

/**
 * Where the accuracy claims (1-4) read a run's test accuracy: the full test split's two classes
 * (test_full_acc, 1,000 + 1,000 images), the set configs/rules/confirmatory.json judges them on,
 * when the runs table has it; otherwise the article-sized test set (test_acc), as runs made
 * before the full split existed have. With the runs' per-image correctness (test-images.csv),
 * intervals come from the crossed bootstrap over seeds x images; without it, from t over seeds.
 */
export interface AccuracySource {
  column: 'test_full_acc' | 'test_full_acc_final' | 'test_acc';
  /** The crossed bootstrap of the same runs and epoch, when the per-image data exists. */
  bootstrap: CrossedBootstrap | null;
}

export function accuracySource(
  runs: readonly RunRow[],
  bootstraps: JudgeBootstraps | undefined,
  epoch: 'chosen' | 'stop' = 'chosen',
): AccuracySource {
  const full = runs.length > 0 && runs.every((r) => r.test_full_acc !== undefined);
  if (!full) return { column: 'test_acc', bootstrap: null };
  return { column: epoch === 'chosen' ? 'test_full_acc' : 'test_full_acc_final', bootstrap: bootstraps?.(epoch) ?? null };
}

/** What an interval of a seed statistic was computed with, for the report's words. */
export function intervalMethod(e: SeedStatistic): string {
  return e.method === 'crossed' ? 'bootstrap over seeds x test images' : 't over seeds';
}

export interface SeedStatistic {
  estimate: Estimate;
  /** Per seed, g of that seed's accuracies (ascending seeds). */
  perSeed: number[];
  seeds: number[];
  method: 'crossed' | 't';
}

/**
 * The mean over seeds of g(accuracies of `configs` at the seed), with its interval at
 * `confidence`: the crossed bootstrap when the source has one covering these runs and seeds,
 * else t over seeds. Null when no seed has every configuration.
 */
export function seedStatistic(
  configs: readonly ConfigRuns[],
  g: (accuracies: readonly number[]) => number,
  source: AccuracySource,
  confidence: number = CONFIDENCE,
): SeedStatistic | null {
  const maps = configs.map((c) => bySeed(c, (r) => r[source.column]));
  const seeds = commonSeeds(maps);
  if (configs.length === 0 || seeds.length === 0) return null;
  const perSeed = seeds.map((s) => g(maps.map((m) => m.get(s)!)));
  const t = meanInterval(perSeed, confidence);
  const b = source.bootstrap;
  const names = configs.map((c) => c.config);
  const sameSeeds = b !== null && b.seeds.length === seeds.length && b.seeds.every((s, i) => s === seeds[i]);
  if (b && sameSeeds && seeds.length >= 2 && b.covers(names)) {
    return { estimate: b.interval(names, g, t.value, confidence), perSeed, seeds, method: 'crossed' };
  }
  return { estimate: t, perSeed, seeds, method: 't' };
}

/** Share of a configuration's runs that stopped at the epoch maximum (NaN when no run says why it stopped). */
function shareAtMaximum(c: ConfigRuns): number {
  const said = c.runs.filter((r) => r.stop_reason !== undefined);
  if (said.length === 0) return Number.NaN;
  return said.filter((r) => r.stop_reason === 'maximum').length / said.length;
}

/**
 * configs/rules/confirmatory.json, stopping.stillLearning: a network with more than half of its
 * runs at the maximum is still learning (the claims comparing it are not judged); one with at
 * least 3 in 10 is flagged beside every verdict that uses it.
 */
export const STILL_LEARNING = { share: 0.5, flag: 0.3 } as const;

export function stillLearning(configs: readonly ConfigRuns[]): { still: ConfigRuns[]; flagged: ConfigRuns[] } {
  const still = configs.filter((c) => shareAtMaximum(c) > STILL_LEARNING.share);
  const flagged = configs.filter((c) => !still.includes(c) && shareAtMaximum(c) >= STILL_LEARNING.flag);
  return { still, flagged };
}

/** A part not judged because a network it compares was still learning when training stopped. */
export function stillLearningPart(
  part: string,
  statistic: string,
  region: string,
  unit: ClaimPart['unit'],
  still: readonly ConfigRuns[],
): ClaimPart {
  return {
    ...notMeasured(
      part,
      `${statistic} (${still.map((c) => `${c.config}: ${(100 * shareAtMaximum(c)).toFixed(0)} % of runs at the maximum`).join(', ')})`,
      region,
      unit,
    ),
    verdict: 'still learning',
  };
}

/** The words beside a verdict that uses flagged networks (3 or more of 10 runs at the maximum). */
export function flaggedNote(flagged: readonly ConfigRuns[]): string[] {
  return flagged.length === 0
    ? []
    : [
        `Flagged: ${flagged.map((c) => `${c.config} (${(100 * shareAtMaximum(c)).toFixed(0)} % of runs at the epoch maximum)`).join(', ')} had not finished learning in some runs.`,
      ];
}
