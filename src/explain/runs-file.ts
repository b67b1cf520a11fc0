/**
 * The explain verdict's inputs as a file of their own: explain-runs.csv, one row per judged run
 * (variant, depth, seed, its test accuracy and where it stopped), and explain-verdict.csv, the
 * verdicts decide.ts gives on them at each confidence level. The report judges from the same rows
 * it writes, so a reader re-judges a committed explain-runs.csv with `judgeExplainRuns` and gets
 * the committed explain-verdict.csv byte for byte (spec/explain-results.spec.ts).
 */
import { readFileSync } from 'node:fs';
import { parseCsv, toCsv, type CsvRow } from '../util/csv.js';
import { UserError, messageOf } from '../util/errors.js';
import { VARIANT_NAMES, type ExplainConfig, type VariantName } from './config.js';
import { judge, RULE_CONFIDENCES, type AccuracyTable, type DecisionRule, type Judgement } from './decide.js';

export const EXPLAIN_RUN_COLUMNS = [
  'variant',
  'layers',
  'seed',
  'learning_rate',
  'test_accuracy',
  'test_full_accuracy',
  'best_epoch',
  'stop_epoch',
  'stop_reason',
] as const;

export const EXPLAIN_VERDICT_COLUMNS = [
  'confidence',
  'margin',
  'shrinking_cell',
  'sigmoid_penalty',
  'sigmoid_penalty_low',
  'sigmoid_penalty_high',
  'sigmoid_fails',
  'bounded_effect',
  'bounded_low',
  'bounded_high',
  'shrinking_effect',
  'shrinking_low',
  'shrinking_high',
  'blame',
  'more_than_shrinking',
  'still_learning',
  'flagged',
] as const;

const STOP_REASONS = ['patience', 'maximum', 'stalled', 'fixed'] as const;

/** One judged run as the verdict reads it. */
export interface ExplainRun {
  variant: VariantName;
  layers: number;
  seed: number;
  learningRate: number;
  /** Test accuracy at the epoch of lowest validation loss, in points: the article-sized test set (200 + 200). */
  testAccuracy: number;
  /** The same on the whole test split's two classes (1,000 + 1,000); null when the run did not score it. */
  testFullAccuracy: number | null;
  bestEpoch: number;
  stopEpoch: number;
  stopReason: (typeof STOP_REASONS)[number];
}

export function explainRunRows(runs: readonly ExplainRun[]): CsvRow[] {
  return runs.map((r) => ({
    variant: r.variant,
    layers: r.layers,
    seed: r.seed,
    learning_rate: r.learningRate,
    test_accuracy: r.testAccuracy,
    test_full_accuracy: r.testFullAccuracy ?? '',
    best_epoch: r.bestEpoch,
    stop_epoch: r.stopEpoch,
    stop_reason: r.stopReason,
  }));
}

/** explain-runs.csv read back and checked row by row; a wrong cell is a UserError naming the file, row and column. */
export function readExplainRuns(file: string): ExplainRun[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UserError(`${file}: cannot read the explain runs (${messageOf(err)})`);
  }
  const header = text.split('\n', 1)[0].trim();
  if (header !== EXPLAIN_RUN_COLUMNS.join(','))
    throw new UserError(`${file}: not an explain-runs.csv (expected the header ${EXPLAIN_RUN_COLUMNS.join(',')})`);
  return parseCsv(text).map((row, k) => {
    const bad = (column: string, want: string): never => {
      throw new UserError(`${file}: row ${k + 2}: column ${column}: expected ${want}, got "${row[column]}"`);
    };
    const whole = (column: string): number => {
      const v = Number(row[column]);
      return Number.isInteger(v) && v >= 0 ? v : bad(column, 'a whole number');
    };
    const finite = (column: string): number => {
      const v = Number(row[column]);
      return row[column] !== '' && Number.isFinite(v) ? v : bad(column, 'a number');
    };
    const variant = VARIANT_NAMES.find((v) => v === row.variant) ?? bad('variant', `one of ${VARIANT_NAMES.join(', ')}`);
    const stopReason = STOP_REASONS.find((s) => s === row.stop_reason) ?? bad('stop_reason', STOP_REASONS.join(' | '));
    return {
      variant,
      layers: whole('layers'),
      seed: whole('seed'),
      learningRate: finite('learning_rate'),
      testAccuracy: finite('test_accuracy'),
      testFullAccuracy: row.test_full_accuracy === '' ? null : finite('test_full_accuracy'),
      bestEpoch: whole('best_epoch'),
      stopEpoch: whole('stop_epoch'),
      stopReason,
    };
  });
}

