/**
 * Every chart of the report, built in this one place: accuracy against depth and the paired
 * Sigmoid - ReLU difference from the runs table; the loss landscape, the back-propagated error
 * and the gradient norms from the probe and training records when the report has them. The
 * charts show one network per configuration (the first seed's); the verdicts use every seed.
 */
import {
  writeDeltaChart,
  writeEpochLinesChart,
  writeGradientCharts,
  writeIntervalByDepthChart,
  writeLandscapeChart,
} from '../charts/charts.js';
import type { LandscapeRecord, TrainRecord } from '../experiment/store.js';
import { CONFIDENCE } from './claims/claim.js';
import { claimNumber } from './claims/registry.js';
import { sigmoidMinusReluByDepth } from './claims/sigmoid-vs-relu.js';
import { reportStrings, type Lang } from './i18n.js';
import type { ReportChart } from './report-data.js';
import type { RunRow } from './runs-table.js';
import { summarize } from './summary.js';
import type { TrajectoryView } from './trajectories.js';

/** The records behind a runs table, when the report is built from a reproduction's folder. */
export interface ProbeRecords {
  train: readonly TrainRecord[];
  landscape: readonly LandscapeRecord[];
}

/** Writes every chart into `dir`, in the order the report shows them. */
export async function writeFigures(
  dir: string,
  runs: readonly RunRow[],
  probes?: ProbeRecords,
  lang: Lang = 'en',
  trajectories?: TrajectoryView,
): Promise<ReportChart[]> {
  return [
    ...(await accuracyCharts(dir, runs, lang)),
    ...(probes ? await probeCharts(dir, probes, lang) : []),
    ...(trajectories ? await trajectoryCharts(dir, trajectories, lang) : []),
  ];
}

/** The probed networks over the epochs (trajectories.csv): their units' share at a bound or off, and each layer's mean |gradient|. */
async function trajectoryCharts(dir: string, view: TrajectoryView, lang: Lang): Promise<ReportChart[]> {
  const words = reportStrings(lang).charts;
  const charts: ReportChart[] = [];
  if (view.shares.length > 0) {
    const files = await writeEpochLinesChart(
      dir,
      view.shares.map((s) => ({ panel: '', series: s.config, epoch: s.epoch, value: s.share })),
      {
        name: 'units-by-epoch',
        title: words.unitsByEpochTitle,
        subtitle: 'Sigmoid: at a bound (y <= 0.02 or >= 0.98); ReLU: off (y = 0); mean over the runs still training',
        yTitle: 'share of (unit, image) pairs',
        seriesTitle: 'network',
        yFormat: '.0%',
      },
    );
    charts.push({
      name: 'units-by-epoch',
      title: words.unitsByEpochTitle,
      caption: `Per epoch, the share of (hidden unit, training image) pairs at a Sigmoid's bound or at a ReLU's 0, pooled over the hidden layers, mean over the runs still training then (trajectories.csv; claim ${claimNumber('asymptote')} (a) judges the Sigmoid share at the chosen epoch).`,
      png: files.png,
      svg: files.svg,
    });
  }
  if (view.gradients.length > 0) {
    const files = await writeEpochLinesChart(
      dir,
      view.gradients.map((g) => ({ panel: g.config, series: `layer ${g.layer}`, epoch: g.epoch, value: g.meanAbs })),
      {
        name: 'mean-gradient-by-epoch',
        title: words.meanGradientByEpochTitle,
        subtitle: 'layer 1 = the first weight matrix (next to the input); mean over the runs still training',
        yTitle: 'mean |dLoss/dW| (log scale)',
        seriesTitle: 'layer',
        log: true,
      },
    );
    charts.push({
      name: 'mean-gradient-by-epoch',
      title: words.meanGradientByEpochTitle,
      caption:
        "Per epoch, each weight layer's mean |gradient| over the training set, mean over the runs still training then (trajectories.csv).",
      png: files.png,
      svg: files.svg,
    });
  }
  return charts;
}

