/**
 * From a runs table to the judged report, in three stages:
 *   1. the runs table (runs-table.ts), summarised per configuration (summary.ts);
 *   2. the judge: every claim of the registry (claims/registry.ts) and how the verdicts move
 *      with the margins;
 *   3. the render: summary.csv, claims.csv, every chart (figures.ts), report.md and a
 *      self-contained report.html, each written atomically.
 * The sweep's finish step (finalize.ts) and `report --runs` both end here, so a runs.csv gives
 * the same verdicts wherever it was made.
 */
import path from 'node:path';
import { shapeSensitivity } from '../probes/landscape-rules.js';
import { writeFileAtomic } from '../util/atomic.js';
import { shellCommand } from '../util/text-out.js';
import { writeClaimsCsv } from './claims-table.js';
import { bootstrapsOf, judgeClaims, MARGIN_ALTERNATIVES, MARGINS, sensitivity } from './claims/registry.js';
import { TEST_IMAGES_FILE, writeTestImagesCsv, type TestImages } from './test-images.js';
import { writeFigures, type ProbeRecords } from './figures.js';
import { TRAJECTORIES_FILE, trajectoryView, writeTrajectoriesCsv, type RunTrajectory } from './trajectories.js';
import { reportStrings, type Lang } from './i18n.js';
import { describeRunSettings, landscapeRulesTable, type ReportChart, type ReportData } from './report-data.js';
import { renderHtml } from './report-html.js';
import { renderMarkdown } from './report-md.js';
import type { RunRow } from './runs-table.js';
import { summarize, writeSummary } from './summary.js';

const CHARTS_DIR = 'charts';
const REPORT_MD = 'report.md';
const REPORT_HTML = 'report.html';

export interface ReportContext {
  title: string;
  source: string;
  /** The command that reproduces the runs, as it is to be pasted (shell-quoted by whoever builds it: shellCommand). */
  command: string;
  settings: string[];
  environment?: ReportData['environment'];
  notes: string[];
  /** The records behind the runs table (a reproduction's folder): their charts and the landscape rules' table. */
  probes?: ProbeRecords;
  /** Which test images each run got right (test-images.csv): the accuracy claims' intervals then cover the test set's noise. */
  images?: TestImages | null;
  /** The probed runs' units and gradients by epoch (trajectories.csv): claim 8 at the budgets, a table and charts. */
  trajectories?: readonly RunTrajectory[] | null;
  /** How the networks were trained (protocol.ts), shown after the claims. */
  protocol?: ReportData['protocol'];
  /** Charts made by the caller, shown after the report's own. */
  extraCharts?: ReportChart[];
  now: Date;
  /** The language of the report's own words; absent: English. */
  lang?: Lang;
}

export interface BuiltReport {
  summary: string;
  claimsCsv: string;
  report: { md: string; html: string };
  charts: ReportChart[];
  data: ReportData;
}

export async function buildReport(outDir: string, runs: readonly RunRow[], ctx: ReportContext): Promise<BuiltReport> {
  // 1. The runs table, per configuration.
  const rows = summarize(runs);
  // 2. The judge.
  const bootstraps = bootstrapsOf(runs, ctx.images);
  const trajectories = ctx.trajectories && ctx.trajectories.length > 0 ? ctx.trajectories : undefined;
  const claims = judgeClaims(runs, MARGINS, bootstraps, trajectories);
  const view = trajectories ? trajectoryView(trajectories, runs) : undefined;
  const landscapeRules = ctx.probes ? landscapeRulesOf(ctx.probes) : undefined;
  const lang = ctx.lang ?? 'en';
  const data: ReportData = {
    lang,
    title: ctx.title,
    generatedAt: ctx.now.toISOString(),
    source: ctx.source,
    command: ctx.command,
    claims,
    margins: { ...MARGINS },
    sensitivity: sensitivity(runs, MARGINS, MARGIN_ALTERNATIVES, bootstraps),
    rows,
    settings: ctx.settings,
    environment: ctx.environment,
    charts: [],
    notes: ctx.notes,
    ...(landscapeRules ? { landscapeRules } : {}),
    ...(ctx.protocol ? { protocol: ctx.protocol } : {}),
    ...(view ? { trajectories: { tables: view.tables } } : {}),
  };
  // 3. The render.
  const summary = await writeSummary(outDir, rows);
  const claimsCsv = await writeClaimsCsv(outDir, claims);
  if (ctx.images) await writeTestImagesCsv(outDir, runs, ctx.images);
  if (trajectories) await writeTrajectoriesCsv(outDir, trajectories);
  data.charts = [...(await writeFigures(path.join(outDir, CHARTS_DIR), runs, ctx.probes, lang, view)), ...(ctx.extraCharts ?? [])];
  const md = path.join(outDir, REPORT_MD);
  const html = path.join(outDir, REPORT_HTML);
  await writeFileAtomic(md, renderMarkdown(data, outDir));
  await writeFileAtomic(html, renderHtml(data));
  return { summary, claimsCsv, report: { md, html }, charts: data.charts, data };
}

/** The landscape claim's curves recounted under other flatness floors and inside margins (the rules' two free constants). */
function landscapeRulesOf({ landscape }: ProbeRecords): ReportData['landscapeRules'] {
  const swept = landscape.flatMap((r) =>
    r.series.map((c) => ({
      activation: r.activation,
      values: c.values,
      losses: c.losses,
      activity: c.unitActive && c.unitSaturated ? c.unitActive.map((active, p) => ({ active, saturated: c.unitSaturated![p] })) : undefined,
    })),
  );
  return swept.length > 0 ? landscapeRulesTable(shapeSensitivity(swept)) : undefined;
}

/** What `report --runs FILE --out DIR` says about its input: title, source, the command (shell-quoted), settings and notes. */
export function runsFileContext(
  runsFile: string,
  outDir: string,
  runs: readonly RunRow[],
  now: Date = new Date(),
  lang: Lang = 'en',
  images: TestImages | null = null,
  trajectories: readonly RunTrajectory[] | null = null,
): ReportContext {
  const s = reportStrings(lang);
  return {
    images,
    trajectories,
    title: s.titleRunsFile(path.basename(runsFile)),
    source: runsFile,
    command: shellCommand([
      'node',
      'dist/run.js',
      'report',
      '--runs',
      runsFile,
      '--out',
      outDir,
      ...(lang === 'en' ? [] : ['--lang', lang]),
    ]),
    settings: describeRunSettings(runs),
    notes: [
      s.notesRunsFile(runsFile, runs.length),
      images ? s.notesTestImages(TEST_IMAGES_FILE, images.images) : s.notesNoTestImages(TEST_IMAGES_FILE),
      ...(trajectories ? [s.notesTrajectories(TRAJECTORIES_FILE, trajectories.length)] : []),
    ],
    now,
    lang,
  };
}
