/**
 * Charts: every picture the project draws, as `<name>.svg` plus `<name>.png`.
 *
 * Each function takes plain data (no tensors, no engine), describes the chart as a Vega-Lite
 * spec, lets Vega lay it out and render it to SVG (Vega's headless View with renderer 'none'
 * needs no canvas package in Node), and rasterises that SVG with resvg for a PNG that any
 * viewer, GitHub included, shows without running scripts. Both files are written atomically,
 * so a killed run never leaves half a picture.
 *
 * Fonts: the PNG needs real font files (resvg draws no text at all without them). We load
 * DejaVu Sans from /usr/share/fonts/truetype/dejavu, and beside it Noto Sans CJK (Debian's
 * fonts-noto-cjk) when installed, which resvg falls back to for the Japanese report's titles:
 * DejaVu has no kana or kanji. When DejaVu is missing we let resvg load the system's fonts
 * instead, and if there are none the PNG still renders, only without text.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import { writeFileAtomic } from '../util/atomic.js';

export interface ChartFiles {
  svg: string;
  png: string;
}

/** The font the charts ask for, and where resvg finds it. */
const CHART_FONT_FAMILY = 'DejaVu Sans';
export const DEJAVU_DIR = '/usr/share/fonts/truetype/dejavu';
const DEJAVU_FILES = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'];
/** Where Debian's fonts-noto-cjk puts the CJK font resvg falls back to for characters DejaVu lacks. */
export const CJK_FONT_FILES: readonly string[] = ['/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'];

/** PNG pixels per SVG pixel: 2 keeps thin lines and small labels sharp on high-density screens. */
const PNG_SCALE = 2;

/** Colours per activation, kept the same in every chart so ReLU and Sigmoid are recognisable at a glance. */
const ACTIVATION_COLOURS: Record<string, string> = { relu: '#d62728', sigmoid: '#1f77b4', tanh: '#2ca02c' };