async function accuracyCharts(dir: string, runs: readonly RunRow[], lang: Lang): Promise<ReportChart[]> {
  const words = reportStrings(lang).charts;
  const ci = (100 * CONFIDENCE).toFixed(0);
  const rows = summarize(runs);
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const acc = await writeIntervalByDepthChart(
    dir,
    rows.map((r) => ({ series: r.activation, depth: r.layers, value: 100 * r.test.value, low: 100 * r.test.low, high: 100 * r.test.high })),
    {
      name: 'accuracy-by-depth',
      title: words.accuracyTitle,
      subtitle: words.accuracySubtitle(seeds),
      xTitle: words.depthAxis,
      yTitle: words.accuracyAxis,
    },
  );
  const charts: ReportChart[] = [
    {
      name: 'accuracy-by-depth',
      title: words.accuracyTitle,
      caption: words.accuracyCaption(ci),
      png: acc.png,
      svg: acc.svg,
    },
  ];
  const diff = sigmoidMinusReluByDepth(runs);
  if (diff.length > 0) {
    const files = await writeIntervalByDepthChart(
      dir,
      diff.map((d) => ({
        series: words.differenceSeries,
        depth: d.layers,
        value: 100 * d.estimate.value,
        low: 100 * d.estimate.low,
        high: 100 * d.estimate.high,
      })),
      {
        name: 'sigmoid-minus-relu',
        title: words.differenceChartTitle,
        subtitle: words.differenceSubtitle,
        xTitle: words.depthAxis,
        yTitle: words.differenceAxis,
        zeroLine: true,
      },
    );
    charts.push({
      name: 'sigmoid-minus-relu',
      title: words.differenceTitle,
      caption: words.differenceCaption(ci, diff[0].estimate.n),
      png: files.png,
      svg: files.svg,
    });
  }
  return charts;
}

/** Per configuration, the record of its lowest seed. */
function firstSeedOf<T extends { configName: string; seed: number }>(list: readonly T[]): T[] {
  const byConfig = new Map<string, T>();
  for (const r of list) {
    const have = byConfig.get(r.configName);
    if (!have || r.seed < have.seed) byConfig.set(r.configName, r);
  }
  return [...byConfig.values()];
}

async function probeCharts(dir: string, { train, landscape }: ProbeRecords, lang: Lang): Promise<ReportChart[]> {
  const words = reportStrings(lang).charts;
  const charts: ReportChart[] = [];
  if (landscape.length > 0) {
    const shown = firstSeedOf(landscape);
    const files = await writeLandscapeChart(
      dir,
      shown.flatMap((r) =>
        r.series.map((s) => ({
          config: r.configName,
          activation: r.activation,
          weightI: s.weightI,
          weightJ: s.weightJ,
          original: s.original,
          values: s.values,
          losses: s.losses,
        })),
      ),
    );
    charts.push({
      name: 'landscape',
      title: words.landscapeTitle,
      caption: `Mean squared error over the ${shown[0].examples} as one first-layer weight of the trained network is swept, all other weights fixed (${shown.map((r) => `${r.configName} seed ${r.seed}`).join(', ')}).`,
      png: files.png,
      svg: files.svg,
    });
  }

  const mechanisms = firstSeedOf(landscape).filter((r) => r.mechanism);
  if (mechanisms.length > 0) {
    const files = await writeDeltaChart(
      dir,
      mechanisms.flatMap((r) =>
        (['init', 'trained'] as const).flatMap((state) =>
          r.mechanism![state].deltaMeanNorm.map((meanNorm, l) => ({
            series: `${r.configName} ${state === 'init' ? 'init' : 'trained'}`,
            layer: l + 1,
            meanNorm: meanNorm ?? Number.NaN,
          })),
        ),
      ),
    );
    charts.push({
      name: 'deltas',
      title: words.deltasTitle,
      caption: `Mean over the training images of the per-example error reaching each hidden layer, ||δ||, at initialisation and after training (log scale; claim ${claimNumber('vanishing-gradient')}): ${mechanisms.map((r) => `${r.configName} seed ${r.seed}`).join(', ')}.`,
      png: files.png,
      svg: files.svg,
    });
  }

  const withGradients = train.filter((r) => r.gradients.length > 0);
  if (withGradients.length > 0) {
    const shown = firstSeedOf(withGradients);
    const files = await writeGradientCharts(
      dir,
      shown.flatMap((r) => r.gradients.map((g) => ({ ...g, run: `${r.configName} (seed ${r.seed})` }))),
    );
    charts.push({
      name: 'gradients-by-layer',
      title: words.gradientsByLayerTitle,
      caption: `L2 norm of each layer's weight gradient over the training set (log scale), at initialisation (epoch 0) and after every epoch: ${shown.map((r) => r.configName).join(' and ')}, seed ${shown[0].seed}.`,
      png: files.byLayer.png,
      svg: files.byLayer.svg,
    });
    charts.push({
      name: 'gradients-by-epoch',
      title: words.gradientsByEpochTitle,
      caption: 'The same gradients against the epoch, one line per layer.',
      png: files.byEpoch.png,
      svg: files.byEpoch.svg,
    });
  }
  return charts;
}
