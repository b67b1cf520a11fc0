/**
 * runs.csv: one row per training run, everything the verdicts need and nothing else, so that
 * runs made anywhere (another framework, another machine) can be judged by `report --runs`.
 *
 * Required columns: config, activation, layers, seed, test_acc (the run's primary figure: its
 * test accuracy at the epoch of lowest validation loss). The others may be empty; a claim whose
 * columns (src/reports/claims/) are missing is "not measured". Accuracies are fractions (0..1).
 *   val_acc                    validation accuracy at that epoch (chooses the best configuration, claim accuracy-level)
 *   stop_epoch, stop_reason    the last epoch trained and why (patience, maximum, stalled, fixed: src/training/loop.ts)
 *   test_full_acc, test_full_acc_final  accuracy on the whole test split's two classes at the chosen / final epoch
 *   grad_log10_last_over_first log10(last layer's mean |dLoss/dW| / first layer's), averaged over the recorded epochs (evidence of claim vanishing-gradient)
 *   landscape_curves, landscape_inside_minima, landscape_article_shape  swept first-layer weights of this trained
 *                              network; how many of their loss curves have an interior minimum, and how many have the
 *                              shape the article's words give this activation, by the probe's frozen rules
 *                              (src/probes/landscape-rules.ts classifyCurve, articleShapes; claim landscape-shape)
 *   landscape_plateaus         of those curves, the ones whose edge minimum is a plateau made by the sweep (unit off on every image)
 *   landscape_edge_minima, landscape_flat  of those curves, the ones falling towards an edge (levelling off or still
 *                              falling there), and the flat ones
 *   landscape_init_*           the same counts for the same weights swept in the network's initial state
 *   unstable_end               1 when the run ended unstable (src/probes/landscape-rules.ts unstableEnd), else 0
 *   update_log10_last_over_first  log10(relative update ||ΔW||/||W|| of the last layer / the first), averaged over the epochs
 * The author's explanation (src/probes/mechanism.ts; claims vanishing-gradient, needs-two, asymptote), for probed networks, at initialisation and after training:
 *   delta_log10_init, delta_log10_trained  log10(mean per-example ||δ|| of the top hidden layer / the first hidden layer)
 *   delta_shrink_init, delta_shrink_trained  the factor by which that norm is divided per layer towards the input
 *   delta_log10_init_as_sigmoid, delta_log10_init_as_relu  delta_log10_init from the same initial weights through Sigmoid / ReLU
 *   need_outside_init, need_outside_trained  share of sampled (unit, example) pairs whose loss-minimising output lies
 *                              beyond the activation's range and gains there; need_above_trained: above the upper bound
 *   saturated_init, saturated_trained, off_trained, dead_units_trained  shares of (unit, image) pairs at a bound / off,
 *                              and of units off on every image, pooled over the hidden layers
 *   probed_abs_w_init, probed_abs_w_trained  mean |w| of the landscape's probed first-layer weights in the initial and
 *                              the probed (trained) network; the positions depend on the seed and the layer sizes only
 *                              (src/probes/landscape.ts pickWeights), so a Sigmoid and a ReLU network of a seed share them
 */
import path from 'node:path';
import { z } from 'zod';
import { writeCsv, type CsvRow } from '../util/csv.js';
import type { LandscapeRecord, TrainRecord } from '../experiment/store.js';
import { runMetrics } from '../training/run-metrics.js';
import type { LayerGradientStat } from '../nn/gradient-stats.js';
import { articleShapes, classifyCurve, unstableEnd, type LandscapeShape } from '../probes/landscape-rules.js';

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
  'stop_epoch',
  'stop_reason',
  'test_full_acc',
  'test_full_acc_final',
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
  'landscape_plateaus',
  'landscape_edge_minima',
  'landscape_flat',
  'landscape_init_curves',
  'landscape_init_inside_minima',
  'landscape_init_article_shape',
  'unstable_end',
  'update_log10_last_over_first',
  'delta_log10_init',
  'delta_log10_trained',
  'delta_shrink_init',
  'delta_shrink_trained',
  'delta_log10_init_as_sigmoid',
  'delta_log10_init_as_relu',
  'need_outside_init',
  'need_outside_trained',
  'need_above_trained',
  'saturated_init',
  'saturated_trained',
  'off_trained',
  'dead_units_trained',
  'probed_abs_w_init',
  'probed_abs_w_trained',
] as const;