/** Shared look: white background, DejaVu everywhere, no chart border. */
const BASE_CONFIG = {
  font: CHART_FONT_FAMILY,
  background: 'white',
  view: { stroke: '#bbbbbb' },
  axis: { labelFontSize: 11, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  header: { labelFontSize: 12, titleFontSize: 12 },
  title: { fontSize: 14, anchor: 'start' as const },
};

// ---------------------------------------------------------------------------------------------
// Rendering

/** Where resvg gets its fonts: DejaVu (and the CJK font) when installed, otherwise whatever the system has. */
export function chartFontOptions(
  fontDir = DEJAVU_DIR,
  cjkFiles: readonly string[] = CJK_FONT_FILES,
): NonNullable<ResvgRenderOptions['font']> {
  const files = DEJAVU_FILES.map((f) => path.join(fontDir, f)).filter((f) => existsSync(f));
  const cjk = cjkFiles.filter((f) => existsSync(f));
  if (files.length > 0) return { loadSystemFonts: false, fontFiles: [...files, ...cjk], defaultFontFamily: CHART_FONT_FAMILY };
  // Without DejaVu, resvg substitutes any system font for the requested family; with no
  // font at all it skips the text and still draws every mark.
  return { loadSystemFonts: true };
}

/** Vega-Lite spec -> SVG text. */
export async function specToSvg(spec: TopLevelSpec): Promise<string> {
  const vegaSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vegaSpec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG text -> PNG bytes. */
export function svgToPng(svg: string, fontDir = DEJAVU_DIR, cjkFiles: readonly string[] = CJK_FONT_FILES): Uint8Array {
  const resvg = new Resvg(svg, {
    font: chartFontOptions(fontDir, cjkFiles),
    background: 'white',
    fitTo: { mode: 'zoom', value: PNG_SCALE },
  });
  return resvg.render().asPng();
}

/** Renders a Vega-Lite spec into `dir/name.svg` and `dir/name.png`. */
export async function writeChart(dir: string, name: string, spec: TopLevelSpec): Promise<ChartFiles> {
  const svg = await specToSvg({ ...spec, config: { ...BASE_CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec);
  const files = { svg: path.join(dir, `${name}.svg`), png: path.join(dir, `${name}.png`) };
  await writeFileAtomic(files.svg, svg);
  await writeFileAtomic(files.png, svgToPng(svg));
  return files;
}

function activationColourScale(activations: Iterable<string>): { domain: string[]; range: string[] } {
  const domain = [...new Set(activations)];
  const spare = ['#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];
  return { domain, range: domain.map((a, k) => ACTIVATION_COLOURS[a] ?? spare[k % spare.length]) };
}

/** The x axis of every chart against depth: the layer counts present, as whole numbers. */
function depthAxis(depths: readonly number[], title = 'layers (input + hidden + output)'): Record<string, unknown> {
  return {
    field: 'depth',
    type: 'quantitative',
    title,
    scale: { domain: [depths[0] ?? 0, depths[depths.length - 1] ?? 1], nice: false, padding: 12 },
    axis: { values: depths, format: 'd' },
  };
}

/** Vega-Lite cannot plot NaN or infinities; a diverged run would otherwise break the whole chart. */
function finite(v: number): number | null {
  return Number.isFinite(v) ? v : null;
}

// ---------------------------------------------------------------------------------------------
// Training curves

/**
 * One epoch of a run (the training loop's EpochRecord has these fields). Epoch 0 = before
 * training. A set that was not scored after an epoch has NaN there (its line joins the epochs
 * that were scored).
 */
export interface TrainingCurvePoint {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** NaN (or absent) without a validation split. */
  valLoss?: number;
  valAccuracy?: number;
}

export interface TrainingCurvesOptions {
  /** File name without extension; default "curves". */
  name?: string;
  /** Chart title, e.g. the config name. */
  title?: string;
  /** The epoch whose test accuracy the run reports (lowest validation loss): a dashed rule in both panels. */
  chosenEpoch?: number;
}

const CURVE_SETS = ['train', 'validation', 'test'] as const;

/** Loss and accuracy against epoch, train, validation and test, side by side; the chosen epoch marked. */
export async function writeTrainingCurves(
  dir: string,
  history: readonly TrainingCurvePoint[],
  opts: TrainingCurvesOptions = {},
): Promise<ChartFiles> {
  const LOSS = 'loss (mean squared error)';
  const series = (h: TrainingCurvePoint) =>
    [
      ['train', LOSS, h.trainLoss],
      ['validation', LOSS, h.valLoss],
      ['test', LOSS, h.testLoss],
      ['train', 'accuracy', h.trainAccuracy],
      ['validation', 'accuracy', h.valAccuracy],
      ['test', 'accuracy', h.testAccuracy],
    ] as const;
  // A set never scored (no validation split) has no line; a set scored at some epochs only joins those.
  const scored = new Set(
    history.flatMap((h) =>
      series(h)
        .filter(([, , v]) => v !== undefined && !Number.isNaN(v))
        .map(([set]) => set),
    ),
  );
  const values = history.flatMap((h) =>
    series(h)
      .filter(([set, , v]) => scored.has(set) && v !== undefined && !Number.isNaN(v))
      .map(([set, metric, v]) => ({ epoch: h.epoch, set, metric, value: finite(v!) })),
  );
  const sets = CURVE_SETS.filter((s) => scored.has(s));
  const colours: Record<(typeof CURVE_SETS)[number], string> = { train: '#1f77b4', validation: '#2ca02c', test: '#ff7f0e' };
  const panel = (metric: string, yTitle: string, format: string) => ({
    width: 320,
    height: 220,
    layer: [
      {
        transform: [{ filter: { field: 'metric', equal: metric } }],
        mark: { type: 'line' as const, point: history.length <= 40 },
        encoding: {
          x: { field: 'epoch', type: 'quantitative' as const, title: 'epoch', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative' as const, title: yTitle, scale: { zero: false }, axis: { format } },
          color: { field: 'set', type: 'nominal' as const, title: 'data', scale: { domain: sets, range: sets.map((s) => colours[s]) } },
        },
      },
      ...(opts.chosenEpoch === undefined
        ? []
        : [
            {
              data: { values: [{ epoch: opts.chosenEpoch }] },
              mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#555' },
              encoding: { x: { field: 'epoch', type: 'quantitative' as const } },
            },
          ]),
    ],
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    ...(opts.title
      ? {
          title:
            opts.chosenEpoch === undefined
              ? opts.title
              : { text: opts.title, subtitle: `dashed: epoch ${opts.chosenEpoch}, the lowest validation loss` },
        }
      : {}),
    data: { values },
    hconcat: [panel(LOSS, LOSS, '.3~f'), panel('accuracy', 'accuracy', '.0%')],
  } as TopLevelSpec;
  return writeChart(dir, opts.name ?? 'curves', spec);
}

// ---------------------------------------------------------------------------------------------
// Loss landscape along one weight

/** One swept weight: the loss of the whole network as that single weight takes each value. */
export interface LandscapeSeries {
  /** The config (network) it belongs to, e.g. "relu7". */
  config: string;
  activation: string;
  /** The weight W1[i, j]: from input i to first-layer neuron j. */
  weightI: number;
  weightJ: number;
  /** The weight's value in the probed network (marked on the chart). */
  original: number;
  values: ArrayLike<number>;
  losses: ArrayLike<number>;
  /** Optional: per point, the fraction of the examples on which the swept neuron is active (drawn grey, right axis 0..1). */
  unitActive?: ArrayLike<number>;
}

export interface LandscapeChartOptions {
  name?: string;
  title?: string;
  /** Panels per row within one config's block; default 2 (so ten weights make five rows). */
  columns?: number;
}

/**
 * Small multiples, one block per config placed side by side (ReLU first, as in the article),
 * one panel per swept weight: the loss against the weight's value, a dashed rule at the
 * weight's original value and a dot at the lowest loss. Each panel has its own axes, since
 * every weight is swept around its own value and the curves differ in depth.
 */
export async function writeLandscapeChart(
  dir: string,
  series: readonly LandscapeSeries[],
  opts: LandscapeChartOptions = {},
): Promise<ChartFiles> {
  const configs = orderReluFirst([...new Map(series.map((s) => [s.config, s.activation])).entries()]);
  const colours = activationColourScale(configs.map(([, a]) => a));
  const blocks = configs.map(([config, activation]) => {
    const mine = series.filter((s) => s.config === config);
    const values = mine.flatMap((s) => {
      const label = `W1[${s.weightI}, ${s.weightJ}]`;
      const rows: Record<string, unknown>[] = [];
      for (let p = 0; p < s.values.length; p++)
        rows.push({
          weight: label,
          value: s.values[p],
          loss: finite(s.losses[p]),
          original: s.original,
          activation,
          ...(s.unitActive ? { active: finite(s.unitActive[p]) } : {}),
        });
      return rows;
    });
    const withActivity = mine.some((s) => s.unitActive);
    return {
      title: { text: `${config} (${activation})`, anchor: 'middle' as const },
      data: { values },
      facet: { field: 'weight', type: 'nominal', title: null, sort: mine.map((s) => `W1[${s.weightI}, ${s.weightJ}]`) },
      columns: opts.columns ?? 2,
      spec: {
        width: 170,
        height: 95,
        layer: [
          {
            mark: { type: 'line', strokeWidth: 2 },
            encoding: {
              x: { field: 'value', type: 'quantitative', title: 'weight value', scale: { zero: false, nice: false } },
              y: { field: 'loss', type: 'quantitative', title: 'loss (MSE)', scale: { zero: false }, axis: { tickCount: 4 } },
              color: { field: 'activation', type: 'nominal', scale: colours, legend: null },
            },
          },
          {
            // The weight as the network had it: dashed vertical rule.
            mark: { type: 'rule', strokeDash: [4, 3], color: '#444444' },
            encoding: { x: { field: 'original', type: 'quantitative', aggregate: 'min' } },
          },
          {
            // The lowest loss along the sweep.
            transform: [
              { joinaggregate: [{ op: 'min', field: 'loss', as: 'minLoss' }], groupby: ['weight'] },
              { filter: 'datum.loss === datum.minLoss' },
              { window: [{ op: 'row_number', as: 'rank' }], groupby: ['weight'] },
              { filter: 'datum.rank === 1' },
            ],
            mark: { type: 'point', filled: true, size: 40, color: 'black' },
            encoding: { x: { field: 'value', type: 'quantitative' }, y: { field: 'loss', type: 'quantitative' } },
          },
          ...(withActivity
            ? [
                {
                  // The swept neuron's activity on its own axis: where it reaches 0, the neuron is off (or saturated) for every image.
                  mark: { type: 'line', strokeWidth: 1, color: '#999999', strokeDash: [2, 2] },
                  encoding: {
                    x: { field: 'value', type: 'quantitative' },
                    y: {
                      field: 'active',
                      type: 'quantitative',
                      title: 'unit active',
                      scale: { domain: [0, 1] },
                      axis: { orient: 'right', format: '.0%', tickCount: 3 },
                    },
                  },
                },
              ]
            : []),
        ],
        ...(withActivity ? { resolve: { scale: { y: 'independent' } } } : {}),
      },
      resolve: { scale: { x: 'independent', y: 'independent' } },
    };
  });
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: opts.title ?? 'Loss along one first-layer weight (all others fixed)',
      subtitle: `dashed: the weight's original value; dot: lowest loss in the range${series.some((s) => s.unitActive) ? '; grey dotted (right axis): share of images on which the swept neuron is active' : ''}`,
    },
    hconcat: blocks,
    spacing: 30,
  } as TopLevelSpec;
  return writeChart(dir, opts.name ?? 'landscape', spec);
}

function orderReluFirst<T extends [string, string]>(pairs: T[]): T[] {
  const rank = (a: string): number => (a === 'relu' ? 0 : 1);
  return pairs
    .map((p, k) => ({ p, k }))
    .sort((a, b) => rank(a.p[1]) - rank(b.p[1]) || a.k - b.k)
    .map((e) => e.p);
}

// ---------------------------------------------------------------------------------------------
// Saturation and activity over training (Glorot & Bengio 2010)

/** One hidden layer at one epoch (LayerActivationStat from src/nn/activation-stats.ts). */
export interface ActivationPoint {
  epoch: number;
  layer: number;
  saturatedFraction: number;
  deadUnitFraction: number;
  p05: number;
  p50: number;
  p95: number;
}

/**
 * Two panels against the epoch, one colour per hidden layer: (1) the share of saturated
 * (unit, example) pairs (solid) and of dead units (dashed); (2) the median output with the
 * 5th-95th percentile band, as Glorot & Bengio (2010, figure 2) draw a network's layers.
 */
export async function writeActivationChart(
  dir: string,
  stats: readonly ActivationPoint[],
  opts: { name?: string; title?: string } = {},
): Promise<ChartFiles> {
  const rows = stats.map((a) => ({ ...a, layer: `layer ${a.layer}` }));
  const measures = rows.flatMap((a) => [
    { epoch: a.epoch, layer: a.layer, measure: 'saturated (unit, example) pairs', share: a.saturatedFraction },
    { epoch: a.epoch, layer: a.layer, measure: 'dead units', share: a.deadUnitFraction },
  ]);
  const layerOrder = [...new Set(rows.map((r) => r.layer))];
  const colour = { field: 'layer', type: 'nominal', title: 'hidden layer', sort: layerOrder };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: withPrefix(opts.title, 'hidden units over training'), subtitle: 'epoch 0 = at initialisation' },
    hconcat: [
      {
        width: 260,
        height: 200,
        data: { values: measures },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
          y: { field: 'share', type: 'quantitative', title: 'share', scale: { domain: [0, 1] }, axis: { format: '.0%' } },
          color: colour,
          strokeDash: { field: 'measure', type: 'nominal', title: null },
        },
      },
      {
        width: 260,
        height: 200,
        data: { values: rows },
        layer: [
          {
            mark: { type: 'area', opacity: 0.15 },
            encoding: {
              x: { field: 'epoch', type: 'quantitative', axis: { tickMinStep: 1 } },
              y: { field: 'p05', type: 'quantitative', title: 'unit output: median, 5th-95th percentile' },
              y2: { field: 'p95' },
              color: colour,
            },
          },
          {
            mark: { type: 'line', point: true },
            encoding: { x: { field: 'epoch', type: 'quantitative' }, y: { field: 'p50', type: 'quantitative' }, color: colour },
          },
        ],
      },
    ],
    // Colour scales are shared across the panels by default (one legend for every layer).
  } as TopLevelSpec;
  return writeChart(dir, opts.name ?? 'activations', spec);
}

// ---------------------------------------------------------------------------------------------
// Back-propagated error per hidden layer

/** One hidden layer of one profile (src/probes/backprop-deltas.ts): the mean per-example ||δ||. */
export interface DeltaPoint {
  /** Names the line, e.g. "sigmoid7 at init" or "relu (same weights)". */
  series: string;
  layer: number;
  meanNorm: number;
}

/**
 * The statistic the gradient verdict uses: the mean over examples of ||δ_l(n)||₂ against the
 * hidden layer (log scale), one line per network and state. Its slope is the per-layer decay.
 */
export async function writeDeltaChart(
  dir: string,
  points: readonly DeltaPoint[],
  opts: { name?: string; title?: string } = {},
): Promise<ChartFiles> {
  const values = points.filter((p) => Number.isFinite(p.meanNorm) && p.meanNorm > 0);
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: withPrefix(opts.title, 'back-propagated error per hidden layer'),
      subtitle: 'mean over examples of ||dLoss_n/dz|| (log scale); layer 1 = next to the input; output step left out',
    },
    data: { values },
    width: 320,
    height: 220,
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'layer', type: 'quantitative', title: 'hidden layer', axis: { tickMinStep: 1 } },
      y: {
        field: 'meanNorm',
        type: 'quantitative',
        title: 'mean ||δ|| (log scale)',
        scale: { type: 'log' },
        axis: { format: '.0e', values: powersOfTen(values.map((v) => v.meanNorm)) },
      },
      color: { field: 'series', type: 'nominal', title: null },
    },
  } as TopLevelSpec;
  return writeChart(dir, opts.name ?? 'deltas', spec);
}

