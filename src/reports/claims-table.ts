/**
 * The verdicts as rows: claims.csv (one row per claim part plus the claim's overall row) and
 * the cells the Markdown and HTML reports print, so both show the same numbers.
 */
import path from 'node:path';
import { writeCsv } from '../util/csv.js';
import type { ClaimPart, ClaimResult, Verdict } from './claims/claim.js';
import { reportStrings, type Lang } from './i18n.js';

export const CLAIMS_COLUMNS = ['claim', 'part', 'verdict', 'statistic', 'ci_low', 'ci_high', 'n'] as const;

/** claims.csv's rows: per claim its overall row (part "all"), then one row per part. */
export function claimRows(claims: readonly ClaimResult[]): Record<(typeof CLAIMS_COLUMNS)[number], string | number>[] {
  const num = (x: number): number | string => (Number.isFinite(x) ? x : '');
  return claims.flatMap((c) => [
    { claim: c.number, part: 'all', verdict: c.verdict, statistic: '', ci_low: '', ci_high: '', n: '' },
    ...c.parts.map((p) => ({
      claim: c.number,
      part: p.part,
      verdict: p.verdict,
      statistic: num(p.estimate.value),
      ci_low: num(p.estimate.low),
      ci_high: num(p.estimate.high),
      n: p.estimate.n,
    })),
  ]);
}

export async function writeClaimsCsv(dir: string, claims: readonly ClaimResult[]): Promise<string> {
  const file = path.join(dir, 'claims.csv');
  await writeCsv(file, CLAIMS_COLUMNS, claimRows(claims));
  return file;
}

/** Text shown for a verdict in the report's language; a contradiction is said plainly. */
export function verdictLabel(v: Verdict, lang: Lang = 'en'): string {
  return reportStrings(lang).verdict[v];
}

/** For verdicts other than "agrees": one plain sentence that names the settings. */
export function disagreementSentence(verdict: Verdict, settings: readonly string[], lang: Lang = 'en'): string | null {
  if (verdict === 'agrees' || verdict === 'not measured' || verdict === 'still learning') return null;
  const words = reportStrings(lang).disagreement;
  const what = verdict === 'contradicts' ? words.contradicts : verdict === 'mixed' ? words.partly : words.inconclusive;
  return words.withSettings(what, settings.join('; '));
}

/** "68.2 [66.0, 70.4] points, n = 10": the statistic, its 95 % interval and n, in the part's unit. */
export function estimateText(p: ClaimPart): string {
  const e = p.estimate;
  if (p.verdict === 'not measured' || (p.verdict === 'still learning' && !Number.isFinite(e.value))) return p.verdict;
  // Shares below 10 % get a decimal, so a small share and its interval do not all print as "2 %".
  const shareDigits = p.unit === 'share' && Math.abs(e.high) < 0.1 ? 1 : 0;
  const show = (x: number): string =>
    p.unit === 'points' ? (100 * x).toFixed(1) : p.unit === 'share' ? `${(100 * x).toFixed(shareDigits)} %` : x.toFixed(2);
  const unit = p.unit === 'points' ? ' points' : p.unit === 'log10' ? ` (log10; ${(10 ** e.value).toPrecision(2)}x)` : '';
  const ci = Number.isFinite(e.low) ? ` [${show(e.low)}, ${show(e.high)}]` : ' [no interval]';
  return `${show(e.value)}${ci}${unit}, n = ${e.n}`;
}