const fraction = z.number().min(0).max(1);
const optional = <T extends z.ZodType>(t: T) => t.optional();

/** A row of runs.csv; read from a file by src/reports/runs-csv.ts. */
export const RunRowSchema = z.object({
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
  stop_epoch: optional(z.number().int().min(0)),
  stop_reason: optional(z.enum(['patience', 'maximum', 'stalled', 'fixed'])),
  test_full_acc: optional(fraction),
  test_full_acc_final: optional(fraction),
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
  landscape_plateaus: optional(z.number().int().min(0)),
  landscape_edge_minima: optional(z.number().int().min(0)),
  landscape_flat: optional(z.number().int().min(0)),
  landscape_init_curves: optional(z.number().int().min(0)),
  landscape_init_inside_minima: optional(z.number().int().min(0)),
  landscape_init_article_shape: optional(z.number().int().min(0)),
  unstable_end: optional(z.number().int().min(0).max(1)),
  update_log10_last_over_first: optional(z.number()),
  delta_log10_init: optional(z.number()),
  delta_log10_trained: optional(z.number()),
  delta_shrink_init: optional(z.number().positive()),
  delta_shrink_trained: optional(z.number().positive()),
  delta_log10_init_as_sigmoid: optional(z.number()),
  delta_log10_init_as_relu: optional(z.number()),
  need_outside_init: optional(fraction),
  need_outside_trained: optional(fraction),
  need_above_trained: optional(fraction),
  saturated_init: optional(fraction),
  saturated_trained: optional(fraction),
  probed_abs_w_init: optional(z.number().min(0)),
  probed_abs_w_trained: optional(z.number().min(0)),
  off_trained: optional(fraction),
  dead_units_trained: optional(fraction),
});

export type RunRow = z.output<typeof RunRowSchema>;

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

/** log10(relative update of the last layer / the first), averaged over the epochs that have one; undefined without. */
function updateLogRatio(gradients: readonly LayerGradientStat[]): number | undefined {
  const epochs = [...new Set(gradients.map((g) => g.epoch))];
  const ratios = epochs.flatMap((e) => {
    const at = gradients.filter((g) => g.epoch === e && Number.isFinite(g.relativeUpdate));
    if (at.length < 2) return [];
    const first = at.reduce((a, b) => (b.layer < a.layer ? b : a));
    const last = at.reduce((a, b) => (b.layer > a.layer ? b : a));
    const r = Math.log10(last.relativeUpdate! / first.relativeUpdate!);
    return Number.isFinite(r) ? [r] : [];
  });
  return ratios.length > 0 ? ratios.reduce((a, b) => a + b, 0) / ratios.length : undefined;
}

/** A finite number, or nothing (a measure that could not be taken stays empty in runs.csv). */
function finite<K extends keyof RunRow>(key: K, v: number | null | undefined): Partial<RunRow> {
  return v !== null && v !== undefined && Number.isFinite(v) ? ({ [key]: v } as Partial<RunRow>) : {};
}

/** The author's explanation measured on the probed network (the first probe of the run that has it). */
function mechanismColumns(probes: readonly LandscapeRecord[]): Partial<RunRow> {
  const m = probes.find((p) => p.mechanism)?.mechanism;
  if (!m) return {};
  const asActivation = (a: string) => m.sameWeightsInit.find((x) => x.activation === a)?.deltaLog10TopOverFirst;
  return {
    ...finite('delta_log10_init', m.init.deltaLog10TopOverFirst),
    ...finite('delta_log10_trained', m.trained.deltaLog10TopOverFirst),
    ...finite('delta_shrink_init', m.init.deltaShrinkPerLayer),
    ...finite('delta_shrink_trained', m.trained.deltaShrinkPerLayer),
    ...finite('delta_log10_init_as_sigmoid', asActivation('sigmoid')),
    ...finite('delta_log10_init_as_relu', asActivation('relu')),
    ...finite('need_outside_init', m.init.needOutside),
    ...finite('need_outside_trained', m.trained.needOutside),
    ...finite('need_above_trained', m.trained.needAbove),
    ...finite('saturated_init', m.init.saturated),
    ...finite('saturated_trained', m.trained.saturated),
    ...finite('off_trained', m.trained.off),
    ...finite('dead_units_trained', m.trained.deadUnits),
  };
}

/** Mean |w| of the probed weights, from the curves' `original` values (undefined without curves). */
function meanAbsOriginal(curves: readonly { original: number }[]): number | undefined {
  return curves.length > 0 ? curves.reduce((a, c) => a + Math.abs(c.original), 0) / curves.length : undefined;
}

