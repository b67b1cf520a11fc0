/**
 * Experiment 2 of the article: the loss landscape along single first-layer weights.
 *
 * For each network (say relu7 and sigmoid7, trained), K first-layer weights are chosen with
 * the seed (or named), each is swept over a range while every other weight stays fixed, and
 * at every point the mean squared error over the examples and its derivative (tf.grad) are
 * recorded (src/probes/weight-scan.ts does the batched computation). Then:
 *   - the derivative column is checked against the slope of the loss column, and the run
 *     fails past a tolerance (the curve and its derivative must tell the same story);
 *   - each curve is summarised: minimum inside the range or at an edge, monotone or not;
 *   - landscape.csv, landscape-summary.csv and the side-by-side chart are written.
 *
 * The article's claim: for ReLU the curve has a minimum inside the range; for Sigmoid it keeps
 * sloping towards an asymptote, so gradient descent on that weight has no nearby target.
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { BackendChoice } from '../nn/tfjs/backend.js';
import type { Dataset } from '../data/types.js';
import { writeCsv, type CsvRow } from '../util/csv.js';
import { writeLandscapeChart, type ChartFiles } from '../charts/charts.js';
import { UserError, UsageError } from '../util/errors.js';
import { Rng } from '../util/rng.js';
import { checkDerivative, describeCurve, noiseLevel, type CurveShape } from './landscape-shape.js';
import type { LandscapeShape, UnitActivity } from './landscape-rules.js';
import { measureCurve, type CurveMeasures } from './curve-measures.js';
import { runSweepJobs, type SweepTask } from './scan-jobs.js';
import type { ProbedNetwork, WeightRef } from './weight-scan.js';

export type { ProbedNetwork, WeightRef } from './weight-scan.js';

import { DEFAULT_POINTS, DEFAULT_SPAN, DEFAULT_TOLERANCE, DEFAULT_WEIGHT_COUNT } from './landscape-defaults.js';

export const LANDSCAPE_COLUMNS = [
  'config',
  'activation',
  'weight_i',
  'weight_j',
  'original',
  'value',
  'loss',
  'gradient',
  'slope',
  'unit_active_fraction',
  'unit_saturated_fraction',
] as const;
export const SUMMARY_COLUMNS = [
  'config',
  'activation',
  'weight_i',
  'weight_j',
  'original',
  'loss_at_original',
  'from',
  'to',
  'points',
  'examples',
  'minimum',
  'shape',
  'edge_unit',
  'min_value',
  'min_loss',
  'gradient_at_min',
  'edge_rise',
  'monotone',
  'loss_range',
  'flat',
  'gradient_at_original',
  'curvature_at_original',
  'minimum_offset',
  'gain_available',
  'sgd_steps_to_minimum',
  'heads_toward_minimum',
  'max_abs_gradient',
  'check_max_abs',
  'check_relative',
  'check_unexplained',
] as const;

export interface LandscapeOptions {
  /** The networks to probe; each brings its own name, activations and parameters. */
  networks: ProbedNetwork[];
  /** The examples the loss is measured over (the training set). */
  data: Dataset;
  /** Says which examples, for logs and reports; default "training set (N examples)". */
  examplesLabel?: string;
  /** Weights to sweep; default: `count` picked with Rng.stream(seed, 'landscape'). */
  weights?: WeightRef[];
  count?: number;
  /** Seed for picking weights; default 1 (the CLI passes the config's seed). */
  seed?: number;
  /** Range: original ± span (default), or absolute from..to for every weight. */
  span?: number;
  from?: number;
  to?: number;
  points?: number;
  tolerance?: number;
  /** Throw a UserError when the derivative check fails (after writing the files); default true. */
  failOnCheck?: boolean;
  /** Write landscape.csv, landscape-summary.csv and landscape.svg/.png here. */
  outDir?: string;
  log?: (line: string) => void;
  /** Rows per batched chunk (memory bound); see weight-scan.ts. */
  rowsPerChunk?: number;
  /** Worker threads for the sweeps (src/probes/scan-jobs.ts); default 1 = this thread. Same numbers either way. */
  jobs?: number;
}

