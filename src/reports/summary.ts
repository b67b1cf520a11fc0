/**
 * summary.csv: one row per configuration, the statistics over its seeds, computed from the
 * runs table (runs.csv) alone, in the order configurations first appear there (the plan's).
 *
 * test_acc is every run's primary figure (test accuracy at the epoch of lowest validation
 * loss), with its t-based 95 % interval over seeds; final-epoch and last-five means beside it.
 * Accuracies are fractions (0..1); the SD is the sample one and empty with a single seed.
 */
import path from 'node:path';
import { writeCsv, type CsvRow } from '../util/csv.js';
import { mean, meanInterval, sd, type Estimate } from '../stats/stats.js';
import { CONFIDENCE } from './claims/claim.js';
import type { RunRow } from './runs-table.js';

export interface SummaryRow {
  config: string;
  activation: string;
  /** Layers as the article counts them: input + hidden + output. */
  layers: number;
  seeds: number[];
  /** Primary figure over seeds: mean, 95 % interval, n. */
  test: Estimate;
  testSd: number;
  testFinalMean: number;
  testLast5Mean: number;
  trainMean: number;
  bestEpochMean: number;
  secondsMean: number;
}

export const CONFIG_SUMMARY_COLUMNS = [
  'config',
  'activation',
  'layers',
  'seeds',
  'seed_list',
  'test_acc_mean',
  'test_acc_ci_low',
  'test_acc_ci_high',
  'test_acc_sd',
  'test_acc_final_mean',
  'test_acc_last5_mean',
  'train_acc_mean',
  'best_epoch_mean',
  'run_seconds_mean',
] as const;

const meanOf = (runs: readonly RunRow[], pick: (r: RunRow) => number | undefined): number =>
  mean(runs.flatMap((r) => (pick(r) === undefined ? [] : [pick(r)!])));

/** Rows in the order configs first appear in `runs`. */
export function summarize(runs: readonly RunRow[]): SummaryRow[] {
  const byConfig = new Map<string, RunRow[]>();
  for (const r of runs) byConfig.set(r.config, [...(byConfig.get(r.config) ?? []), r]);
  return [...byConfig.entries()].map(([config, list]) => {
    const sorted = [...list].sort((a, b) => a.seed - b.seed);
    const test = sorted.map((r) => r.test_acc);
    return {
      config,
      activation: sorted[0].activation,
      layers: sorted[0].layers,
      seeds: sorted.map((r) => r.seed),
      test: meanInterval(test, CONFIDENCE),
      testSd: sd(test),
      testFinalMean: meanOf(sorted, (r) => r.test_acc_final),
      testLast5Mean: meanOf(sorted, (r) => r.test_acc_last5),
      trainMean: meanOf(sorted, (r) => r.train_acc),
      bestEpochMean: meanOf(sorted, (r) => r.best_epoch),
      secondsMean: meanOf(sorted, (r) => r.seconds),
    };
  });
}

function summaryCsvRows(rows: readonly SummaryRow[]): CsvRow[] {
  const blankNaN = (v: number): number | string => (Number.isNaN(v) ? '' : v);
  return rows.map((r) => ({
    config: r.config,
    activation: r.activation,
    layers: r.layers,
    seeds: r.seeds.length,
    seed_list: r.seeds.join(' '),
    test_acc_mean: r.test.value,
    test_acc_ci_low: blankNaN(r.test.low),
    test_acc_ci_high: blankNaN(r.test.high),
    test_acc_sd: blankNaN(r.testSd),
    test_acc_final_mean: blankNaN(r.testFinalMean),
    test_acc_last5_mean: blankNaN(r.testLast5Mean),
    train_acc_mean: blankNaN(r.trainMean),
    best_epoch_mean: blankNaN(r.bestEpochMean),
    run_seconds_mean: blankNaN(r.secondsMean),
  }));
}

const SUMMARY_FILE = 'summary.csv';

export async function writeSummary(outDir: string, rows: readonly SummaryRow[]): Promise<string> {
  const file = path.join(outDir, SUMMARY_FILE);
  await writeCsv(file, CONFIG_SUMMARY_COLUMNS, summaryCsvRows(rows));
  return file;
}
