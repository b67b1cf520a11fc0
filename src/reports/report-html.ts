/**
 * The reproduction report as ONE self-contained HTML file: styles inline, every chart embedded
 * as a data: URI, and a Content-Security-Policy that forbids loading anything else, so the file
 * can be mailed, archived or opened offline and looks the same.
 */
import { answerFirst } from './answer-first.js';
import { readFileSync, existsSync } from 'node:fs';
import { escapeHtml } from '../util/text-out.js';
import type { ReportData, ReportChart } from './report-data.js';
import {
  articleWords,
  claimsTable,
  claimText,
  explanationIntro,
  landscapeRulesIntro,
  methodText,
  sensitivityTable,
  summaryTable,
  type TextTable,
} from './report-data.js';
import type { ClaimResult, Verdict } from './claims/claim.js';
import { disagreementSentence, verdictLabel } from './claims-table.js';
import { reportStrings, type Lang } from './i18n.js';

/** The chart as a data: URI: the SVG when there is one (sharp at any size), else the PNG. */
function chartDataUri(chart: ReportChart): string {
  if (chart.svg && existsSync(chart.svg)) {
    return `data:image/svg+xml;base64,${readFileSync(chart.svg).toString('base64')}`;
  }
  return `data:image/png;base64,${readFileSync(chart.png).toString('base64')}`;
}

const VERDICT_CLASS: Record<Verdict, string> = {
  agrees: 'agree',
  mixed: 'partly',
  inconclusive: 'unclear',
  contradicts: 'contra',
  'not measured': 'unclear',
  'still learning': 'unclear',
};

const STYLE = `
body { font-family: "DejaVu Sans", Arial, "Noto Sans CJK JP", sans-serif; max-width: 1150px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
h1 { font-size: 1.6em; } h2 { margin-top: 1.8em; border-bottom: 1px solid #ccc; } h3 { font-size: 1.05em; margin-bottom: .3em; }
table { border-collapse: collapse; margin: .8em 0; font-size: .9em; }
th, td { border: 1px solid #ccc; padding: .3em .5em; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.verdict { font-weight: bold; white-space: nowrap; }
.agree { color: #1a7f37; } .partly { color: #9a6700; } .unclear { color: #57606a; } .contra { color: #cf222e; }
.article { border-left: 4px solid #888; padding-left: .6em; color: #333; }
.plain { border-left: 4px solid #cf222e; padding-left: .6em; }
figure { margin: 1.2em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption { font-size: .9em; color: #444; }
code { background: #f4f4f4; padding: 0 .2em; }
`;

/** The colour class of a cell that holds a verdict in the report's language (bold marks, from the Markdown table, aside). */
function verdictClass(cell: string, lang: Lang): string {
  const bare = cell.replace(/\*\*/g, '');
  const v = (Object.keys(VERDICT_CLASS) as Verdict[]).find((x) => verdictLabel(x, lang) === bare);
  return v ? ` class="verdict ${VERDICT_CLASS[v]}"` : '';
}

function table(id: string, t: TextTable, lang: Lang): string {
  const e = escapeHtml;
  return [
    `<table id="${id}"><thead><tr>${t.headers.map((h) => `<th>${e(h)}</th>`).join('')}</tr></thead><tbody>`,
    ...t.rows.map((r) => `<tr>${r.map((c) => `<td${verdictClass(c, lang)}>${e(c.replace(/\*\*/g, ''))}</td>`).join('')}</tr>`),
    '</tbody></table>',
  ].join('\n');
}