interface LandscapeCurve {
  config: string;
  activation: string;
  weightI: number;
  weightJ: number;
  original: number;
  lossAtOriginal: number;
  values: number[];
  losses: number[];
  gradients: number[];
  /** Central-difference slope of the losses (NaN at the ends). */
  slopes: number[];
  /** Per point: fractions of the examples on which the swept neuron is active / saturated (the rest: off). */
  unitActive: number[];
  unitSaturated: number[];
  shape: CurveShape;
  /** The frozen rules' class (src/probes/landscape-rules.ts, with unit activity) and the curve measures (curve-measures.ts). */
  measures: CurveMeasures;
  /** Derivative vs slope of the loss (src/probes/landscape-shape.ts checkDerivative). */
  check: { maxAbs: number; relative: number; unexplained: number; worstValue: number };
  /** Wall time of this sweep. */
  seconds: number;
}

interface LandscapeCount {
  config: string;
  activation: string;
  swept: number;
  inside: number;
  atEdge: number;
  monotone: number;
  /** Curves per class of the frozen rules. */
  shapes: Partial<Record<LandscapeShape, number>>;
}

export interface LandscapeResult {
  curves: LandscapeCurve[];
  counts: LandscapeCount[];
  examples: string;
  points: number;
  /** The worst derivative disagreement over all curves: point by point (relative) and beyond the curves' kinks (unexplained, judged). */
  check: { maxAbs: number; relative: number; unexplained: number; tolerance: number; passed: boolean; where: string };
  /**
   * total: wall time of the probe; setup: first two layers of each network, and sweep: every
   * weight's sweep, both summed over the threads that ran them (jobs).
   */
  seconds: { total: number; setup: number; sweep: number; jobs: number };
  files?: { csv: string; summaryCsv: string; chart: ChartFiles };
}

/** K distinct first-layer weights, reproducibly from the seed. */
export function pickWeights(seed: number, inputs: number, neurons: number, count: number): WeightRef[] {
  if (!Number.isInteger(count) || count < 1)
    throw new UsageError(`--count: expected a whole number of weights of at least 1, got ${count}`);
  if (count > inputs * neurons) throw new UsageError(`--count: the first layer has only ${inputs * neurons} weights, asked for ${count}`);
  const rng = Rng.stream(seed, 'landscape');
  const seen = new Set<number>();
  const picks: WeightRef[] = [];
  while (picks.length < count) {
    const i = rng.int(inputs);
    const j = rng.int(neurons);
    const key = i * neurons + j;
    if (seen.has(key)) continue;
    seen.add(key);
    picks.push({ i, j });
  }
  return picks;
}

/** P equally spaced values from lo to hi, both included. */
export function linspace(lo: number, hi: number, points: number): number[] {
  return Array.from({ length: points }, (_, p) => (points === 1 ? lo : lo + ((hi - lo) * p) / (points - 1)));
}

