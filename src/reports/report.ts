/**
 * The reproduction report: report.md (charts linked as PNG files beside it) and a
 * self-contained report.html, both written atomically into the reproduction's folder.
 *
 * The content is built by the reproduction (src/reports/finalize.ts) from its records;
 * the verdicts come from report-claims.ts, the wording from report-md.ts and report-html.ts.
 */
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import type { ReportData } from './report-data.js';
import { renderMarkdown } from './report-md.js';
import { renderHtml } from './report-html.js';

export type { ReportData, ReportChart } from './report-data.js';
export { describeSettings } from './report-data.js';
const REPORT_MD = 'report.md';
const REPORT_HTML = 'report.html';

export async function writeReport(dir: string, data: ReportData): Promise<{ md: string; html: string }> {
  const md = path.join(dir, REPORT_MD);
  const html = path.join(dir, REPORT_HTML);
  await writeFileAtomic(md, renderMarkdown(data, dir));
  await writeFileAtomic(html, renderHtml(data));
  return { md, html };
}