// ---------------------------------------------------------------------------------------------
// Gradients layer by layer

/** One layer at one epoch (LayerGradientStat from src/nn/gradient-stats.ts), optionally tagged with its run. */
export interface GradientPoint {
  epoch: number;
  layer: number;
  meanAbs: number;
  l2: number;
  /** Which run it came from (e.g. "sigmoid7"); runs are drawn as separate panels. */
  run?: string;
}

export interface GradientChartsOptions {
  /** Prefix of the two file names; default "gradients" (gradients-by-layer, gradients-by-epoch). */
  name?: string;
  /** Says whose gradients, e.g. "sigmoid7 (seed 1)"; put before each chart's own title. */
  title?: string;
}

/**
 * The vanishing gradient as pictures: the L2 norm of each layer's weight gradient on a log
 * scale, (1) against the layer number, one line per epoch, and (2) against the epoch, one line
 * per layer. Several runs (say sigmoid7 and relu7) become panels side by side with a shared
 * log axis, so their gradients compare directly.
 */
export async function writeGradientCharts(
  dir: string,
  stats: readonly GradientPoint[],
  opts: GradientChartsOptions = {},
): Promise<{ byLayer: ChartFiles; byEpoch: ChartFiles }> {
  const prefix = opts.name ?? 'gradients';
  // A log scale cannot show 0 (a dead layer): such points are left out rather than breaking the chart.
  const values = stats
    .filter((s) => Number.isFinite(s.l2) && s.l2 > 0)
    .map((s) => ({ run: s.run ?? '', epoch: s.epoch, layer: s.layer, l2: s.l2, meanAbs: s.meanAbs }));
  const runs = [...new Set(values.map((v) => v.run))];
  const facet = runs.length > 1 ? { column: { field: 'run', type: 'nominal', title: null, sort: runs } } : {};
  const maxEpoch = Math.max(0, ...values.map((v) => v.epoch));
  const lastLayer = Math.max(1, ...values.map((v) => v.layer));
  // Ticks at whole powers of ten only: Vega's default log ticks (1, 2, 5 per decade) crowd the axis over many decades.
  const yAxis = {
    field: 'l2',
    type: 'quantitative',
    title: 'L2 norm of dLoss/dW (log scale)',
    scale: { type: 'log' },
    axis: { format: '.0e', values: powersOfTen(values.map((v) => v.l2)) },
  };
  // Both charts: the same data and panel size, only the x axis and the grouping differ.
  const chart = (text: string, subtitle: string) => ({
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: withPrefix(opts.title, text), subtitle },
    data: { values },
    width: 260,
    height: 220,
  });
  const byLayer = {
    ...chart('weight-gradient norm per layer', 'layer 1 = first weight matrix (next to the input); one line per epoch'),
    mark: { type: 'line', point: true },
    encoding: {
      ...facet,
      x: { field: 'layer', type: 'quantitative', title: 'layer', scale: { domain: [1, lastLayer], nice: false }, axis: { tickMinStep: 1 } },
      y: yAxis,
      color: { field: 'epoch', type: 'quantitative', title: 'epoch', scale: { scheme: 'viridis', domain: [0, Math.max(1, maxEpoch)] } },
      detail: { field: 'epoch', type: 'nominal' },
    },
  } as TopLevelSpec;
  const byEpoch = {
    ...chart('weight-gradient norm during training', 'epoch 0 = at initialisation; one line per layer'),
    mark: { type: 'line', point: maxEpoch <= 40 },
    encoding: {
      ...facet,
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: yAxis,
      color: { field: 'layer', type: 'ordinal', title: 'layer', scale: { scheme: 'viridis' } },
    },
  } as TopLevelSpec;
  return {
    byLayer: await writeChart(dir, `${prefix}-by-layer`, byLayer),
    byEpoch: await writeChart(dir, `${prefix}-by-epoch`, byEpoch),
  };
}

