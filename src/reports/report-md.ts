/**
 * The reproduction report as Markdown (report.md), with the charts linked as PNG files beside it.
 * Every text that comes from the data (names, settings, the runs file, the command) passes
 * src/util/text-out.ts: no raw HTML, no links, no broken tables, a command in a code span that
 * holds whatever the name contains.
 */
import path from 'node:path';
import { markdownCell, markdownCode, markdownText as t } from '../util/text-out.js';
import {
  claimsTable,
  explanationIntro,
  landscapeRulesIntro,
  methodText,
  sensitivityTable,
  summaryTable,
  type ReportData,
  type TextTable,
} from './report-data.js';
import type { ClaimResult } from './claims/claim.js';
import { disagreementSentence, verdictLabel } from './claims-table.js';

function table(tt: TextTable): string[] {
  return [
    `| ${tt.headers.map(markdownCell).join(' | ')} |`,
    `| ${tt.headers.map(() => '---').join(' | ')} |`,
    ...tt.rows.map((r) => `| ${r.map(markdownCell).join(' | ')} |`),
  ];
}

/** `reportDir` is where report.md links its images from (relative paths). */
export function renderMarkdown(data: ReportData, reportDir: string): string {
  const out: string[] = [];
  out.push(`# ${t(data.title)}`, '');
  out.push(`Generated ${t(data.generatedAt)} from ${markdownCode(data.source)}; reproduce with ${markdownCode(data.command)}.`, '');
  out.push("## The article's claims against this run", '');
  out.push(...table(claimsTable(data.claims)), '');
  for (const line of methodText(data.margins)) out.push(t(line), '');
  const claimSection = (c: ClaimResult) => {
    out.push(`### ${c.number}. ${t(c.claim)}`, '', `Verdict: **${verdictLabel(c.verdict)}**.`, '');
    for (const e of c.evidence) out.push(`- ${t(e)}`);
    const plain = disagreementSentence(c.verdict, data.settings);
    if (plain) out.push('', t(plain));
    out.push('');
  };
  data.claims.filter((c) => c.group === 'results').forEach(claimSection);
  out.push("## The author's explanation", '');
  const explanation = data.claims.filter((c) => c.group === 'explanation');
  for (const line of explanationIntro(explanation)) out.push(t(line), '');
  explanation.forEach(claimSection);
  out.push('## How the verdicts move with the margins', '');
  out.push(
    "Each row changes one margin and keeps the others as declared; a verdict that differs from the declared margins' is in bold.",
    '',
    ...table(sensitivityTable(data.sensitivity, data.claims)),
    '',
  );
  if (data.landscapeRules) {
    out.push('## How the landscape verdict moves with its rules', '', t(landscapeRulesIntro()), '', ...table(data.landscapeRules), '');
  }
  out.push('## Summary (summary.csv)', '');
  out.push(...table(summaryTable(data.rows)), '');
  out.push(
    "The primary figure is each run's test accuracy at the epoch of lowest validation loss; final-epoch and last-five-epoch means are beside it. SD is over seeds, in points.",
    '',
  );
  out.push('## Charts', '');
  for (const chart of data.charts) {
    const rel = path.relative(reportDir, chart.png).split(path.sep).join('/');
    out.push(`### ${t(chart.title)}`, '', `![${t(chart.title)}](${rel})`, '', t(chart.caption), '');
  }
  out.push('## Settings and environment', '');
  for (const s of data.settings) out.push(`- ${t(s)}`);
  const env = data.environment;
  if (env) {
    out.push(
      `- backend: ${t(env.backend)}`,
      `- engine: ${t(env.engine)}`,
      `- versions: ${t(env.versions)}`,
      `- data: ${t(env.dataSource)}`,
      `- machine: ${t(env.machine)}`,
      `- wall time: ${t(env.wallTime)}`,
      `- compute time: ${t(env.computeTime)}`,
    );
  }
  if (data.notes.length > 0) {
    out.push('', '## Notes', '');
    for (const n of data.notes) out.push(`- ${t(n)}`);
  }
  out.push('');
  return out.join('\n');
}
