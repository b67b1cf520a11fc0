/** The reproduction report as Markdown (report.md), with the charts linked as PNG files beside it. */
import path from 'node:path';
import {
  claimsTable,
  EXPLANATION_INTRO,
  methodText,
  sensitivityTable,
  summaryTable,
  type ReportData,
  type TextTable,
} from './report-data.js';
import type { ClaimResult } from './verdicts.js';
import { disagreementSentence, verdictLabel } from './claims-table.js';

function md(text: string): string {
  return text.replace(/\|/g, '\\|');
}

function table(t: TextTable): string[] {
  return [
    `| ${t.headers.map(md).join(' | ')} |`,
    `| ${t.headers.map(() => '---').join(' | ')} |`,
    ...t.rows.map((r) => `| ${r.map(md).join(' | ')} |`),
  ];
}

/** `reportDir` is where report.md links its images from (relative paths). */
export function renderMarkdown(data: ReportData, reportDir: string): string {
  const out: string[] = [];
  out.push(`# ${data.title}`, '');
  out.push(`Generated ${data.generatedAt} from \`${data.source}\`; reproduce with \`${data.command}\`.`, '');
  out.push("## The article's claims against this run", '');
  out.push(...table(claimsTable(data.claims)), '');
  for (const line of methodText(data.margins)) out.push(line, '');
  const claimSection = (c: ClaimResult) => {
    out.push(`### ${c.number}. ${c.claim}`, '', `Verdict: **${verdictLabel(c.verdict)}**.`, '');
    for (const e of c.evidence) out.push(`- ${e}`);
    const plain = disagreementSentence(c.verdict, data.settings);
    if (plain) out.push('', plain);
    out.push('');
  };
  data.claims.filter((c) => c.group === 'results').forEach(claimSection);
  out.push("## The author's explanation", '');
  for (const line of EXPLANATION_INTRO) out.push(line, '');
  data.claims.filter((c) => c.group === 'explanation').forEach(claimSection);
  out.push('## How the verdicts move with the margins', '');
  out.push(
    "Each row changes one margin and keeps the others as declared; a verdict that differs from the declared margins' is in bold.",
    '',
    ...table(sensitivityTable(data.sensitivity, data.claims)),
    '',
  );
  if (data.landscapeRules) {
    out.push(
      '## How the landscape verdict moves with its rules',
      '',
      "Claim 5's curves, recounted for other flatness floors and inside margins (src/probes/landscape-rules.ts); each cell: curves that fit the article's words / flat / interior minimum / falling to an edge / plateau made by the sweep.",
      '',
      ...table(data.landscapeRules),
      '',
    );
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
    out.push(`### ${chart.title}`, '', `![${chart.title}](${rel})`, '', chart.caption, '');
  }
  out.push('## Settings and environment', '');
  for (const s of data.settings) out.push(`- ${s}`);
  const env = data.environment;
  if (env) {
    out.push(
      `- backend: ${env.backend}`,
      `- engine: ${env.engine}`,
      `- versions: ${env.versions}`,
      `- data: ${env.dataSource}`,
      `- machine: ${env.machine}`,
      `- wall time: ${env.wallTime}`,
      `- compute time: ${env.computeTime}`,
    );
  }
  if (data.notes.length > 0) {
    out.push('', '## Notes', '');
    for (const n of data.notes) out.push(`- ${n}`);
  }
  out.push('');
  return out.join('\n');
}