function withPrefix(prefix: string | undefined, text: string): string {
  return prefix ? `${prefix}: ${text}` : text[0].toUpperCase() + text.slice(1);
}

/** 10^k for every k from just below the smallest to just above the largest value. */
function powersOfTen(xs: readonly number[]): number[] {
  if (xs.length === 0) return [];
  const lo = Math.floor(Math.log10(Math.min(...xs)));
  const hi = Math.ceil(Math.log10(Math.max(...xs)));
  const out: number[] = [];
  for (let k = lo; k <= hi; k++) out.push(Number(`1e${k}`));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Experiment 1: test accuracy against depth

/** One trained network: its activation, depth (layers as the article counts them: input + hidden + output), seed and test accuracy (0..1). */
export interface AccuracyByDepthRow {
  activation: string;
  depth: number;
  seed: number;
  testAccuracy: number;
}

export interface AccuracyByDepthOptions {
  name?: string;
  title?: string;
}

/** Mean test accuracy against depth per activation, a bar from the worst to the best seed, and every seed as a dot. */
export async function writeAccuracyByDepthChart(
  dir: string,
  rows: readonly AccuracyByDepthRow[],
  opts: AccuracyByDepthOptions = {},
): Promise<ChartFiles> {
  const values = rows.map((r) => ({ activation: r.activation, depth: r.depth, seed: r.seed, testAccuracy: finite(r.testAccuracy) }));
  const colours = activationColourScale(
    orderReluFirst(values.map((v) => [v.activation, v.activation] as [string, string])).map(([a]) => a),
  );
  const depths = [...new Set(values.map((v) => v.depth))].sort((a, b) => a - b);
  const seeds = new Set(values.map((v) => v.seed)).size;
  const x = depthAxis(depths);
  const colour = { field: 'activation', type: 'nominal', title: 'activation', scale: colours };
  const summary = [
    {
      aggregate: [
        { op: 'mean', field: 'testAccuracy', as: 'mean' },
        { op: 'min', field: 'testAccuracy', as: 'worst' },
        { op: 'max', field: 'testAccuracy', as: 'best' },
      ],
      groupby: ['activation', 'depth'],
    },
  ];
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: opts.title ?? 'Test accuracy against depth',
      subtitle: `line: mean over ${seeds} seed${seeds === 1 ? '' : 's'}; bar: worst to best seed; dots: each seed`,
    },
    data: { values },
    width: 420,
    height: 260,
    layer: [
      {
        transform: summary,
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.5 },
        encoding: { x, y: { field: 'worst', type: 'quantitative' }, y2: { field: 'best' }, color: colour },
      },
      {
        transform: summary,
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: {
          x,
          y: { field: 'mean', type: 'quantitative', title: 'test accuracy', scale: { zero: false }, axis: { format: '.0%' } },
          color: colour,
        },
      },
      {
        mark: { type: 'point', size: 18, opacity: 0.6 },
        encoding: { x, y: { field: 'testAccuracy', type: 'quantitative' }, color: colour },
      },
    ],
  } as TopLevelSpec;
  return writeChart(dir, opts.name ?? 'accuracy-by-depth', spec);
}

