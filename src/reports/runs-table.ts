/**
 * runs.csv: one row per training run, everything the verdicts need and nothing else, so that
 * runs made anywhere (another framework, another machine) can be judged by `report --runs`.
 *
 * Required columns: config, activation, layers, seed, test_acc (the run's primary figure: its
 * test accuracy at the epoch of lowest validation loss). The others may be empty; a claim whose
 * inputs are missing is "not measured". Accuracies are fractions (0..1).
 *   val_acc                    validation accuracy at that epoch (chooses the best configuration, claim 1)
 *   grad_log10_last_over_first log10(last layer's mean |dLoss/dW| / first layer's), averaged over the recorded epochs (claim 6)
 *   landscape_curves, landscape_inside_minima, landscape_article_shape  swept first-layer weights of this trained
 *                              network; how many of their loss curves have an interior minimum, and how many have the
 *                              shape the article's words give this activation, by the probe's frozen rules
 *                              (src/probes/landscape-rules.ts classifyCurve, articleShapes; claim 5)
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { parseCsv, writeCsv, type CsvRow } from '../util/csv.js';
import { UserError } from '../util/errors.js';
import type { LandscapeRecord, TrainRecord } from '../reproduce/store.js';
import { runMetrics } from '../training/run-metrics.js';
import type { LayerGradientStat } from '../nn/gradient-stats.js';
import { articleShapes, classifyCurve } from '../probes/landscape-rules.js';

export const RUNS_COLUMNS = [
  'config',
  'activation',
  'layers',
  'seed',
  'test_acc',
  'test_acc_final',
  'test_acc_last5',
  'val_loss_best',
  'val_acc',
  'best_epoch',
  'train_acc',
  'epochs',
  'batch_size',
  'learning_rate',
  'init',
  'seconds',
  'grad_log10_last_over_first',
  'landscape_curves',
  'landscape_inside_minima',
  'landscape_article_shape',
] as const;

const fraction = z.number().min(0).max(1);
const optional = <T extends z.ZodType>(t: T) => t.optional();

const RunRowSchema = z.object({
  config: z.string().min(1),
  activation: z.string().min(1),
  layers: z.number().int().min(2),
  seed: z.number().int().min(0),
  test_acc: fraction,
  test_acc_final: optional(fraction),
  test_acc_last5: optional(fraction),
  val_loss_best: optional(z.number().min(0)),
  val_acc: optional(fraction),
  best_epoch: optional(z.number().int().min(0)),
  train_acc: optional(fraction),
  epochs: optional(z.number().int().min(1)),
  batch_size: optional(z.number().int().min(1)),
  learning_rate: optional(z.number().positive()),
  init: optional(z.string()),
  seconds: optional(z.number().min(0)),
  grad_log10_last_over_first: optional(z.number()),
  landscape_curves: optional(z.number().int().min(0)),
  landscape_inside_minima: optional(z.number().int().min(0)),
  landscape_article_shape: optional(z.number().int().min(0)),
});

export type RunRow = z.output<typeof RunRowSchema>;

const NUMERIC = new Set<string>(Object.entries(RunRowSchema.shape).flatMap(([k, t]) => (isNumeric(t) ? [k] : [])));
function isNumeric(t: z.ZodType): boolean {
  const inner = t instanceof z.ZodOptional ? (t.unwrap() as z.ZodType) : t;
  return inner instanceof z.ZodNumber;
}

/** log10(last layer's mean |gradient| / first layer's), averaged over the recorded epochs; undefined without gradients. */
function gradientLogRatio(gradients: readonly LayerGradientStat[]): number | undefined {
  const epochs = [...new Set(gradients.map((g) => g.epoch))];
  const ratios = epochs.flatMap((e) => {
    const at = gradients.filter((g) => g.epoch === e);
    if (at.length < 2) return [];
    const first = at.reduce((a, b) => (b.layer < a.layer ? b : a));
    const last = at.reduce((a, b) => (b.layer > a.layer ? b : a));
    const r = Math.log10(last.meanAbs / first.meanAbs);
    return Number.isFinite(r) ? [r] : [];
  });
  return ratios.length > 0 ? ratios.reduce((a, b) => a + b, 0) / ratios.length : undefined;
}

function initText(init: TrainRecord['config']['init']): string {
  return init.scheme === 'normal' ? `normal(${init.std})` : init.scheme;
}

