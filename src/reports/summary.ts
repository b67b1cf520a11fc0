/**
 * summary.csv: one row per configuration, the statistics over its seeds.
 *
 * It is computed only from the runs' result.json records, in the plan's order, so a folder
 * merged from shards gives byte for byte the summary that one machine gives for the same runs.
 * Accuracies are fractions (0..1). The standard deviation is the sample one (n - 1), and is
 * left empty with a single seed, where it does not exist.
 */
import path from 'node:path';
import { writeCsv, type CsvRow } from '../util/csv.js';
import type { TrainRecord } from '../reproduce/store.js';

export interface Stats {
  n: number;
  mean: number;
  /** Sample standard deviation; NaN when n < 2. */
  std: number;
  min: number;
  max: number;
}

export function statsOf(values: readonly number[]): Stats {
  const n = values.length;
  if (n === 0) return { n, mean: Number.NaN, std: Number.NaN, min: Number.NaN, max: Number.NaN };
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n < 2 ? Number.NaN : Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1));
  return { n, mean, std, min: Math.min(...values), max: Math.max(...values) };
}

export interface SummaryRow {
  config: string;
  activation: string;
  /** Layers as the article counts them: input + hidden + output. */
  layers: number;
  hidden: number[];
  seeds: number[];
  epochs: number;
  /** Test accuracy after the last epoch, over seeds. */
  test: Stats;
  /** The best test accuracy over the epochs of each run ("best-epoch"), over seeds. */
  bestTest: Stats;
  bestEpochMean: number;
  /** Training accuracy after the last epoch, over seeds. */
  train: Stats;
  /** Training time per run (seconds), over seeds. */
  seconds: Stats;
  secondsTotal: number;
  /** Each seed's final test accuracy, in seed order (for the spread in charts and verdicts). */
  testBySeed: number[];
}

const SUMMARY_COLUMNS = [
  'config',
  'activation',
  'layers',
  'hidden',
  'seeds',
  'seed_list',
  'epochs',
  'test_acc_mean',
  'test_acc_std',
  'test_acc_min',
  'test_acc_max',
  'best_epoch_test_acc_mean',
  'best_epoch_test_acc_max',
  'best_epoch_mean',
  'train_acc_mean',
  'train_acc_std',
  'run_seconds_mean',
  'run_seconds_total',
] as const;

/** Rows in the order configs first appear in `records` (the plan's order). */
export function summarize(records: readonly TrainRecord[]): SummaryRow[] {
  const byConfig = new Map<string, TrainRecord[]>();
  for (const r of records) {
    const list = byConfig.get(r.configName) ?? [];
    list.push(r);
    byConfig.set(r.configName, list);
  }
  return [...byConfig.entries()].map(([config, runs]) => {
    const sorted = [...runs].sort((a, b) => a.seed - b.seed);
    const first = sorted[0].config;
    return {
      config,
      activation: first.activation,
      layers: first.hidden.length + 2,
      hidden: [...first.hidden],
      seeds: sorted.map((r) => r.seed),
      epochs: first.epochs,
      test: statsOf(sorted.map((r) => r.finalTestAccuracy)),
      bestTest: statsOf(sorted.map((r) => r.bestTestAccuracy)),
      bestEpochMean: statsOf(sorted.map((r) => r.bestEpoch)).mean,
      train: statsOf(sorted.map((r) => r.finalTrainAccuracy)),
      seconds: statsOf(sorted.map((r) => r.seconds)),
      secondsTotal: sorted.reduce((a, r) => a + r.seconds, 0),
      testBySeed: sorted.map((r) => r.finalTestAccuracy),
    };
  });
}

function summaryCsvRows(rows: readonly SummaryRow[]): CsvRow[] {
  const blankNaN = (v: number): number | string => (Number.isNaN(v) ? '' : v);
  return rows.map((r) => ({
    config: r.config,
    activation: r.activation,
    layers: r.layers,
    hidden: r.hidden.join('-'),
    seeds: r.seeds.length,
    seed_list: r.seeds.join(' '),
    epochs: r.epochs,
    test_acc_mean: r.test.mean,
    test_acc_std: blankNaN(r.test.std),
    test_acc_min: r.test.min,
    test_acc_max: r.test.max,
    best_epoch_test_acc_mean: r.bestTest.mean,
    best_epoch_test_acc_max: r.bestTest.max,
    best_epoch_mean: r.bestEpochMean,
    train_acc_mean: r.train.mean,
    train_acc_std: blankNaN(r.train.std),
    run_seconds_mean: r.seconds.mean,
    run_seconds_total: r.secondsTotal,
  }));
}

const SUMMARY_FILE = 'summary.csv';

export async function writeSummary(outDir: string, rows: readonly SummaryRow[]): Promise<string> {
  const file = path.join(outDir, SUMMARY_FILE);
  await writeCsv(file, SUMMARY_COLUMNS, summaryCsvRows(rows));
  return file;
}