/**
 * Which test set the verdict reads: the whole split's two classes under a registered rule (less
 * noise from the finite test set, as configs/rules/confirmatory.json judges), else the
 * article-sized set the first rule read.
 */
export type TestSet = 'article' | 'full';
export const testSetOf = (decision: ExplainConfig['decision']): TestSet => (decision === undefined ? 'article' : 'full');

/** A run's accuracy on that set; a run without it is a UserError naming the source. */
export function accuracyOn(r: ExplainRun, testSet: TestSet, source: string): number {
  if (testSet === 'article') return r.testAccuracy;
  if (r.testFullAccuracy === null)
    throw new UserError(`${source}: ${r.variant} at ${r.layers} layers, seed ${r.seed}, was not scored on the full test split`);
  return r.testFullAccuracy;
}

/** variant -> layers -> seed -> test accuracy on `testSet`; a run given twice is a UserError. */
function accuracyTableOf(runs: readonly ExplainRun[], testSet: TestSet, source: string): AccuracyTable {
  const table = new Map<VariantName, Map<number, Map<number, number>>>();
  for (const r of runs) {
    const byLayers = table.get(r.variant) ?? new Map<number, Map<number, number>>();
    table.set(r.variant, byLayers);
    const seeds = byLayers.get(r.layers) ?? new Map<number, number>();
    byLayers.set(r.layers, seeds);
    if (seeds.has(r.seed)) throw new UserError(`${source}: ${r.variant} at ${r.layers} layers, seed ${r.seed}, is given twice`);
    seeds.set(r.seed, accuracyOn(r, testSet, source));
  }
  return table;
}

/** The config's registered rule with the runs' shares at the maximum; undefined when the config registers none. */
function decisionRuleOf(decision: ExplainConfig['decision'], runs: readonly ExplainRun[]): DecisionRule | undefined {
  if (decision === undefined) return undefined;
  const counts = new Map<VariantName, Map<number, { n: number; atMax: number }>>();
  for (const r of runs) {
    const byLayers = counts.get(r.variant) ?? new Map<number, { n: number; atMax: number }>();
    counts.set(r.variant, byLayers);
    const c = byLayers.get(r.layers) ?? { n: 0, atMax: 0 };
    byLayers.set(r.layers, { n: c.n + 1, atMax: c.atMax + (r.stopReason === 'maximum' ? 1 : 0) });
  }
  const atMaximum = new Map([...counts].map(([v, byLayers]) => [v, new Map([...byLayers].map(([l, c]) => [l, c.atMax / c.n]))]));
  return { ...decision, atMaximum };
}

/** The verdicts at every confidence level the report shows (the first, 95 %, is the verdict). */
export function judgeExplainRuns(runs: readonly ExplainRun[], decision: ExplainConfig['decision'], source: string): Judgement[] {
  const table = accuracyTableOf(runs, testSetOf(decision), source);
  const rule = decisionRuleOf(decision, runs);
  return RULE_CONFIDENCES.map((c) => judge(table, c, rule));
}

/** explain-verdict.csv's text: one row per confidence level. */
export function verdictCsv(judgements: readonly Judgement[]): string {
  const e = (x: { value: number; low: number; high: number } | null | undefined, key: 'value' | 'low' | 'high') => (x ? x[key] : '');
  return toCsv(
    EXPLAIN_VERDICT_COLUMNS,
    judgements.map((j) => {
      const sig = j.penalty.get('sigmoid');
      return {
        confidence: j.confidence,
        margin: j.margin,
        shrinking_cell: j.shrinkingCell,
        sigmoid_penalty: e(sig, 'value'),
        sigmoid_penalty_low: e(sig, 'low'),
        sigmoid_penalty_high: e(sig, 'high'),
        sigmoid_fails: j.sigmoidFails,
        bounded_effect: e(j.bounded, 'value'),
        bounded_low: e(j.bounded, 'low'),
        bounded_high: e(j.bounded, 'high'),
        shrinking_effect: e(j.shrinking, 'value'),
        shrinking_low: e(j.shrinking, 'low'),
        shrinking_high: e(j.shrinking, 'high'),
        blame: j.blame,
        more_than_shrinking: j.moreThanShrinking,
        still_learning: j.stillLearning.join('; '),
        flagged: j.flagged.join('; '),
      };
    }),
  );
}