export async function runLandscape(opts: LandscapeOptions): Promise<LandscapeResult> {
  const log = opts.log ?? (() => {});
  const points = opts.points ?? DEFAULT_POINTS;
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  const absolute = opts.from !== undefined || opts.to !== undefined;
  if (!Number.isInteger(points) || points < 3) throw new UsageError(`--points: expected a whole number of at least 3, got ${points}`);
  if (absolute && (opts.from === undefined || opts.to === undefined || !(opts.from < opts.to))) {
    throw new UsageError('--from/--to: give both, with --from below --to');
  }
  const span = opts.span ?? DEFAULT_SPAN;
  if (!absolute && !(span > 0 && Number.isFinite(span))) throw new UsageError(`--span: expected a positive number, got ${span}`);
  if (opts.networks.length === 0) throw new UsageError('landscape: no network to probe');
  const examples = opts.examplesLabel ?? `training set (${opts.data.count} examples)`;

  // One task per (network, weight), grouped by network.
  const tasks: SweepTask[] = [];
  opts.networks.forEach((net, k) => {
    const sizes = net.params.sizes;
    const weights = opts.weights ?? pickWeights(opts.seed ?? 1, sizes[0], sizes[1], opts.count ?? DEFAULT_WEIGHT_COUNT);
    for (const w of weights) {
      if (!(Number.isInteger(w.i) && Number.isInteger(w.j) && w.i >= 0 && w.i < sizes[0] && w.j >= 0 && w.j < sizes[1])) {
        throw new UsageError(
          `--weight ${w.i},${w.j}: outside the first layer of ${net.name} (input 0..${sizes[0] - 1}, neuron 0..${sizes[1] - 1})`,
        );
      }
      const original = net.params.weights[0][w.i * sizes[1] + w.j];
      const [lo, hi] = absolute ? [opts.from!, opts.to!] : [original - span, original + span];
      tasks.push({ net: k, weight: w, values: linspace(lo, hi, points) });
    }
  });

  const t0 = performance.now();
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, tasks.length));
  const curves: LandscapeCurve[] = new Array(tasks.length);
  const { setupSeconds } = await runSweepJobs({
    networks: opts.networks,
    data: opts.data,
    tasks,
    jobs,
    backend: currentBackend(),
    rowsPerChunk: opts.rowsPerChunk,
    onOutcome: (o) => {
      const task = tasks[o.task];
      const net = opts.networks[task.net];
      const w = task.weight;
      const original = net.params.weights[0][w.i * net.params.sizes[1] + w.j];
      const noise = noiseLevel(o.losses);
      const shape = describeCurve(o.values, o.losses, o.gradients, noise);
      const check = checkDerivative(o.values, o.losses, o.gradients, noise);
      const activity: UnitActivity[] = o.unitActive.map((active, p) => ({ active, saturated: o.unitSaturated[p] }));
      const measures = measureCurve({ values: o.values, losses: o.losses, gradients: o.gradients, original, activity }, net.learningRate);
      const { classification } = measures;
      curves[o.task] = {
        config: net.name,
        activation: net.activation,
        weightI: w.i,
        weightJ: w.j,
        original,
        lossAtOriginal: o.lossAtOriginal,
        values: o.values,
        losses: o.losses,
        gradients: o.gradients,
        slopes: Array.from(check.slopes),
        unitActive: o.unitActive,
        unitSaturated: o.unitSaturated,
        shape,
        measures,
        check: {
          maxAbs: check.maxAbs,
          relative: check.relative,
          unexplained: check.unexplained,
          worstValue: check.worstIndex >= 0 ? o.values[check.worstIndex] : NaN,
        },
        seconds: o.seconds,
      };
      log(
        `${net.name} W1[${w.i}, ${w.j}] = ${fmt(original)}: swept ${fmt(o.values[0])}..${fmt(o.values[o.values.length - 1])} in ${points} points, ` +
          `${classification.shape}, minimum ${shape.minimum} (loss ${shape.minLoss.toFixed(5)} at ${fmt(shape.minValue)}), monotone: ${shape.monotone}, ` +
          `derivative vs slope ${(100 * check.relative).toFixed(2)} % (unexplained by kinks ${(100 * check.unexplained).toFixed(2)} %)  [${o.seconds.toFixed(2)} s]`,
      );
    },
  });
  const totalSeconds = (performance.now() - t0) / 1000;

  const counts = countShapes(curves);
  for (const c of counts) {
    log(
      `${c.config} (${c.activation}): ${c.swept} weights swept; minimum inside the range for ${c.inside}, at an edge for ${c.atEdge}; monotone curves: ${c.monotone}; ` +
        `by the frozen rules: ${Object.entries(c.shapes)
          .map(([shape, k]) => `${shape} ${k}`)
          .join(', ')}`,
    );
  }
  // NaN (a diverged network) counts as the worst of all.
  const worse = (a: number, b: number): boolean => Number.isNaN(b) || (!Number.isNaN(a) && b > a);
  const worstRaw = curves.reduce((a, b) => (worse(a.check.relative, b.check.relative) ? b : a), curves[0]);
  const worst = curves.reduce((a, b) => (worse(a.check.unexplained, b.check.unexplained) ? b : a), curves[0]);
  const passed = curves.every((c) => c.check.unexplained <= tolerance);
  const where = `${worst.config} W1[${worst.weightI}, ${worst.weightJ}] at ${fmt(worst.check.worstValue)}`;
  const result: LandscapeResult = {
    curves,
    counts,
    examples,
    points,
    check: {
      maxAbs: worstRaw.check.maxAbs,
      relative: worstRaw.check.relative,
      unexplained: worst.check.unexplained,
      tolerance,
      passed,
      where,
    },
    seconds: { total: totalSeconds, setup: setupSeconds, sweep: curves.reduce((a, c) => a + c.seconds, 0), jobs },
  };
  log(
    `derivative check: largest |tf.grad - slope of the loss| point by point = ${worstRaw.check.maxAbs.toExponential(3)} ` +
      `(${(100 * worstRaw.check.relative).toFixed(2)} % of that curve's slope scale, ${worstRaw.config} W1[${worstRaw.weightI}, ${worstRaw.weightJ}]); ` +
      `beyond what the curves' kinks explain: ${(100 * worst.check.unexplained).toFixed(3)} % at ${where} (tolerance ${(100 * tolerance).toFixed(1)} %)`,
  );

  if (opts.outDir) result.files = await writeLandscapeFiles(opts.outDir, result);
  if (!passed && opts.failOnCheck !== false) {
    throw new UserError(
      `landscape: the tf.grad derivative disagrees with the slope of the loss by ${(100 * worst.check.unexplained).toFixed(2)} % ` +
        `of the curve's slope scale beyond what its kinks explain (tolerance ${(100 * tolerance).toFixed(1)} %) at ${where}; ` +
        'more --points (finer differences) shrink the difference error; compare the gradient and slope columns of landscape.csv',
    );
  }
  return result;
}