export interface IntervalPoint {
  /** One line per series (e.g. the activation). */
  series: string;
  depth: number;
  value: number;
  low: number;
  high: number;
}

export interface IntervalByDepthOptions {
  name: string;
  title: string;
  subtitle: string;
  /** The depth axis' title; absent: the English one. */
  xTitle?: string;
  yTitle: string;
  /** Draw a horizontal line at 0 (for differences). */
  zeroLine?: boolean;
}

/** Estimates against depth with their confidence intervals: a line through the estimates, a bar for each interval. */
export async function writeIntervalByDepthChart(
  dir: string,
  points: readonly IntervalPoint[],
  opts: IntervalByDepthOptions,
): Promise<ChartFiles> {
  const values = points.map((p) => ({
    series: p.series,
    depth: p.depth,
    value: finite(p.value),
    low: finite(p.low),
    high: finite(p.high),
  }));
  const colours = activationColourScale(orderReluFirst(values.map((v) => [v.series, v.series] as [string, string])).map(([a]) => a));
  const depths = [...new Set(values.map((v) => v.depth))].sort((a, b) => a - b);
  const x = depthAxis(depths, opts.xTitle);
  const colour = { field: 'series', type: 'nominal', title: '', scale: colours };
  const y = { type: 'quantitative', title: opts.yTitle, scale: { zero: false } };
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: opts.title, subtitle: opts.subtitle },
    width: 420,
    height: 260,
    layer: [
      ...(opts.zeroLine
        ? [
            {
              data: { values: [{ zero: 0 }] },
              mark: { type: 'rule', color: '#888', strokeDash: [4, 3] },
              encoding: { y: { field: 'zero', type: 'quantitative' } },
            },
          ]
        : []),
      {
        data: { values },
        mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 },
        encoding: { x, y: { ...y, field: 'low' }, y2: { field: 'high' }, color: colour },
      },
      {
        data: { values },
        mark: { type: 'line', point: true, strokeWidth: 2 },
        encoding: { x, y: { ...y, field: 'value' }, color: colour },
      },
    ],
  } as TopLevelSpec;
  return writeChart(dir, opts.name, spec);
}

