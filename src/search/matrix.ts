/**
 * The search's results: matrix.csv (one row per cell x arm: the rates chosen, how many networks
 * learn at them, whether the cell passed the screen, was promoted, and confirmed learning on the
 * promoted seeds), stages.csv (runs, stalled, learned and learned before per stage), and two heat maps drawn by
 * the project's one chart writer (src/charts/charts.ts): networks learned per cell and arm, and
 * the hardest network's validation accuracy at every point of the grid. No column holds a time,
 * so one machine and merged shards write the same bytes.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { writeCsv, type CsvRow } from '../util/csv.js';
import { writeChart } from '../charts/charts.js';
import type { SearchConfig } from './config.js';
import { cellsOf, familyOf, learnedRates, runKey, type CellChoice, type Outcomes, type RunOutcome } from './plan.js';

export const SEARCH_MATRIX_COLUMNS = [
  'cell',
  'batch_size',
  'init',
  'bias',
  'arm',
  'rates',
  'hardest_learned_rates',
  'runs',
  'stalled',
  'learned',
  'networks',
  'passed',
  'min_val_acc',
  'promoted',
  'promoted_learning',
  'confirms',
  'stage',
] as const;

export const SEARCH_STAGE_COLUMNS = ['stage', 'runs', 'stalled', 'learned', 'learned_before'] as const;

/** A complete stage's counts (stages.csv). */
export interface StageSummary {
  stage: string;
  runs: number;
  stalled: number;
  learned: number;
  /**
   * Of its runs, those repeating a run of an earlier stage (the audit and extend run screen runs
   * again to their maximum) whose earlier run had already learned; 0 where the stage repeats none.
   */
  learned_before: number;
}

export interface SearchResults {
  outcomes: Outcomes;
  choices: readonly CellChoice[];
  promoted: readonly CellChoice[];
  /** Stage D's runs. */
  judged: readonly RunOutcome[];
  stages: readonly StageSummary[];
}

export interface SearchMatrixFiles {
  matrix: string;
  stages: string;
  charts: string[];
}

/** The rates of a choice as text: one rate, or a rate per activation ("sigmoid 1; relu 0.1"). */
export function ratesText(config: SearchConfig, c: CellChoice): string {
  // A group that never ran in the cell has no rate: "-".
  const rate = (network: string): string => String(c.rates.get(network) ?? '-');
  if (c.arm === 'one-rate') return rate(config.rules.networks[0]);
  const families = [...new Set(config.rules.networks.map((n) => familyOf(config, n)))];
  return families.map((f) => `${f} ${rate(config.rules.networks.find((n) => familyOf(config, n) === f)!)}`).join('; ');
}

/** Networks that learn in at least learnsInSeeds of the promoted seeds, at the arm's rates (stage D's runs). */
export function promotedLearning(config: SearchConfig, judged: readonly RunOutcome[], c: CellChoice): number {
  return config.rules.networks.filter((n) => {
    const seeds = config.rules.seeds.promoted.filter(
      (seed) =>
        judged.find((o) => runKey(o.run) === runKey({ network: n, cell: c.cell, learningRate: c.rates.get(n) ?? Number.NaN, seed }))
          ?.learned,
    );
    return seeds.length >= config.rules.learnsInSeeds;
  }).length;
}

function matrixRows(config: SearchConfig, r: SearchResults): CsvRow[] {
  const networks = config.rules.networks;
  return r.choices.map((c) => {
    const inCell = [...r.outcomes.values()].filter((o) => o.run.cell.id === c.cell.id && o.run.variant !== 'promoted');
    const promoted = r.promoted.includes(c);
    const learning = promoted ? promotedLearning(config, r.judged, c) : 0;
    return {
      cell: c.cell.id,
      batch_size: c.cell.batchSize,
      init: c.cell.init.name,
      bias: c.cell.bias,
      arm: c.arm,
      rates: ratesText(config, c),
      hardest_learned_rates: learnedRates(config, r.outcomes, c.cell).join(' '),
      runs: inCell.length,
      stalled: inCell.filter((o) => o.stopReason === 'stalled').length,
      learned: c.learned,
      networks: networks.length,
      passed: c.passed ? 1 : 0,
      min_val_acc: Number.isFinite(c.minValAccuracy) ? c.minValAccuracy : '',
      promoted: promoted ? 1 : 0,
      promoted_learning: promoted ? learning : '',
      confirms: promoted ? (learning === networks.length ? 1 : 0) : '',
      stage: promoted ? 'D' : c.screened ? 'C' : 'A',
    };
  });
}

