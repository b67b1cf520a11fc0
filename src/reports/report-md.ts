/** The reproduction report as Markdown (report.md), with the charts linked as PNG files beside it. */
import path from 'node:path';
import type { ReportData } from './report-data.js';
import type { SummaryRow } from './summary.js';
import { type ClaimResult, THRESHOLDS } from './report-claims.js';
import { pct } from '../util/format.js';

/** Text shown for a verdict; a contradiction is said plainly. */
export function verdictLabel(v: ClaimResult['verdict']): string {
  switch (v) {
    case 'agrees':
      return 'agrees';
    case 'partly agrees':
      return 'partly agrees';
    case 'inconclusive':
      return 'inconclusive';
    case 'contradicts':
      return 'CONTRADICTS the article';
    case 'not measured':
      return 'not measured';
  }
}

/** For verdicts other than "agrees": one plain sentence that names the settings. */
export function disagreementSentence(claim: ClaimResult, settings: readonly string[]): string | null {
  if (claim.verdict === 'agrees' || claim.verdict === 'not measured') return null;
  const what =
    claim.verdict === 'contradicts'
      ? 'This run contradicts the article on this claim'
      : claim.verdict === 'partly agrees'
        ? 'This run confirms only part of this claim'
        : 'This run cannot confirm this claim: the difference is within the spread over seeds';
  return `${what}, with these settings: ${settings.join('; ')}.`;
}

function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export interface SummaryTableRow {
  config: string;
  activation: string;
  layers: string;
  hidden: string;
  seeds: string;
  mean: string;
  std: string;
  min: string;
  max: string;
  best: string;
  train: string;
  time: string;
}

export const SUMMARY_TABLE_HEADERS = [
  'config',
  'activation',
  'layers',
  'hidden',
  'seeds',
  'test acc. mean',
  'std',
  'min',
  'max',
  'best-epoch test acc. (mean)',
  'train acc.',
  'time per run',
];

export function summaryTableRows(rows: readonly SummaryRow[]): SummaryTableRow[] {
  return rows.map((r) => ({
    config: r.config,
    activation: r.activation,
    layers: String(r.layers),
    hidden: r.hidden.join(', '),
    seeds: String(r.seeds.length),
    mean: pct(r.test.mean),
    std: Number.isFinite(r.test.std) ? `${(100 * r.test.std).toFixed(1)}` : 'n/a',
    min: pct(r.test.min),
    max: pct(r.test.max),
    best: pct(r.bestTest.mean),
    train: pct(r.train.mean),
    time: `${r.seconds.mean.toFixed(1)} s`,
  }));
}

/** `chartsDir` is where report.md links its images from (relative paths). */
export function renderMarkdown(data: ReportData, reportDir: string): string {
  const out: string[] = [];
  out.push(`# ${data.title}`, '');
  out.push(`Generated ${data.generatedAt} from \`${data.source}\`; reproduce with \`${data.command}\`.`, '');
  out.push("## The article's claims against this run", '');
  out.push('| # | the article says | this run measured | verdict |', '| --- | --- | --- | --- |');
  for (const c of data.claims) out.push(`| ${c.number} | ${md(c.claim)} | ${md(c.measured)} | **${verdictLabel(c.verdict)}** |`);
  out.push('');
  for (const c of data.claims) {
    out.push(`### ${c.number}. ${c.claim}`, '', `Verdict: **${verdictLabel(c.verdict)}**.`, '');
    for (const e of c.evidence) out.push(`- ${e}`);
    const plain = disagreementSentence(c, data.settings);
    if (plain) out.push('', plain);
    out.push('');
  }
  out.push(
    `How verdicts are reached: a difference counts as real only when it exceeds ${THRESHOLDS.noiseMultiple} standard errors of the difference over the seeds; ` +
      `"around"/"about" allows ${(100 * THRESHOLDS.aroundTolerance).toFixed(0)} points; "little" means at most ${(100 * THRESHOLDS.littleDepthEffect).toFixed(0)} points between depths; ` +
      `"slightly" at most ${(100 * THRESHOLDS.slightAdvantage).toFixed(0)} points; "much smaller" gradients at least ${THRESHOLDS.muchSmallerFactor}x smaller.`,
    '',
  );
  out.push('## Summary (summary.csv)', '');
  out.push(`| ${SUMMARY_TABLE_HEADERS.join(' | ')} |`, `| ${SUMMARY_TABLE_HEADERS.map(() => '---').join(' | ')} |`);
  for (const r of summaryTableRows(data.rows)) {
    out.push(
      `| ${[r.config, r.activation, r.layers, r.hidden, r.seeds, r.mean, r.std, r.min, r.max, r.best, r.train, r.time].map(md).join(' | ')} |`,
    );
  }
  out.push('', 'Accuracies are final-epoch test accuracies; std is the sample standard deviation over seeds, in points.', '');
  out.push('## Charts', '');
  for (const chart of data.charts) {
    const rel = path.relative(reportDir, chart.png).split(path.sep).join('/');
    out.push(`### ${chart.title}`, '', `![${chart.title}](${rel})`, '', chart.caption, '');
  }
  out.push('## Settings and environment', '');
  for (const s of data.settings) out.push(`- ${s}`);
  const env = data.environment;
  out.push(
    `- backend: ${env.backend}`,
    `- engine: ${env.engine}`,
    `- versions: ${env.versions}`,
    `- data: ${env.dataSource}`,
    `- machine: ${env.machine}`,
    `- wall time: ${env.wallTime}`,
    `- compute time: ${env.computeTime}`,
  );
  if (data.notes.length > 0) {
    out.push('', '## Notes', '');
    for (const n of data.notes) out.push(`- ${n}`);
  }
  out.push('');
  return out.join('\n');
}