function countShapes(curves: readonly LandscapeCurve[]): LandscapeCount[] {
  const byConfig = new Map<string, LandscapeCount>();
  for (const c of curves) {
    const k = byConfig.get(c.config) ?? {
      config: c.config,
      activation: c.activation,
      swept: 0,
      inside: 0,
      atEdge: 0,
      monotone: 0,
      shapes: {},
    };
    k.swept++;
    k.shapes[c.measures.classification.shape] = (k.shapes[c.measures.classification.shape] ?? 0) + 1;
    if (c.shape.minimum === 'inside') k.inside++;
    else k.atEdge++;
    if (c.shape.monotone === 'increasing' || c.shape.monotone === 'decreasing') k.monotone++;
    byConfig.set(c.config, k);
  }
  return [...byConfig.values()];
}

async function writeLandscapeFiles(dir: string, r: LandscapeResult): Promise<NonNullable<LandscapeResult['files']>> {
  const rows: CsvRow[] = [];
  for (const c of r.curves) {
    for (let p = 0; p < c.values.length; p++) {
      rows.push({
        config: c.config,
        activation: c.activation,
        weight_i: c.weightI,
        weight_j: c.weightJ,
        original: c.original,
        value: c.values[p],
        loss: c.losses[p],
        gradient: c.gradients[p],
        slope: Number.isNaN(c.slopes[p]) ? '' : c.slopes[p],
        unit_active_fraction: c.unitActive[p],
        unit_saturated_fraction: c.unitSaturated[p],
      });
    }
  }
  const summary: CsvRow[] = r.curves.map((c) => ({
    config: c.config,
    activation: c.activation,
    weight_i: c.weightI,
    weight_j: c.weightJ,
    original: c.original,
    loss_at_original: c.lossAtOriginal,
    from: c.values[0],
    to: c.values[c.values.length - 1],
    points: c.values.length,
    examples: r.examples,
    minimum: c.shape.minimum,
    shape: c.measures.classification.shape,
    edge_unit: c.measures.classification.edgeUnit ?? '',
    min_value: c.shape.minValue,
    min_loss: c.shape.minLoss,
    gradient_at_min: c.shape.gradientAtMin,
    edge_rise: c.shape.edgeRise,
    monotone: c.shape.monotone,
    loss_range: c.shape.lossRange,
    flat: c.measures.flat,
    gradient_at_original: c.measures.gradientAtTrained,
    curvature_at_original: c.measures.curvatureAtTrained,
    minimum_offset: c.measures.minimumOffset,
    gain_available: c.measures.gainAvailable,
    sgd_steps_to_minimum: Number.isNaN(c.measures.sgdStepsToMinimum) ? '' : c.measures.sgdStepsToMinimum,
    heads_toward_minimum: c.measures.headsTowardMinimum,
    max_abs_gradient: c.shape.maxAbsGradient,
    check_max_abs: c.check.maxAbs,
    check_relative: c.check.relative,
    check_unexplained: c.check.unexplained,
  }));
  const csv = path.join(dir, 'landscape.csv');
  const summaryCsv = path.join(dir, 'landscape-summary.csv');
  await writeCsv(csv, LANDSCAPE_COLUMNS, rows);
  await writeCsv(summaryCsv, SUMMARY_COLUMNS, summary);
  const chart = await writeLandscapeChart(
    dir,
    r.curves.map((c) => ({
      config: c.config,
      activation: c.activation,
      weightI: c.weightI,
      weightJ: c.weightJ,
      original: c.original,
      values: c.values,
      losses: c.losses,
      unitActive: c.unitActive,
    })),
    { title: `Loss over the ${r.examples} along one first-layer weight (all others fixed)` },
  );
  return { csv, summaryCsv, chart };
}

/** The backend this thread computes on, for worker threads to load the same one. */
function currentBackend(): BackendChoice {
  const name = tf.getBackend();
  return name === 'wasm' || name === 'cpu' || name === 'tensorflow' ? name : 'auto';
}

function fmt(v: number): string {
  return Number.isFinite(v) ? (Math.abs(v) >= 100 || v === 0 ? v.toFixed(2) : v.toPrecision(4)) : String(v);
}
