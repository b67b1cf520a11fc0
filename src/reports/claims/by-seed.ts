/**
 * The runs organised the way the judges compare them: per configuration, a value per seed;
 * and the small pieces every judge builds its parts from.
 */
import { intervalVerdict, meanInterval, pairedDifferences, type Estimate } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import { CONFIDENCE, type ClaimPart } from './claim.js';

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
