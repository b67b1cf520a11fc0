/**
 * The article's claims in the report's order. A claim's number is its place in this list;
 * everything else names a claim by its id. Adding a claim: one module beside this file, one
 * line here.
 *
 * The margins are the claims' own (each declared in the claim that owns it, a claim may borrow
 * another's); the report lists them, and the sensitivity table tries them, in this order.
 */
import type { RunRow } from '../runs-table.js';
import { accuracyLevel, LEARNED_THRESHOLD } from './accuracy-level.js';
import { asymptote } from './asymptote.js';
import { bestDepth } from './best-depth.js';
import { overallVerdict, type Claim, type ClaimResult, type JudgeBootstraps, type Margin, type Verdict } from './claim.js';
import { CrossedBootstrap } from '../../stats/crossed-bootstrap.js';
import type { TestImages } from '../test-images.js';
import type { RunTrajectory } from '../trajectories.js';
import { depthEffect } from './depth-effect.js';
import { points, withCi } from './by-seed.js';
import { landscapeShape } from './landscape-shape.js';
import { needsTwo } from './needs-two.js';
import { sigmoidVsRelu } from './sigmoid-vs-relu.js';
import { vanishingGradient } from './vanishing-gradient.js';

const CLAIMS = [accuracyLevel, depthEffect, bestDepth, sigmoidVsRelu, landscapeShape, vanishingGradient, needsTwo, asymptote] as const;

type AnyClaim = (typeof CLAIMS)[number];
type OwnMargins<C> = C extends Claim<infer Own, infer _Borrowed> ? Own : never;

/** The name of every margin a claim declares. */
export type MarginName = OwnMargins<AnyClaim>;
export type Margins = Record<MarginName, number>;

/** The number the report prints for a claim: its place in the registry, from 1. A typo in an id fails at once. */
export function claimNumber(id: string): number {
  const i = CLAIMS.findIndex((c) => c.id === id);
  if (i < 0) throw new Error(`no claim "${id}" in the registry (${CLAIMS.map((c) => c.id).join(', ')})`);
  return i + 1;
}

function declaredMargins(): [MarginName, Margin][] {
  const ids = CLAIMS.map((c) => c.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice) throw new Error(`claim id "${twice}" is used twice in the registry`);
  const seen = new Map<string, Margin>();
  for (const claim of CLAIMS) {
    for (const [name, margin] of Object.entries(claim.margins as Record<string, Margin>)) {
      if (seen.has(name)) throw new Error(`margin "${name}" is declared by two claims; one of them should borrow it`);
      seen.set(name, margin);
    }
  }
  for (const claim of CLAIMS) {
    for (const name of (claim as Claim<string, string>).borrows ?? [])
      if (!seen.has(name)) throw new Error(`claim ${claim.id} borrows margin "${name}", which no claim declares`);
  }
  return [...seen.entries()] as [MarginName, Margin][];
}

const DECLARED = declaredMargins();

/** Every margin at its declared value, in registry order. */
export const MARGINS: Readonly<Margins> = Object.fromEntries(DECLARED.map(([name, m]) => [name, m.value])) as Margins;

/** The values each margin is also tried at, to show how the verdicts move (the report's sensitivity table). */
export const MARGIN_ALTERNATIVES: Readonly<Record<MarginName, readonly number[]>> = Object.fromEntries(
  DECLARED.map(([name, m]) => [name, m.alternatives]),
) as Record<MarginName, readonly number[]>;

/** A margin at a value, as the report states it. */
export function marginText(name: MarginName, value: number): string {
  return DECLARED.find(([n]) => n === name)![1].text(value);
}

/**
 * The primary parts, as configs/rules/confirmatory.json ("primary") registers them: a claim's
 * id names all its parts, "id.part" one part (spec/reproduce-rules.spec.ts holds the two equal).
 * Every other part is secondary; no correction across parts.
 */
export const PRIMARY_PARTS = ['accuracy-level.typical', 'depth-effect', 'sigmoid-vs-relu'] as const;

export function isPrimary(claimId: string, part: string): boolean {
  return PRIMARY_PARTS.some((p) => p === claimId || p === `${claimId}.${part}`);
}

/** The parts the claims judged (agrees, contradicts or inconclusive), and how many of them are primary. */
export function judgedParts(claims: readonly ClaimResult[]): { judged: number; primary: number } {
  const judged = claims.flatMap((c) =>
    c.parts.filter((p) => p.verdict !== 'not measured' && p.verdict !== 'still learning').map((p) => isPrimary(c.id, p.part)),
  );
  return { judged: judged.length, primary: judged.filter(Boolean).length };
}

/**
 * The crossed bootstrap's settings, as configs/rules/confirmatory.json ("bootstrap") registers
 * them (spec/reproduce-rules.spec.ts holds the two equal).
 */
export const CROSSED_BOOTSTRAP = { resamples: 2000, seed: 12 } as const;

/**
 * The crossed bootstraps (seeds x test images) of a runs table, one per epoch, made on first use
 * and shared by every claim and every margin of the sensitivity table; undefined without the
 * per-image data or with fewer than two seeds common to every network.
 */
export function bootstrapsOf(runs: readonly RunRow[], images: TestImages | null | undefined): JudgeBootstraps | undefined {
  if (!images) return undefined;
  const configs = [...new Set(runs.map((r) => r.config))];
  const sets = configs.map((c) => new Set(runs.filter((r) => r.config === c).map((r) => r.seed)));
  const seeds = [...(sets[0] ?? [])].filter((s) => sets.every((set) => set.has(s))).sort((a, b) => a - b);
  if (seeds.length < 2) return undefined;
  const made = new Map<'chosen' | 'stop', CrossedBootstrap>();
  return (epoch) => {
    let b = made.get(epoch);
    if (!b) {
      b = new CrossedBootstrap(seeds, (network, seed) => images.get(network, seed, epoch), images.images, CROSSED_BOOTSTRAP);
      made.set(epoch, b);
    }
    return b;
  };
}

