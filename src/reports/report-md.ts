/**
 * The reproduction report as Markdown (report.md), with the charts linked as PNG files beside it.
 * Every text that comes from the data (names, settings, the runs file, the command) passes
 * src/util/text-out.ts: no raw HTML, no links, no broken tables, a command in a code span that
 * holds whatever the name contains.
 */
import { answerFirst } from './answer-first.js';
import path from 'node:path';
import { markdownCell, markdownCode, markdownText as t } from '../util/text-out.js';
import {
  articleWords,
  claimsTable,
  claimText,
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
import { reportStrings } from './i18n.js';

function table(tt: TextTable): string[] {
  return [
    `| ${tt.headers.map(markdownCell).join(' | ')} |`,
    `| ${tt.headers.map(() => '---').join(' | ')} |`,
    ...tt.rows.map((r) => `| ${r.map(markdownCell).join(' | ')} |`),
  ];
}

/** `reportDir` is where report.md links its images from (relative paths). */
export function renderMarkdown(data: ReportData, reportDir: string): string {
  const lang = data.lang;
  const s = reportStrings(lang);
  const out: string[] = [];
  out.push(`# ${t(data.title)}`, '');
  out.push(s.generated(t(data.generatedAt), markdownCode(data.source), markdownCode(data.command)), '');
  if (s.untranslatedNote) out.push(t(s.untranslatedNote), '');
  out.push(`## ${s.headings.answer}`, '');
  for (const line of answerFirst(data.claims, lang)) out.push(`- ${t(line)}`);
  out.push('');
  out.push(`## ${s.headings.claims}`, '');
  out.push(...table(claimsTable(data.claims, lang)), '');
  for (const line of methodText(data.margins, data.claims, lang)) out.push(t(line), '');
  const claimSection = (c: ClaimResult) => {
    out.push(`### ${c.number}. ${t(claimText(c, lang))}`, '');
    const words = articleWords(c, lang);
    if (words) out.push(`> ${t(words)}`, '');
    out.push(`${s.verdictLine}: **${verdictLabel(c.verdict, lang)}**.`, '');
    for (const e of c.evidence) out.push(`- ${t(e)}`);
    const plain = disagreementSentence(c.verdict, data.settings, lang);
    if (plain) out.push('', t(plain));
    out.push('');
  };
  data.claims.filter((c) => c.group === 'results').forEach(claimSection);
  if (data.protocol) {
    out.push(`## ${s.headings.protocol}`, '');
    for (const line of data.protocol.lines) out.push(t(line), '');
    for (const p of data.protocol.tables) out.push(`### ${t(p.title)}`, '', ...table(p.table), '');
  }
  out.push(`## ${s.headings.explanation}`, '');
  const explanation = data.claims.filter((c) => c.group === 'explanation');
  for (const line of explanationIntro(explanation, lang)) out.push(t(line), '');
  explanation.forEach(claimSection);
  if (data.trajectories) {
    out.push(`## ${s.headings.trajectories}`, '');
    for (const p of data.trajectories.tables) out.push(`### ${t(p.title)}`, '', ...table(p.table), '');
  }
  out.push(`## ${s.headings.sensitivity}`, '');
  out.push(s.sensitivityIntroMd, '', ...table(sensitivityTable(data.sensitivity, data.claims, lang)), '');
  if (data.landscapeRules) {
    out.push(`## ${s.headings.landscapeRules}`, '', t(landscapeRulesIntro(lang)), '', ...table(data.landscapeRules), '');
  }
  out.push(`## ${s.headings.summary}`, '');
  out.push(...table(summaryTable(data.rows, lang)), '');
  out.push(s.primaryFigure, '');
  out.push(`## ${s.headings.charts}`, '');
  for (const chart of data.charts) {
    const rel = path.relative(reportDir, chart.png).split(path.sep).join('/');
    out.push(`### ${t(chart.title)}`, '', `![${t(chart.title)}](${rel})`, '', t(chart.caption), '');
  }
  out.push(`## ${s.headings.settings}`, '');
  for (const s of data.settings) out.push(`- ${t(s)}`);
  const env = data.environment;
  if (env) {
    out.push(
      `- ${s.environment.backend}: ${t(env.backend)}`,
      `- ${s.environment.engine}: ${t(env.engine)}`,
      `- ${s.environment.versions}: ${t(env.versions)}`,
      `- ${s.environment.data}: ${t(env.dataSource)}`,
      `- ${s.environment.machine}: ${t(env.machine)}`,
      `- ${s.environment.wallTime}: ${t(env.wallTime)}`,
      `- ${s.environment.computeTime}: ${t(env.computeTime)}`,
    );
  }
  if (data.notes.length > 0) {
    out.push('', `## ${s.headings.notes}`, '');
    for (const n of data.notes) out.push(`- ${t(n)}`);
  }
  out.push('');
  return out.join('\n');
}
