/**
 * From a runs table to the judged report: summary.csv, claims.csv, the accuracy charts and
 * report.md/.html. The sweep's finish step (finalize.ts) and `report --runs` both end here, so
 * a runs.csv gives the same verdicts wherever it was made.
 */
import path from 'node:path';
import { writeIntervalByDepthChart } from '../charts/charts.js';
import { CONFIDENCE, MARGIN_ALTERNATIVES, MARGINS } from './claim-margins.js';
import { writeClaimsCsv } from './claims-table.js';
import { writeReport, type ReportChart, type ReportData } from './report.js';
import type { RunRow } from './runs-table.js';
import { summarize, writeSummary } from './summary.js';
import { judgeClaims, sensitivity, sigmoidMinusReluByDepth } from './verdicts.js';

export const CHARTS_DIR = 'charts';

export interface ReportContext {
  title: string;
  source: string;
  command: string;
  settings: string[];
  environment?: ReportData['environment'];
  notes: string[];
  /** Charts made from more than the runs table (landscape, gradients). */
  extraCharts: ReportChart[];
  /** Claim 5's counts as the landscape rules move (from the probed curves, which runs.csv does not hold). */
  landscapeRules?: ReportData['landscapeRules'];
  now: Date;
}

export interface BuiltReport {
  summary: string;
  claimsCsv: string;
  report: { md: string; html: string };
  charts: ReportChart[];
  data: ReportData;
}

async function accuracyCharts(dir: string, runs: readonly RunRow[]): Promise<ReportChart[]> {
  const rows = summarize(runs);
  const seeds = new Set(runs.map((r) => r.seed)).size;
  const acc = await writeIntervalByDepthChart(
    dir,
    rows.map((r) => ({ series: r.activation, depth: r.layers, value: 100 * r.test.value, low: 100 * r.test.low, high: 100 * r.test.high })),
    {
      name: 'accuracy-by-depth',
      title: 'Test accuracy against depth',
      subtitle: `mean over seeds with its 95 % interval (${seeds} seed${seeds === 1 ? '' : 's'})`,
      yTitle: 'test accuracy (%)',
    },
  );
  const charts: ReportChart[] = [
    {
      name: 'accuracy-by-depth',
      title: 'Test accuracy against depth',
      caption: `Each run's primary figure (test accuracy at the epoch of lowest validation loss); the line joins the means over seeds, the bars are t-based ${(100 * CONFIDENCE).toFixed(0)} % intervals.`,
      png: acc.png,
      svg: acc.svg,
    },
  ];
  const diff = sigmoidMinusReluByDepth(runs);
  if (diff.length > 0) {
    const files = await writeIntervalByDepthChart(
      dir,
      diff.map((d) => ({
        series: 'sigmoid - relu',
        depth: d.layers,
        value: 100 * d.estimate.value,
        low: 100 * d.estimate.low,
        high: 100 * d.estimate.high,
      })),
      {
        name: 'sigmoid-minus-relu',
        title: 'Sigmoid minus ReLU, paired by seed',
        subtitle: 'mean paired difference with its 95 % interval; above 0: Sigmoid ahead',
        yTitle: 'test accuracy difference (points)',
        zeroLine: true,
      },
    );
    charts.push({
      name: 'sigmoid-minus-relu',
      title: 'Sigmoid minus ReLU per depth',
      caption: `Per depth, the mean over seeds of (Sigmoid - ReLU) test accuracy of the same seed, with its t-based ${(100 * CONFIDENCE).toFixed(0)} % interval (n = ${diff[0].estimate.n} seeds).`,
      png: files.png,
      svg: files.svg,
    });
  }
  return charts;
}

export async function buildReport(outDir: string, runs: readonly RunRow[], ctx: ReportContext): Promise<BuiltReport> {
  const rows = summarize(runs);
  const summary = await writeSummary(outDir, rows);
  const claims = judgeClaims(runs, MARGINS);
  const claimsCsv = await writeClaimsCsv(outDir, claims);
  const charts = [...(await accuracyCharts(path.join(outDir, CHARTS_DIR), runs)), ...ctx.extraCharts];
  const data: ReportData = {
    title: ctx.title,
    generatedAt: ctx.now.toISOString(),
    source: ctx.source,
    command: ctx.command,
    claims,
    margins: { ...MARGINS },
    sensitivity: sensitivity(runs, MARGINS, MARGIN_ALTERNATIVES),
    rows,
    settings: ctx.settings,
    environment: ctx.environment,
    charts,
    notes: ctx.notes,
    ...(ctx.landscapeRules ? { landscapeRules: ctx.landscapeRules } : {}),
  };
  const report = await writeReport(outDir, data);
  return { summary, claimsCsv, report, charts, data };
}
