/**
 * How the judged networks were trained, for the report's "protocol" section and stopping.csv:
 * the pre-registered rules file (its SHA-256 and the commit that last changed it), each
 * network's learning rate as the validation split chose it (learning-rates.json, written by
 * src/reproduce/tune.ts), where and why the runs stopped, and accuracy against budget: what each
 * network would have reported had training ended at 40, 100 or 400 epochs, replayed from the
 * same histories (exact, since training up to an epoch does not depend on when it stops).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError, messageOf } from '../util/errors.js';
import { writeCsv } from '../util/csv.js';
import type { TrainRecord } from '../experiment/store.js';
import { runMetrics } from '../training/run-metrics.js';
import { mean } from '../stats/stats.js';
import type { TextTable } from './report-data.js';
import { BUDGETS } from './budgets.js';

export const STOPPING_COLUMNS = [
  'config',
  'runs',
  'learning_rate',
  'best_epoch_mean',
  'stop_epoch_mean',
  'runs_at_maximum',
  'test_full_acc_chosen',
  'test_full_acc_stop',
  ...BUDGETS.map((b) => `test_acc_at_${b}` as const),
  'near_best_epochs_mean',
  'near_best_scored_mean',
  'near_best_test_acc_spread_mean',
] as const;

/**
 * configs/rules/confirmatory.json, stopping.chosenEpoch: the epochs whose validation loss is
 * within this of the run's lowest are all nearly as good a choice; the spread of test accuracy
 * over them shows how much the choice among them could move a run's figure.
 */
export const NEAR_BEST_VAL_LOSS = 0.005;

const RulesRefSchema = z.object({ file: z.string(), version: z.number(), sha256: z.string() });
const ChoicesSchema = z.object({
  rules: RulesRefSchema,
  chosen: z.record(z.string(), z.number()),
  choices: z.array(
    z.object({
      network: z.string(),
      learningRate: z.number(),
      rows: z.array(z.object({ learningRate: z.number(), meanScore: z.number().nullable(), atMaximum: z.number(), diverged: z.boolean() })),
    }),
  ),
});

export interface ProtocolSection {
  lines: string[];
  tables: { title: string; table: TextTable }[];
}

