/**
 * What a claim of the article is, as a unit: its id, the article's sentence, the runs-table
 * columns it needs, the margins it declares, and its judge. One module per claim holds all of
 * it (this folder); registry.ts lists them in the report's order, which alone gives the
 * numbers the report prints. Everything else refers to a claim by its id.
 *
 * How every claim is judged:
 * - The seed is the unit: every interval is over seeds, and configurations are compared paired
 *   by seed (the same seed gives every configuration the same shuffling and first-layer start),
 *   using only the seeds every configuration of the comparison has.
 * - Each claim is split into parts (per activation where it speaks of both). A part has a
 *   statistic, a 95 % interval, n (seeds) and a three-way verdict
 *   from src/stats: agrees when the interval lies inside the claim's region, contradicts when
 *   it lies outside, inconclusive when it straddles a boundary or there is too little data.
 * - A claim's overall verdict comes from its parts by one rule (overallVerdict below).
 * - The regions come from the claims' margins, fixed before the runs were judged.
 */
import type { Estimate, IntervalVerdict } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import type { CrossedBootstrap } from '../../stats/crossed-bootstrap.js';
import type { RunTrajectory } from '../trajectories.js';

/** The crossed bootstraps of the judged runs, by epoch (null without per-image data). */
export type JudgeBootstraps = (epoch: 'chosen' | 'stop') => CrossedBootstrap | null;

/**
 * 'mixed': a claim of several parts some of which agree and some are contradicted (the report
 * names each part's verdict); 'still learning': not judged, because a network the part compares
 * had mostly not finished learning when training stopped (configs/rules/confirmatory.json).
 */
export type Verdict = IntervalVerdict | 'mixed' | 'not measured' | 'still learning';

/** Two-sided confidence of every interval. */
export const CONFIDENCE = 0.95;

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
  /** The claim's stable name (accuracy-level, best-depth, ...). */
  id: string;
  /** Its place in the registry, counted from 1: what the report prints. */
  number: number;
  /** Where the report shows it: the article's results or the author's explanation. */
  group: 'results' | 'explanation';
  claim: string;
  /** The article's Japanese words for the claim (a quote, or a paraphrase marked as one). */
  articleJa: ArticleWords;
  verdict: Verdict;
  parts: ClaimPart[];
  /** Further numbers, one statement each (bootstrap probabilities, per-depth means, ...). */
  evidence: string[];
}

/**
 * The claim in the article's Japanese: its own sentence when `verbatim`, otherwise a faithful
 * paraphrase, which the report marks as one and never prints as a quote.
 */
interface ArticleWords {
  text: string;
  verbatim: boolean;
}

/** One number that turns a word of the article into a region, declared before any run was judged. */
export interface Margin {
  value: number;
  /** The values it is also tried at, to show how the verdicts move (the report's sensitivity table). */
  alternatives: readonly number[];
  /** The margin at a value, as the report states it. */
  text: (value: number) => string;
}

/** What a judge returns: the parts (the verdict follows from them by overallVerdict) and the evidence. */
interface Judged {
  parts: ClaimPart[];
  evidence: string[];
}

/**
 * What a judge may ask of the registry: another claim's number, to refer to it in its text; the
 * crossed bootstraps of the runs' test-set correctness (by-seed.ts, accuracySource), when the
 * per-image data exists; and the probed runs' trajectories over the epochs, when recorded.
 */
interface JudgeContext {
  numberOf: (id: string) => number;
  bootstraps?: JudgeBootstraps;
  /** The probed runs' units and gradients by epoch (trajectories.csv), when the report has them. */
  trajectories?: readonly RunTrajectory[];
}

/**
 * One claim. `Own` are the margins it declares, `Borrowed` the ones it uses from another claim
 * (declared there). The judge sees runs that have every column of `columns`; when the runs
 * table lacks one of them, the registry judges the claim on no runs and marks every part
 * "not measured", so no judge writes that case.
 */
export interface Claim<Own extends string = string, Borrowed extends string = never> {
  id: string;
  group: 'results' | 'explanation';
  /** The article's sentence (an English paraphrase). */
  sentence: string;
  /** The same claim in the article's Japanese (the Japanese report prints it). */
  articleJa: ArticleWords;
  /** Runs-table columns without which nothing of the claim can be measured. */
  columns: readonly (keyof RunRow)[];
  margins: Readonly<Record<Own, Margin>>;
  borrows?: readonly Borrowed[];
  /**
   * configs/rules/confirmatory.json, failedRuns: 'count' prints the failed runs (validation accuracy
   * at the chosen epoch below the learned threshold) beside the verdict; 'judge on learned seeds'
   * also judges the claim again, secondary, on the seeds where every network learned (registry.ts).
   */
  failedRuns?: 'count' | 'judge on learned seeds';
  judge(runs: readonly RunRow[], margins: Readonly<Record<Own | Borrowed, number>>, context: JudgeContext): Judged;
}

/** Infers a claim's margin names from its definition. */
export function defineClaim<Own extends string = never, Borrowed extends string = never>(
  claim: Claim<Own, Borrowed>,
): Claim<Own, Borrowed> {
  return claim;
}

/**
 * The one rule from parts to a claim. A claim is the conjunction of its parts, so it agrees only
 * when every part does; when some parts agree and others are contradicted, the conjunction is
 * false, and the verdict is "mixed" (never "agrees", never "partly agrees", which would read as
 * a weaker agreement): the report and claims.csv name each part's verdict.
 *   no part measured                        -> not measured
 *   no part judged, some still learning     -> still learning
 *   every part agrees                       -> agrees
 *   some part agrees and some contradicts   -> mixed
 *   some part contradicts, none agrees      -> contradicts (one false part makes the conjunction false)
 *   otherwise (agrees or inconclusive, or a part not measured or still learning beside judged ones) -> inconclusive
 * Inconclusive is never turned into agrees, and the parts stay in the report and claims.csv.
 */
export function overallVerdict(parts: readonly Verdict[]): Verdict {
  if (parts.length === 0 || parts.every((p) => p === 'not measured')) return 'not measured';
  if (parts.every((p) => p === 'not measured' || p === 'still learning')) return 'still learning';
  if (parts.every((p) => p === 'agrees')) return 'agrees';
  const agrees = parts.includes('agrees') || parts.includes('mixed');
  const contradicts = parts.includes('contradicts') || parts.includes('mixed');
  if (agrees && contradicts) return 'mixed';
  if (contradicts) return 'contradicts';
  return 'inconclusive';
}