export function renderHtml(data: ReportData): string {
  const e = escapeHtml;
  const lang = data.lang;
  const s = reportStrings(lang);
  const parts: string[] = [];
  parts.push(
    '<!DOCTYPE html>',
    `<html lang="${s.htmlLang}"><head><meta charset="utf-8">`,
    // Nothing may be fetched: images only from data: URIs, styles only inline.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${e(data.title)}</title><style>${STYLE}</style></head><body>`,
    `<h1>${e(data.title)}</h1>`,
    `<p>${s.generated(e(data.generatedAt), `<code>${e(data.source)}</code>`, `<code>${e(data.command)}</code>`)}</p>`,
    ...(s.untranslatedNote ? [`<p>${e(s.untranslatedNote)}</p>`] : []),
    `<h2>${e(s.headings.answer)}</h2>`,
    '<ul>',
    ...answerFirst(data.claims, lang).map((line) => `<li>${e(line)}</li>`),
    '</ul>',
    `<h2>${e(s.headings.claims)}</h2>`,
    table('claims', claimsTable(data.claims, lang), lang),
  );
  for (const line of methodText(data.margins, data.claims, lang)) parts.push(`<p>${e(line)}</p>`);
  const claimSection = (c: ClaimResult) => {
    parts.push(`<h3>${c.number}. ${e(claimText(c, lang))}</h3>`);
    const words = articleWords(c, lang);
    if (words) parts.push(`<blockquote class="article" data-verbatim="${c.articleJa.verbatim}">${e(words)}</blockquote>`);
    parts.push(
      `<p>${e(s.verdictLine)}: <span class="verdict ${VERDICT_CLASS[c.verdict]}">${e(verdictLabel(c.verdict, lang))}</span>.</p>`,
      '<ul>',
    );
    for (const ev of c.evidence) parts.push(`<li>${e(ev)}</li>`);
    parts.push('</ul>');
    const plain = disagreementSentence(c.verdict, data.settings, lang);
    if (plain) parts.push(`<p class="plain">${e(plain)}</p>`);
  };
  data.claims.filter((c) => c.group === 'results').forEach(claimSection);
  if (data.protocol) {
    parts.push(`<h2>${e(s.headings.protocol)}</h2>`);
    for (const line of data.protocol.lines) parts.push(`<p>${e(line)}</p>`);
    for (const p of data.protocol.tables) parts.push(`<h3>${e(p.title)}</h3>`, table('protocol', p.table, lang));
  }
  parts.push(`<h2>${e(s.headings.explanation)}</h2>`);
  const explanation = data.claims.filter((c) => c.group === 'explanation');
  for (const line of explanationIntro(explanation, lang)) parts.push(`<p>${e(line)}</p>`);
  explanation.forEach(claimSection);
  if (data.trajectories) {
    parts.push(`<h2>${e(s.headings.trajectories)}</h2>`);
    for (const p of data.trajectories.tables) parts.push(`<h3>${e(p.title)}</h3>`, table('trajectories', p.table, lang));
  }
  parts.push(
    `<h2>${e(s.headings.sensitivity)}</h2>`,
    `<p>${e(s.sensitivityIntroHtml)}</p>`,
    table('sensitivity', sensitivityTable(data.sensitivity, data.claims, lang), lang),
  );
  if (data.landscapeRules) {
    parts.push(
      `<h2>${e(s.headings.landscapeRules)}</h2>`,
      // The program's own sentence (no data in it), printed as report.html always has, apostrophes unescaped.
      `<p>${landscapeRulesIntro(lang)}</p>`,
      table('landscape-rules', data.landscapeRules, lang),
    );
  }
  parts.push(`<h2>${e(s.headings.summary)}</h2>`, table('summary', summaryTable(data.rows, lang), lang));
  // The program's own sentence, printed as report.html always has, apostrophes unescaped.
  parts.push(`<p>${s.primaryFigure}</p>`);
  parts.push(`<h2>${e(s.headings.charts)}</h2>`);
  for (const chart of data.charts) {
    parts.push(
      `<figure class="chart" data-chart="${e(chart.name)}"><img src="${chartDataUri(chart)}" alt="${e(chart.title)}">`,
      `<figcaption><strong>${e(chart.title)}.</strong> ${e(chart.caption)}</figcaption></figure>`,
    );
  }
  const env = data.environment;
  parts.push(`<h2>${e(s.headings.settings)}</h2>`, '<ul>');
  for (const s of data.settings) parts.push(`<li>${e(s)}</li>`);
  if (env) {
    for (const [k, v] of [
      [s.environment.backend, env.backend],
      [s.environment.engine, env.engine],
      [s.environment.versions, env.versions],
      [s.environment.data, env.dataSource],
      [s.environment.machine, env.machine],
      [s.environment.wallTime, env.wallTime],
      [s.environment.computeTime, env.computeTime],
    ] as const) {
      parts.push(`<li>${e(k)}: ${e(v)}</li>`);
    }
  }
  parts.push('</ul>');
  if (data.notes.length > 0) {
    parts.push(`<h2>${e(s.headings.notes)}</h2>`, '<ul>');
    for (const n of data.notes) parts.push(`<li>${e(n)}</li>`);
    parts.push('</ul>');
  }
  parts.push('</body></html>', '');
  return parts.join('\n');
}