export async function writeSearchMatrix(dir: string, config: SearchConfig, r: SearchResults): Promise<SearchMatrixFiles> {
  const rows = matrixRows(config, r);
  const matrix = path.join(dir, 'matrix.csv');
  await writeCsv(matrix, SEARCH_MATRIX_COLUMNS, rows);
  const stages = path.join(dir, 'stages.csv');
  await writeCsv(stages, SEARCH_STAGE_COLUMNS, r.stages as unknown as CsvRow[]);
  const chartsDir = path.join(dir, 'charts');
  await fs.mkdir(chartsDir, { recursive: true });
  const cellOrder = cellsOf(config).map((c) => c.id);
  const n = config.rules.networks.length;
  const heat = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Networks that learn at the chosen rate(s), per cell and arm',
      subtitle: [
        `validation accuracy >= ${config.rules.learnsThreshold} on either screening seed; label: learned/${n} and the stage reached`,
        'A: the hardest network never learned; C: screened; D: promoted',
      ],
    },
    data: { values: rows.map((row) => ({ ...row, label: `${row.learned}/${n} ${row.stage}` })) },
    encoding: {
      x: { field: 'arm', type: 'nominal', title: null, axis: { labelAngle: 0 } },
      y: { field: 'cell', type: 'nominal', sort: cellOrder, title: null, axis: { labelLimit: 400 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: '#888', strokeWidth: 0.5 },
        encoding: {
          color: { field: 'learned', type: 'quantitative', scale: { domain: [0, n], scheme: 'greens' }, title: 'networks learned' },
        },
      },
      { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'label', type: 'nominal' } } },
    ],
    width: { step: 110 },
    height: { step: 20 },
  } as TopLevelSpec;

  const hardest = config.rules.hardestFirst[0];
  const points = cellsOf(config).flatMap((cell) =>
    config.axes.learningRate.map((learningRate) => {
      const found = config.rules.seeds.screen.flatMap((seed) => {
        const o = r.outcomes.get(runKey({ network: hardest, cell, learningRate, seed }));
        return o ? [o.valAccuracy] : [];
      });
      const mean = found.length === 0 ? null : found.reduce((s, x) => s + x, 0) / found.length;
      return { cell: cell.id, rate: String(learningRate), accuracy: mean === null || !Number.isFinite(mean) ? null : mean };
    }),
  );
  const screen = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: `${hardest}: validation accuracy at every point of the grid (stage A)`,
      subtitle: 'mean over the screening seeds, at the epoch of lowest validation loss',
    },
    data: { values: points },
    mark: { type: 'rect', stroke: '#888', strokeWidth: 0.5 },
    encoding: {
      x: {
        field: 'rate',
        type: 'ordinal',
        sort: config.axes.learningRate.map(String),
        title: 'learning rate',
        axis: { labelAngle: 0 },
      },
      y: { field: 'cell', type: 'nominal', sort: cellOrder, title: null, axis: { labelLimit: 400 } },
      color: {
        field: 'accuracy',
        type: 'quantitative',
        scale: { domain: [0.5, 1], scheme: 'viridis' },
        title: 'val. accuracy',
        legend: { titleLimit: 300 },
      },
    },
    width: { step: 50 },
    height: { step: 20 },
  } as TopLevelSpec;
  const charts = [(await writeChart(chartsDir, 'matrix', heat)).png, (await writeChart(chartsDir, 'screen', screen)).png];
  return { matrix, stages, charts };
}