/** One row per training record, in the records' order, with the landscape probes of each trained network. */
export function runRowsOf(train: readonly TrainRecord[], landscape: readonly LandscapeRecord[]): RunRow[] {
  return train.map((r) => {
    const m = runMetrics(r.history);
    const probes = landscape.filter((l) => l.trainId === r.id);
    const curves = probes.flatMap((l) => l.series);
    const initCurves = probes.flatMap((l) => l.initSeries ?? []);
    const grad = gradientLogRatio(r.gradients);
    const update = updateLogRatio(r.gradients);
    const epochs = r.history.filter((h) => h.epoch >= 1);
    const unstable =
      epochs.length > 0
        ? unstableEnd({
            trainLosses: epochs.map((h) => h.trainLoss).filter((v, k, all) => Number.isFinite(v) || k === all.length - 1), // the scored epochs (the final one always is)
            finalTrainAccuracy: epochs[epochs.length - 1].trainAccuracy,
            trainCount: 2 * r.config.data.trainPerClass,
          }).length > 0
        : undefined;
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
      ...(r.stopEpoch === undefined ? {} : { stop_epoch: r.stopEpoch }),
      ...(r.stopReason === undefined ? {} : { stop_reason: r.stopReason }),
      ...(typeof r.fullTestAccuracy === 'number' ? { test_full_acc: r.fullTestAccuracy } : {}),
      ...(typeof r.fullTestAccuracyFinal === 'number' ? { test_full_acc_final: r.fullTestAccuracyFinal } : {}),
      train_acc: m.trainAccuracyFinal,
      epochs: r.config.epochs,
      batch_size: r.config.batchSize,
      learning_rate: r.config.learningRate,
      init: initText(r.config.init),
      seconds: r.seconds,
      ...(grad === undefined ? {} : { grad_log10_last_over_first: grad }),
      ...(update === undefined ? {} : { update_log10_last_over_first: update }),
      ...(unstable === undefined ? {} : { unstable_end: unstable ? 1 : 0 }),
      ...(curves.length > 0 ? landscapeCounts(curves, r.config.activation) : {}),
      ...(initCurves.length > 0 ? initLandscapeCounts(initCurves, r.config.activation) : {}),
      ...mechanismColumns(probes),
      ...finite('probed_abs_w_init', meanAbsOriginal(initCurves)),
      ...finite('probed_abs_w_trained', meanAbsOriginal(curves)),
    };
  });
}

type RecordedCurve = LandscapeRecord['series'][number];

/** The frozen rules' class of a recorded curve, with the swept unit's activity when the record has it. */
function shapeOf(c: RecordedCurve): LandscapeShape {
  const activity =
    c.unitActive && c.unitSaturated ? c.unitActive.map((active, p) => ({ active, saturated: c.unitSaturated![p] })) : undefined;
  return classifyCurve({ values: c.values, losses: c.losses, activity }).shape;
}

/** The probed curves of one network, classified by the frozen rules. */
function shapeCounts(curves: readonly RecordedCurve[], activation: string) {
  const shapes = curves.map(shapeOf);
  const fits = articleShapes(activation);
  return {
    curves: curves.length,
    inside: shapes.filter((s) => s === 'interior minimum').length,
    plateaus: shapes.filter((s) => s === 'plateau, unit off').length,
    edge: shapes.filter((s) => s === 'levels off at an edge' || s === 'still falling at the edge').length,
    flat: shapes.filter((s) => s === 'flat').length,
    fitting: fits ? shapes.filter((s) => fits.includes(s)).length : undefined,
  };
}

function landscapeCounts(curves: readonly RecordedCurve[], activation: string): Partial<RunRow> {
  const c = shapeCounts(curves, activation);
  return {
    landscape_curves: c.curves,
    landscape_inside_minima: c.inside,
    landscape_plateaus: c.plateaus,
    landscape_edge_minima: c.edge,
    landscape_flat: c.flat,
    ...(c.fitting === undefined ? {} : { landscape_article_shape: c.fitting }),
  };
}

function initLandscapeCounts(curves: readonly RecordedCurve[], activation: string): Partial<RunRow> {
  const c = shapeCounts(curves, activation);
  return {
    landscape_init_curves: c.curves,
    landscape_init_inside_minima: c.inside,
    ...(c.fitting === undefined ? {} : { landscape_init_article_shape: c.fitting }),
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