/** Judges every claim of the registry on the runs; a claim whose columns the runs lack is not measured. */
export function judgeClaims(
  runs: readonly RunRow[],
  margins: Readonly<Margins>,
  bootstraps?: JudgeBootstraps,
  trajectories?: readonly RunTrajectory[],
): ClaimResult[] {
  return judgeEach(CLAIMS, runs, margins, bootstraps, trajectories);
}

/**
 * Judges `claims` in order (numbered from 1). A claim whose columns no run has is judged on no
 * runs: its parts keep their names and wording, and every one is marked not measured whatever
 * its judge made of nothing, so no judge has to write that case.
 */
export function judgeEach(
  claims: readonly Claim<string, string>[],
  runs: readonly RunRow[],
  margins: Readonly<Record<string, number>>,
  bootstraps?: JudgeBootstraps,
  trajectories?: readonly RunTrajectory[],
): ClaimResult[] {
  const context = { numberOf: claimNumber, bootstraps, trajectories };
  return claims.map((claim, i) => {
    const measured = claim.columns.every((column) => runs.some((r) => r[column] !== undefined));
    const judged = claim.judge(measured ? runs : [], margins, context);
    if (measured && claim.failedRuns) judged.evidence.push(...failedRunsEvidence(claim, runs, margins, context));
    const parts = measured
      ? judged.parts
      : judged.parts.map((p) => ({
          ...p,
          estimate: { value: Number.NaN, low: Number.NaN, high: Number.NaN, n: 0 },
          verdict: 'not measured' as const,
        }));
    return {
      id: claim.id,
      number: i + 1,
      group: claim.group,
      claim: claim.sentence,
      articleJa: claim.articleJa,
      verdict: overallVerdict(parts.map((p) => p.verdict)),
      parts,
      evidence: judged.evidence,
    };
  });
}

/**
 * configs/rules/confirmatory.json, failedRuns: a run failed when its validation accuracy at the
 * chosen epoch is below the learned threshold; the failed runs are printed beside the verdict,
 * and a claim that asks for it is judged again, secondary, on the seeds where every network of
 * the runs learned (intervals then t over those seeds: the crossed bootstrap covers all seeds).
 */
function failedRunsEvidence(
  claim: Claim<string, string>,
  runs: readonly RunRow[],
  margins: Readonly<Record<string, number>>,
  context: Parameters<Claim<string, string>['judge']>[2],
): string[] {
  if (!runs.every((r) => r.val_acc !== undefined))
    return ['Failed runs are not counted: the runs table has no validation accuracy (val_acc).'];
  const failed = runs.filter((r) => r.val_acc! < LEARNED_THRESHOLD);
  const rule = `validation accuracy at the chosen epoch below ${points(LEARNED_THRESHOLD)} %`;
  const byConfig = [...new Set(failed.map((r) => r.config))].map(
    (config) =>
      `${config} (seed${failed.filter((r) => r.config === config).length === 1 ? '' : 's'} ${failed
        .filter((r) => r.config === config)
        .map((r) => r.seed)
        .sort((a, b) => a - b)
        .join(', ')})`,
  );
  const lines = [
    failed.length === 0
      ? `Failed runs (${rule}): none of the ${runs.length}.`
      : `Failed runs (${rule}): ${failed.length} of ${runs.length}: ${byConfig.join(', ')}.`,
  ];
  if (claim.failedRuns !== 'judge on learned seeds') return lines;
  const seeds = [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b);
  const learnedSeeds = seeds.filter((s) => !failed.some((r) => r.seed === s));
  const secondary = 'Secondary, on the seeds where every network learned';
  if (failed.length === 0) lines.push(`${secondary}: all ${seeds.length} seeds, so it is the analysis above.`);
  else if (learnedSeeds.length < 2)
    lines.push(`${secondary}: ${learnedSeeds.length === 0 ? 'none' : `only seed ${learnedSeeds[0]}`}, too few for an interval.`);
  else {
    const kept = new Set(learnedSeeds);
    const parts = claim.judge(
      runs.filter((r) => kept.has(r.seed)),
      margins,
      context,
    ).parts;
    lines.push(
      `${secondary} (${learnedSeeds.length} of ${seeds.length}: seeds ${learnedSeeds.join(', ')}; t over seeds): ${parts
        .map((p) => `${p.part} ${withCi(p.estimate)} points, ${p.verdict}`)
        .join('; ')}; the claim ${overallVerdict(parts.map((p) => p.verdict))}.`,
    );
  }
  return lines;
}

/** The claims' overall verdicts when one margin takes another value: the report's sensitivity table. */
export interface SensitivityRow {
  margin: MarginName;
  value: number;
  declared: boolean;
  verdicts: Verdict[];
}

export function sensitivity(
  runs: readonly RunRow[],
  margins: Readonly<Margins>,
  alternatives: Readonly<Record<MarginName, readonly number[]>>,
  bootstraps?: JudgeBootstraps,
): SensitivityRow[] {
  return (Object.keys(alternatives) as MarginName[]).flatMap((margin) =>
    [...new Set([margins[margin], ...alternatives[margin]])]
      .sort((a, b) => a - b)
      .map((value) => ({
        margin,
        value,
        declared: value === margins[margin],
        verdicts: judgeClaims(runs, { ...margins, [margin]: value }, bootstraps).map((c) => c.verdict),
      })),
  );
}