// ---------------------------------------------------------------------------------------------
// Quantities against the epoch

/** One value of one line at one epoch; lines with the same `panel` share a panel. */
export interface EpochLinePoint {
  panel: string;
  series: string;
  epoch: number;
  value: number;
}

export interface EpochLinesOptions {
  name: string;
  title: string;
  subtitle: string;
  yTitle: string;
  /** The series' legend title. */
  seriesTitle: string;
  /** A log y axis (values that are not positive are left out); otherwise a linear one from 0. */
  log?: boolean;
  /** How the y axis prints its values (a d3 format), e.g. '.0%'. */
  yFormat?: string;
}

/** Lines against the epoch, one per series, panels side by side when there are several. */
export async function writeEpochLinesChart(dir: string, points: readonly EpochLinePoint[], opts: EpochLinesOptions): Promise<ChartFiles> {
  const values = points.filter((p) => Number.isFinite(p.value) && (!opts.log || p.value > 0)).map((p) => ({ ...p }));
  const panels = [...new Set(values.map((v) => v.panel))];
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: opts.title, subtitle: opts.subtitle },
    data: { values },
    width: 300,
    height: 220,
    mark: { type: 'line' },
    encoding: {
      ...(panels.length > 1 ? { column: { field: 'panel', type: 'nominal', title: null, sort: panels } } : {}),
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1 } },
      y: {
        field: 'value',
        type: 'quantitative',
        title: opts.yTitle,
        ...(opts.log
          ? { scale: { type: 'log' }, axis: { format: '.0e', values: powersOfTen(values.map((v) => v.value)) } }
          : { scale: { zero: true }, ...(opts.yFormat ? { axis: { format: opts.yFormat } } : {}) }),
      },
      color: { field: 'series', type: 'nominal', title: opts.seriesTitle },
    },
  } as TopLevelSpec;
  return writeChart(dir, opts.name, spec);
}
