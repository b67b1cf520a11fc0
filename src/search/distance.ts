/**
 * The search's distance to the article (configs/rules/search.json, "distance"), from the parts of
 * the claims as the reproduction's judge estimated them:
 *   a part      0 when its estimate lies inside the claim's region, else the distance from the
 *               estimate to the region's nearest edge divided by the claim's margin; a part with
 *               no estimate (a network it compares did not run) counts as the cap;
 *   a claim     the mean over its parts, capped at DISTANCE_CAP;
 *   a cell      the mean over the registered claims (1 to 4), so every claim weighs the same.
 * The regions are the claims' own (src/reports/claims/), as numbers: the same article figures
 * and margins the judge's verdicts use.
 */
import { MARGINS } from '../reports/claim-margins.js';
import { ARTICLE_ACCURACY } from '../reports/claims/accuracy-level.js';
import type { ClaimResult } from '../reports/verdicts.js';

/** The registered cap of a claim's distance (and the distance of a part without an estimate). */
export const DISTANCE_CAP = 3;

/** A claim part's region for its estimate, in accuracy points as fractions, and the margin that scales the distance. */
interface Region {
  low: number;
  high: number;
  margin: number;
  /** Added to the judge's estimate first (claim 3: the smallest claimed - rival, plus the margin). */
  shift: number;
}

/** The region of each part of the claims the distance can weigh, by claim id (and part, where they differ). */
const REGIONS: Readonly<Record<string, (part: string) => Region>> = {
  'accuracy-level': (part) => {
    const target = part === 'best' ? ARTICLE_ACCURACY.best : ARTICLE_ACCURACY.typical;
    return { low: target - MARGINS.around, high: target + MARGINS.around, margin: MARGINS.around, shift: 0 };
  },
  'depth-effect': () => ({ low: -MARGINS.little, high: MARGINS.little, margin: MARGINS.little, shift: 0 }),
  // The judge's estimate is the smallest (claimed - rival) over the rivals; the claim holds when it is above -delta.
  'best-depth': () => ({ low: 0, high: Number.POSITIVE_INFINITY, margin: MARGINS.bestWithin, shift: MARGINS.bestWithin }),
  'sigmoid-vs-relu': () => ({ low: 0, high: MARGINS.slightly, margin: MARGINS.slightly, shift: 0 }),
};

/** The claim ids the distance knows regions for (the rules file's "distance.claims" must be among them). */
export const DISTANCE_CLAIMS: readonly string[] = Object.keys(REGIONS);

interface ClaimDistance {
  id: string;
  number: number;
  distance: number;
  parts: number;
  /** Parts with an estimate (the others counted as the cap). */
  estimated: number;
  /** Each part's distance, by the part's name. */
  byPart: ReadonlyMap<string, number>;
}

export interface CellDistance {
  claims: ClaimDistance[];
  /** Mean over the claims. */
  distance: number;
}

/** A part's distance: 0 inside the region, else to the nearest edge in margins; the cap without an estimate. */
export function partDistance(claimId: string, part: string, estimate: number): number {
  const region = REGIONS[claimId](part);
  const x = estimate + region.shift;
  if (!Number.isFinite(x)) return DISTANCE_CAP;
  if (x >= region.low && x <= region.high) return 0;
  return (x < region.low ? region.low - x : x - region.high) / region.margin;
}

/** The cell's distance over `ids` (the rules' claims), from the judge's results. */
export function cellDistance(claims: readonly ClaimResult[], ids: readonly string[]): CellDistance {
  const per = ids.map((id) => {
    const c = claims.find((x) => x.id === id);
    if (!c) throw new Error(`distance: the judge gave no claim "${id}"`);
    const parts = c.parts.map((p) => partDistance(id, p.part, p.estimate.value));
    const mean = parts.length === 0 ? DISTANCE_CAP : parts.reduce((a, b) => a + b, 0) / parts.length;
    return {
      id,
      number: c.number,
      distance: Math.min(DISTANCE_CAP, mean),
      parts: parts.length,
      estimated: c.parts.filter((p) => Number.isFinite(p.estimate.value)).length,
      byPart: new Map(c.parts.map((p, k) => [p.part, parts[k]])),
    };
  });
  return { claims: per, distance: per.reduce((a, c) => a + c.distance, 0) / per.length };
}