/** One row per training record, in the records' order, with the landscape probes of each trained network. */
export function runRowsOf(train: readonly TrainRecord[], landscape: readonly LandscapeRecord[]): RunRow[] {
  return train.map((r) => {
    const m = runMetrics(r.history);
    const probes = landscape.filter((l) => l.trainId === r.id);
    const curves = probes.flatMap((l) => l.series);
    const grad = gradientLogRatio(r.gradients);
    return {
      config: r.configName,
      activation: r.config.activation,
      layers: r.config.hidden.length + 2,
      seed: r.seed,
      test_acc: m.testAccuracy,
      test_acc_final: m.testAccuracyFinal,
      test_acc_last5: m.testAccuracyLast5,
      ...(Number.isFinite(m.bestValLoss) ? { val_loss_best: m.bestValLoss, val_acc: m.valAccuracy } : {}),
      best_epoch: m.selectedEpoch,
      train_acc: m.trainAccuracyFinal,
      epochs: r.config.epochs,
      batch_size: r.config.batchSize,
      learning_rate: r.config.learningRate,
      init: initText(r.config.init),
      seconds: r.seconds,
      ...(grad === undefined ? {} : { grad_log10_last_over_first: grad }),
      ...(curves.length > 0 ? landscapeCounts(curves, r.config.activation) : {}),
    };
  });
}

/** The probed curves of one network, classified by the frozen rules (recorded values and losses; no unit activity). */
function landscapeCounts(
  curves: readonly { values: number[]; losses: number[] }[],
  activation: string,
): Pick<RunRow, 'landscape_curves' | 'landscape_inside_minima' | 'landscape_article_shape'> {
  const shapes = curves.map((c) => classifyCurve({ values: c.values, losses: c.losses }).shape);
  const fits = articleShapes(activation);
  return {
    landscape_curves: curves.length,
    landscape_inside_minima: shapes.filter((s) => s === 'interior minimum').length,
    ...(fits ? { landscape_article_shape: shapes.filter((s) => fits.includes(s)).length } : {}),
  };
}

const RUNS_FILE = 'runs.csv';

export async function writeRunsCsv(dir: string, rows: readonly RunRow[]): Promise<string> {
  const file = path.join(dir, RUNS_FILE);
  await writeCsv(
    file,
    RUNS_COLUMNS,
    rows.map((r) => Object.fromEntries(RUNS_COLUMNS.map((c) => [c, r[c] ?? ''])) as CsvRow),
  );
  return file;
}

/**
 * Reads and validates a runs.csv: a UserError naming the file, the row (as a line number of
 * the file) and the column for the first bad value; unknown columns are ignored.
 */
export async function readRunsCsv(file: string): Promise<RunRow[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(`${file}: cannot read the runs file (${code === 'ENOENT' ? 'no such file' : (code ?? 'unreadable')})`);
  }
  const header = text.split('\n', 1)[0].replace(/\r$/, '').split(',');
  for (const need of ['config', 'activation', 'layers', 'seed', 'test_acc']) {
    if (!header.includes(need))
      throw new UserError(`${file}: missing column "${need}" (needed: config, activation, layers, seed, test_acc)`);
  }
  const records = parseCsv(text.replace(/\r\n/g, '\n'));
  if (records.length === 0) throw new UserError(`${file}: no runs (the file has a header but no rows)`);
  const seen = new Set<string>();
  return records.map((rec, i) => {
    const line = i + 2;
    const raw: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(rec)) {
      if (!(k in RunRowSchema.shape)) continue;
      if (v.trim() === '') continue;
      if (NUMERIC.has(k)) {
        const x = Number(v);
        if (!Number.isFinite(x)) throw new UserError(`${file}: line ${line}, column "${k}": expected a number, got "${v}"`);
        raw[k] = x;
      } else raw[k] = v.trim();
    }
    const parsed = RunRowSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const column = issue.path.join('.') || '(row)';
      const detail = issue.code === 'invalid_type' && raw[column] === undefined ? 'is empty (required)' : issue.message;
      throw new UserError(`${file}: line ${line}, column "${column}": ${detail}`);
    }
    const key = `${parsed.data.config}\u0000${parsed.data.seed}`;
    if (seen.has(key)) throw new UserError(`${file}: line ${line}: config "${parsed.data.config}" seed ${parsed.data.seed} appears twice`);
    seen.add(key);
    return parsed.data;
  });
}