/** The commit that last changed `file` and its date, when this is a git checkout that has it; null otherwise. */
export function lastCommitOf(file: string): string | null {
  try {
    const out = execFileSync('git', ['log', '-1', '--format=%H %cI', '--', file], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return out === '' ? null : out;
  } catch {
    return null;
  }
}

/** The mean of the finite values (a run without a figure leaves it out), NaN when there are none. */
function meanOf(xs: readonly number[]): number {
  return mean(xs.filter((x) => Number.isFinite(x)));
}

const pct = (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(1) : '');

/** The article-sized test accuracy a run would have reported had it ended after `budget` epochs (the lowest validation loss so far). */
function testAccuracyAtBudget(r: TrainRecord, budget: number): number {
  let best: (typeof r.history)[number] | null = null;
  for (const h of r.history) {
    if (h.epoch > budget) break;
    if (typeof h.valLoss === 'number' && Number.isFinite(h.valLoss) && (!best || h.valLoss < best.valLoss)) best = h;
  }
  return best && typeof best.testAccuracy === 'number' ? best.testAccuracy : Number.NaN;
}

/**
 * A run's epochs whose validation loss is within NEAR_BEST_VAL_LOSS of its lowest: how many, how
 * many of them had their article-sized test set scored (a run evaluated 'when-needed' scores it
 * only on epochs that improved validation loss and its last ones: src/training/loop.ts), and the
 * spread (highest minus lowest) of test accuracy over those scored.
 */
function nearBest(r: TrainRecord): { epochs: number; scored: number; spread: number } {
  const finite = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
  const withVal = r.history.filter((h) => finite(h.valLoss));
  if (withVal.length === 0) return { epochs: Number.NaN, scored: Number.NaN, spread: Number.NaN };
  const lowest = Math.min(...withVal.map((h) => h.valLoss));
  const near = withVal.filter((h) => h.valLoss <= lowest + NEAR_BEST_VAL_LOSS);
  const tested = near.map((h) => h.testAccuracy).filter(finite);
  return {
    epochs: near.length,
    scored: tested.length,
    spread: tested.length > 0 ? Math.max(...tested) - Math.min(...tested) : Number.NaN,
  };
}

interface StoppingRow {
  config: string;
  runs: number;
  learning_rate: string;
  best_epoch_mean: number;
  stop_epoch_mean: number;
  runs_at_maximum: number;
  test_full_acc_chosen: number;
  test_full_acc_stop: number;
  [budget: `test_acc_at_${number}`]: number;
  near_best_epochs_mean: number;
  near_best_scored_mean: number;
  near_best_test_acc_spread_mean: number;
}

function stoppingRows(train: readonly TrainRecord[]): StoppingRow[] {
  const configs = [...new Set(train.map((r) => r.configName))];
  return configs.map((config) => {
    const runs = train.filter((r) => r.configName === config);
    const row: StoppingRow = {
      config,
      runs: runs.length,
      learning_rate: [...new Set(runs.map((r) => r.config.learningRate))].join(' '),
      best_epoch_mean: meanOf(runs.map((r) => runMetrics(r.history).selectedEpoch)),
      stop_epoch_mean: meanOf(runs.map((r) => r.stopEpoch ?? Number.NaN)),
      runs_at_maximum: runs.filter((r) => r.stopReason === 'maximum').length,
      test_full_acc_chosen: meanOf(runs.map((r) => r.fullTestAccuracy ?? Number.NaN)),
      test_full_acc_stop: meanOf(runs.map((r) => r.fullTestAccuracyFinal ?? Number.NaN)),
      near_best_epochs_mean: meanOf(runs.map((r) => nearBest(r).epochs)),
      near_best_scored_mean: meanOf(runs.map((r) => nearBest(r).scored)),
      near_best_test_acc_spread_mean: meanOf(runs.map((r) => nearBest(r).spread)),
    };
    for (const b of BUDGETS) row[`test_acc_at_${b}`] = meanOf(runs.map((r) => testAccuracyAtBudget(r, b)));
    return row;
  });
}

/**
 * The protocol section and stopping.csv of a reproduction folder. `rules` is what plan.json
 * recorded of the rules file (null for a run without one).
 */
export async function protocolOf(
  outDir: string,
  train: readonly TrainRecord[],
  rules: { file: string; version: number; sha256: string } | null,
): Promise<ProtocolSection> {
  const lines: string[] = [];
  const tables: ProtocolSection['tables'] = [];
  if (rules) {
    const commit = lastCommitOf(rules.file);
    lines.push(
      `Pre-registered rules: ${rules.file}, version ${rules.version}, SHA-256 ${rules.sha256}; ` +
        (commit
          ? `last changed in commit ${commit} (git log -1 -- ${rules.file}).`
          : 'the commit that last changed it is not known here (not a git checkout).'),
    );
    lines.push(
      `Confirmatory seeds ${[...new Set(train.map((r) => r.seed))].sort((a, b) => a - b).join(', ')}, never trained on before this run; every earlier run of the project (the 40-epoch reproduction, the study, explain, the exploratory budget curves) is exploratory.`,
    );
  }
  const choicesFile = path.join(outDir, 'learning-rates.json');
  if (existsSync(choicesFile)) {
    let parsed: z.output<typeof ChoicesSchema>;
    try {
      parsed = ChoicesSchema.parse(JSON.parse(readFileSync(choicesFile, 'utf8')));
    } catch (err) {
      throw new UserError(`${choicesFile}: not a learning-rate choice written by reproduce (${messageOf(err).split('\n')[0]})`);
    }
    if (rules && parsed.rules.sha256 !== rules.sha256)
      throw new UserError(`${choicesFile}: was chosen under rules with SHA-256 ${parsed.rules.sha256}, the runs under ${rules.sha256}`);
    const rates = [...new Set(parsed.choices.flatMap((c) => c.rows.map((r) => r.learningRate)))].sort((a, b) => a - b);
    lines.push(
      'Each network chose its learning rate on the validation split (the lowest mean of the lowest 5-epoch trailing mean of validation loss over the tuning seeds, ties within one standard error to the rate with fewer runs at the maximum, then the smaller): learning-rates.csv holds the rate x seed table.',
    );
    tables.push({
      title: 'Learning rates: mean score per rate (lower is better; runs at the maximum in brackets; * chosen)',
      table: {
        headers: ['network', 'chosen', ...rates.map(String)],
        rows: parsed.choices.map((c) => [
          c.network,
          String(c.learningRate),
          ...rates.map((rate) => {
            const row = c.rows.find((r) => r.learningRate === rate);
            if (!row) return '';
            if (row.diverged || row.meanScore === null) return 'diverged';
            return `${row.meanScore.toFixed(4)} (${row.atMaximum})${rate === c.learningRate ? ' *' : ''}`;
          }),
        ]),
      },
    });
  }
  const rows = stoppingRows(train);
  await writeCsv(
    path.join(outDir, 'stopping.csv'),
    STOPPING_COLUMNS,
    rows.map((r) => ({ ...r })),
  );
  tables.push({
    title: `Stopping and budget (stopping.csv): test accuracy (%) on the full split at the chosen and the last epoch, and on the article-sized set had training ended at ${BUDGETS.join(', ')} epochs (a run that stopped earlier counts as it stopped); and, as the rules ask, how many epochs lie within ${NEAR_BEST_VAL_LOSS} of a run's lowest validation loss and the spread (highest minus lowest, points) of their article-sized test accuracy, means over runs: how much the choice among nearly equal epochs could move a run's figure. The runs scored the test set only on epochs that lowered the validation loss and on their last ones, so the spread covers the scored epochs of the band only and is a lower bound`,
    table: {
      headers: [
        'network',
        'rate',
        'best epoch',
        'stop epoch',
        'at maximum',
        'full, chosen',
        'full, stop',
        ...BUDGETS.map((b) => `at ${b}`),
        `epochs within ${NEAR_BEST_VAL_LOSS} of the lowest validation loss`,
        'of them with the test set scored',
        'test accuracy spread over those',
      ],
      rows: rows.map((r) => [
        r.config,
        r.learning_rate,
        r.best_epoch_mean.toFixed(1),
        r.stop_epoch_mean.toFixed(1),
        `${r.runs_at_maximum} of ${r.runs}`,
        pct(r.test_full_acc_chosen),
        pct(r.test_full_acc_stop),
        ...BUDGETS.map((b) => pct(r[`test_acc_at_${b}`])),
        Number.isFinite(r.near_best_epochs_mean) ? r.near_best_epochs_mean.toFixed(1) : '',
        Number.isFinite(r.near_best_scored_mean) ? r.near_best_scored_mean.toFixed(1) : '',
        pct(r.near_best_test_acc_spread_mean),
      ]),
    },
  });
  return { lines, tables };
}
